//! Randomized fault schedules over many seeds with the Figure 3 safety properties checked as
//! the run goes, then a liveness phase. Each seed draws a fault profile: cluster size 3–7,
//! message loss and duplication (0–20 % each), storage faults on or off, and a schedule of
//! crashes, restarts, pauses, resumes, partitions, one-way link cuts, heals, forced timeouts
//! and client requests. A failure names the seed; replay one seed with
//! `SWEEP_SEED=<n> cargo test -p raftlab-tests --test safety_sweep -- --nocapture`.
//! `SWEEP_SEEDS=<count>` runs a longer sweep.

use raft_core::sim::{
    Action, LinkSettings, NodeStatus, Property, Ratio, SafetyChecker, SimConfig, Simulation,
    Violation,
};
use raft_core::{Command, Config, NodeId, ProtocolBug, RoleKind};
use raftlab_tests::run_until_stable_leader;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// Why a seed failed.
#[derive(Debug)]
enum Failure {
    /// A safety property broke.
    Unsafe(Violation),
    /// After healing, the cluster did not elect a leader, serve a request or converge.
    NotLive(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Unsafe(v) => write!(f, "{v}"),
            Failure::NotLive(why) => write!(f, "not live: {why}"),
        }
    }
}

impl From<Violation> for Failure {
    fn from(v: Violation) -> Self {
        Failure::Unsafe(v)
    }
}

fn not_live(seed: u64, why: &str) -> Failure {
    Failure::NotLive(format!("seed {seed}: {why}"))
}

