//! Trace retention (`Simulation::set_trace_retention`, `Timeline::set_trace_retention`): the
//! simulation keeps only the newest trace events in memory, yet the digest covers every event
//! of the run, positions count every event, readers that go by position (the safety checker)
//! see the same events, and time travel lands on the same moments with the same digest, also
//! before the retained window (where the trace restarts at the checkpoint it replays from).

use raft_core::sim::{Action, SafetyChecker, SimConfig, Simulation, Timeline, Trace};
use raft_core::{Command, NodeId};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// The next user action of a busy run: client operations, crashes, restarts, a partition.
fn action(rng: &mut Xoshiro256PlusPlus, now: u64) -> Action {
    let node = NodeId(rng.random_range(1..=5u64));
    match rng.random_range(0..6u32) {
        0 => Action::Crash(node),
        1 => Action::Restart(node),
        2 => Action::Isolate(node),
        3 => Action::HealAll,
        _ => Action::Submit(Command::Add {
            a: now as i64,
            b: 1,
        }),
    }
}

/// The retained window is the newest part of the full trace, at the same positions.
fn window_matches(retained: &Trace, full: &Trace) {
    assert_eq!(retained.len_ever(), full.len_ever());
    let first = retained.first_position();
    assert_eq!(retained.events(), &full.events()[first..]);
    assert_eq!(retained.since(first + 3), full.since(first + 3));
    assert_eq!(
        retained.since(0),
        retained.events(),
        "dropped positions read as the window"
    );
}

#[test]
fn a_retained_trace_has_the_digest_of_every_event() {
    for keep in [0usize, 1, 5, 64, 1_000] {
        let mut full = Simulation::new(SimConfig::default()).unwrap();
        let mut kept = Simulation::new(SimConfig::default()).unwrap();
        kept.set_trace_retention(Some(keep));
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(keep as u64);
        let mut now = 0;
        let mut dropped_some = false;
        while now < 600_000 {
            now += rng.random_range(200..9_000u64);
            full.advance_to(now);
            kept.advance_to(now);
            let a = action(&mut rng, now);
            let _ = full.apply(a.clone());
            let _ = kept.apply(a);
            // Ask for the digest at random moments: folding ahead of the drops, and not.
            if rng.random_bool(0.3) {
                assert_eq!(
                    kept.trace().digest(),
                    full.trace().digest(),
                    "keep {keep} at {now}"
                );
            }
            let t = kept.trace();
            assert!(t.events().len() <= keep + (keep / 4).max(1), "keep {keep}");
            assert!(t.events().len() >= keep.min(t.len_ever()), "keep {keep}");
            window_matches(t, full.trace());
            dropped_some |= t.first_position() > 0;
        }
        assert!(dropped_some, "keep {keep}: the run outgrew the retention");
        assert_eq!(kept.trace().digest(), full.trace().digest(), "keep {keep}");
        assert_eq!(kept.trace().retention(), Some(keep));
        // Serialized and restored, it goes on with the same digest and positions.
        let json = serde_json::to_string(&kept).unwrap();
        let mut back: Simulation = serde_json::from_str(&json).unwrap();
        back.run_for(30_000);
        full.run_for(30_000);
        window_matches(back.trace(), full.trace());
        assert_eq!(back.trace().digest(), full.trace().digest(), "keep {keep}");
    }
}

#[test]
fn the_default_keeps_every_event_and_serializes_as_before() {
    let mut s = Simulation::new(SimConfig::default()).unwrap();
    s.run_for(120_000);
    let t = s.trace();
    assert_eq!(t.retention(), None);
    assert_eq!(t.first_position(), 0);
    assert_eq!(t.len_ever(), t.events().len());
    let json = serde_json::to_value(t).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["digest", "events"]);
}

