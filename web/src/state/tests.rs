//! Tests of the reducer.

use super::*;
use raft_core::sim::NodeStatus;

fn reduce(state: Rc<AppState>, msg: Msg) -> Rc<AppState> {
    state.reduce(msg)
}

fn now(state: &AppState) -> u64 {
    state.sim().map(|s| s.now_ms()).unwrap_or_default()
}

#[test]
fn virtual_delta_caps_and_carries() {
    assert_eq!(virtual_delta(16.0, 5.0, 0.0), (80, 0.0));
    assert_eq!(virtual_delta(10_000.0, 1.0, 0.0).0, 250);
    assert_eq!(virtual_delta(-5.0, 5.0, 0.0), (0, 0.0));
    assert_eq!(virtual_delta(f64::NAN, 5.0, 0.5), (0, 0.5));
    let (ms, carry) = virtual_delta(16.0, 0.1, 0.0);
    assert_eq!(ms, 1);
    assert!((carry - 0.6).abs() < 1e-9);
}

#[test]
fn frames_advance_virtual_time_by_speed_and_pause_stops_them() {
    let mut s = Rc::new(AppState::new(RunParams::default(), vec![]));
    s = reduce(s, Msg::Frame { wall_ms: 1000.0 });
    assert_eq!(now(&s), 0, "the first frame only sets the reference time");
    s = reduce(s, Msg::Frame { wall_ms: 1100.0 });
    assert_eq!(now(&s), 600, "100 ms at 6x");
    s = reduce(s, Msg::TogglePlay);
    let paused = reduce(s.clone(), Msg::Frame { wall_ms: 1200.0 });
    assert!(Rc::ptr_eq(&paused, &s), "a paused app ignores frames");
    s = reduce(s, Msg::TogglePlay);
    s = reduce(s, Msg::Frame { wall_ms: 60_000.0 });
    assert_eq!(now(&s), 600, "no jump after resuming");
    s = reduce(s, Msg::Frame { wall_ms: 61_000.0 });
    assert_eq!(now(&s), 600 + 250 * 6, "a long gap is capped");
}

#[test]
fn step_pauses_and_moves_to_the_next_event() {
    let s = Rc::new(AppState::new(RunParams::default(), vec![]));
    let s = reduce(s, Msg::Step);
    assert!(!s.playing);
    assert!(now(&s) > 0);
}

#[test]
fn node_actions_keep_the_selection_and_refusals_say_why() {
    let mut s = Rc::new(AppState::new(RunParams { seed: 3, nodes: 3 }, vec![]));
    s = reduce(s, Msg::Select(NodeId(2)));
    assert_eq!(s.selected, Some(NodeId(2)));
    s = reduce(s, Msg::Key("c".into()));
    assert!(s.notice.is_none());
    assert_eq!(s.selected, Some(NodeId(2)), "the node stays selected");
    let status = |s: &AppState| {
        s.sim()
            .and_then(|sim| sim.node(NodeId(2)).map(|n| n.status()))
    };
    assert_eq!(status(&s), Some(NodeStatus::Crashed));
    // Crashing a crashed node is refused with a reason, not sent.
    s = reduce(s, Msg::NodeAction(NodeId(2), NodeActionKind::Crash));
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("already crashed")),
        "{:?}",
        s.notice
    );
    s = reduce(s, Msg::DismissNotice);
    assert!(s.notice.is_none());
    // `c` then `r` works without selecting again.
    s = reduce(s, Msg::Key("R".into()));
    assert_eq!(status(&s), Some(NodeStatus::Up));
    assert!(s.notice.is_none());
    // Unknown node: an error, not a panic.
    s = reduce(s, Msg::NodeAction(NodeId(42), NodeActionKind::Timeout));
    assert!(s.notice.is_some());
    s = reduce(s, Msg::Select(NodeId(1)));
    assert_eq!(
        s.selected,
        Some(NodeId(1)),
        "selecting another node moves the menu"
    );
    s = reduce(s, Msg::Key("Escape".into()));
    assert_eq!(s.selected, None);
    let same = reduce(s.clone(), Msg::Key("r".into()));
    assert!(Rc::ptr_eq(&same, &s), "keys without a selection do nothing");
}

#[test]
fn timeout_on_the_leader_is_refused_with_a_notice() {
    let mut s = Rc::new(AppState::new(RunParams::default(), vec![]));
    let leader = {
        let sim = s.sim.clone();
        let mut sim = sim.borrow_mut();
        assert!(sim.run_until(120_000, |x| x.leader().is_some()));
        sim.leader().expect("a leader")
    };
    let before = s.sim().map(|sim| sim.trace().digest());
    s = reduce(s, Msg::Select(leader));
    s = reduce(s, Msg::Key("t".into()));
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("a leader has no election timer")),
        "{:?}",
        s.notice
    );
    assert_eq!(s.sim().map(|sim| sim.trace().digest()), before);
    assert_eq!(s.selected, Some(leader));
}

