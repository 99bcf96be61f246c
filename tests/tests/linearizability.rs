//! Exactly-once clients (dissertation §6.3) and linearizable histories: scenario tests of the
//! sessions, the register and several clients, then randomized runs with crashes, partitions,
//! pauses, loss and duplication whose client histories must be linearizable, and a
//! deliberately broken state machine that ignores sessions, which the checker must catch.
//!
//! Replay one seed: `LIN_SEED=<n> cargo test -p raftlab-tests --test linearizability --
//! --nocapture`; `LIN_SEEDS=<count>` runs a longer sweep, `LIN_VIRTUAL_S=<s>` longer runs (5
//! virtual minutes by default) with larger histories.

use raft_core::sim::{
    Action, ActionOutcome, ClientConfig, DEFAULT_CHECK_STEPS, DriverBug, Linearizability,
    NodeStatus, Outcome, Ratio, RequestState, SimConfig, SimError, Simulation,
};
use raft_core::{ApplyOutput, ClientId, Command, NodeId, RegisterOp, RoleKind};
use raftlab_tests::{check_logs, leaders_by_term, run_until_stable_leader};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use std::time::Instant;

fn submit_from(s: &mut Simulation, client: u64, op: RegisterOp) -> raft_core::sim::RequestId {
    let action = Action::SubmitFrom {
        client: ClientId(client),
        command: Command::Register(op),
    };
    match s.apply(action) {
        Ok(ActionOutcome::Submitted(id)) => id,
        other => panic!("{other:?}"),
    }
}

fn finish(s: &mut Simulation, id: raft_core::sim::RequestId) -> RequestState {
    assert!(s.run_until(2_000_000, |s| {
        s.client().request(id).is_some_and(|r| r.is_finished())
    }));
    s.client()
        .request(id)
        .map(|r| r.state.clone())
        .expect("known request")
}

fn clients(seed: u64, nodes: u64, count: u64) -> Simulation {
    Simulation::new(SimConfig {
        seed,
        node_count: nodes,
        client: ClientConfig {
            clients: count,
            ..ClientConfig::default()
        },
        ..SimConfig::default()
    })
    .expect("valid settings")
}