/// Runs one seed with the protocol configured by `raft` (the seed's guards are drawn on top):
/// a safety phase with faults, checked after every event, then a liveness phase.
fn run_seed(seed: u64, raft: &Config) -> Result<(), Failure> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let nodes = rng.random_range(3..=7u64);
    let loss = Ratio::new(rng.random_range(0..=20u32), 100).expect("valid ratio");
    let duplicate = Ratio::new(rng.random_range(0..=20u32), 100).expect("valid ratio");
    let mut raft = raft.clone();
    raft.pre_vote = rng.random_bool(0.5);
    raft.check_quorum = rng.random_bool(0.5);
    raft.max_entries_per_append = [1, 2, 4, 16][rng.random_range(0..4usize)];
    // Half the seeds run ten times faster than the seed's timings (more elections, and so
    // more interleavings, per virtual minute), with latency jitter wide enough to reorder.
    let fast = rng.random_bool(0.5);
    let (latency_ms_min, latency_ms_max, action_gap) = if fast {
        raft.election_timeout_ms_min = 2_000;
        raft.election_timeout_ms_max = 3_000;
        raft.heartbeat_interval_ms = 600;
        (50, 600, 50..2_000u64)
    } else {
        (1_800, 2_400, 500..20_000u64)
    };
    // Half the seeds compact their logs (§7) at a random threshold, drawn from a stream of
    // their own so the other choices of each seed stay as they were.
    let mut snap_rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5A5A_5A5A);
    let snapshot_threshold_entries = snap_rng
        .random_bool(0.5)
        .then(|| snap_rng.random_range(4..=32u64));
    let mut s = Simulation::new(SimConfig {
        seed,
        node_count: nodes,
        raft,
        snapshot_threshold_entries,
        latency_ms_min,
        latency_ms_max,
        loss,
        duplicate,
        storage_faults: rng.random_bool(0.5),
        ..SimConfig::default()
    })
    .expect("valid config");
    let mut checker = SafetyChecker::new().log_matching_every(16);
    // Ten virtual minutes at the seed's timings; two and a half when ten times faster.
    let end = if fast { 150_000 } else { 600_000 };
    while s.now_ms() < end {
        let next_action = s.now_ms() + rng.random_range(action_gap.clone());
        while s.next_event_ms().is_some_and(|t| t <= next_action) {
            s.step();
            // Timers are always in the future after an event: a node never sits with an
            // election deadline in the past (a reset must be measured from the current time).
            // Paused nodes are exempt: their timers wait until they resume.
            for n in s
                .nodes()
                .filter(|n| n.status() == NodeStatus::Up)
                .filter_map(|n| n.raft())
            {
                if n.next_deadline_ms() < s.now_ms() {
                    return Err(not_live(
                        seed,
                        &format!("Node {} has a deadline in the past", n.id()),
                    ));
                }
            }
            checker.observe(&s)?;
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
                if side.is_empty() || side.len() as u64 == nodes {
                    Action::HealAll
                } else {
                    Action::Partition(vec![side])
                }
            }
            7 if id != other => Action::CutLink {
                from: id,
                to: other,
            },
            8 => Action::HealAll,
            // A laggy link: messages on it take up to 15 election timeouts' worth of
            // heartbeats, so old AppendEntries arrive long after newer ones (reordering).
            9 if id != other => Action::SetLink {
                from: id,
                to: other,
                settings: Some(LinkSettings {
                    latency_ms_min,
                    latency_ms_max: latency_ms_max * 25,
                    loss,
                    duplicate,
                }),
            },
            10 if rng.random_bool(0.5) => match s.leader() {
                Some(l) => Action::Crash(l),
                None => Action::HealAll,
            },
            _ => Action::Submit(Command::Add {
                a: rng.random_range(-1000..1000i64),
                b: rng.random_range(-1000..1000i64),
            }),
        };
        s.apply(action)
            .unwrap_or_else(|e| panic!("seed {seed}: valid action refused: {e}"));
    }
    checker.observe_all(&s)?;

    // Liveness: heal everything; a leader appears, and a new request completes.
    let calm = LinkSettings {
        latency_ms_min,
        latency_ms_max,
        ..LinkSettings::default()
    };
    let heal = [Action::HealAll, Action::SetNetwork(calm)];
    for action in heal {
        s.apply(action)
            .unwrap_or_else(|e| panic!("seed {seed}: heal refused: {e}"));
    }
    for id in 1..=nodes {
        let _ = s.apply(Action::Restart(NodeId(id)));
        let _ = s.apply(Action::Resume(NodeId(id)));
    }
    let leader = run_until_stable_leader(&mut s, 600_000)
        .ok_or_else(|| not_live(seed, "no leader after healing"))?;
    checker.observe_all(&s)?;
    let req = match s.apply(Action::Submit(Command::Add { a: 5, b: 3 })) {
        Ok(raft_core::sim::ActionOutcome::Submitted(r)) => r,
        other => panic!("seed {seed}: {other:?}"),
    };
    let done = s.run_until(600_000, |s| {
        checker.observe(s).is_err()
            || s.client().request(req).is_some_and(
                |r| matches!(&r.state, raft_core::sim::RequestState::Completed(sum) if sum.sum == 8),
            )
    });
    checker.observe_all(&s)?;
    if !done {
        return Err(not_live(seed, "request after healing did not complete"));
    }
    // Every client operation still in progress at the heal completes (or runs out of
    // attempts, if it had used most of them before the heal).
    let settled = s.run_until(600_000, |s| {
        checker.observe(s).is_err()
            || s.client().requests().all(|r| {
                matches!(
                    r.state,
                    raft_core::sim::RequestState::Completed(_)
                        | raft_core::sim::RequestState::Failed { .. }
                )
            })
    });
    checker.observe_all(&s)?;
    if !settled {
        return Err(not_live(
            seed,
            "a client operation was still pending after healing",
        ));
    }
    // Every running node eventually has the same committed state: the same last entry and
    // commit index, and the same state machine (logs may be compacted at different points).
    let converged = s.run_until(300_000, |s| {
        let l = s.node(leader);
        checker.observe(s).is_err()
            || s.nodes().filter(|n| n.raft().is_some()).all(|n| {
                l.is_some_and(|l| {
                    let (r, lr) = (n.raft(), l.raft());
                    r.map(|r| (r.commit_index(), r.log().last_id()))
                        == lr.map(|r| (r.commit_index(), r.log().last_id()))
                        && n.state_machine() == l.state_machine()
                })
            })
    });
    checker.observe_all(&s)?;
    if !converged {
        return Err(not_live(seed, "logs did not converge"));
    }
    Ok(())
}

/// Runs `seeds` on two threads (the machine's cores); returns the violations found, by seed.
fn sweep(seeds: impl Iterator<Item = u64>, raft: &Config) -> Vec<(u64, Failure)> {
    let seeds: Vec<u64> = seeds.collect();
    let (even, odd): (Vec<u64>, Vec<u64>) = seeds.iter().partition(|s| *s % 2 == 0);
    std::thread::scope(|scope| {
        let run = |part: Vec<u64>| {
            move || {
                part.into_iter()
                    .filter_map(|seed| run_seed(seed, raft).err().map(|v| (seed, v)))
                    .collect::<Vec<_>>()
            }
        };
        let a = scope.spawn(run(even));
        let b = scope.spawn(run(odd));
        let mut found = a.join().expect("sweep thread");
        found.extend(b.join().expect("sweep thread"));
        found.sort_by_key(|(seed, _)| *seed);
        found
    })
}

