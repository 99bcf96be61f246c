//! Seed test case 4: client operations — the Add result, forwarding via NotLeader, retries (§8).

use raft_core::sim::{Action, ActionOutcome, RequestState, TraceKind};
use raft_core::{Command, NodeId};
use raftlab_tests::{leaders_by_term, run_until_stable_leader, sim};

fn submit(s: &mut raft_core::sim::Simulation, a: i64, b: i64) -> raft_core::sim::RequestId {
    match s.apply(Action::Submit(Command::Add { a, b })).unwrap() {
        ActionOutcome::Submitted(id) => id,
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn add_returns_the_sum_with_the_seed_summary() {
    let mut s = sim(1, 5);
    let leader = run_until_stable_leader(&mut s, 120_000).unwrap();
    let id = submit(&mut s, 5, 3);
    assert!(s.run_until(200_000, |s| s.client().request(id).unwrap().is_finished()));
    let RequestState::Completed(summary) = &s.client().request(id).unwrap().state else {
        panic!("not completed: {:?}", s.client().request(id));
    };
    assert_eq!(summary.sum, 8);
    assert_eq!(summary.leader, leader);
    assert_eq!(
        summary.text(),
        format!("Leader: Node {leader}, Operation performed on: Node {leader}, Result: 5 + 3 = 8")
    );
    // Every node applies it, eventually.
    assert!(s.run_until(60_000, |s| {
        s.nodes().all(|n| n.state_machine().last_sum == Some(8))
    }));
}

/// A request that lands on a follower is redirected to the leader with the follower's hint.
#[test]
fn requests_to_followers_are_forwarded_by_hint() {
    let mut redirected = 0;
    for seed in 1..=20 {
        let mut s = sim(seed, 5);
        let leader = run_until_stable_leader(&mut s, 120_000).unwrap();
        let id = submit(&mut s, seed as i64, 1);
        assert!(s.run_until(200_000, |s| s.client().request(id).unwrap().is_finished()));
        let req = s.client().request(id).unwrap();
        let RequestState::Completed(summary) = &req.state else {
            panic!("seed {seed}: {req:?}");
        };
        assert_eq!(summary.sum, seed as i64 + 1);
        assert_eq!(summary.path.last(), Some(&leader));
        if req.path[0] != leader {
            assert_eq!(req.redirects, 1, "seed {seed}: one hop to the leader");
            assert_eq!(req.path, vec![req.path[0], leader]);
            redirected += 1;
        }
    }
    assert!(
        redirected >= 5,
        "most random first picks are followers: {redirected}"
    );
}

/// With no leader known (all nodes just started), the node answers NotLeader without a hint
/// and the client retries later until an election has happened.
#[test]
fn client_retries_until_a_leader_exists() {
    let mut s = sim(4, 5);
    let id = submit(&mut s, 2, 2);
    assert!(s.run_until(400_000, |s| s.client().request(id).unwrap().is_finished()));
    let req = s.client().request(id).unwrap();
    assert!(matches!(&req.state, RequestState::Completed(sum) if sum.sum == 4));
    assert!(req.retries >= 1, "it had to retry: {req:?}");
}

/// If the leader crashes after accepting the request, the client times out, retries elsewhere
/// and the operation still completes, on the new leader.
#[test]
fn client_survives_leader_crash() {
    let mut ok = 0;
    for seed in 1..=10 {
        let mut s = sim(seed, 5);
        let leader = run_until_stable_leader(&mut s, 120_000).unwrap();
        let id = submit(&mut s, 5, 3);
        // Wait until the leader has appended it, then crash the leader before it commits.
        let appended = s.run_until(20_000, |s| {
            s.node(leader).and_then(|n| n.raft()).is_some_and(|r| {
                r.log()
                    .entries()
                    .iter()
                    .any(|e| e.command.operation() == &Command::Add { a: 5, b: 3 })
            })
        });
        if !appended {
            continue;
        }
        s.apply(Action::Crash(leader)).unwrap();
        assert!(s.run_until(600_000, |s| s.client().request(id).unwrap().is_finished()));
        let req = s.client().request(id).unwrap();
        let RequestState::Completed(summary) = &req.state else {
            panic!("seed {seed}: {req:?}");
        };
        assert_eq!(summary.sum, 8);
        assert_ne!(summary.leader, leader);
        assert!(req.retries >= 1);
        leaders_by_term(&s);
        ok += 1;
    }
    assert!(ok >= 5);
}

/// An overflowing Add is refused by the leader before it takes a log slot, and the client
/// reports why; nothing panics.
#[test]
fn overflow_is_rejected_and_never_logged() {
    let mut s = sim(2, 3);
    run_until_stable_leader(&mut s, 120_000).unwrap();
    let id = submit(&mut s, i64::MAX, 1);
    assert!(s.run_until(200_000, |s| s.client().request(id).unwrap().is_finished()));
    let RequestState::Failed { reason } = &s.client().request(id).unwrap().state else {
        panic!("must fail");
    };
    assert!(reason.contains("overflow"), "{reason}");
    for n in s.nodes() {
        assert!(
            n.storage()
                .log
                .entries()
                .iter()
                .all(|e| e.command.operation() != &Command::Add { a: i64::MAX, b: 1 })
        );
    }
}

/// The client gives up after its bound when no majority exists, with a clear reason.
#[test]
fn client_gives_up_after_bounded_attempts() {
    let mut s = sim(3, 3);
    s.apply(Action::Crash(NodeId(1))).unwrap();
    s.apply(Action::Crash(NodeId(2))).unwrap();
    let id = submit(&mut s, 1, 1);
    assert!(s.run_until(5_000_000, |s| s.client().request(id).unwrap().is_finished()));
    let req = s.client().request(id).unwrap();
    let RequestState::Failed { reason } = &req.state else {
        panic!("must fail: {req:?}");
    };
    assert_eq!(req.attempts, s.config().client.max_attempts);
    assert!(reason.contains("attempts"));
    let failed_in_trace = s
        .trace()
        .events()
        .iter()
        .any(|e| matches!(e.kind, TraceKind::ClientFailed { .. }));
    assert!(failed_in_trace);
}
