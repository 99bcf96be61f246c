//! Node-level behaviour through the public `RaftNode` API (Figure 2 rule by rule).

use raft_core::{
    AppendResult, Command, CommandError, Config, LogIndex, Message, MessageBody, NodeId,
    PersistentState, ProposeError, RaftNode, RoleKind, Term,
};
use raftlab_tests::{Harness, state_with_log};

fn id(n: u64) -> NodeId {
    NodeId(n)
}

fn three_node_leader() -> Harness {
    let mut h = Harness::from_states(
        (1..=3)
            .map(|i| (id(i), state_with_log(&[], 0, 3)))
            .collect(),
        Config::default(),
    );
    h.campaign(id(1));
    h.deliver_until_quiet(10, |_| true);
    assert_eq!(h.node(1).role(), RoleKind::Leader);
    h
}

#[test]
fn new_node_starts_as_follower_with_randomized_timeout() {
    let c = Config::default();
    let n = RaftNode::new(id(1), [id(1), id(2), id(3)], c.clone(), 7, 1_000).unwrap();
    assert_eq!(n.role(), RoleKind::Follower);
    assert_eq!(n.current_term(), Term(0));
    let timeout = n.election_deadline_ms() - n.election_timer_started_ms();
    assert!((c.election_timeout_ms_min..c.election_timeout_ms_max).contains(&timeout));
    assert_eq!(n.election_timer_started_ms(), 1_000);
}

#[test]
fn constructor_validates_config_and_membership() {
    let bad = Config {
        heartbeat_interval_ms: 30_000,
        ..Config::default()
    };
    assert!(RaftNode::new(id(1), [id(1)], bad, 0, 0).is_err());
    assert!(RaftNode::new(id(4), [id(1), id(2)], Config::default(), 0, 0).is_err());
    assert!(RaftNode::new(id(1), [], Config::default(), 0, 0).is_err());
}

#[test]
fn election_timeout_redrawn_at_every_reset() {
    let mut n = RaftNode::new(id(1), [id(1), id(2), id(3)], Config::default(), 3, 0).unwrap();
    let mut timeouts = std::collections::BTreeSet::new();
    for _ in 0..10 {
        let deadline = n.election_deadline_ms();
        n.tick(deadline); // fires: new election, new timeout
        timeouts.insert(n.election_deadline_ms() - n.election_timer_started_ms());
    }
    assert!(timeouts.len() > 5, "timeouts are re-drawn: {timeouts:?}");
    assert_eq!(n.counters().election_attempts, 10);
    assert_eq!(n.current_term(), Term(10));
}

/// Persist-before-send: the Ready that carries a vote also carries the vote to persist, and a
/// node restarted from what was persisted refuses a second candidate in the same term.
#[test]
fn vote_is_in_the_persist_of_the_same_ready_and_survives_restart() {
    let c = Config::default();
    let mut voter = RaftNode::new(id(2), [id(1), id(2), id(3)], c.clone(), 1, 0).unwrap();
    voter.step(Message {
        from: id(1),
        to: id(2),
        term: Term(1),
        body: MessageBody::RequestVote {
            last_log_index: LogIndex(0),
            last_log_term: Term(0),
            leader_transfer: false,
        },
    });
    let ready = voter.take_ready();
    let persist = ready.persist.expect("vote must be persisted");
    assert_eq!(persist.voted_for, Some(id(1)));
    assert_eq!(persist.current_term, Term(1));
    assert!(matches!(
        ready.messages[0].body,
        MessageBody::RequestVoteReply { vote_granted: true }
    ));
    let mut storage = PersistentState::new([id(1), id(2), id(3)].into());
    storage.apply(&persist);
    let mut restarted = RaftNode::restart(id(2), storage, c, 2, 5_000).unwrap();
    restarted.step(Message {
        from: id(3),
        to: id(2),
        term: Term(1),
        body: MessageBody::RequestVote {
            last_log_index: LogIndex(0),
            last_log_term: Term(0),
            leader_transfer: false,
        },
    });
    let ready = restarted.take_ready();
    assert!(matches!(
        ready.messages[0].body,
        MessageBody::RequestVoteReply {
            vote_granted: false
        }
    ));
}

