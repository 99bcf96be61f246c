//! Membership changes (Ongaro's dissertation §4): a new node joining through JoinCluster as a
//! learner and becoming a voter (the seed's case 2), removal of followers and of the leader,
//! removed servers that keep timing out (§4.2.3), growing and shrinking under load with
//! crashes, the 2015 single-server-change bug, and the typed errors of impossible changes.

use raft_core::sim::{
    Action, MemberKind, RequestState, SafetyChecker, SimConfig, SimError, Simulation, TraceKind,
};
use raft_core::{
    ChangeBusy, ChangeError, Command, Config, EntryId, LogIndex, Membership, MembershipError,
    Message, NodeEvent, NodeId, PersistentState, ProtocolBug, RaftNode, RoleKind,
};
use raftlab_tests::{check_logs, run_until_stable_leader, sim};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};

fn id(i: u64) -> NodeId {
    NodeId(i)
}

fn ids(v: &[u64]) -> BTreeSet<NodeId> {
    v.iter().map(|&i| NodeId(i)).collect()
}

fn add(a: i64) -> Action {
    Action::Submit(Command::Add { a, b: 1 })
}

/// Runs event by event, checking every safety property after each one, until `pred` holds or
/// `limit_ms` of virtual time pass. Panics with the violation.
fn run_checked(
    s: &mut Simulation,
    checker: &mut SafetyChecker,
    limit_ms: u64,
    mut pred: impl FnMut(&Simulation) -> bool,
) -> bool {
    let end = s.now_ms() + limit_ms;
    loop {
        if let Err(v) = checker.observe(s) {
            panic!("{v}");
        }
        if pred(s) {
            return true;
        }
        match s.next_event_ms() {
            Some(t) if t <= end => {
                s.step();
            }
            _ => return pred(s),
        }
    }
}

/// Every running member uses `voters` as its configuration, committed, and holds the same
/// fully committed log.
fn settled_on(s: &Simulation, voters: &BTreeSet<NodeId>) -> bool {
    let Some(leader) = s.leader().and_then(|l| s.node(l)?.raft()) else {
        return false;
    };
    let log = leader.log();
    voters.iter().all(|v| {
        s.node(*v).and_then(|n| n.raft()).is_some_and(|r| {
            r.voters() == voters
                && r.membership().learners.is_empty()
                && r.membership_index() <= r.commit_index()
                && r.log() == log
                && r.commit_index() == log.last_index()
        })
    })
}

/// The `(client, seq)` of every client operation that was acknowledged.
fn acknowledged(s: &Simulation) -> Vec<(raft_core::ClientId, u64)> {
    s.client()
        .requests()
        .filter(|r| matches!(r.state, RequestState::Completed(_)))
        .map(|r| (r.client, r.seq))
        .collect()
}

/// Asserts that every acknowledged operation is in the committed log of every node in
/// `members`, exactly once.
fn assert_acknowledged_everywhere(s: &Simulation, members: &BTreeSet<NodeId>) {
    let acked = acknowledged(s);
    assert!(!acked.is_empty(), "the run acknowledged operations");
    for m in members {
        let r = s.node(*m).and_then(|n| n.raft()).expect("member running");
        let committed = r.log().entries().slice(..r.commit_index().0 as usize);
        let mut seen: BTreeMap<(raft_core::ClientId, u64), usize> = BTreeMap::new();
        for e in committed {
            if let Some(k) = e.command.session() {
                *seen.entry(k).or_default() += 1;
            }
        }
        for k in &acked {
            assert!(
                seen.contains_key(k),
                "acknowledged operation {k:?} is missing from Node {m}'s committed log (seed {})",
                s.config().seed
            );
        }
    }
}

fn node_events(s: &Simulation) -> impl Iterator<Item = (NodeId, &NodeEvent)> {
    s.trace().events().iter().filter_map(|e| match &e.kind {
        TraceKind::Node { node, event } => Some((*node, event)),
        _ => None,
    })
}

