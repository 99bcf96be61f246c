//! Property-based fault schedules (proptest): a schedule is a list of steps (wait, crash,
//! restart, pause, resume, force a timeout, isolate a node, cut a link, heal, submit), run on a
//! fast-timing cluster with the safety checker after every event. Proptest generates
//! schedules, and when one breaks a property it shrinks it to a minimal failing schedule.
//!
//! `PROPTEST_CASES=<n>` runs more schedules than the default 48.

use proptest::prelude::*;
use proptest::test_runner::{
    Config as ProptestConfig, RngAlgorithm, TestError, TestRng, TestRunner,
};
use raft_core::sim::{Action, SafetyChecker, SimConfig, Simulation, Violation};
use raft_core::{Command, Config, NodeId, ProtocolBug};

/// Nodes in the scheduled cluster.
const NODES: u64 = 5;

/// One step of a schedule. Nodes are numbered from 0 here (node `n` is `NodeId(n + 1)`).
#[derive(Clone, Debug)]
enum Step {
    /// Let virtual time pass (ms).
    Wait(u64),
    Crash(u64),
    Restart(u64),
    Timeout(u64),
    Pause(u64),
    Resume(u64),
    Isolate(u64),
    Cut(u64, u64),
    Heal,
    Submit(i64, i64),
}

fn node(n: u64) -> NodeId {
    NodeId(n % NODES + 1)
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (100..6_000u64).prop_map(Step::Wait),
        2 => (0..NODES).prop_map(Step::Crash),
        2 => (0..NODES).prop_map(Step::Restart),
        1 => (0..NODES).prop_map(Step::Timeout),
        1 => (0..NODES).prop_map(Step::Pause),
        1 => (0..NODES).prop_map(Step::Resume),
        1 => (0..NODES).prop_map(Step::Isolate),
        1 => (0..NODES, 0..NODES).prop_map(|(a, b)| Step::Cut(a, b)),
        1 => Just(Step::Heal),
        2 => (-100..100i64, -100..100i64).prop_map(|(a, b)| Step::Submit(a, b)),
    ]
}

/// Runs a schedule on a fresh cluster (protocol bug `bug`, if any) with the checker after
/// every event, then heals everything and runs a virtual minute more. Steps that make no sense
/// in the state they meet (restarting a running node) are skipped, as a user's click would be
/// refused.
fn run(schedule: &[Step], bug: Option<ProtocolBug>) -> Result<(), Violation> {
    let mut sim = Simulation::new(SimConfig {
        seed: 11,
        node_count: NODES,
        raft: Config {
            election_timeout_ms_min: 2_000,
            election_timeout_ms_max: 3_000,
            heartbeat_interval_ms: 600,
            max_entries_per_append: 2,
            bug,
            ..Config::default()
        },
        latency_ms_min: 50,
        latency_ms_max: 600,
        ..SimConfig::default()
    })
    .expect("valid settings");
    let mut checker = SafetyChecker::new();
    let mut wait = |sim: &mut Simulation, ms: u64| -> Result<(), Violation> {
        let until = sim.now_ms() + ms;
        while sim.next_event_ms().is_some_and(|t| t <= until) {
            sim.step();
            checker.observe(sim)?;
        }
        sim.advance_to(until);
        Ok(())
    };
    for s in schedule {
        let action = match *s {
            Step::Wait(ms) => {
                wait(&mut sim, ms)?;
                continue;
            }
            Step::Crash(n) => Action::Crash(node(n)),
            Step::Restart(n) => Action::Restart(node(n)),
            Step::Timeout(n) => Action::Timeout(node(n)),
            Step::Pause(n) => Action::Pause(node(n)),
            Step::Resume(n) => Action::Resume(node(n)),
            Step::Isolate(n) => Action::Isolate(node(n)),
            Step::Cut(a, b) => Action::CutLink {
                from: node(a),
                to: node(b),
            },
            Step::Heal => Action::HealAll,
            Step::Submit(a, b) => Action::Submit(Command::Add { a, b }),
        };
        let _ = sim.apply(action);
    }
    let _ = sim.apply(Action::HealAll);
    for n in 1..=NODES {
        let _ = sim.apply(Action::Restart(NodeId(n)));
        let _ = sim.apply(Action::Resume(NodeId(n)));
    }
    wait(&mut sim, 60_000)?;
    checker.observe_all(&sim)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// No schedule of faults breaks a safety property.
    #[test]
    fn no_schedule_breaks_safety(schedule in prop::collection::vec(step(), 1..80)) {
        if let Err(v) = run(&schedule, None) {
            prop_assert!(false, "{v}");
        }
    }
}

/// Removes steps one at a time while the schedule still fails, until removing any single step
/// makes it pass (a 1-minimal schedule). Proptest's own shrinking stops earlier: once it has
/// simplified an element it does not go back to removing earlier ones.
fn minimize(mut schedule: Vec<Step>, bug: ProtocolBug) -> Vec<Step> {
    let mut i = 0;
    while i < schedule.len() {
        let mut shorter = schedule.clone();
        shorter.remove(i);
        if run(&shorter, Some(bug)).is_err() {
            schedule = shorter;
            i = 0;
        } else {
            i += 1;
        }
    }
    schedule
}

/// Shrinking works: with the vote not persisted, proptest finds a failing schedule and shrinks
/// it; removing steps one by one then leaves a handful that still fail, each of them needed.
#[test]
fn a_failing_schedule_shrinks_to_a_small_one() {
    let config = ProptestConfig {
        cases: 4_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let result = runner.run(&prop::collection::vec(step(), 1..80), |schedule| match run(
        &schedule,
        Some(ProtocolBug::ForgetToPersistVote),
    ) {
        Ok(()) => Ok(()),
        Err(v) => Err(TestCaseError::fail(v.to_string())),
    });
    match result {
        Err(TestError::Fail(why, shrunk)) => {
            let minimal = minimize(shrunk.clone(), ProtocolBug::ForgetToPersistVote);
            println!(
                "proptest shrank the failing schedule to {} steps, minimized to {}: {minimal:?}\n{why}",
                shrunk.len(),
                minimal.len()
            );
            // From up to 80 generated steps to about a dozen (14 today: a forced election,
            // an isolation, two crashes and a restart, with the waits that time them).
            assert!(
                minimal.len() <= 16 && minimal.len() <= shrunk.len(),
                "minimized to {} steps: {minimal:?}",
                minimal.len()
            );
            assert!(
                run(&minimal, Some(ProtocolBug::ForgetToPersistVote)).is_err(),
                "the minimal schedule fails when replayed"
            );
            assert!(run(&minimal, None).is_ok(), "and passes with the bug fixed");
        }
        other => panic!("the bug was not found: {other:?}"),
    }
}
