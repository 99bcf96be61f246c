//! Tests of the reducer.

use super::*;
use crate::embed::HostEvent;
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

/// The event log's newest INFO lines.
fn info_lines(s: &AppState) -> Vec<String> {
    s.trace.info.iter().map(|l| l.text.to_string()).collect()
}

/// Seeking to just before an action recorded between two events keeps the number of events
/// but not the action's trace: the event log must drop its lines, and an action taken instead
/// must show up (the caches used to keep reading from where the longer trace ended).
#[test]
fn seeking_to_just_before_an_action_drops_its_lines() {
    let mut s = play_for(
        Rc::new(AppState::new(RunParams { seed: 5, nodes: 3 }, vec![])),
        40_000,
    );
    // A moment with no event in the millisecond before it.
    let events_at = |s: &AppState| s.sim().map(|sim| sim.events_processed());
    let at = now(&s);
    s = reduce(s, Msg::NodeAction(NodeId(2), NodeActionKind::Crash));
    assert!(s.notice.is_none(), "{:?}", s.notice);
    let crashed = info_lines(&s);
    assert!(
        crashed
            .last()
            .is_some_and(|l| l.contains("Node 2") && l.contains("crash")),
        "{crashed:?}"
    );
    let events = events_at(&s);
    s = reduce(s, Msg::Seek(at - 1));
    assert_eq!(events_at(&s), events, "no event between the two moments");
    assert!(
        !info_lines(&s)
            .iter()
            .any(|l| l.contains("Node 2") && l.contains("crash")),
        "the crash is in the future now: {:?}",
        info_lines(&s).last()
    );
    // Fork: pause Node 3 instead; its line is there.
    s = reduce(s, Msg::NodeAction(NodeId(3), NodeActionKind::Pause));
    assert!(s.notice.is_none(), "{:?}", s.notice);
    assert!(
        info_lines(&s)
            .last()
            .is_some_and(|l| l.contains("Node 3") && l.contains("paused")),
        "{:?}",
        info_lines(&s).last()
    );
}

#[test]
fn load_scene_replaces_the_run_paused_at_its_moment_or_leaves_it_untouched() {
    let mut s = play_for(
        Rc::new(AppState::new(RunParams { seed: 3, nodes: 3 }, vec![])),
        30_000,
    );
    s = reduce(
        s,
        Msg::SubmitFrom {
            client: 2,
            command: Command::Add { a: 1, b: 2 },
        },
    );
    s = play_for(s, 30_000);
    let mut at = s.run().scene_at().unwrap();
    let end = at.end_ms;
    assert_eq!(at.scene.script.len(), 1);

    let mut other = play_for(Rc::new(AppState::new(RunParams::default(), vec![])), 10_000);
    let (before, before_ms, revision) = (digest(&other), now(&other), other.revision);
    let mut bad = at.clone();
    bad.scene.script[0].action = Action::Restart(NodeId(1));
    other = reduce(other, Msg::LoadScene(Box::new(bad)));
    let notice = other.notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("The run was not loaded: action 1 of the scene")
            && notice.ends_with("The current run is unchanged."),
        "{notice}"
    );
    assert_eq!((digest(&other), now(&other)), (before, before_ms));
    assert!(other.playing, "a refused scene changes nothing");

    at.moment_ms = 45_000;
    other = reduce(other, Msg::LoadScene(Box::new(at)));
    assert!(other.notice.is_none(), "{:?}", other.notice);
    assert!(
        !other.playing,
        "a loaded scene waits, paused, at its moment"
    );
    assert_eq!(now(&other), 45_000);
    assert_eq!(other.params, RunParams { seed: 3, nodes: 3 });
    assert_eq!(other.timeline().map(|t| t.horizon_ms()), Some(end));
    assert!(other.revision > revision, "worth saving");
    other = reduce(other, Msg::Seek(end));
    assert_eq!(digest(&other), digest(&s), "the same run as the one saved");
}