/// The seed's test case 2: a new node joins a running 3-node cluster under client load. The
/// configuration updates on every node, the new node's log matches the leader's, and it then
/// counts toward commits and votes.
#[test]
fn a_new_node_joins_under_load_and_then_counts_toward_commits_and_votes() {
    let mut s = sim(2, 3);
    let mut checker = SafetyChecker::new();
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    for i in 0..10 {
        s.apply(add(i)).unwrap();
    }
    assert!(run_checked(&mut s, &mut checker, 200_000, |s| {
        s.node(leader)
            .and_then(|n| n.raft())
            .is_some_and(|r| r.commit_index().0 >= 11)
    }));

    s.apply(Action::AddNode(id(4))).unwrap();
    assert_eq!(s.member_kind(id(4)), Some(MemberKind::Joining));
    // Client load while it joins: an operation every two virtual seconds.
    let mut saw_learner = false;
    let all = ids(&[1, 2, 3, 4]);
    let mut i = 100;
    let mut voter = false;
    while !voter && s.now_ms() < 2_000_000 {
        s.apply(add(i)).unwrap();
        i += 1;
        voter = run_checked(&mut s, &mut checker, 2_000, |s| {
            saw_learner |= s.member_kind(id(4)) == Some(MemberKind::Learner);
            all.iter().all(|n| {
                s.node(*n)
                    .and_then(|x| x.raft())
                    .is_some_and(|r| r.voters() == &all)
            })
        });
    }
    assert!(voter, "every node uses {{1,2,3,4}}");
    let joined = run_checked(&mut s, &mut checker, 600_000, |s| settled_on(s, &all));
    assert!(joined, "Node 4 joined and every node uses {{1,2,3,4}}");
    assert!(saw_learner, "Node 4 was a learner before it became a voter");
    assert_eq!(s.member_kind(id(4)), Some(MemberKind::Voter));
    let lines: Vec<String> = s.trace().events().iter().map(|e| e.message()).collect();
    assert!(lines.iter().any(|l| l == "Node 4 joined the cluster"));
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("updated cluster configuration: {1,2,3,4}")),
        "the leader logs the new configuration"
    );
    assert!(
        node_events(&s).any(|(n, e)| n == id(4)
            && matches!(
                e,
                NodeEvent::JoinFinished {
                    result: raft_core::JoinResult::Joined,
                    ..
                }
            )),
        "the joiner got its answer"
    );

    // With four voters a majority is three: crash one original follower, and a commit needs
    // Node 4.
    let leader = s.leader().expect("a leader");
    let follower = (1..=3).map(id).find(|&n| n != leader).expect("a follower");
    s.apply(Action::Crash(follower)).unwrap();
    let before = s
        .node(leader)
        .and_then(|n| n.raft())
        .unwrap()
        .commit_index();
    s.apply(add(7)).unwrap();
    assert!(run_checked(&mut s, &mut checker, 300_000, |s| {
        s.node(leader)
            .and_then(|n| n.raft())
            .is_some_and(|r| r.commit_index() > before)
    }));
    let r4 = s.node(id(4)).and_then(|n| n.raft()).unwrap();
    let committed = s
        .node(leader)
        .and_then(|n| n.raft())
        .unwrap()
        .commit_index();
    assert!(
        r4.log().last_index() >= committed,
        "Node 4 stores what was committed without the crashed node"
    );

    // And it votes: with the follower back and the leader crashed, a new leader needs three of
    // the remaining three.
    s.apply(Action::Restart(follower)).unwrap();
    s.run_for(60_000);
    s.apply(Action::Crash(leader)).unwrap();
    let since = s.trace().events().len();
    let new_leader = run_until_stable_leader(&mut s, 600_000).expect("a new leader");
    assert_ne!(new_leader, leader);
    let votes = s.trace().events()[since..]
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Node {
                node,
                event: NodeEvent::BecameLeader { votes, .. },
            } if *node == new_leader => Some(votes.clone()),
            _ => None,
        })
        .expect("an election");
    assert!(
        votes.contains(&id(4)),
        "Node 4's vote was needed: {votes:?}"
    );
    checker.observe_all(&s).unwrap();
    check_logs(&s);
}

/// How long a new node takes to become a voter on a 100-entry log at default settings
/// (printed for the notes; asserted only to finish).
#[test]
fn joining_a_100_entry_log() {
    let mut s = Simulation::new(SimConfig::default()).unwrap();
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let mut n = 0;
    while s
        .node(leader)
        .and_then(|x| x.raft())
        .is_some_and(|r| r.commit_index().0 < 100)
    {
        if n < 99 {
            s.apply(add(n)).unwrap();
            n += 1;
        }
        s.run_for(500);
        assert!(s.now_ms() < 2_000_000, "the log reached 100 entries");
    }
    let start = s.now_ms();
    let log_len = s
        .node(leader)
        .and_then(|x| x.raft())
        .unwrap()
        .log()
        .last_index();
    s.apply(Action::AddNode(id(6))).unwrap();
    assert!(s.run_until(600_000, |s| {
        s.member_kind(id(6)) == Some(MemberKind::Voter)
            && s.node(id(6))
                .and_then(|n| n.raft())
                .is_some_and(|r| r.voters().contains(&id(6)))
    }));
    let rounds = node_events(&s)
        .filter(|(_, e)| matches!(e, NodeEvent::CatchUpRound { node, .. } if *node == id(6)))
        .count();
    println!(
        "Node 6 became a voter {} ms (virtual) after it was added to a {}-entry log, after {rounds} catch-up round(s)",
        s.now_ms() - start,
        log_len
    );
}

