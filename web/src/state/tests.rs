//! Tests of the reducer.

use super::*;
use raft_core::sim::{NodeStatus, RequestId};

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
        let timeline = s.sim.clone();
        let mut timeline = timeline.borrow_mut();
        while timeline.sim().leader().is_none() && timeline.sim().now_ms() < 120_000 {
            assert!(timeline.step_forward());
        }
        timeline.sim().leader().expect("a leader")
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
fn a_request_while_playing_renders_with_the_next_frame_and_a_refusal_at_once() {
    let add = Command::Add { a: 5, b: 3 };
    let submit = |client| Msg::SubmitFrom {
        client,
        command: add.clone(),
    };
    let mut s = play_for(Rc::new(AppState::new(RunParams::default(), vec![])), 60_000);
    assert!(s.playing);
    let lines = s.trace.all_total;
    let after = reduce(s.clone(), submit(1));
    assert!(
        Rc::ptr_eq(&after, &s),
        "no new state, so no render for the click"
    );
    assert_eq!(s.sim().map(|sim| sim.client().requests().count()), Some(1));
    assert_eq!(s.trace.all_total, lines, "the caches wait for the frame");
    s = reduce(after, Msg::Frame { wall_ms: 1e6 });
    assert!(
        s.trace.all_total > lines,
        "the frame brings the caches up to date"
    );
    assert!(
        s.trace.requests.get(&RequestId(1)).is_some(),
        "and the request's story"
    );
    // A refused request (no such client) shows its notice at once.
    let refused = reduce(s.clone(), submit(99));
    assert!(!Rc::ptr_eq(&refused, &s));
    assert!(
        refused
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with("Cannot submit the request")),
        "{:?}",
        refused.notice
    );
    // Paused, a request renders at once, as before.
    s = reduce(s, Msg::TogglePlay);
    let paused = reduce(s.clone(), submit(2));
    assert!(!Rc::ptr_eq(&paused, &s));
    assert!(paused.trace.requests.get(&RequestId(2)).is_some());
}

/// Runs the app (playing) for `ms` of virtual time in frames of 100 wall ms at 6x.
fn play_for(mut s: Rc<AppState>, ms: u64) -> Rc<AppState> {
    let start = now(&s);
    let mut wall = 0.0;
    s = reduce(s, Msg::Frame { wall_ms: wall });
    while now(&s) < start + ms {
        wall += 100.0;
        s = reduce(s, Msg::Frame { wall_ms: wall });
    }
    s
}

fn digest(s: &AppState) -> Option<u64> {
    s.sim().map(|sim| sim.trace().digest())
}

#[test]
fn step_back_undoes_one_event_and_step_forward_redoes_it() {
    let mut s = play_for(Rc::new(AppState::new(RunParams::default(), vec![])), 90_000);
    let events = |s: &AppState| s.sim().map(|sim| sim.events_processed());
    let (at, count, before) = (now(&s), events(&s), digest(&s));
    s = reduce(s, Msg::StepBack);
    assert!(!s.playing, "stepping back pauses");
    assert_eq!(events(&s), count.map(|c| c - 1));
    assert!(now(&s) <= at);
    s = reduce(s, Msg::Step);
    assert_eq!(events(&s), count);
    assert_eq!(digest(&s), before, "the same event happens again");
}

#[test]
fn seek_back_and_forward_restores_the_same_run() {
    let mut s = play_for(Rc::new(AppState::new(RunParams::default(), vec![])), 30_000);
    s = reduce(
        s,
        Msg::SubmitFrom {
            client: 1,
            command: Command::Add { a: 5, b: 3 },
        },
    );
    s = play_for(s, 30_000);
    let end = now(&s);
    let at_end = digest(&s);
    s = reduce(s, Msg::Seek(10_000));
    assert_eq!(now(&s), 10_000);
    assert_ne!(digest(&s), at_end);
    s = reduce(s, Msg::Seek(end));
    assert_eq!(now(&s), end);
    assert_eq!(
        digest(&s),
        at_end,
        "the recorded submit is replayed at its moment"
    );
    s = reduce(s, Msg::Seek(u64::MAX));
    assert_eq!(
        now(&s),
        end,
        "seeking past the recorded run stops at its end"
    );
}

#[test]
fn acting_in_the_past_forks_the_run() {
    let mut s = play_for(
        Rc::new(AppState::new(RunParams { seed: 3, nodes: 3 }, vec![])),
        40_000,
    );
    let end = now(&s);
    s = reduce(s, Msg::Seek(30_000));
    s = reduce(s, Msg::NodeAction(NodeId(1), NodeActionKind::Crash));
    assert!(s.notice.is_none(), "{:?}", s.notice);
    let horizon = s.timeline().map(|t| t.horizon_ms());
    assert_eq!(horizon, Some(30_000), "the old future is gone");
    s = reduce(s, Msg::Seek(end));
    assert_eq!(now(&s), 30_000, "nothing recorded after the fork yet");
    assert_eq!(
        s.sim()
            .and_then(|sim| sim.node(NodeId(1)).map(|n| n.status())),
        Some(NodeStatus::Crashed)
    );
}