#[test]
fn one_vote_per_term_and_repeat_request_is_granted_again() {
    let mut v = RaftNode::new(id(3), [id(1), id(2), id(3)], Config::default(), 1, 0).unwrap();
    let rv = |from: u64| Message {
        from: id(from),
        to: id(3),
        term: Term(4),
        body: MessageBody::RequestVote {
            last_log_index: LogIndex(0),
            last_log_term: Term(0),
            leader_transfer: false,
        },
    };
    let granted = |v: &mut RaftNode| {
        matches!(
            v.take_ready().messages[0].body,
            MessageBody::RequestVoteReply { vote_granted: true }
        )
    };
    v.step(rv(1));
    assert!(granted(&mut v));
    v.step(rv(2));
    assert!(!granted(&mut v));
    v.step(rv(1)); // a duplicate request from the same candidate
    assert!(granted(&mut v));
}

#[test]
fn higher_term_in_any_message_makes_a_leader_follow() {
    let mut h = three_node_leader();
    let leader = h.nodes.get_mut(&id(1)).unwrap();
    leader.step(Message {
        from: id(2),
        to: id(1),
        term: Term(9),
        body: MessageBody::AppendEntriesReply {
            result: AppendResult::Success {
                match_index: LogIndex(0),
            },
        },
    });
    assert_eq!(leader.role(), RoleKind::Follower);
    assert_eq!(leader.current_term(), Term(9));
    assert_eq!(leader.voted_for(), None);
}

#[test]
fn stale_append_entries_is_rejected_with_the_newer_term() {
    let mut n =
        RaftNode::restart(id(2), state_with_log(&[1], 5, 3), Config::default(), 1, 0).unwrap();
    n.step(Message {
        from: id(1),
        to: id(2),
        term: Term(3),
        body: MessageBody::AppendEntries {
            prev_log_index: LogIndex(1),
            prev_log_term: Term(1),
            entries: vec![],
            leader_commit: LogIndex(1),
        },
    });
    let ready = n.take_ready();
    assert_eq!(ready.messages[0].term, Term(5));
    assert!(matches!(
        ready.messages[0].body,
        MessageBody::AppendEntriesReply {
            result: AppendResult::Conflict { .. }
        }
    ));
    assert_eq!(
        n.commit_index(),
        LogIndex(0),
        "a stale leader cannot commit"
    );
}

/// Followers learn commit_index from leader_commit but never beyond the last entry this
/// AppendEntries verified (Figure 2, receiver rule 5: min(leaderCommit, index of last new
/// entry)): stale entries after it may still be replaced.
#[test]
fn follower_commit_is_capped_at_verified_entries() {
    // Follower holds 1(t1) 2(t1) 3(t1); entries 2 and 3 are stale.
    let mut f = RaftNode::restart(
        id(2),
        state_with_log(&[1, 1, 1], 2, 3),
        Config::default(),
        1,
        0,
    )
    .unwrap();
    f.step(Message {
        from: id(1),
        to: id(2),
        term: Term(2),
        body: MessageBody::AppendEntries {
            prev_log_index: LogIndex(1),
            prev_log_term: Term(1),
            entries: vec![],
            leader_commit: LogIndex(4),
        },
    });
    assert_eq!(f.commit_index(), LogIndex(1));
    let ready = f.take_ready();
    assert_eq!(ready.committed_entries.len(), 1);
}

/// Figure 2 receiver rule 3: delete only on a real conflict. A delayed AppendEntries that
/// carries a prefix of what the follower holds must not truncate it.
#[test]
fn reordered_append_entries_does_not_truncate() {
    let mut f = RaftNode::restart(
        id(2),
        state_with_log(&[1, 1, 1], 1, 3),
        Config::default(),
        1,
        0,
    )
    .unwrap();
    let first = f.log().entries()[0].clone();
    f.step(Message {
        from: id(1),
        to: id(2),
        term: Term(1),
        body: MessageBody::AppendEntries {
            prev_log_index: LogIndex(0),
            prev_log_term: Term(0),
            entries: vec![first],
            leader_commit: LogIndex(0),
        },
    });
    assert_eq!(f.log().last_index(), LogIndex(3));
    let ready = f.take_ready();
    assert!(
        ready
            .persist
            .as_ref()
            .is_none_or(|p| p.log_changed_from.is_none()),
        "nothing to persist for the log"
    );
}