/// Removing a follower: it stays a running node but leaves every configuration, the others go
/// on committing with the smaller majority, and it does not campaign.
#[test]
fn a_removed_follower_leaves_and_stays_quiet() {
    let mut s = sim(3, 5);
    let mut checker = SafetyChecker::new();
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    // A new leader changes nothing before its no-op commits.
    let gone = (1..=5).map(id).find(|&n| n != leader).unwrap();
    assert_eq!(
        s.apply(Action::RemoveNode(gone)),
        Err(SimError::Change(ChangeError::Busy(
            ChangeBusy::NoCommitInTerm
        )))
    );
    s.run_for(20_000);
    s.apply(Action::RemoveNode(gone)).unwrap();
    let rest: BTreeSet<NodeId> = (1..=5).map(id).filter(|&n| n != gone).collect();
    assert!(run_checked(&mut s, &mut checker, 300_000, |s| settled_on(
        s, &rest
    )));
    assert_eq!(s.member_kind(gone), Some(MemberKind::Removed));
    let r = s.node(gone).and_then(|n| n.raft()).unwrap();
    assert!(!r.voters().contains(&gone), "it learned of its removal");
    let attempts = r.counters().election_attempts;
    let term = r.current_term();
    s.run_for(600_000);
    let r = s.node(gone).and_then(|n| n.raft()).unwrap();
    assert_eq!(
        r.counters().election_attempts,
        attempts,
        "it never campaigns"
    );
    assert_eq!(s.leader(), Some(leader));
    assert_eq!(s.node(leader).unwrap().current_term(), term);
    // Dismissing it deletes it from the run, and its id is never given out again.
    s.apply(Action::DismissNode(gone)).unwrap();
    assert!(s.node(gone).is_none());
    assert_eq!(
        s.apply(Action::AddNode(gone)),
        Err(SimError::IdRetired(gone))
    );
    checker.observe_all(&s).unwrap();
}

/// Removing the leader under client load: it keeps leading until the new configuration
/// commits (without counting itself), then steps down; a new leader is elected among the
/// others and nothing acknowledged is lost.
#[test]
fn removing_the_leader_under_load_elects_a_new_one_and_loses_nothing() {
    for seed in [4, 5, 6] {
        let mut s = sim(seed, 5);
        let mut checker = SafetyChecker::new();
        let old = run_until_stable_leader(&mut s, 300_000).expect("a leader");
        for i in 0..5 {
            s.apply(add(i)).unwrap();
        }
        s.run_for(10_000);
        s.apply(Action::RemoveNode(old)).unwrap();
        let rest: BTreeSet<NodeId> = (1..=5).map(id).filter(|&n| n != old).collect();
        let mut i = 10;
        let mut done = false;
        while !done && s.now_ms() < 3_000_000 {
            s.apply(add(i)).unwrap();
            i += 1;
            done = run_checked(&mut s, &mut checker, 3_000, |s| {
                s.leader().is_some_and(|l| l != old) && settled_on(s, &rest)
            });
        }
        assert!(done, "a new leader of {{others}} (seed {seed})");
        let r = s.node(old).and_then(|n| n.raft()).unwrap();
        assert_ne!(r.role(), RoleKind::Leader);
        assert!(
            node_events(&s)
                .any(|(n, e)| n == old
                    && matches!(e, NodeEvent::MemberRemoved { node } if *node == old)),
            "the old leader announced its own removal before stepping down"
        );
        // Let the client finish, then check every acknowledged operation survived.
        s.run_for(400_000);
        assert!(s.run_until(400_000, |s| settled_on(s, &rest)));
        checker.observe_all(&s).unwrap();
        assert_acknowledged_everywhere(&s, &rest);
        check_logs(&s);
    }
}