#[test]
fn forced_timeout_makes_a_candidate_and_reset_starts_over() {
    let mut s = Rc::new(AppState::new(RunParams::default(), vec!["x".into()]));
    s = reduce(s, Msg::NodeAction(NodeId(1), NodeActionKind::Timeout));
    let role = s
        .sim()
        .and_then(|sim| sim.node(NodeId(1)).and_then(|n| n.role()));
    assert_eq!(role, Some(RoleKind::Candidate));
    assert!(!s.trace.info.is_empty());
    s = reduce(s, Msg::DismissUrlErrors);
    assert!(s.url_errors.is_empty());
    s = reduce(s, Msg::Reset(RunParams { seed: 9, nodes: 7 }));
    assert_eq!(now(&s), 0);
    assert_eq!(s.sim().map(|sim| sim.nodes().count()), Some(7));
    assert!(s.trace.info.is_empty());
    assert_eq!(s.params, RunParams { seed: 9, nodes: 7 });
}

#[test]
fn submit_and_speed() {
    let mut s = Rc::new(AppState::new(RunParams::default(), vec![]));
    s = reduce(
        s,
        Msg::SubmitFrom {
            client: 1,
            command: Command::Add { a: 5, b: 3 },
        },
    );
    assert_eq!(s.sim().map(|sim| sim.client().requests().count()), Some(1));
    s = reduce(s, Msg::SetSpeed(1e9));
    assert_eq!(s.speed, SPEED_MAX);
    s = reduce(s, Msg::SetSpeed(f64::NAN));
    assert_eq!(s.speed, SPEED_MAX);
    s = reduce(s, Msg::SetSpeed(0.0));
    assert_eq!(s.speed, SPEED_MIN);
}

#[test]
fn global_keys_play_speed_step_and_select() {
    let mut s = Rc::new(AppState::new(RunParams { seed: 3, nodes: 3 }, vec![]));
    assert!(s.playing);
    s = reduce(s, Msg::Key(" ".into()));
    assert!(!s.playing, "Space pauses");
    s = reduce(s, Msg::Key(" ".into()));
    assert!(s.playing, "and plays");
    let speed = s.speed;
    s = reduce(s, Msg::Key("+".into()));
    assert!(s.speed > speed * 1.8);
    s = reduce(s, Msg::Key("-".into()));
    s = reduce(s, Msg::Key("-".into()));
    assert!(s.speed < speed / 1.8);
    let before = now(&s);
    s = reduce(s, Msg::Key(".".into()));
    assert!(!s.playing && now(&s) > before, "`.` steps one event");
    s = reduce(s, Msg::Key("2".into()));
    assert_eq!(s.selected, Some(NodeId(2)));
    s = reduce(s, Msg::Key("c".into()));
    let crashed = s
        .sim()
        .and_then(|sim| sim.node(NodeId(2)).map(|n| n.status()));
    assert_eq!(crashed, Some(NodeStatus::Crashed), "then its action keys");
    let same = reduce(s.clone(), Msg::Key("7".into()));
    assert!(Rc::ptr_eq(&same, &s), "no Node 7 in a 3-node run");
    assert_eq!(same.selected, Some(NodeId(2)));
}

#[test]
fn the_help_is_modal_and_escape_closes_one_thing_at_a_time() {
    let mut s = Rc::new(AppState::new(RunParams { seed: 3, nodes: 3 }, vec![]));
    s = reduce(s, Msg::Select(NodeId(1)));
    s = reduce(s, Msg::ExplainCommit(NodeId(1), LogIndex(1)));
    s = reduce(s, Msg::Key("?".into()));
    assert!(s.help);
    // While the help is open, other keys do nothing (no crash, no pause).
    for key in ["c", " ", "2"] {
        let same = reduce(s.clone(), Msg::Key(key.into()));
        assert!(Rc::ptr_eq(&same, &s), "{key:?} is ignored under the help");
    }
    s = reduce(s, Msg::Key("Escape".into()));
    assert!(!s.help && s.explain.is_some() && s.selected.is_some());
    s = reduce(s, Msg::Key("Escape".into()));
    assert!(s.explain.is_none() && s.selected.is_some());
    s = reduce(s, Msg::Key("Escape".into()));
    assert!(s.selected.is_none());
    s = reduce(s, Msg::ShowHelp(true));
    s = reduce(s, Msg::Key("?".into()));
    assert!(!s.help, "`?` closes it too");
    s = reduce(s, Msg::ExplainCommit(NodeId(1), LogIndex(1)));
    s = reduce(s, Msg::Reset(RunParams { seed: 4, nodes: 3 }));
    assert!(s.explain.is_none(), "a new run closes the explanation");
    assert!(!s.explain_fields);
    s = reduce(s, Msg::ToggleExplainFields);
    assert!(s.explain_fields);
    s = reduce(s, Msg::ToggleExplainFields);
    assert!(!s.explain_fields);
}

#[test]
fn the_narration_follows_the_run() {
    let mut s = Rc::new(AppState::new(RunParams::default(), vec![]));
    s = reduce(s, Msg::NodeAction(NodeId(1), NodeActionKind::Crash));
    assert!(
        s.narration.text.starts_with("Node 1 crashed"),
        "{}",
        s.narration.text
    );
}
