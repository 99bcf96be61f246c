//! Randomized fault schedules over many seeds with the Figure 3 safety properties checked as
//! the run goes, then a liveness phase. A failure names the seed; replay one seed with
//! `SWEEP_SEED=<n> cargo test -p raftlab-tests --test safety_sweep -- --nocapture`.
//! `SWEEP_SEEDS=<count>` runs a longer sweep.

use raft_core::sim::{Action, SimConfig, Simulation};
use raft_core::{Command, NodeId, RoleKind};
use raftlab_tests::{check_logs, leaders_by_term, run_until_stable_leader};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// Runs one seed; panics with the seed in the message on any violation.
fn run_seed(seed: u64) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let nodes = rng.random_range(3..=7u64);
    let mut s = Simulation::new(SimConfig {
        seed,
        node_count: nodes,
        ..SimConfig::default()
    })
    .expect("valid config");
    let end = 600_000;
    let mut steps = 0u64;
    while s.now_ms() < end {
        let next_action = s.now_ms() + rng.random_range(500..20_000u64);
        while s.next_event_ms().is_some_and(|t| t <= next_action) {
            s.step();
            steps += 1;
            // Timers are always in the future after an event: a node never sits with an
            // election deadline in the past (a reset must be measured from the current time).
            for n in s.nodes().filter_map(|n| n.raft()) {
                assert!(
                    n.next_deadline_ms() >= s.now_ms(),
                    "seed {seed}: Node {} has a deadline in the past",
                    n.id()
                );
            }
            if steps.is_multiple_of(64) {
                check_logs(&s);
            }
        }
        s.advance_to(next_action);
        let id = NodeId(rng.random_range(1..=nodes));
        let up = s.node(id).is_some_and(|n| n.raft().is_some());
        let leads = s.node(id).and_then(|n| n.role()) == Some(RoleKind::Leader);
        let action = match rng.random_range(0..10u32) {
            0..=1 if up => Action::Crash(id),
            0..=2 if !up => Action::Restart(id),
            3 if up && !leads => Action::Timeout(id),
            _ => Action::Submit(Command::Add {
                a: rng.random_range(-1000..1000i64),
                b: rng.random_range(-1000..1000i64),
            }),
        };
        s.apply(action)
            .unwrap_or_else(|e| panic!("seed {seed}: valid action refused: {e}"));
    }
    check_logs(&s);
    leaders_by_term(&s);

    // Liveness: heal everything; a leader appears, and a new request completes.
    for id in 1..=nodes {
        let _ = s.apply(Action::Restart(NodeId(id)));
    }
    let leader = run_until_stable_leader(&mut s, 600_000)
        .unwrap_or_else(|| panic!("seed {seed}: no leader after healing"));
    assert_eq!(
        s.node(leader).and_then(|n| n.role()),
        Some(RoleKind::Leader)
    );
    let req = match s.apply(Action::Submit(Command::Add { a: 5, b: 3 })) {
        Ok(raft_core::sim::ActionOutcome::Submitted(r)) => r,
        other => panic!("seed {seed}: {other:?}"),
    };
    let done = s.run_until(600_000, |s| {
        s.client().request(req).is_some_and(
            |r| matches!(&r.state, raft_core::sim::RequestState::Completed(sum) if sum.sum == 8),
        )
    });
    assert!(done, "seed {seed}: request after healing did not complete");
    // Every running node eventually has the same committed state.
    let converged = s.run_until(300_000, |s| {
        let l = s.node(leader).and_then(|n| n.raft());
        s.nodes()
            .filter_map(|n| n.raft())
            .all(|r| l.is_some_and(|l| r.commit_index() == l.commit_index() && r.log() == l.log()))
    });
    assert!(converged, "seed {seed}: logs did not converge");
    check_logs(&s);
    leaders_by_term(&s);
}

#[test]
fn random_fault_schedules_keep_raft_safe_and_live() {
    if let Some(seed) = std::env::var("SWEEP_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        run_seed(seed);
        return;
    }
    let count: u64 = std::env::var("SWEEP_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    for seed in 0..count {
        run_seed(seed);
    }
}