/// §4.2.3: a removed server that never learned of its removal (it was crashed) keeps timing
/// out and asking for votes with ever higher terms; the members, hearing from their leader,
/// ignore it, and the leader stays in office.
#[test]
fn a_removed_node_that_keeps_timing_out_does_not_depose_the_leader() {
    let mut s = sim(7, 5);
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let gone = (1..=5).map(id).find(|&n| n != leader).unwrap();
    s.run_for(20_000);
    s.apply(Action::Crash(gone)).unwrap();
    s.apply(Action::RemoveNode(gone)).unwrap();
    let rest: BTreeSet<NodeId> = (1..=5).map(id).filter(|&n| n != gone).collect();
    assert!(s.run_until(300_000, |s| settled_on(s, &rest)));
    s.apply(Action::Restart(gone)).unwrap();
    let term = s.node(leader).unwrap().current_term();
    let before = s
        .node(gone)
        .unwrap()
        .raft()
        .unwrap()
        .counters()
        .election_attempts;
    s.run_for(900_000);
    let r = s.node(gone).and_then(|n| n.raft()).unwrap();
    assert!(
        r.voters().contains(&gone),
        "it still believes it is a member (nobody sends it the new configuration)"
    );
    assert!(
        r.counters().election_attempts >= before + 10,
        "it kept campaigning"
    );
    assert!(r.current_term() > term, "with ever higher terms");
    assert_eq!(s.leader(), Some(leader), "the leader stayed");
    assert_eq!(s.node(leader).unwrap().current_term(), term, "in its term");
    assert_eq!(s.member_kind(gone), Some(MemberKind::Removed));
    assert!(
        node_events(&s).any(|(_, e)| matches!(
            e,
            NodeEvent::VoteDenied {
                reason: raft_core::VoteDenial::LeaderLease(_),
                ..
            }
        )),
        "members ignored it under the lease"
    );
}

/// Grows a 3-node cluster to 7 and shrinks it back to 3 under client load with random crashes
/// and restarts; every safety property holds throughout and every acknowledged operation is in
/// every final log. `MEMBERSHIP_SEEDS=n` runs n seeds (default 50).
#[test]
fn grow_to_seven_and_shrink_back_under_load_with_crashes() {
    let seeds: u64 = std::env::var("MEMBERSHIP_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    for seed in 1..=seeds {
        grow_and_shrink(seed);
    }
}

