//! Randomized fault schedules over many seeds with the Figure 3 safety properties checked as
//! the run goes, then a liveness phase. Each seed draws a fault profile: cluster size 3–7,
//! message loss and duplication (0–20 % each), storage faults on or off, and a schedule of
//! crashes, restarts, pauses, resumes, partitions, one-way link cuts, heals, forced timeouts
//! and client requests. A failure names the seed; replay one seed with
//! `SWEEP_SEED=<n> cargo test -p raftlab-tests --test safety_sweep -- --nocapture`.
//! `SWEEP_SEEDS=<count>` runs a longer sweep.

use raft_core::sim::{Action, LinkSettings, NodeStatus, Ratio, SimConfig, Simulation};
use raft_core::{Command, NodeId, RoleKind};
use raftlab_tests::{check_logs, leaders_by_term, run_until_stable_leader};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// Runs one seed; panics with the seed in the message on any violation.
fn run_seed(seed: u64) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let nodes = rng.random_range(3..=7u64);
    let loss = Ratio::new(rng.random_range(0..=20u32), 100).expect("valid ratio");
    let duplicate = Ratio::new(rng.random_range(0..=20u32), 100).expect("valid ratio");
    let mut s = Simulation::new(SimConfig {
        seed,
        node_count: nodes,
        loss,
        duplicate,
        storage_faults: rng.random_bool(0.5),
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
            // Paused nodes are exempt: their timers wait until they resume.
            for n in s
                .nodes()
                .filter(|n| n.status() == NodeStatus::Up)
                .filter_map(|n| n.raft())
            {
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
        let other = NodeId(rng.random_range(1..=nodes));
        let status = s.node(id).map(|n| n.status());
        let up = status == Some(NodeStatus::Up);
        let leads = s.node(id).and_then(|n| n.role()) == Some(RoleKind::Leader);
        let action = match rng.random_range(0..16u32) {
            0..=1 if status != Some(NodeStatus::Crashed) => Action::Crash(id),
            0..=2 if status == Some(NodeStatus::Crashed) => Action::Restart(id),
            3 if up && !leads => Action::Timeout(id),
            4 if up => Action::Pause(id),
            4..=5 if status == Some(NodeStatus::Paused) => Action::Resume(id),
            6 => {
                // A random split into two groups.
                let side: Vec<NodeId> = (1..=nodes)
                    .map(NodeId)
                    .filter(|_| rng.random_bool(0.5))
                    .collect();
                Action::Partition(vec![side])
            }
            7 if id != other => Action::CutLink {
                from: id,
                to: other,
            },
            8..=9 => Action::HealAll,
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
    let heal = [Action::HealAll, Action::SetNetwork(LinkSettings::default())];
    for action in heal {
        s.apply(action)
            .unwrap_or_else(|e| panic!("seed {seed}: heal refused: {e}"));
    }
    for id in 1..=nodes {
        let _ = s.apply(Action::Restart(NodeId(id)));
        let _ = s.apply(Action::Resume(NodeId(id)));
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
