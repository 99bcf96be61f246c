//! Leader election (paper §5.2, §5.4.1): the seed's test case 1, split votes, leader crash.

use raft_core::sim::{Action, TraceKind};
use raft_core::{NodeEvent, NodeId, RoleKind, Term};
use raftlab_tests::{leaders_by_term, role, run_until_stable_leader, sim};

/// Seed test case 1: a 5-node cluster elects exactly one leader, every node agrees on it and on
/// its term, and the leader got there through follower → candidate → leader (§5.2, Figure 4).
#[test]
fn five_nodes_elect_one_leader_with_consistent_terms() {
    for seed in 1..=20 {
        let mut s = sim(seed, 5);
        let leader = run_until_stable_leader(&mut s, 120_000)
            .unwrap_or_else(|| panic!("no stable leader within 120 s (seed {seed})"));
        let leaders: Vec<NodeId> = s
            .nodes()
            .filter(|n| n.role() == Some(RoleKind::Leader))
            .map(|n| n.id())
            .collect();
        assert_eq!(leaders, vec![leader], "seed {seed}");
        let term = s.node(leader).map(|n| n.current_term()).unwrap();
        assert!(term >= Term(1));
        for n in s.nodes() {
            assert_eq!(n.current_term(), term, "terms agree (seed {seed})");
            assert_eq!(n.raft().and_then(|r| r.leader_id()), Some(leader));
        }
        // The winner's transitions, in order, in the trace.
        let mut transitions = Vec::new();
        for e in s.trace().events() {
            if let TraceKind::Node { node, event } = &e.kind
                && *node == leader
            {
                match event {
                    NodeEvent::ElectionTimeout { term: t, .. } if *t == term => {
                        transitions.push("candidate")
                    }
                    NodeEvent::BecameLeader { term: t, .. } if *t == term => {
                        transitions.push("leader")
                    }
                    _ => {}
                }
            }
        }
        assert_eq!(transitions, vec!["candidate", "leader"], "seed {seed}");
        leaders_by_term(&s);
    }
}

/// The first election at default settings happens between the minimum election timeout and a
/// few round trips after the maximum (timings from the seed: 20–30 s).
#[test]
fn first_leader_appears_after_the_minimum_election_timeout() {
    for seed in 1..=20 {
        let mut s = sim(seed, 5);
        run_until_stable_leader(&mut s, 200_000).expect("leader");
        let first_win = s
            .trace()
            .events()
            .iter()
            .find(|e| {
                matches!(
                    e.kind,
                    TraceKind::Node {
                        event: NodeEvent::BecameLeader { .. },
                        ..
                    }
                )
            })
            .map(|e| e.time_ms)
            .unwrap();
        assert!(first_win >= 20_000, "seed {seed}: {first_win}");
    }
}

/// Split votes resolve (§5.2, randomized timeouts): forcing every node to time out at the same
/// instant makes each vote for itself; the cluster still converges on one leader later.
#[test]
fn split_vote_resolves() {
    for seed in 1..=10 {
        let mut s = sim(seed, 4);
        for id in 1..=4 {
            s.apply(Action::Timeout(NodeId(id))).unwrap();
        }
        // Everyone voted for itself in term 1: nobody can win it.
        s.run_for(10_000);
        assert_eq!(s.leader(), None, "seed {seed}: term 1 must be split");
        assert!(s.nodes().all(|n| n.current_term() == Term(1)));
        let leader = run_until_stable_leader(&mut s, 300_000)
            .unwrap_or_else(|| panic!("split vote never resolved (seed {seed})"));
        assert!(s.node(leader).unwrap().current_term() >= Term(2));
        leaders_by_term(&s);
    }
}