fn grow_and_shrink(seed: u64) {
    let mut s = sim(seed, 3);
    let mut checker = SafetyChecker::new().log_matching_every(8);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0xC0FFEE);
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    // Grow to seven voters, then shrink back to {1,2,3}, one change at a time, retried when
    // the leader is busy or gone. A change counts once the leader's configuration reflects it
    // and is committed (an appended change can still be lost with its leader).
    let mut grown = false;
    let mut crashed: Option<NodeId> = None;
    let mut next_id = 4;
    let mut op = 0;
    let deadline = 40_000_000;
    let three = ids(&[1, 2, 3]);
    loop {
        let committed = s
            .leader()
            .and_then(|l| s.node(l)?.raft())
            .is_some_and(|r| r.membership_index() <= r.commit_index());
        let c = s.cluster_membership().clone();
        grown |= committed && c.voters.len() == 7;
        let anyone_joining = s
            .nodes()
            .any(|n| s.member_kind(n.id()) == Some(MemberKind::Joining));
        if grown && committed && c.voters == three && c.learners.is_empty() && !anyone_joining {
            break;
        }
        assert!(
            s.now_ms() < deadline,
            "the plan did not finish (seed {seed})"
        );
        s.apply(add(op)).unwrap();
        op += 1;
        // Crash or restart one node now and then (never more than one down at a time, so a
        // majority of every configuration on the way can make progress).
        if op % 12 == 5 || rng.random_range(0..10u32) == 0 {
            match crashed.take() {
                Some(c) => {
                    let _ = s.apply(Action::Restart(c));
                }
                None => {
                    let ids: Vec<NodeId> = s.nodes().map(|n| n.id()).collect();
                    let c = ids[rng.random_range(0..ids.len() as u64) as usize];
                    if s.apply(Action::Crash(c)).is_ok() {
                        crashed = Some(c);
                    }
                }
            }
        }
        // Nodes whose join failed (crashed while catching up) or that were removed are
        // dismissed; their ids are never used again.
        let removed: Vec<NodeId> = s
            .nodes()
            .map(|n| n.id())
            .filter(|&n| s.member_kind(n) == Some(MemberKind::Removed) && Some(n) != crashed)
            .collect();
        for n in removed {
            s.apply(Action::DismissNode(n)).unwrap();
        }
        let joining = s
            .nodes()
            .any(|n| s.member_kind(n.id()) == Some(MemberKind::Joining));
        let c = s.cluster_membership().clone();
        let action = if !grown {
            (!joining && c.learners.is_empty() && c.voters.len() < 7).then(|| {
                next_id += 1;
                Action::AddNode(id(next_id - 1))
            })
        } else {
            c.members()
                .find(|m| !three.contains(m))
                .map(Action::RemoveNode)
        };
        if let Some(action) = action {
            match s.apply(action) {
                Ok(_)
                | Err(SimError::NoLeader | SimError::NodePaused(_))
                | Err(SimError::Change(ChangeError::Busy(_)))
                | Err(SimError::TooManyVoters) => {}
                Err(e) => panic!("unexpected error {e} (seed {seed})"),
            }
        }
        run_checked(&mut s, &mut checker, 4_000, |_| false);
    }
    if let Some(c) = crashed {
        s.apply(Action::Restart(c)).unwrap();
    }
    let ok = run_checked(&mut s, &mut checker, 2_000_000, |s| settled_on(s, &three));
    if !ok {
        dump(&s);
    }
    assert!(ok, "back to {{1,2,3}} (seed {seed})");
    let biggest = node_events(&s)
        .filter_map(|(_, e)| match e {
            NodeEvent::ConfigChanged { membership, .. } => Some(membership.voters.len()),
            _ => None,
        })
        .max();
    // (A joiner that crashed and came back can slip in one more voter.)
    assert!(
        biggest.is_some_and(|b| b >= 7),
        "it grew to seven voters (seed {seed})"
    );
    let crashes = s
        .trace()
        .events()
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Crashed { .. }))
        .count();
    assert!(crashes >= 1, "crashes happened on the way (seed {seed})");
    s.run_for(400_000);
    let ok = run_checked(&mut s, &mut checker, 400_000, |s| settled_on(s, &three));
    if !ok {
        dump(&s);
    }
    assert!(ok, "settled after the load (seed {seed})");
    checker.observe_all(&s).unwrap();
    assert_acknowledged_everywhere(&s, &three);
}

/// Prints every node's membership state and the membership lines of the trace's tail (for a
/// failing seed).
fn dump(s: &Simulation) {
    for n in s.nodes() {
        let r = n.raft();
        eprintln!(
            "node {} {:?} kind {:?} role {:?} config {:?} idx {:?} commit {:?} last {:?} join {:?}",
            n.id(),
            n.status(),
            s.member_kind(n.id()),
            r.map(|r| r.role()),
            r.map(|r| r.membership().to_string()),
            r.map(|r| r.membership_index()),
            r.map(|r| r.commit_index()),
            r.map(|r| r.log().last_index()),
            r.map(|r| r.join_target()),
        );
    }
    for e in s.trace().events().iter().rev().take(3000).rev() {
        let m = e.message();
        if [
            "configuration",
            "join",
            "catch",
            "removed",
            "crashed",
            "restarted",
            "leader",
        ]
        .iter()
        .any(|k| m.contains(k))
            && !m.contains("lease")
        {
            eprintln!("{}", e.line());
        }
    }
}

