//! Storage faults: with `SimConfig::storage_faults` a node's writes reach stable storage only
//! when the driving contract requires it (before the messages and applies of the same
//! `Ready`), and a crash loses the rest. Raft stays safe because nothing a node has told
//! anyone can be lost. `DriverBug::SendBeforeSync` breaks that contract on purpose, and the
//! directed scenario shows the same schedule then makes a voter vote twice in one term.
//!
//! Replay one seed of the sweep: `STORAGE_SEED=<n> cargo test -p raftlab-tests --test
//! storage_faults -- --nocapture`; a longer sweep: `STORAGE_SEEDS=<count>`.

use raft_core::sim::{Action, DriverBug, SimConfig, Simulation, TraceKind};
use raft_core::{Command, MessageKind, NodeEvent, NodeId, RoleKind, Term, VoteDenial};
use raftlab_tests::{check_logs, double_votes, leaders_by_term, run_until_stable_leader};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

fn with_storage_faults(seed: u64, bug: Option<DriverBug>) -> Simulation {
    Simulation::new(SimConfig {
        seed,
        node_count: 5,
        storage_faults: true,
        driver_bug: bug,
        ..SimConfig::default()
    })
    .expect("valid settings")
}

/// What one seed of the sweep did.
#[derive(Default)]
struct SeedStats {
    crashes: u64,
    crashes_losing_writes: u64,
    leaders: usize,
}

/// A random crash/restart schedule with client load over 15 virtual minutes, then every node
/// restarted and a leader awaited. Panics with the seed on any violation.
fn run_seed(seed: u64) -> SeedStats {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut s = with_storage_faults(seed, None);
    let ids: Vec<NodeId> = s.nodes().map(|n| n.id()).collect();
    while s.now_ms() < 900_000 {
        let next = s.now_ms() + rng.random_range(200..12_000u64);
        s.advance_to(next);
        let up: Vec<NodeId> = ids
            .iter()
            .copied()
            .filter(|&id| s.node(id).is_some_and(|n| n.raft().is_some()))
            .collect();
        let down: Vec<NodeId> = ids.iter().copied().filter(|id| !up.contains(id)).collect();
        // Prefer crashing a node that has unsynced writes, so the fault is exercised.
        let dirty: Vec<NodeId> = up
            .iter()
            .copied()
            .filter(|&id| s.node(id).is_some_and(|n| n.unsynced_writes() > 0))
            .collect();
        let action = match rng.random_range(0..10u32) {
            0..=2 if down.len() < 2 && !up.is_empty() => {
                let pool = if dirty.is_empty() { &up } else { &dirty };
                Action::Crash(pool[rng.random_range(0..pool.len())])
            }
            3..=4 if !down.is_empty() => Action::Restart(down[rng.random_range(0..down.len())]),
            5 => {
                let candidates: Vec<NodeId> = up
                    .iter()
                    .copied()
                    .filter(|&id| s.node(id).and_then(|n| n.role()) != Some(RoleKind::Leader))
                    .collect();
                if candidates.is_empty() {
                    continue;
                }
                Action::Timeout(candidates[rng.random_range(0..candidates.len())])
            }
            _ => Action::Submit(Command::Add {
                a: rng.random_range(-1000..1000i64),
                b: rng.random_range(-1000..1000i64),
            }),
        };
        s.apply(action)
            .unwrap_or_else(|e| panic!("seed {seed}: valid action refused: {e}"));
        check_logs(&s);
    }
    for id in &ids {
        if s.node(*id).is_some_and(|n| n.raft().is_none()) {
            s.apply(Action::Restart(*id)).unwrap();
        }
    }
    assert!(
        run_until_stable_leader(&mut s, 600_000).is_some(),
        "seed {seed}: no leader after every node restarted"
    );
    assert_eq!(
        double_votes(&s),
        vec![],
        "seed {seed}: a node voted twice in one term"
    );
    let leaders = leaders_by_term(&s).len();
    check_logs(&s);
    let mut stats = SeedStats {
        leaders,
        ..SeedStats::default()
    };
    for e in s.trace().events() {
        if let TraceKind::Crashed { lost_writes, .. } = e.kind {
            stats.crashes += 1;
            if lost_writes > 0 {
                stats.crashes_losing_writes += 1;
            }
        }
    }
    stats
}

#[test]
fn storage_faults_never_break_vote_election_or_log_safety() {
    let seeds: Vec<u64> = match std::env::var("STORAGE_SEED") {
        Ok(one) => vec![one.parse().expect("STORAGE_SEED is a number")],
        Err(_) => {
            let count = std::env::var("STORAGE_SEEDS")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(60u64);
            (0..count).collect()
        }
    };
    let mut total = SeedStats::default();
    for &seed in &seeds {
        let st = run_seed(seed);
        assert!(st.leaders > 1, "seed {seed}: leadership changed hands");
        total.crashes += st.crashes;
        total.crashes_losing_writes += st.crashes_losing_writes;
    }
    println!(
        "{} seeds, {} crashes, {} lost unsynced writes",
        seeds.len(),
        total.crashes,
        total.crashes_losing_writes
    );
    assert!(total.crashes > 0);
    if seeds.len() > 1 {
        assert!(
            total.crashes_losing_writes > 0,
            "no crash lost a write: the storage fault was never exercised"
        );
    }
}

/// What the voter did in the directed scenario.
#[derive(Debug)]
struct VoteRun {
    sim: Simulation,
    voter: NodeId,
    first: NodeId,
    second: NodeId,
    term: Term,
    /// Trace position of the voter's crash.
    crashed_at: usize,
    lost_writes: u64,
    /// The voter's term right after its restart.
    term_after_restart: Term,
}

