//! The liveness guards in the simulator, against network partitions: the partial partition
//! in which plain Raft never keeps a leader (each node reaches only its ring neighbours) and
//! PreVote + CheckQuorum (dissertation §9.6, §6.2) fix it; a leader cut off from everyone
//! steps down with CheckQuorum; a node rejoining after a partition does not depose a healthy
//! leader with the guards on; and the simulator's leadership-transfer and guard actions.

use raft_core::sim::{Action, SimError, Simulation, TraceKind};
use raft_core::{NodeEvent, NodeId, RoleKind, Term, TransferError};
use raftlab_tests::{check_logs, leaders_by_term, role, run_until_stable_leader, sim};

/// Both guards on (or off) from the start.
fn guarded(seed: u64, nodes: u64, on: bool) -> Simulation {
    let mut s = sim(seed, nodes);
    s.apply(Action::SetGuards {
        pre_vote: on,
        check_quorum: on,
    })
    .expect("guards");
    s
}

/// Cuts, both ways, every link between nodes further apart than k on the ring 1-2-…-n-1,
/// where 2k + 1 is the smallest such group holding a majority (the app's "partial partition"
/// preset).
fn ring_cuts(s: &mut Simulation, n: u64) {
    let k = (n / 2).div_ceil(2).max(1);
    for a in 1..=n {
        for b in a + 1..=n {
            let neighbours = (b - a).min(n - (b - a)) <= k;
            if !neighbours {
                for (from, to) in [(a, b), (b, a)] {
                    s.apply(Action::CutLink {
                        from: NodeId(from),
                        to: NodeId(to),
                    })
                    .expect("cut");
                }
            }
        }
    }
}

/// Elections won since trace position `since`.
fn elections_since(s: &Simulation, since: usize) -> usize {
    s.trace().events()[since..]
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                TraceKind::Node {
                    event: NodeEvent::BecameLeader { .. },
                    ..
                }
            )
        })
        .count()
}

fn max_term(s: &Simulation) -> Term {
    s.nodes().map(|n| n.current_term()).max().unwrap_or(Term(0))
}

#[test]
fn the_partial_ring_livelocks_plain_raft_and_the_guards_give_it_a_stable_leader() {
    for (seed, n) in [(1, 5), (2, 5), (3, 4), (4, 7), (5, 9)] {
        // Plain Raft: ten minutes of churn, terms climbing.
        let mut plain = guarded(seed, n, false);
        run_until_stable_leader(&mut plain, 300_000).expect("a first leader");
        ring_cuts(&mut plain, n);
        let (mark, term0) = (plain.trace().events().len(), max_term(&plain));
        plain.run_for(600_000);
        let elections = elections_since(&plain, mark);
        assert!(
            elections >= 5,
            "seed {seed}: only {elections} elections in ten minutes of the partial partition"
        );
        assert!(
            max_term(&plain).0 >= term0.0 + 5,
            "seed {seed}: terms should keep rising, {term0} -> {}",
            max_term(&plain)
        );
        leaders_by_term(&plain);
        check_logs(&plain);

        // Guards on: after settling, one leader for ten minutes and no term change.
        let mut safe = guarded(seed, n, true);
        run_until_stable_leader(&mut safe, 300_000).expect("a first leader");
        ring_cuts(&mut safe, n);
        safe.run_for(180_000);
        let leader = safe.leader().expect("a leader after settling");
        let (mark, term0) = (safe.trace().events().len(), max_term(&safe));
        safe.run_for(600_000);
        assert_eq!(
            elections_since(&safe, mark),
            0,
            "seed {seed}: the guarded cluster kept electing"
        );
        assert_eq!(safe.leader(), Some(leader), "seed {seed}");
        assert_eq!(max_term(&safe), term0, "seed {seed}: a term rose");
        leaders_by_term(&safe);
        check_logs(&safe);
    }
}

#[test]
fn with_check_quorum_an_isolated_leader_steps_down_within_an_election_timeout() {
    for seed in 1..=5 {
        let mut s = guarded(seed, 5, true);
        let old = run_until_stable_leader(&mut s, 300_000).expect("leader");
        let window = s.config().raft.election_timeout_ms_min;
        let heartbeat = s.config().raft.heartbeat_interval_ms;
        s.apply(Action::Isolate(old)).expect("isolate");
        let cut_at = s.now_ms();
        // It last heard from its followers at most a heartbeat round plus a round trip ago.
        let limit = window + heartbeat + 2 * s.config().latency_ms_max;
        assert!(
            s.run_until(limit, |s| role(s, old) != Some(RoleKind::Leader)),
            "seed {seed}: Node {old} still leads {limit} ms after being cut off"
        );
        assert!(
            s.now_ms() - cut_at >= window - heartbeat - 2 * s.config().latency_ms_max,
            "seed {seed}: stepped down too early"
        );
        let stepped_down = s.trace().events().iter().any(|e| {
            matches!(&e.kind, TraceKind::Node { node, event: NodeEvent::QuorumLost { .. } } if *node == old)
        });
        assert!(stepped_down, "seed {seed}: no QuorumLost event");
    }
}

