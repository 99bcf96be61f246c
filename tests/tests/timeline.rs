//! Time travel (`sim::Timeline`): checkpoints plus deterministic replay. Scrubbing back and
//! forth reproduces the same states, stepping back one event and forward again is exact, acting
//! in the past forks the run, a scene rebuilds the same run, and checkpoints stay bounded over
//! an hour of virtual time.

use raft_core::sim::{Action, Scene, SimConfig, SimError, Simulation, Timeline};
use raft_core::{Command, NodeId};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// What a viewer would see of the moment: time, trace length and last line, and every node's
/// term, role, log end and commit index.
fn fingerprint(s: &Simulation) -> String {
    let mut out = format!(
        "t={} events={} trace={} last={:?} digest={:x};",
        s.now_ms(),
        s.events_processed(),
        s.trace().events().len(),
        s.trace().events().last().map(|e| e.line()),
        s.trace().digest()
    );
    for n in s.nodes() {
        out += &format!(
            " {}:{:?}/{}/{:?}/{:?}",
            n.id(),
            n.role(),
            n.current_term(),
            n.raft().map(|r| r.log().last_id()),
            n.raft().map(|r| r.commit_index())
        );
    }
    out += &format!(" inflight={}", s.in_flight().count());
    out
}

/// A run with user actions every few virtual seconds: client operations, crashes, restarts and
/// a partition.
fn busy_timeline(seed: u64, until_ms: u64) -> Timeline {
    let mut t = Timeline::new(SimConfig {
        seed,
        ..SimConfig::default()
    })
    .unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut now = 0;
    while now < until_ms {
        now += rng.random_range(1_000..8_000u64);
        t.advance_to(now);
        let node = NodeId(rng.random_range(1..=5u64));
        let action = match rng.random_range(0..6u32) {
            0 => Action::Crash(node),
            1 => Action::Restart(node),
            2 => Action::Isolate(node),
            3 => Action::HealAll,
            _ => Action::Submit(Command::Add {
                a: now as i64,
                b: 1,
            }),
        };
        let _ = t.apply(action);
    }
    t
}

#[test]
fn scrubbing_back_and_forth_restores_the_same_moments() {
    let end = 300_000;
    // The reference: straight runs of the recorded scene, fingerprinted at some moments.
    let moments = [5_000u64, 47_000, 120_500, 199_999, 260_000, end];
    let mut straight = Vec::new();
    let recorded = busy_timeline(7, end);
    let scene = recorded.scene();
    for &m in &moments {
        let mut t = Timeline::from_scene(scene.clone(), m).unwrap();
        t.advance_to(m);
        straight.push(fingerprint(t.sim()));
    }
    // Now scrub the recorded timeline to those moments in a jumbled order.
    let mut t = recorded;
    for &i in &[5usize, 0, 3, 1, 4, 2, 0, 5] {
        t.seek(moments[i]);
        assert_eq!(
            fingerprint(t.sim()),
            straight[i],
            "moment {} ms after scrubbing",
            moments[i]
        );
    }
    assert!(t.checkpoints() <= Timeline::MAX_CHECKPOINTS);
}

#[test]
fn stepping_back_one_event_and_forward_again_is_exact() {
    let mut t = busy_timeline(3, 90_000);
    // Land on an event first (the run stopped between events).
    assert!(t.step_back());
    let mut seen = Vec::new();
    for _ in 0..40 {
        seen.push(fingerprint(t.sim()));
        assert!(t.step_back());
    }
    for expected in seen.iter().rev() {
        assert!(t.step_forward());
        // Each recorded action at this position is a step of its own.
        for _ in 0..5 {
            if fingerprint(t.sim()) == *expected {
                break;
            }
            assert!(t.step_forward());
        }
        assert_eq!(&fingerprint(t.sim()), expected);
    }
}

#[test]
fn acting_in_the_past_forks_history() {
    let mut t = busy_timeline(5, 120_000);
    let recorded = t.script().len();
    assert!(recorded > 10);
    t.seek(30_000);
    let before = t.script().iter().filter(|r| r.at_ms <= 30_000).count();
    t.apply(Action::Crash(NodeId(1)))
        .or_else(|_| t.apply(Action::Restart(NodeId(1))))
        .unwrap();
    assert_eq!(t.script().len(), before + 1, "the future was replaced");
    assert_eq!(t.horizon_ms(), 30_000);
    // The new branch plays on from here deterministically.
    t.advance_to(60_000);
    let branch = fingerprint(t.sim());
    let mut again = Timeline::from_scene(t.scene(), 60_000).unwrap();
    again.advance_to(60_000);
    assert_eq!(fingerprint(again.sim()), branch);
}