/// Two candidates in the same term; a voter crashes right after granting its vote to the first
/// and restarts; then the second candidate's RequestVote reaches it.
///
/// A crash drops every message in flight to the crashed node, so the second RequestVote must be
/// sent after the restart: the second candidate times out then, in the same term as the first
/// (the link from the first to the second is cut beforehand, so it has not heard of that term).
fn vote_then_crash(bug: Option<DriverBug>) -> VoteRun {
    let mut s = with_storage_faults(31, bug);
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    // Wait until every node applied the leader's no-op (the same wait with or without the bug:
    // syncing does not change what happens, only what a crash would lose).
    assert!(s.run_until(60_000, |s| {
        s.nodes().all(|n| n.state_machine().last_applied.0 >= 1)
    }));
    let old_term = s.node(leader).unwrap().current_term();
    let followers: Vec<NodeId> = s
        .nodes()
        .map(|n| n.id())
        .filter(|&id| id != leader)
        .collect();
    let (first, second, voter) = (followers[0], followers[1], followers[2]);
    s.apply(Action::CutLink {
        from: first,
        to: second,
    })
    .unwrap();
    let campaign = s.trace().events().len();
    s.apply(Action::Timeout(first)).unwrap();
    let term = Term(old_term.0 + 1);
    let granted = |s: &Simulation| {
        s.trace().events()[campaign..].iter().any(|e| {
            e.kind
                == TraceKind::Node {
                    node: voter,
                    event: NodeEvent::VoteGranted {
                        candidate: first,
                        term,
                    },
                }
        })
    };
    while !granted(&s) {
        assert!(s.step().is_some());
    }
    // Right after granting, at the same virtual time, before anything else reaches it.
    let crashed_at = s.trace().events().len();
    s.apply(Action::Crash(voter)).unwrap();
    let TraceKind::Crashed { lost_writes, .. } = s.trace().events()[crashed_at].kind else {
        panic!("a Crashed event");
    };
    s.apply(Action::Restart(voter)).unwrap();
    let term_after_restart = s.node(voter).unwrap().current_term();
    assert_eq!(s.node(second).unwrap().current_term(), old_term);
    let second_campaign = s.trace().events().len();
    s.apply(Action::Timeout(second)).unwrap();
    assert!(
        s.trace().events()[second_campaign..].iter().any(|e| e.kind
            == TraceKind::Node {
                node: second,
                event: NodeEvent::ElectionTimeout { term, forced: true },
            }),
        "the second candidate campaigns in the same term"
    );
    s.run_for(20_000);
    VoteRun {
        sim: s,
        voter,
        first,
        second,
        term,
        crashed_at,
        lost_writes,
        term_after_restart,
    }
}

impl VoteRun {
    /// Whether the second candidate's RequestVote reached the voter after its restart.
    fn second_request_received_after_restart(&self) -> bool {
        let events = &self.sim.trace().events()[self.crashed_at..];
        let restarted = events
            .iter()
            .position(|e| matches!(e.kind, TraceKind::Restarted { node, .. } if node == self.voter))
            .expect("restarted");
        events[restarted..].iter().any(|e| {
            matches!(
                e.kind,
                TraceKind::Delivered { from, to, kind: MessageKind::RequestVote, .. }
                    if from == raft_core::sim::Endpoint::Node(self.second)
                        && to == raft_core::sim::Endpoint::Node(self.voter)
            )
        })
    }

    /// The voter's answers to the second candidate in the contested term.
    fn answers_to_second(&self) -> Vec<NodeEvent> {
        self.sim.trace().events()[self.crashed_at..]
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Node { node, event } if *node == self.voter => match event {
                    NodeEvent::VoteGranted { candidate, term }
                    | NodeEvent::VoteDenied {
                        candidate, term, ..
                    } if *candidate == self.second && *term == self.term => Some(event.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }
}

#[test]
fn syncing_before_sending_keeps_a_vote_across_a_crash_and_the_driver_bug_loses_it() {
    let ok = vote_then_crash(None);
    let bug = vote_then_crash(Some(DriverBug::SendBeforeSync));
    assert_eq!(
        (ok.voter, ok.first, ok.second),
        (bug.voter, bug.first, bug.second)
    );
    assert_eq!(
        ok.sim.trace().events()[..ok.crashed_at],
        bug.sim.trace().events()[..bug.crashed_at],
        "the same schedule up to the crash"
    );
    for run in [&ok, &bug] {
        assert!(
            run.second_request_received_after_restart(),
            "the second RequestVote arrived after the restart"
        );
    }

    // The correct driver synced the vote before sending it: the crash lost nothing, and the
    // restarted voter refuses the second candidate.
    assert_eq!(ok.lost_writes, 0);
    assert_eq!(ok.term_after_restart, ok.term);
    assert_eq!(
        ok.answers_to_second(),
        vec![NodeEvent::VoteDenied {
            candidate: ok.second,
            term: ok.term,
            reason: VoteDenial::AlreadyVoted(ok.first),
        }]
    );
    assert_eq!(double_votes(&ok.sim), vec![]);

    // The buggy driver sent the vote before syncing it: the crash lost it, and the voter
    // votes again in the same term.
    assert_eq!(
        bug.lost_writes, 1,
        "the new term and the vote, written together"
    );
    assert!(
        bug.term_after_restart < bug.term,
        "the new term was lost too"
    );
    assert_eq!(
        bug.answers_to_second(),
        vec![NodeEvent::VoteGranted {
            candidate: bug.second,
            term: bug.term,
        }]
    );
    assert_eq!(
        double_votes(&bug.sim),
        vec![(bug.voter, bug.term, bug.first, bug.second)]
    );
}