#[test]
fn with_the_guards_a_node_rejoining_after_a_partition_does_not_depose_the_leader() {
    for seed in 1..=5 {
        let mut s = guarded(seed, 5, true);
        let leader = run_until_stable_leader(&mut s, 300_000).expect("leader");
        let term = s.node(leader).map(|n| n.current_term()).expect("term");
        let loner = s
            .nodes()
            .map(|n| n.id())
            .find(|&n| n != leader)
            .expect("a follower");
        s.apply(Action::Isolate(loner)).expect("isolate");
        s.run_for(300_000);
        // PreVote: its term did not climb while it was alone.
        assert_eq!(
            s.node(loner).map(|n| n.current_term()),
            Some(term),
            "seed {seed}"
        );
        let mark = s.trace().events().len();
        s.apply(Action::HealAll).expect("heal");
        s.run_for(180_000);
        assert_eq!(
            elections_since(&s, mark),
            0,
            "seed {seed}: the leader was deposed"
        );
        assert_eq!(s.leader(), Some(leader), "seed {seed}");
        let rejoined = s.node(loner).and_then(|n| n.raft()).map(|r| r.leader_id());
        assert_eq!(
            rejoined,
            Some(Some(leader)),
            "seed {seed}: the loner follows again"
        );
    }
}

#[test]
fn the_transfer_action_hands_leadership_to_the_chosen_node() {
    for guards in [false, true] {
        let mut s = guarded(4, 5, guards);
        let old = run_until_stable_leader(&mut s, 300_000).expect("leader");
        let term = s.node(old).map(|n| n.current_term()).expect("term");
        let target = s
            .nodes()
            .map(|n| n.id())
            .find(|&n| n != old)
            .expect("target");
        s.apply(Action::TransferLeadership(target))
            .expect("transfer");
        assert!(
            s.run_until(30_000, |s| s.leader() == Some(target)),
            "guards {guards}: Node {target} did not take over"
        );
        assert_eq!(
            s.node(target).map(|n| n.current_term()),
            Some(Term(term.0 + 1)),
            "one election, one term"
        );
        leaders_by_term(&s);
    }
}

#[test]
fn impossible_transfers_are_refused_and_change_nothing() {
    let mut fresh = sim(2, 3);
    assert_eq!(
        fresh.apply(Action::TransferLeadership(NodeId(2))),
        Err(SimError::NoLeader)
    );
    let mut s = sim(2, 5);
    let leader = run_until_stable_leader(&mut s, 300_000).expect("leader");
    let other = s
        .nodes()
        .map(|n| n.id())
        .find(|&n| n != leader)
        .expect("other");
    s.apply(Action::Crash(other)).expect("crash");
    let before = (s.trace().digest(), s.now_ms(), s.network().len());
    assert_eq!(
        s.apply(Action::TransferLeadership(other)),
        Err(SimError::NodeDown(other))
    );
    assert_eq!(
        s.apply(Action::TransferLeadership(leader)),
        Err(SimError::Transfer(TransferError::TargetIsSelf))
    );
    assert_eq!(
        s.apply(Action::TransferLeadership(NodeId(42))),
        Err(SimError::UnknownNode(NodeId(42)))
    );
    assert_eq!(before, (s.trace().digest(), s.now_ms(), s.network().len()));
}

#[test]
fn guards_set_at_run_time_reach_every_node_and_survive_restarts() {
    let mut s = sim(3, 3);
    s.run_for(60_000);
    s.apply(Action::SetGuards {
        pre_vote: true,
        check_quorum: false,
    })
    .expect("guards");
    s.apply(Action::Crash(NodeId(2))).expect("crash");
    s.apply(Action::Restart(NodeId(2))).expect("restart");
    for n in s.nodes() {
        let c = n.raft().expect("running").config();
        assert!(c.pre_vote && !c.check_quorum, "Node {}", n.id());
    }
    assert!(s.config().raft.pre_vote);
    let line = s
        .trace()
        .events()
        .iter()
        .rev()
        .find(|e| matches!(e.kind, TraceKind::GuardsChanged { .. }))
        .map(|e| e.message());
    assert_eq!(
        line.as_deref(),
        Some("Liveness guards set: PreVote on, CheckQuorum off")
    );
}