#[test]
fn proposals_on_followers_get_not_leader_with_hint() {
    let mut h = three_node_leader();
    let f = h.nodes.get_mut(&id(2)).unwrap();
    assert_eq!(
        f.propose(Command::Add { a: 1, b: 2 }),
        Err(ProposeError::NotLeader {
            leader_hint: Some(id(1))
        })
    );
}

#[test]
fn invalid_command_never_takes_a_log_slot() {
    let mut h = three_node_leader();
    let leader = h.nodes.get_mut(&id(1)).unwrap();
    let before = leader.log().last_index();
    assert_eq!(
        leader.propose(Command::Add { a: i64::MAX, b: 1 }),
        Err(ProposeError::InvalidCommand(CommandError::Overflow {
            a: i64::MAX,
            b: 1
        }))
    );
    assert_eq!(
        leader.propose(Command::Noop),
        Err(ProposeError::InvalidCommand(CommandError::NoopNotAllowed))
    );
    assert_eq!(leader.log().last_index(), before);
}

#[test]
fn leader_appends_noop_and_commits_with_majority() {
    let mut h = three_node_leader();
    let log = h.node(1).log();
    assert_eq!(log.entries()[0].command, Command::Noop);
    assert_eq!(log.entries()[0].term, h.node(1).current_term());
    assert_eq!(h.node(1).commit_index(), LogIndex(1));
    let leader = h.nodes.get_mut(&id(1)).unwrap();
    let e = leader.propose(Command::Add { a: 5, b: 3 }).unwrap();
    assert_eq!(e.index, LogIndex(2));
    h.collect();
    // Deliver only to and from node 2: a majority of 3 is the leader plus node 2.
    h.deliver_until_quiet(10, |m| m.to != id(3) && m.from != id(3));
    assert_eq!(h.node(1).commit_index(), LogIndex(2));
    let applied: Vec<LogIndex> = h.applied[&id(1)].iter().map(|e| e.index).collect();
    assert_eq!(applied, vec![LogIndex(1), LogIndex(2)]);
}

/// The conflict hint lets a leader skip whole terms: a follower whose last 20 entries conflict
/// across one term catches up with one rejection for the length and one for the term, not one
/// per entry (§5.3, end).
#[test]
fn conflict_hint_catches_up_in_one_round_trip_per_conflicting_term() {
    let mut leader_log = vec![1u64; 5];
    leader_log.extend(vec![2u64; 20]);
    let mut stale = vec![1u64; 5];
    stale.extend(vec![3u64; 10]);
    stale.extend(vec![4u64; 10]);
    let mut h = Harness::from_states(
        vec![
            (id(1), state_with_log(&leader_log, 4, 3)),
            (id(2), state_with_log(&stale, 4, 3)),
            (id(3), state_with_log(&leader_log, 4, 3)),
        ],
        Config {
            max_entries_per_append: 64,
            ..Config::default()
        },
    );
    h.campaign(id(1)); // term 5; node 3 votes for it
    h.deliver_until_quiet(50, |_| true);
    assert_eq!(h.node(1).role(), RoleKind::Leader);
    assert_eq!(h.node(2).log(), h.node(1).log());
    // Count the rejections node 2 sent, by re-running with a counter.
    let mut h = Harness::from_states(
        vec![
            (id(1), state_with_log(&leader_log, 4, 3)),
            (id(2), state_with_log(&stale, 4, 3)),
            (id(3), state_with_log(&leader_log, 4, 3)),
        ],
        Config::default(),
    );
    h.campaign(id(1));
    let mut rejections = 0;
    for _ in 0..50 {
        rejections += h
            .queue
            .iter()
            .filter(|m| {
                m.from == id(2)
                    && matches!(
                        m.body,
                        MessageBody::AppendEntriesReply {
                            result: AppendResult::Conflict { .. }
                        }
                    )
            })
            .count();
        if h.deliver(|_| true) == 0 {
            break;
        }
    }
    assert_eq!(h.node(2).log(), h.node(1).log());
    // Two conflicting terms (3 and 4) plus the length mismatch: at most 3 round trips, where a
    // one-entry-at-a-time backoff would need 21.
    assert!(rejections <= 3, "rejections: {rejections}");
    assert!(rejections >= 1);
}