#[test]
fn random_fault_schedules_keep_raft_safe_and_live() {
    let raft = Config::default();
    if let Some(seed) = std::env::var("SWEEP_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        if let Err(f) = run_seed(seed, &raft) {
            panic!("{f}");
        }
        return;
    }
    let count: u64 = std::env::var("SWEEP_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let started = std::time::Instant::now();
    let found = sweep(0..count, &raft);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "safety sweep: {count} seeds in {secs:.1} s ({:.0} seeds/s)",
        count as f64 / secs.max(1e-9)
    );
    if let Some((seed, f)) = found.first() {
        panic!(
            "{f}\nreplay: SWEEP_SEED={seed} cargo test -p raftlab-tests --test safety_sweep -- --nocapture random_fault ({} failing seeds)",
            found.len()
        );
    }
}

/// Finds the first seed (searching in chunks of 40 on two threads, up to `limit` seeds) whose
/// run breaks a safety property with `bug` turned on. Runs that are merely not live do not
/// count: the point is that the safety checks see the bug.
fn first_caught(bug: ProtocolBug, limit: u64) -> Option<(u64, Violation)> {
    let raft = Config {
        bug: Some(bug),
        ..Config::default()
    };
    let mut start = 0;
    while start < limit {
        let end = (start + 40).min(limit);
        let caught = sweep(start..end, &raft)
            .into_iter()
            .find_map(|(seed, f)| match f {
                Failure::Unsafe(v) => Some((seed, v)),
                Failure::NotLive(_) => None,
            });
        if caught.is_some() {
            return caught;
        }
        start = end;
    }
    None
}

/// The checkers can fail: each classic bug is caught by the sweep within a bounded number of
/// seeds (the bound is several times the seed at which it is first caught today).
fn assert_caught(bug: ProtocolBug, limit: u64, expected: &[Property]) {
    let limit = std::env::var("MUTATION_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(limit);
    match first_caught(bug, limit) {
        Some((seed, v)) => {
            println!("{bug:?}: caught at seed {seed}: {v}");
            assert!(
                expected.contains(&v.property),
                "{bug:?} was caught as {:?}, expected one of {expected:?}",
                v.property
            );
            assert_eq!(v.seed, seed, "the violation names its seed");
        }
        None => panic!("{bug:?} was not caught in {limit} seeds"),
    }
}

#[test]
fn committing_previous_term_entries_by_counting_is_caught() {
    // Figure 8 needs a precise sequence of elections and crashes: first caught at seed 786.
    assert_caught(
        ProtocolBug::CommitPreviousTermByCounting,
        2_000,
        &[Property::LeaderCompleteness, Property::StateMachineSafety],
    );
}

#[test]
fn forgetting_to_persist_the_vote_is_caught() {
    // First caught at seed 21.
    assert_caught(
        ProtocolBug::ForgetToPersistVote,
        200,
        &[Property::SingleVote, Property::ElectionSafety],
    );
}

#[test]
fn truncating_without_a_conflict_is_caught() {
    // First caught at seed 0.
    assert_caught(
        ProtocolBug::TruncateWithoutConflict,
        100,
        &[
            Property::CommittedOnMajority,
            Property::LeaderCompleteness,
            Property::StateMachineSafety,
        ],
    );
}

/// `ProtocolBug::FollowerCommitPastVerified` cannot show in this implementation (see its
/// documentation: the conflict hints make every accepted AppendEntries start at or before the
/// follower's first divergent entry, so no stale suffix survives past the verified entries).
/// This test pins that down: if a change to the replication path ever makes the bug
/// observable, it fails, and the sweep above should then catch the bug like the others.
#[test]
fn the_follower_commit_bug_is_masked_by_exact_conflict_hints() {
    if let Some((seed, v)) = first_caught(ProtocolBug::FollowerCommitPastVerified, 300) {
        panic!(
            "FollowerCommitPastVerified became observable at seed {seed}: {v}. Turn this test into an assert_caught one."
        );
    }
}