#[test]
fn impossible_changes_are_typed_errors_and_change_nothing() {
    let mut s = sim(9, 3);
    // No leader yet.
    assert_eq!(s.apply(Action::RemoveNode(id(2))), Err(SimError::NoLeader));
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    s.run_for(20_000);
    let digest = s.trace().digest();
    let now = s.now_ms();
    let unchanged = |s: &Simulation| {
        assert_eq!(s.trace().digest(), digest);
        assert_eq!(s.now_ms(), now);
    };
    assert_eq!(
        s.apply(Action::AddNode(id(2))),
        Err(SimError::NodeExists(id(2)))
    );
    assert_eq!(
        s.apply(Action::AddNode(id(0))),
        Err(SimError::InvalidNodeId(id(0)))
    );
    assert_eq!(
        s.apply(Action::AddNode(id(99))),
        Err(SimError::InvalidNodeId(id(99)))
    );
    assert_eq!(
        s.apply(Action::RemoveNode(id(9))),
        Err(SimError::UnknownNode(id(9)))
    );
    assert_eq!(
        s.apply(Action::DismissNode(leader)),
        Err(SimError::NotRemoved(leader))
    );
    unchanged(&s);

    // A second change while one is pending.
    let other = (1..=3).map(id).find(|&n| n != leader).unwrap();
    s.apply(Action::RemoveNode(other)).unwrap();
    let third = (1..=3)
        .map(id)
        .find(|&n| n != leader && n != other)
        .unwrap();
    let digest = s.trace().digest();
    assert!(matches!(
        s.apply(Action::RemoveNode(third)),
        Err(SimError::Change(ChangeError::Busy(
            ChangeBusy::Uncommitted(_)
        )))
    ));
    assert_eq!(s.trace().digest(), digest);

    // Down to one voter, which cannot be removed.
    assert!(s.run_until(300_000, |s| settled_on(s, &ids(&[leader.0, third.0]))));
    s.apply(Action::RemoveNode(third)).unwrap();
    assert!(s.run_until(300_000, |s| settled_on(s, &ids(&[leader.0]))));
    let digest = s.trace().digest();
    assert_eq!(
        s.apply(Action::RemoveNode(leader)),
        Err(SimError::Change(ChangeError::Invalid(
            MembershipError::LastVoter(leader)
        )))
    );
    assert_eq!(s.trace().digest(), digest);
    // A one-voter cluster still commits on its own.
    let before = s.node(leader).unwrap().raft().unwrap().commit_index();
    s.apply(add(1)).unwrap();
    assert!(s.run_until(300_000, |s| {
        s.node(leader)
            .and_then(|n| n.raft())
            .is_some_and(|r| r.commit_index() > before)
    }));
}

#[test]
fn nine_voters_is_the_most() {
    let mut s = sim(10, 8);
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    s.apply(Action::AddNode(id(9))).unwrap();
    // The learner counts toward the limit while it catches up.
    assert_eq!(
        s.apply(Action::AddNode(id(10))),
        Err(SimError::TooManyVoters)
    );
    assert!(s.run_until(900_000, |s| s.member_kind(id(9)) == Some(MemberKind::Voter)));
    assert_eq!(
        s.apply(Action::AddNode(id(10))),
        Err(SimError::TooManyVoters)
    );
}

#[test]
fn a_restarted_node_uses_the_latest_configuration_in_its_stored_log() {
    let mut s = sim(11, 3);
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    s.run_for(20_000);
    s.apply(Action::AddNode(id(4))).unwrap();
    let four = ids(&[1, 2, 3, 4]);
    assert!(s.run_until(900_000, |s| settled_on(s, &four)));
    for n in 1..=4 {
        s.apply(Action::Crash(id(n))).unwrap();
        assert_eq!(
            s.node(id(n))
                .unwrap()
                .storage()
                .effective_membership()
                .1
                .voters,
            four,
            "the configuration is in stable storage"
        );
    }
    for n in 1..=4 {
        s.apply(Action::Restart(id(n))).unwrap();
        assert_eq!(s.node(id(n)).unwrap().raft().unwrap().voters(), &four);
    }
    assert!(s.run_until(900_000, |s| settled_on(s, &four)));
}

// ----- the 2015 single-server-change bug, replayed message by message -----

/// A hand-driven cluster of `RaftNode`s: messages wait in a queue and are delivered or dropped
/// by the test, so a precise interleaving can be replayed.
struct Cluster {
    cfg: Config,
    nodes: BTreeMap<NodeId, RaftNode>,
    stores: BTreeMap<NodeId, PersistentState>,
    queue: Vec<Message>,
    now: u64,
    /// Index → the entry first seen committed there, on any node.
    committed: BTreeMap<LogIndex, EntryId>,
}

impl Cluster {
    fn new(bug: bool, voters: &[u64]) -> Cluster {
        let cfg = Config {
            election_timeout_ms_min: 10_000,
            election_timeout_ms_max: 20_000,
            heartbeat_interval_ms: 1_000,
            bug: bug.then_some(ProtocolBug::ConfigChangeBeforeOwnTermCommit),
            ..Config::default()
        };
        let mut c = Cluster {
            cfg,
            nodes: BTreeMap::new(),
            stores: BTreeMap::new(),
            queue: Vec::new(),
            now: 0,
            committed: BTreeMap::new(),
        };
        for &v in voters {
            let n =
                RaftNode::new(id(v), voters.iter().map(|&i| id(i)), c.cfg.clone(), v, 0).unwrap();
            c.stores.insert(id(v), n.persistent().clone());
            c.nodes.insert(id(v), n);
        }
        c
    }