/// Leader crash → a new leader with a higher term (§5.2), and the old leader, restarted, rejoins
/// as a follower of the new term.
#[test]
fn leader_crash_elects_new_leader_with_higher_term() {
    for seed in 1..=20 {
        let mut s = sim(seed, 5);
        let old = run_until_stable_leader(&mut s, 120_000).expect("first leader");
        let old_term = s.node(old).unwrap().current_term();
        s.apply(Action::Crash(old)).unwrap();
        let new = run_until_stable_leader(&mut s, 200_000)
            .unwrap_or_else(|| panic!("no new leader (seed {seed})"));
        assert_ne!(new, old);
        let new_term = s.node(new).unwrap().current_term();
        assert!(new_term > old_term, "seed {seed}");
        s.apply(Action::Restart(old)).unwrap();
        assert_eq!(role(&s, old), Some(RoleKind::Follower));
        let again = run_until_stable_leader(&mut s, 120_000).expect("stable again");
        assert!(s.node(old).unwrap().current_term() >= new_term);
        assert_ne!(role(&s, old), None);
        leaders_by_term(&s);
        let _ = again;
    }
}

/// Without a majority nobody can become leader; with it restored, someone does.
#[test]
fn no_leader_without_a_majority() {
    let mut s = sim(7, 5);
    for id in [1, 2, 3] {
        s.apply(Action::Crash(NodeId(id))).unwrap();
    }
    s.run_for(300_000);
    assert_eq!(s.leader(), None);
    // Terms climbed on the two survivors as they kept trying.
    assert!(s.node(NodeId(4)).unwrap().current_term() > Term(1));
    s.apply(Action::Restart(NodeId(1))).unwrap();
    assert!(run_until_stable_leader(&mut s, 300_000).is_some());
}

/// §5.4.1: a candidate whose log lacks committed entries cannot win. Node 5 misses entries
/// while crashed; after its restart and a forced timeout, it is refused votes for having an
/// out-of-date log, and the next leader holds every committed entry.
#[test]
fn election_restriction_refuses_out_of_date_candidates() {
    use raft_core::Command;
    let mut s = sim(3, 5);
    let leader = run_until_stable_leader(&mut s, 120_000).unwrap();
    let lagger = (1..=5).map(NodeId).find(|&n| n != leader).unwrap();
    s.apply(Action::Crash(lagger)).unwrap();
    for i in 0..3 {
        s.apply(Action::Submit(Command::Add { a: i, b: 1 }))
            .unwrap();
    }
    let done = s.run_until(400_000, |s| s.client().requests().all(|r| r.is_finished()));
    assert!(done, "client requests finish without the lagger");
    let committed = s.node(leader).unwrap().raft().unwrap().commit_index();
    assert!(committed.0 >= 4, "entries committed without the lagger");
    s.apply(Action::Restart(lagger)).unwrap();
    s.apply(Action::Timeout(lagger)).unwrap();
    s.run_for(15_000);
    let refused = s.trace().events().iter().any(|e| {
        matches!(
            &e.kind,
            TraceKind::Node {
                event: NodeEvent::VoteDenied {
                    candidate,
                    reason: raft_core::VoteDenial::LogNotUpToDate,
                    ..
                },
                ..
            } if *candidate == lagger
        )
    });
    assert!(refused, "the out-of-date candidate must be refused");
    let new_leader = run_until_stable_leader(&mut s, 200_000).unwrap();
    let log = s.node(new_leader).unwrap().raft().unwrap().log();
    assert!(log.last_index() >= committed);
    leaders_by_term(&s);
}

/// Forcing an election timeout on a leader is refused with a reason instead of being silently
/// ignored (a leader has no election timer), and changes nothing.
#[test]
fn forced_timeout_on_a_leader_is_refused() {
    use raft_core::sim::SimError;
    let mut s = sim(1, 3);
    let leader = run_until_stable_leader(&mut s, 120_000).unwrap();
    let digest = s.trace().digest();
    assert_eq!(
        s.apply(Action::Timeout(leader)),
        Err(SimError::LeaderHasNoElectionTimer(leader))
    );
    assert_eq!(s.trace().digest(), digest);
    assert_eq!(role(&s, leader), Some(RoleKind::Leader));
}