/// Playing from a moment in the past replays the recording: the recorded crash happens again
/// at its time and the recording's end stays where it was.
#[test]
fn playing_in_the_past_replays_the_recording() {
    let mut s = play_for(
        Rc::new(AppState::new(RunParams { seed: 6, nodes: 3 }, vec![])),
        30_000,
    );
    let crash_at = now(&s);
    s = reduce(s, Msg::NodeAction(NodeId(3), NodeActionKind::Crash));
    s = play_for(s, 30_000);
    let end = s.timeline().map(|t| t.horizon_ms());
    let at_end = digest(&s);
    s = reduce(s, Msg::Seek(crash_at - 10_000));
    let status = |s: &AppState| {
        s.sim()
            .and_then(|sim| sim.node(NodeId(3)).map(|n| n.status()))
    };
    assert_eq!(status(&s), Some(NodeStatus::Up));
    s = reduce(s, Msg::TogglePlay);
    assert!(s.playing);
    s = play_for(s, 15_000);
    assert_eq!(
        status(&s),
        Some(NodeStatus::Crashed),
        "the crash was replayed"
    );
    assert_eq!(
        s.timeline().map(|t| t.horizon_ms()),
        end,
        "nothing was forked"
    );
    s = reduce(s, Msg::Seek(u64::MAX));
    assert_eq!(digest(&s), at_end);
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

/// Plays `frames` frames of 100 wall ms at 6x (whether or not the app stops playing).
fn frames(mut s: Rc<AppState>, frames: u32) -> Rc<AppState> {
    let mut wall = 0.0;
    for _ in 0..=frames {
        s = reduce(s, Msg::Frame { wall_ms: wall });
        wall += 100.0;
    }
    s
}

fn scenario_step(s: &AppState) -> Option<usize> {
    s.scenario.as_ref().map(|r| r.player.step())
}

#[test]
fn a_scenario_replaces_the_run_and_stops_at_its_steps() {
    let mut s = play_for(Rc::new(AppState::new(RunParams::default(), vec![])), 5_000);
    s = reduce(s, Msg::Select(NodeId(1)));
    s = reduce(s, Msg::Scenario(ScenarioMsg::Load("leader-crash".into())));
    assert_eq!(scenario_step(&s), Some(0));
    assert_eq!(
        now(&s),
        40_000,
        "the run is the scenario's, at its first step"
    );
    assert_eq!(s.selected, None);
    assert!(s.playing, "a step without a question plays on");
    assert!(s.scenario_on_script());
    // Playing stops by itself at the next step (41 s).
    s = frames(s, 10);
    assert_eq!(now(&s), 41_000);
    assert!(!s.playing);
    assert!(s.scenario_on_script());
    // Next: a question, so the run stays paused until the reader predicts and reveals.
    s = reduce(s, Msg::Scenario(ScenarioMsg::Next));
    assert_eq!(scenario_step(&s), Some(1));
    assert!(!s.playing);
    s = reduce(s, Msg::Scenario(ScenarioMsg::Choose(0)));
    s = reduce(s, Msg::Scenario(ScenarioMsg::Reveal));
    assert_eq!(now(&s), 120_000, "revealed at the next step's moment");
    let verdict = s.scenario.as_ref().and_then(|r| r.verdict());
    assert_eq!(verdict.map(|v| (v.correct, v.held)), Some((true, vec![0])));
    // Play at the step's moment goes on past it: the run is the reader's now.
    s = reduce(s, Msg::TogglePlay);
    s = frames(s, 5);
    assert!(s.playing && now(&s) > 120_000);
    assert!(!s.scenario_on_script());
    // Back rebuilds the scenario's run at the previous step.
    s = reduce(s, Msg::Scenario(ScenarioMsg::Back));
    assert_eq!((scenario_step(&s), now(&s)), (Some(0), 40_000));
    assert!(s.scenario_on_script() && !s.playing);
    assert!(
        s.trace.info.iter().all(|l| !l.text.contains("00:02:0")),
        "the event log starts again from the rebuilt run"
    );
    // Reset leaves the scenario.
    s = reduce(s, Msg::Reset(RunParams::default()));
    assert!(s.scenario.is_none());
}

#[test]
fn a_reader_who_changes_the_run_gets_the_scenarios_run_back() {
    let mut s = Rc::new(AppState::new(RunParams::default(), vec![]));
    s = reduce(s, Msg::Scenario(ScenarioMsg::Load("first-election".into())));
    assert!(!s.playing, "the first step asks a question");
    s = reduce(s, Msg::NodeAction(NodeId(3), NodeActionKind::Timeout));
    assert!(s.notice.is_none(), "{:?}", s.notice);
    assert!(!s.scenario_on_script());
    s = reduce(s, Msg::TogglePlay);
    s = frames(s, 80);
    assert!(s.playing, "a changed run does not stop at steps");
    assert!(now(&s) > 40_000);
    s = reduce(s, Msg::Scenario(ScenarioMsg::Choose(1)));
    s = reduce(s, Msg::Scenario(ScenarioMsg::Reveal));
    assert!(s.scenario_on_script());
    let verdict = s.scenario.as_ref().and_then(|r| r.verdict());
    assert_eq!(
        verdict.map(|v| (v.correct, v.held)),
        Some((true, vec![1])),
        "judged on the scenario's run (Node 2), not the changed one"
    );
}

#[test]
fn unknown_scenarios_leave_the_run_alone() {
    let mut s = play_for(Rc::new(AppState::new(RunParams::default(), vec![])), 2_000);
    let before = digest(&s);
    s = reduce(s, Msg::Scenario(ScenarioMsg::Load("nope".into())));
    assert!(s.scenario.is_none());
    assert!(s.notice.as_deref().is_some_and(|n| n.contains("nope")));
    assert_eq!(digest(&s), before);
    // Scenario messages without a scenario do nothing.
    for msg in [ScenarioMsg::Next, ScenarioMsg::Back, ScenarioMsg::Reveal] {
        s = reduce(s, Msg::Scenario(msg));
    }
    assert_eq!(digest(&s), before);
}

#[test]
fn starting_options_set_speed_pause_and_scenario() {
    let (options, errors) = crate::embed::parse_options(|name| match name {
        "scenario" => Some("split-vote".into()),
        "paused" => Some("1".into()),
        "speed" => Some("0.5".into()),
        _ => None,
    });
    assert!(errors.is_empty());
    let mut s = AppState::new(RunParams::default(), vec![]);
    s.start_with(&options);
    assert_eq!(s.speed, 0.5);
    assert!(!s.playing);
    assert_eq!(
        s.scenario.as_ref().map(|r| r.scenario().id.as_str()),
        Some("split-vote")
    );
    assert_eq!(now(&s), 1_000);
}

fn host_replies(s: &AppState) -> Vec<HostEvent> {
    s.host_out.since(0).cloned().collect()
}

#[test]
fn host_commands_drive_the_app_and_refusals_are_answered() {
    let mut s = Rc::new(AppState::new(RunParams::default(), vec![]));
    s = reduce(s, Msg::Host(HostCommand::Pause));
    assert!(!s.playing);
    s = reduce(s, Msg::Host(HostCommand::Play));
    assert!(s.playing);
    // Seeking forward runs the simulation; back restores it.
    s = reduce(s, Msg::Host(HostCommand::Seek(60_000)));
    assert_eq!(now(&s), 60_000);
    assert!(!s.playing, "seeking pauses, like the scrubber");
    let at_60 = digest(&s);
    s = reduce(s, Msg::Host(HostCommand::Seek(10_000)));
    assert_eq!(now(&s), 10_000);
    s = reduce(s, Msg::Host(HostCommand::Seek(60_000)));
    assert_eq!(digest(&s), at_60);
    assert!(host_replies(&s).is_empty());
    // Too far ahead: refused, nothing moves.
    s = reduce(s, Msg::Host(HostCommand::Seek(60_000 + 600_001)));
    assert_eq!(now(&s), 60_000);
    let replies = host_replies(&s);
    assert!(
        matches!(&replies[..], [HostEvent::Error { reason }] if reason.contains("too far ahead")),
        "{replies:?}"
    );
    // Actions: applied, or refused with the simulator's reason.
    s = reduce(
        s,
        Msg::Host(HostCommand::Action(raft_core::sim::Action::Crash(NodeId(
            2,
        )))),
    );
    assert_eq!(
        s.sim()
            .and_then(|sim| sim.node(NodeId(2)).map(|n| n.status())),
        Some(NodeStatus::Crashed)
    );
    s = reduce(
        s,
        Msg::Host(HostCommand::Action(raft_core::sim::Action::Crash(NodeId(
            9,
        )))),
    );
    assert!(matches!(
        host_replies(&s).last(),
        Some(HostEvent::Error { reason }) if reason.starts_with("the simulator refused the action")
    ));
    assert!(
        s.notice.is_none(),
        "the host's refusals are not shown to the reader"
    );
    // No scenario yet.
    s = reduce(s, Msg::Host(HostCommand::NextStep));
    assert!(matches!(
        host_replies(&s).last(),
        Some(HostEvent::Error { reason }) if reason.contains("no scenario")
    ));
    // get-state replies with the present.
    s = reduce(s, Msg::Host(HostCommand::GetState));
    let Some(HostEvent::State {
        t_ms,
        nodes,
        leader,
        ..
    }) = host_replies(&s).last().cloned()
    else {
        panic!("a state reply");
    };
    assert_eq!(t_ms, 60_000);
    assert_eq!(nodes.len(), 5);
    assert_eq!(nodes[1].status, "crashed");
    assert_ne!(leader, Some(2));
    // Scenarios.
    s = reduce(s, Msg::Host(HostCommand::LoadScenario("split-vote".into())));
    assert_eq!(scenario_step(&s), Some(0));
    s = reduce(s, Msg::Host(HostCommand::NextStep));
    assert_eq!(scenario_step(&s), Some(1));
    s = reduce(s, Msg::Host(HostCommand::PreviousStep));
    assert_eq!(scenario_step(&s), Some(0));
}