    fn node(&mut self, n: u64) -> &mut RaftNode {
        self.nodes.get_mut(&id(n)).expect("running")
    }

    /// Persists, queues messages and checks that nothing committed ever changes.
    fn drain(&mut self) -> Result<(), String> {
        for (nid, node) in &mut self.nodes {
            let ready = node.take_ready();
            if let Some(p) = &ready.persist {
                self.stores.get_mut(nid).unwrap().apply(p);
            }
            self.queue.extend(ready.messages);
        }
        for (nid, node) in &self.nodes {
            for e in node.log().entries().slice(..node.commit_index().0 as usize) {
                let first = *self.committed.entry(e.index).or_insert(e.id());
                if first != e.id() {
                    return Err(format!(
                        "Node {nid} committed {:?} at index {} where {:?} was committed before",
                        e.id(),
                        e.index,
                        first
                    ));
                }
            }
        }
        Ok(())
    }

    /// Delivers queued messages between nodes for which `link` holds (others are dropped),
    /// until the queue is empty.
    fn deliver(&mut self, link: impl Fn(u64, u64) -> bool) -> Result<(), String> {
        for _ in 0..1_000 {
            self.drain()?;
            if self.queue.is_empty() {
                return Ok(());
            }
            self.now += 10;
            for m in std::mem::take(&mut self.queue) {
                if link(m.from.0, m.to.0)
                    && let Some(n) = self.nodes.get_mut(&m.to)
                {
                    n.advance_clock(self.now);
                    n.step(m);
                }
            }
        }
        Err("messages never settled".into())
    }

    /// Delivers the messages queued now (one hop) for which `link` holds; drops the rest.
    fn deliver_once(&mut self, link: impl Fn(u64, u64) -> bool) -> Result<(), String> {
        self.drain()?;
        self.now += 10;
        for m in std::mem::take(&mut self.queue) {
            if link(m.from.0, m.to.0)
                && let Some(n) = self.nodes.get_mut(&m.to)
            {
                n.advance_clock(self.now);
                n.step(m);
            }
        }
        self.drain()
    }

    fn crash(&mut self, n: u64) {
        self.nodes.remove(&id(n));
    }

    fn restart(&mut self, n: u64) {
        let store = self.stores[&id(n)].clone();
        let node = RaftNode::restart(id(n), store, self.cfg.clone(), 100 + n, self.now).unwrap();
        self.nodes.insert(id(n), node);
    }
}