/// Figure 8 / §5.4.2: an entry from an earlier term stored on a majority is NOT committed by
/// counting replicas; only once an entry of the leader's own term is on a majority does the
/// commit index move (and then both commit).
#[test]
fn figure_8_leader_does_not_commit_previous_term_entries_by_counting() {
    let c = Config {
        max_entries_per_append: 1,
        ..Config::default()
    };
    // S1 holds index 2 from term 2; S2, S3, S4 only index 1; S5 holds index 2 from term 3.
    let mut h = Harness::from_states(
        vec![
            (id(1), state_with_log(&[1, 2], 3, 5)),
            (id(2), state_with_log(&[1], 3, 5)),
            (id(3), state_with_log(&[1], 3, 5)),
            (id(4), state_with_log(&[1], 3, 5)),
            (id(5), state_with_log(&[1, 3], 3, 5)),
        ],
        c,
    );
    h.campaign(id(1)); // term 4
    let majority_side = [id(1), id(2), id(3)];
    h.drop_where(|m| !majority_side.contains(&m.to));
    h.deliver(|_| true); // RequestVote to S2, S3
    h.deliver(|_| true); // their grants
    assert_eq!(h.node(1).role(), RoleKind::Leader);
    assert_eq!(h.node(1).current_term(), Term(4));
    assert_eq!(h.node(1).log().last_index(), LogIndex(3), "no-op appended");
    h.drop_where(|m| !majority_side.contains(&m.to));
    // The first AppendEntries (prev 2) is rejected by S2 and S3; the leader backs up and, one
    // entry per message, sends entry 2 (term 2), which both store and acknowledge.
    h.deliver(|_| true); // S2, S3 reject prev=2
    h.deliver(|_| true); // leader backs up, sends entry 2
    h.deliver(|_| true); // S2, S3 store entry 2 and acknowledge
    h.deliver(|m| m.to == id(1)); // leader learns match_index 2 for S2 and S3
    h.drop_where(|_| true); // the no-op (index 3) has not reached anyone yet
    // Index 2 (term 2) is now on S1, S2, S3 — a majority of 5 — and the leader knows it.
    let progress = h.node(1).progress().unwrap();
    assert_eq!(progress[&id(2)].match_index, LogIndex(2));
    assert_eq!(progress[&id(3)].match_index, LogIndex(2));
    // It must not be committed: S5 (last term 3) could still be elected by S2, S3, S4 and
    // overwrite it.
    assert_eq!(h.node(1).commit_index(), LogIndex(0));
    // Once the term-4 no-op reaches a majority, index 3 commits, and index 2 with it.
    let hb = h.node(1).heartbeat_deadline_ms().unwrap();
    h.now_ms = hb;
    h.nodes.get_mut(&id(1)).unwrap().tick(hb);
    h.collect();
    h.deliver_until_quiet(20, |m| majority_side.contains(&m.to));
    assert_eq!(h.node(1).commit_index(), LogIndex(3));
}

/// Deadlines saturate instead of overflowing: a leader at the end of time keeps a heartbeat
/// deadline that is not in the past (found by review: `now + interval` overflowed).
#[test]
fn deadlines_saturate_at_the_end_of_time() {
    let mut n = RaftNode::new(id(1), [id(1)], Config::default(), 0, 0).unwrap();
    n.tick(u64::MAX - 1_000);
    assert_eq!(n.role(), RoleKind::Leader);
    assert!(n.heartbeat_deadline_ms().unwrap() >= n.now_ms());
    n.tick(u64::MAX);
    assert!(n.next_deadline_ms() >= n.now_ms());
}

/// Nodes built with the same seed still draw different election timeouts (the id is mixed
/// in); identical draws would keep them in lockstep and split every vote (found by review).
#[test]
fn same_seed_on_every_node_still_gives_different_timeouts() {
    let voters = [id(1), id(2), id(3), id(4), id(5)];
    let deadlines: std::collections::BTreeSet<u64> = voters
        .iter()
        .map(|&v| {
            RaftNode::new(v, voters, Config::default(), 42, 0)
                .unwrap()
                .election_deadline_ms()
        })
        .collect();
    assert_eq!(deadlines.len(), 5);
}