/// Acting in the past forks the run even when no recorded action follows that moment: the
/// recorded future (and its checkpoints) came from the run without the new action, so seeking
/// forward must run the new branch, not restore the old one.
#[test]
fn acting_in_the_past_with_no_later_actions_still_forks() {
    let mut t = Timeline::new(SimConfig {
        seed: 11,
        ..SimConfig::default()
    })
    .unwrap();
    t.advance_to(200_000);
    assert!(t.checkpoints() > 3);
    t.seek(60_000);
    t.apply(Action::Crash(NodeId(2))).unwrap();
    assert_eq!(t.horizon_ms(), 60_000, "the old future is gone");
    // Back before the fork and forward again: Node 2 stays crashed (the new branch).
    t.seek(50_000);
    t.seek(150_000);
    let branch = fingerprint(t.sim());
    let mut straight = Timeline::from_scene(t.scene(), 150_000).unwrap();
    straight.advance_to(150_000);
    assert_eq!(fingerprint(straight.sim()), branch);
    assert_eq!(
        t.sim().node(NodeId(2)).map(|n| n.status()),
        Some(raft_core::sim::NodeStatus::Crashed)
    );
}

#[test]
fn a_scene_survives_json_and_rebuilds_the_same_run() {
    let t = busy_timeline(9, 100_000);
    let json = serde_json::to_string(&t.scene()).unwrap();
    let scene: Scene = serde_json::from_str(&json).unwrap();
    let again = Timeline::from_scene(scene, t.sim().now_ms()).unwrap();
    assert_eq!(fingerprint(again.sim()), fingerprint(t.sim()));
    // A scene whose actions are out of order is refused.
    let mut bad = t.scene();
    bad.script.reverse();
    assert_eq!(
        Timeline::from_scene(bad, 100_000).err(),
        Some(SimError::ScriptOutOfOrder)
    );
}

#[test]
fn an_hour_keeps_a_bounded_number_of_checkpoints() {
    let mut t = Timeline::new(SimConfig::default()).unwrap();
    let mut now = 0;
    while now < 3_600_000 {
        now += 500;
        t.advance_to(now);
        t.apply(Action::Submit(Command::Add { a: 1, b: 2 }))
            .unwrap();
    }
    assert!(t.checkpoints() <= Timeline::MAX_CHECKPOINTS);
    let end = fingerprint(t.sim());
    let started = std::time::Instant::now();
    t.seek(1_800_000);
    t.seek(3_600_000);
    println!(
        "an hour with {} recorded actions: {} checkpoints; seeking to the middle and back took {:?}",
        t.script().len(),
        t.checkpoints(),
        started.elapsed()
    );
    assert_eq!(fingerprint(t.sim()), end);
}

/// Settings changed during the run (the liveness guards, the compaction threshold) are actions
/// of the script: the scene starts from the settings the run started with, so replaying it
/// changes them at the same moment instead of having them on from the start.
#[test]
fn a_scene_starts_from_the_original_settings() {
    let config = SimConfig {
        seed: 4,
        ..SimConfig::default()
    };
    let mut t = Timeline::new(config.clone()).unwrap();
    t.advance_to(60_000);
    t.apply(Action::SetGuards {
        pre_vote: true,
        check_quorum: true,
    })
    .unwrap();
    t.apply(Action::SetSnapshotThreshold(Some(10))).unwrap();
    t.advance_to(90_000);
    t.apply(Action::Submit(Command::Add { a: 1, b: 2 }))
        .unwrap();
    t.advance_to(200_000);
    assert!(
        t.sim().config().raft.pre_vote,
        "the present run has PreVote on"
    );
    let scene = t.scene();
    assert_eq!(scene.config, config, "the scene starts as the run started");
    let again = Timeline::from_scene(scene, 200_000).unwrap();
    assert_eq!(fingerprint(again.sim()), fingerprint(t.sim()));
}

/// A scene edited by hand (or recorded with other settings) is refused with the action that
/// fails and why, instead of replaying something else or running without end.
#[test]
fn a_scene_whose_actions_cannot_be_replayed_is_refused_with_the_action() {
    let t = busy_timeline(9, 60_000);
    // An action placed at an event the run never reaches by its time.
    let mut bad = t.scene();
    bad.script[1].events = u64::MAX;
    bad.script.truncate(2);
    match Timeline::from_scene(bad, 60_000) {
        Err(SimError::Replay { index, error, .. }) => {
            assert_eq!(index, 1);
            assert_eq!(*error, SimError::ScriptPosition { events: u64::MAX });
        }
        other => panic!("expected a replay error, got {other:?}"),
    }
    // An action placed at an event the run has already passed at its time.
    let mut bad = t.scene();
    bad.script.truncate(1);
    bad.script[0].at_ms = 0;
    bad.script[0].events = 5;
    assert!(matches!(
        Timeline::from_scene(bad, 60_000),
        Err(SimError::Replay { index: 0, ref error, .. }) if **error == SimError::ScriptPosition { events: 5 }
    ));
    // An action that fails: restarting a node that runs.
    let mut bad = t.scene();
    bad.script.truncate(1);
    bad.script[0].action = Action::Restart(NodeId(1));
    bad.script[0].events = 0;
    bad.script[0].at_ms = 0;
    let err = Timeline::from_scene(bad, 60_000).err().unwrap();
    assert_eq!(
        err,
        SimError::Replay {
            index: 0,
            at_ms: 0,
            error: Box::new(SimError::NodeUp(NodeId(1)))
        }
    );
    assert_eq!(
        err.to_string(),
        "action 1 of the scene (at 2026-01-01 00:00:00,000) cannot be replayed: Node 1 is already running"
    );
}