/// The interleaving Ongaro reported in 2015 (raft-dev, "bug in single-server membership
/// changes"), with a learner step in front as this implementation adds servers:
/// 1. S1 leads {S1..S4} in term 1, adds S5 as a learner (committed), then appends the
///    configuration that makes S5 a voter, {S1..S5}, which reaches only S5. S1 crashes.
/// 2. S2 wins term 2 with S3 and S4 and appends its no-op, which only S3 receives (S4 is cut
///    off). It then asks to remove S1, giving {S2,S3,S4}.
/// 3. S1 restarts and wins term 3 with S4 and S5 under its configuration {S1..S5}, and
///    overwrites S2 and S3.
///
/// With the own-term-commit rule S2 cannot start its change in step 2 (its no-op is not
/// committed), so nothing committed is overwritten. Without it, {S2,S3,S4} commits on S2 and S3
/// alone and S1 overwrites it.
fn replay_single_server_change_bug(bug: bool) -> Result<(), String> {
    let mut c = Cluster::new(bug, &[1, 2, 3, 4]);
    // S1 leads term 1.
    c.node(1).campaign();
    c.deliver(|_, _| true)?;
    assert_eq!(c.node(1).role(), RoleKind::Leader);
    // S5 joins: the learner entry commits on S1..S4 while S1's messages to S5 are lost; then
    // S5 catches up from S1 alone and S1 appends the promotion, which reaches only S5.
    let s5 = RaftNode::join(id(5), id(1), c.cfg.clone(), 5, c.now).unwrap();
    c.stores.insert(id(5), s5.persistent().clone());
    c.nodes.insert(id(5), s5);
    c.deliver(|_, b| b != 5)?;
    c.now += 1_000;
    let now = c.now;
    c.node(1).tick(now);
    c.deliver(|_, b| b != 5)?;
    assert!(c.node(1).membership().is_learner(id(5)));
    assert!(c.node(1).commit_index() >= c.node(1).membership_index());
    c.now += 1_000;
    let now = c.now;
    c.node(1).tick(now);
    c.deliver(|a, b| (a, b) == (1, 5) || (a, b) == (5, 1))?;
    assert!(
        c.node(1).voters().contains(&id(5)),
        "S1 appended the promotion"
    );
    assert!(c.node(5).voters().contains(&id(5)));
    assert!(!c.node(2).voters().contains(&id(5)));
    c.crash(1);

    // S2 wins term 2 with S3 and S4, then S4 is cut off.
    c.queue.clear();
    c.node(2).campaign();
    let vote = |a, b| matches!((a, b), (2, 3) | (3, 2) | (2, 4) | (4, 2));
    c.deliver_once(vote)?; // RequestVote
    c.deliver_once(vote)?; // the votes
    assert_eq!(c.node(2).role(), RoleKind::Leader, "S2 leads term 2");
    c.deliver(|a, b| matches!((a, b), (2, 3) | (3, 2)))?;
    match c.node(2).remove_node(id(1)) {
        Ok(_) => assert!(bug, "only the buggy leader starts a change this early"),
        Err(ChangeError::Busy(ChangeBusy::NoCommitInTerm)) => assert!(!bug),
        Err(e) => return Err(format!("unexpected refusal: {e}")),
    }
    c.deliver(|a, b| matches!((a, b), (2, 3) | (3, 2)))?;

    // S1 comes back and wins term 3 with S4 and S5.
    c.restart(1);
    c.node(1).campaign();
    c.queue.clear(); // its term-2 election goes nowhere
    c.drain()?;
    c.queue.clear();
    c.node(1).campaign();
    c.deliver(|a, b| matches!((a, b), (1, 4) | (4, 1) | (1, 5) | (5, 1)))?;
    assert_eq!(c.node(1).role(), RoleKind::Leader, "S1 leads term 3");
    // Now it reaches everyone.
    for _ in 0..5 {
        c.deliver(|_, _| true)?;
        c.now += 1_000;
        let now = c.now;
        c.node(1).tick(now);
    }
    c.deliver(|_, _| true)
}

#[test]
fn the_single_server_change_bug_cannot_overwrite_a_committed_configuration() {
    replay_single_server_change_bug(false).unwrap();
}

/// The check that the replay can fail: without the own-term-commit rule, a committed
/// configuration is overwritten.
#[test]
fn without_the_own_term_rule_the_replay_overwrites_a_committed_configuration() {
    let err = replay_single_server_change_bug(true).expect_err("the bug must show");
    assert!(err.contains("where"), "{err}");
}

#[test]
fn membership_display_and_config_entries_in_the_trace() {
    let m = Membership::new([id(1), id(2), id(3)]);
    assert_eq!(m.to_string(), "{1,2,3}");
    assert_eq!(
        Command::Config(m.clone()).validate(),
        Err(raft_core::CommandError::ConfigNotAllowed),
        "clients cannot propose configurations"
    );
}

/// §4.1: a server uses the latest configuration in its log even uncommitted, and goes back to
/// the previous one when a new leader's log overwrites the entry.
#[test]
fn a_truncated_configuration_entry_reverts_the_configuration() {
    let mut c = Cluster::new(false, &[1, 2, 3, 4, 5]);
    c.node(1).campaign();
    c.deliver(|_, _| true).unwrap();
    assert_eq!(c.node(1).role(), RoleKind::Leader);
    // S1 removes S5; the entry reaches only S2, which uses it at once.
    c.node(1).remove_node(id(5)).unwrap();
    c.deliver(|a, b| matches!((a, b), (1, 2) | (2, 1))).unwrap();
    let smaller = ids(&[1, 2, 3, 4]);
    assert_eq!(c.node(2).voters(), &smaller);
    assert!(c.node(2).membership_index() > c.node(2).commit_index());
    c.crash(1);
    // S3 wins term 2 with S4 and S5 and overwrites S2's entry.
    c.queue.clear();
    c.node(3).campaign();
    c.deliver(|a, b| a != 2 && b != 2).unwrap();
    assert_eq!(c.node(3).role(), RoleKind::Leader);
    c.now += 1_000;
    let now = c.now;
    c.node(3).tick(now);
    c.deliver(|_, _| true).unwrap();
    let all = ids(&[1, 2, 3, 4, 5]);
    assert_eq!(
        c.node(2).voters(),
        &all,
        "S2 went back to the old configuration"
    );
    assert_eq!(c.node(2).membership_index(), LogIndex(0));
}