/// Register operations through the log, from several clients, each with its own sequence
/// numbers; the seed's `Add` still reads "5 + 3 = 8".
#[test]
fn register_operations_from_several_clients() {
    let mut s = clients(3, 5, 3);
    run_until_stable_leader(&mut s, 120_000).expect("a leader");
    let steps = [
        (1, RegisterOp::Set(7), 7),
        (2, RegisterOp::Add(5), 12),
        (3, RegisterOp::Mul(-3), -36),
        (1, RegisterOp::Div(5), -7),
        (2, RegisterOp::Sub(-10), 3),
        (3, RegisterOp::Get, 3),
    ];
    for (client, op, value) in steps {
        let id = submit_from(&mut s, client, op);
        let RequestState::Completed(summary) = finish(&mut s, id) else {
            panic!("{op:?} did not complete");
        };
        assert_eq!(summary.sum, value, "{op:?}");
        assert_eq!(summary.client, ClientId(client));
        assert_eq!(summary.register_op, Some(op));
    }
    let seqs: Vec<(u64, u64)> = s.client().requests().map(|r| (r.client.0, r.seq)).collect();
    assert_eq!(seqs, [(1, 1), (2, 1), (3, 1), (1, 2), (2, 2), (3, 2)]);
    let texts: Vec<String> = s
        .client()
        .requests()
        .filter_map(|r| match &r.state {
            RequestState::Completed(summary) => {
                summary.text().split("Result: ").nth(1).map(String::from)
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        texts,
        [
            "r := 7",
            "r + 5 = 12",
            "r * -3 = -36",
            "r / 5 = -7",
            "r - -10 = 3",
            "r = 3"
        ]
    );
    // The default client's a + b still works and reads as before.
    let id = match s.apply(Action::Submit(Command::Add { a: 5, b: 3 })) {
        Ok(ActionOutcome::Submitted(id)) => id,
        other => panic!("{other:?}"),
    };
    let RequestState::Completed(summary) = finish(&mut s, id) else {
        panic!("5 + 3 did not complete");
    };
    assert!(
        summary.text().ends_with("Result: 5 + 3 = 8"),
        "{}",
        summary.text()
    );
    assert_eq!((summary.client, summary.sum), (ClientId::DEFAULT, 8));
    assert_eq!(s.client().requests().last().map(|r| r.seq), Some(3));
    assert!(s.history().check(DEFAULT_CHECK_STEPS).is_linearizable());
    // Every node applied the same operations: same register, same sessions.
    assert!(s.run_until(60_000, |s| {
        let sms: Vec<_> = s.nodes().map(|n| n.state_machine()).collect();
        sms.windows(2).all(|w| w[0] == w[1])
    }));
    let sm = s
        .node(NodeId(1))
        .map(|n| n.state_machine().clone())
        .expect("node 1");
    assert_eq!(sm.register, 3);
    assert_eq!(sm.sessions.len(), 3);
}

#[test]
fn unknown_clients_and_bad_client_counts_are_refused() {
    let mut s = clients(1, 3, 2);
    for client in [0, 3, u64::MAX] {
        let action = Action::SubmitFrom {
            client: ClientId(client),
            command: Command::Register(RegisterOp::Get),
        };
        assert_eq!(
            s.apply(action),
            Err(SimError::UnknownClient(ClientId(client)))
        );
    }
    assert!(s.client().requests().next().is_none());
    assert!(s.history().ops().is_empty());
    for count in [0, raft_core::sim::MAX_CLIENTS + 1] {
        let config = SimConfig {
            client: ClientConfig {
                clients: count,
                ..ClientConfig::default()
            },
            ..SimConfig::default()
        };
        assert_eq!(Simulation::new(config).err(), Some(SimError::ClientConfig));
    }
}

/// Division by zero is refused before it takes a log slot; an overflow depends on the
/// register, so it is an error result of the applied entry, the same on every node, and the
/// register is unchanged.
#[test]
fn invalid_register_operations() {
    let mut s = clients(2, 3, 1);
    run_until_stable_leader(&mut s, 120_000).expect("a leader");
    let id = submit_from(&mut s, 1, RegisterOp::Div(0));
    let RequestState::Failed { reason } = finish(&mut s, id) else {
        panic!("division by zero must fail");
    };
    assert!(reason.contains("division by zero"), "{reason}");
    assert!(matches!(
        s.history().op(id).map(|o| &o.outcome),
        Some(Outcome::Rejected { .. })
    ));
    let logged = |s: &Simulation, op: RegisterOp| {
        s.nodes().any(|n| {
            n.storage()
                .log
                .entries()
                .iter()
                .any(|e| e.command.operation() == &Command::Register(op))
        })
    };
    assert!(!logged(&s, RegisterOp::Div(0)));

    let id = submit_from(&mut s, 1, RegisterOp::Set(i64::MAX));
    assert!(matches!(finish(&mut s, id), RequestState::Completed(_)));
    let id = submit_from(&mut s, 1, RegisterOp::Add(1));
    let RequestState::Failed { reason } = finish(&mut s, id) else {
        panic!("overflow must fail");
    };
    assert!(
        reason.contains("overflows") && reason.contains("r is unchanged"),
        "{reason}"
    );
    assert!(
        logged(&s, RegisterOp::Add(1)),
        "an apply-time error takes a log slot"
    );
    assert!(matches!(
        s.history().op(id).map(|o| &o.outcome),
        Some(Outcome::Returned {
            output: ApplyOutput::Failed(_),
            ..
        })
    ));
    let id = submit_from(&mut s, 1, RegisterOp::Div(-1));
    assert!(
        matches!(finish(&mut s, id), RequestState::Completed(summary) if summary.sum == -i64::MAX)
    );
    assert!(s.history().check(DEFAULT_CHECK_STEPS).is_linearizable());
}

/// The classic duplicate: the leader replicates the entry, then crashes before answering; the
/// client times out and retries on the new leader, which commits the entry twice. With
/// sessions the second copy is answered with the first result and changes nothing; without
/// them the register is incremented twice, and the history says so.
#[test]
fn a_retry_after_a_leader_crash_is_applied_once() {
    let mut repeats = 0;
    let mut caught = 0;
    for seed in 1..=30 {
        for bug in [None, Some(DriverBug::IgnoreSessions)] {
            let mut s = Simulation::new(SimConfig {
                seed,
                driver_bug: bug,
                ..SimConfig::default()
            })
            .expect("valid settings");
            let Some(leader) = run_until_stable_leader(&mut s, 120_000) else {
                continue;
            };
            let id = submit_from(&mut s, 1, RegisterOp::Add(5));
            // Crash the leader once a majority stores the entry but before it answers.
            let stored = s.run_until(20_000, |s| {
                s.nodes()
                    .filter(|n| {
                        n.storage().log.entries().iter().any(|e| {
                            e.command.operation() == &Command::Register(RegisterOp::Add(5))
                        })
                    })
                    .count()
                    >= 3
            });
            if !stored || s.client().request(id).is_some_and(|r| r.is_finished()) {
                continue;
            }
            s.apply(Action::Crash(leader)).expect("crash the leader");
            let first = finish(&mut s, id);
            let read = submit_from(&mut s, 1, RegisterOp::Get);
            let RequestState::Completed(r) = finish(&mut s, read) else {
                panic!("seed {seed}: the read did not complete");
            };
            let verdict = s.history().check(DEFAULT_CHECK_STEPS);
            let new_leader = s.leader().expect("a leader");
            let sm = s
                .node(new_leader)
                .map(|n| n.state_machine().clone())
                .expect("leader");
            if bug.is_none() {
                assert!(
                    matches!(first, RequestState::Completed(ref c) if c.sum == 5),
                    "seed {seed}: {first:?}"
                );
                assert_eq!(r.sum, 5, "seed {seed}: applied once");
                assert!(verdict.is_linearizable(), "seed {seed}: {}", verdict.text());
                repeats += sm.repeats_suppressed;
            } else if r.sum == 10 {
                assert!(
                    !verdict.is_linearizable(),
                    "seed {seed}: a double apply went unnoticed"
                );
                caught += 1;
            }
            leaders_by_term(&s);
        }
    }
    assert!(repeats >= 3, "the scenario produced only {repeats} repeats");
    assert!(caught >= 3, "only {caught} double applies were caught");
}

/// Sessions are replicated state: a node that restarts rebuilds them by re-applying the log,
/// and a new leader has them already.
#[test]
fn sessions_survive_restarts_and_leader_changes() {
    let mut s = clients(11, 5, 2);
    let leader = run_until_stable_leader(&mut s, 120_000).expect("a leader");
    for (client, op) in [
        (1, RegisterOp::Set(2)),
        (2, RegisterOp::Mul(21)),
        (1, RegisterOp::Get),
    ] {
        let id = submit_from(&mut s, client, op);
        assert!(matches!(finish(&mut s, id), RequestState::Completed(_)));
    }
    s.run_for(30_000);
    let before = s
        .node(leader)
        .map(|n| n.state_machine().clone())
        .expect("leader");
    assert_eq!(before.register, 42);
    assert_eq!(before.sessions.len(), 2);
    s.apply(Action::Crash(leader)).expect("crash");
    let follower = s
        .nodes()
        .map(|n| n.id())
        .find(|&n| n != leader)
        .expect("a follower");
    s.apply(Action::Crash(follower)).expect("crash");
    s.run_for(60_000);
    s.apply(Action::Restart(leader)).expect("restart");
    s.apply(Action::Restart(follower)).expect("restart");
    let new_leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let id = submit_from(&mut s, 2, RegisterOp::Add(0));
    assert!(matches!(finish(&mut s, id), RequestState::Completed(c) if c.sum == 42));
    assert!(
        s.run_until(120_000, |s| {
            s.nodes().all(|n| {
                let sm = n.state_machine();
                sm.register == 42
                    && sm.sessions.len() == 2
                    && sm.sessions[&ClientId(1)] == before.sessions[&ClientId(1)]
            })
        }),
        "every node, restarted ones included, rebuilt the same sessions (new leader Node {new_leader})"
    );
}

/// The search budget of the sweeps: long runs with long outages leave many writes without an
/// answer, concurrent with each other, and their histories can need a few million steps
/// (about a second) where the app's [`DEFAULT_CHECK_STEPS`] gives up.
const SWEEP_CHECK_STEPS: u64 = 50_000_000;

/// What one randomized run produced.
struct RunReport {
    operations: usize,
    checked_ms: u128,
    verdict: Linearizability,
    repeats: u64,
}

/// One randomized run: 3–5 nodes, 2–4 clients with at most two operations outstanding each,
/// loss and duplication up to 10 %, and crashes, restarts, pauses, partitions, link cuts and
/// heals for five virtual minutes; then everything heals and every operation ends.
fn run_seed(seed: u64, bug: Option<DriverBug>) -> RunReport {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x11AE);
    let nodes = rng.random_range(3..=5u64);
    let client_count = rng.random_range(2..=4u64);
    let mut s = Simulation::new(SimConfig {
        seed,
        node_count: nodes,
        loss: Ratio::new(rng.random_range(0..=10u32), 100).expect("valid ratio"),
        duplicate: Ratio::new(rng.random_range(0..=10u32), 100).expect("valid ratio"),
        client: ClientConfig {
            clients: client_count,
            // Short attempt timeouts make retries, and so repeats, common.
            attempt_timeout_ms: rng.random_range(8_000..=40_000u64),
            ..ClientConfig::default()
        },
        driver_bug: bug,
        ..SimConfig::default()
    })
    .expect("valid settings");
    // LIN_VIRTUAL_S: longer runs, for larger histories.
    let end = std::env::var("LIN_VIRTUAL_S")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(300_000, |secs| secs.saturating_mul(1_000));
    while s.now_ms() < end {
        let next = s.now_ms() + rng.random_range(500..8_000u64);
        s.advance_to(next);
        let id = NodeId(rng.random_range(1..=nodes));
        let other = NodeId(rng.random_range(1..=nodes));
        let status = s.node(id).map(|n| n.status());
        let leads = s.node(id).and_then(|n| n.role()) == Some(RoleKind::Leader);
        let action = match rng.random_range(0..24u32) {
            0 if status != Some(NodeStatus::Crashed) => Action::Crash(id),
            1 if leads => Action::Crash(id),
            0..=2 if status == Some(NodeStatus::Crashed) => Action::Restart(id),
            3 if status == Some(NodeStatus::Up) => Action::Pause(id),
            3..=4 if status == Some(NodeStatus::Paused) => Action::Resume(id),
            5 => {
                // A random split; one that leaves a single group is a heal (the same effect
                // as before partitions had to leave two groups).
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
            6 if id != other => Action::CutLink {
                from: id,
                to: other,
            },
            7..=8 => Action::HealAll,
            _ => {
                let client = ClientId(rng.random_range(1..=client_count));
                let outstanding = s
                    .client()
                    .requests()
                    .filter(|r| r.client == client && !r.is_finished())
                    .count();
                if outstanding >= 2 {
                    continue;
                }
                let v = rng.random_range(-9..=9i64);
                let op = match rng.random_range(0..10u32) {
                    0 => Command::Register(RegisterOp::Set(v)),
                    1..=3 => Command::Register(RegisterOp::Add(v)),
                    4 => Command::Register(RegisterOp::Sub(v)),
                    5 => Command::Register(RegisterOp::Mul(v)),
                    6 => Command::Register(RegisterOp::Div(v)),
                    7 => Command::Add { a: v, b: 3 },
                    _ => Command::Register(RegisterOp::Get),
                };
                Action::SubmitFrom {
                    client,
                    command: op,
                }
            }
        };
        s.apply(action)
            .unwrap_or_else(|e| panic!("seed {seed}: valid action refused: {e}"));
    }
    // Heal, restart and resume everything; every operation ends.
    s.apply(Action::HealAll).expect("heal");
    for id in 1..=nodes {
        let _ = s.apply(Action::Restart(NodeId(id)));
        let _ = s.apply(Action::Resume(NodeId(id)));
    }
    let all_done = s.run_until(3_000_000, |s| {
        s.client().requests().all(|r| r.is_finished())
    });
    assert!(all_done, "seed {seed}: client operations did not all end");
    check_logs(&s);
    leaders_by_term(&s);
    if std::env::var("LIN_DIAG").is_ok() {
        for op in s.history().ops() {
            println!(
                "{:?} {} {} {:?}",
                op.request, op.client, op.command, op.outcome
            );
        }
    }
    let budget = std::env::var("LIN_BUDGET")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SWEEP_CHECK_STEPS);
    let started = Instant::now();
    let verdict = s.history().check(budget);
    if std::env::var("LIN_DIAG").is_ok() {
        println!(
            "{} ops, {:?} in {:?}",
            s.history().ops().len(),
            verdict,
            started.elapsed()
        );
    }
    let checked_ms = started.elapsed().as_millis();
    let repeats = s
        .nodes()
        .map(|n| n.state_machine().repeats_suppressed)
        .max()
        .unwrap_or(0);
    RunReport {
        operations: s.history().ops().len(),
        checked_ms,
        verdict,
        repeats,
    }
}

fn seeds(default: u64) -> Vec<u64> {
    if let Some(seed) = std::env::var("LIN_SEED").ok().and_then(|v| v.parse().ok()) {
        return vec![seed];
    }
    let count = std::env::var("LIN_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    (1..=count).collect()
}

/// With sessions, every history under faults is linearizable, repeats included.
#[test]
fn histories_under_faults_are_linearizable() {
    let started = Instant::now();
    let (mut largest, mut slowest_ms, mut repeats, mut total_ops) = (0, 0, 0, 0);
    let list = seeds(60);
    for &seed in &list {
        let r = run_seed(seed, None);
        assert!(
            r.verdict.is_linearizable(),
            "seed {seed}: {} (replay: LIN_SEED={seed} cargo test -p raftlab-tests --test linearizability -- --nocapture)",
            r.verdict.text()
        );
        largest = largest.max(r.operations);
        slowest_ms = slowest_ms.max(r.checked_ms);
        repeats += r.repeats;
        total_ops += r.operations;
    }
    println!(
        "{} seeds in {:.1} s: {total_ops} operations, largest history {largest} operations, slowest check {slowest_ms} ms, {repeats} repeats suppressed by sessions",
        list.len(),
        started.elapsed().as_secs_f64()
    );
    if list.len() > 1 {
        assert!(
            repeats > 0,
            "the faults never made a client repeat an operation"
        );
    }
}

/// With the state machine ignoring sessions, a repeated operation is applied twice and the
/// checker reports a violation within a bounded number of seeds.
#[test]
fn ignoring_sessions_is_caught() {
    const BOUND: u64 = 60;
    for seed in 1..=BOUND {
        let r = run_seed(seed, Some(DriverBug::IgnoreSessions));
        if let Linearizability::Violation { explanation, .. } = &r.verdict {
            println!(
                "caught at seed {seed} ({} operations): {explanation}",
                r.operations
            );
            return;
        }
    }
    panic!("{BOUND} seeds ran without the checker noticing that sessions were ignored");
}