/// The safety checker reads the trace by position: with a retention it reads each event once,
/// as with the full trace, so its state (what it has seen) is the same.
#[test]
fn the_safety_checker_reads_a_retained_trace_like_a_full_one() {
    let mut full = Simulation::new(SimConfig::default()).unwrap();
    let mut kept = Simulation::new(SimConfig::default()).unwrap();
    kept.set_trace_retention(Some(40));
    let (mut check_full, mut check_kept) = (SafetyChecker::new(), SafetyChecker::new());
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let mut now = 0;
    while now < 400_000 {
        now += rng.random_range(200..6_000u64);
        while full.next_event_ms().is_some_and(|t| t <= now) {
            full.step();
            kept.step();
            check_full.observe(&full).unwrap();
            check_kept.observe(&kept).unwrap();
        }
        full.advance_to(now);
        kept.advance_to(now);
        let a = action(&mut rng, now);
        let _ = full.apply(a.clone());
        let _ = kept.apply(a);
    }
    assert!(kept.trace().first_position() > 0);
    assert_eq!(
        serde_json::to_value(&check_kept).unwrap(),
        serde_json::to_value(&check_full).unwrap()
    );
}

/// The same busy run as a timeline, keeping `keep` trace events (`None`: all).
fn busy_timeline(seed: u64, until_ms: u64, keep: Option<usize>) -> Timeline {
    let mut t = Timeline::new(SimConfig {
        seed,
        ..SimConfig::default()
    })
    .unwrap();
    t.set_trace_retention(keep);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut now = 0;
    while now < until_ms {
        now += rng.random_range(1_000..8_000u64);
        t.advance_to(now);
        let _ = t.apply(action(&mut rng, now));
    }
    t
}

/// The moment without the trace: clock, events, digest and every node.
fn moment(s: &Simulation) -> String {
    let mut out = format!(
        "t={} events={} trace={} digest={:x};",
        s.now_ms(),
        s.events_processed(),
        s.trace().len_ever(),
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
    out
}

#[test]
fn seeking_with_a_retained_trace_lands_on_the_same_moments() {
    let end = 300_000;
    let keep = 300;
    let mut full = busy_timeline(7, end, None);
    let mut kept = busy_timeline(7, end, Some(keep));
    let mut went_before_the_window = false;
    for m in [
        250_000u64, 5_000, 120_500, 299_000, 47_000, 200_000, 199_000, end,
    ] {
        let window_start = kept.sim().trace().first_position();
        full.seek(m);
        kept.seek(m);
        assert_eq!(moment(kept.sim()), moment(full.sim()), "at {m} ms");
        let t = kept.sim().trace();
        window_matches(t, full.sim().trace());
        if m < 290_000 && t.len_ever() < window_start {
            // Before the window: the trace restarted at the checkpoint the seek replayed
            // from, and holds what was replayed since (at most the retention).
            went_before_the_window = true;
            assert!(t.first_position() < window_start);
            assert!(t.events().len() <= keep + keep / 4);
        }
    }
    assert!(went_before_the_window);
}

#[test]
fn stepping_back_across_the_window_start_is_exact() {
    let keep = 25;
    let mut full = busy_timeline(3, 300_000, None);
    let mut kept = busy_timeline(3, 300_000, Some(keep));
    let start = kept.sim().trace().first_position();
    let mut seen = Vec::new();
    // Step back well past the retained events.
    for i in 0..60 {
        assert!(full.step_back(), "step {i}: {}", moment(full.sim()));
        assert!(kept.step_back());
        let m = moment(full.sim());
        assert_eq!(moment(kept.sim()), m);
        window_matches(kept.sim().trace(), full.sim().trace());
        seen.push(m);
    }
    assert!(
        kept.sim().trace().len_ever() < start,
        "stepped back before the window"
    );
    seen.pop();
    for expected in seen.iter().rev() {
        // Each recorded action at a position is a step of its own.
        for _ in 0..6 {
            assert!(full.step_forward());
            assert!(kept.step_forward());
            if moment(full.sim()) == *expected {
                break;
            }
        }
        assert_eq!(&moment(kept.sim()), expected);
        assert_eq!(&moment(full.sim()), expected);
        window_matches(kept.sim().trace(), full.sim().trace());
    }
}

#[test]
fn a_scene_rebuilt_with_a_retention_never_holds_its_whole_trace() {
    let full = busy_timeline(5, 200_000, None);
    let keep = 100;
    let end = full.sim().now_ms();
    let kept = Timeline::from_scene_retaining(full.scene(), end, Some(keep)).unwrap();
    assert_eq!(moment(kept.sim()), moment(full.sim()));
    window_matches(kept.sim().trace(), full.sim().trace());
    assert!(kept.sim().trace().events().len() <= keep + keep / 4);
    assert_eq!(kept.sim().trace().retention(), Some(keep));
}
