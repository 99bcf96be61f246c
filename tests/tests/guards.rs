//! The liveness guards of Ongaro's dissertation, each a `Config` toggle: PreVote (§9.6),
//! CheckQuorum and the leader lease (§6.2, §4.2.3), and leadership transfer (§3.10).
//!
//! Scenarios run on the hand-driven [`Harness`]: messages are delivered instantly, and a
//! partition is modelled by dropping every message that crosses it. A seed sweep over the
//! simulator with both guards on checks the Figure 3 safety properties.

use raft_core::sim::{Action, SimConfig, Simulation, TraceKind};
use raft_core::{
    Command, Config, Message, MessageBody, NodeEvent, NodeId, PersistentState, ProposeError,
    RaftNode, RoleKind, Term, TransferAbandon, TransferError, VoteDenial,
};
use raftlab_tests::{Harness, check_logs, leaders_by_term, run_until_stable_leader};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// `election_timeout_ms_min`: the CheckQuorum window, the lease and the transfer timeout.
const MIN: u64 = 1_000;

fn config(pre_vote: bool, check_quorum: bool) -> Config {
    Config {
        election_timeout_ms_min: MIN,
        election_timeout_ms_max: 2 * MIN,
        heartbeat_interval_ms: 300,
        max_entries_per_append: 16,
        pre_vote,
        check_quorum,
        bug: None,
    }
}

fn id(n: u64) -> NodeId {
    NodeId(n)
}

fn cluster(n: u64, cfg: Config) -> Harness {
    let voters: std::collections::BTreeSet<NodeId> = (1..=n).map(NodeId).collect();
    Harness::from_states(
        (1..=n)
            .map(|i| (id(i), PersistentState::new(voters.clone())))
            .collect(),
        cfg,
    )
}

fn node_mut(h: &mut Harness, n: u64) -> &mut RaftNode {
    let now = h.now_ms;
    let node = h.nodes.get_mut(&id(n)).expect("node exists");
    node.advance_clock(now);
    node
}

/// Node 1 campaigns at the current time with every message delivered: it wins.
fn elect_1(h: &mut Harness) {
    h.campaign(id(1));
    h.deliver_until_quiet(50, |_| true);
    assert_eq!(h.node(1).role(), RoleKind::Leader);
}

/// Runs the cluster until `until_ms`: every 50 ms all nodes tick, then everything queued is
/// delivered at once (and what it causes, until quiet), except messages `cut` drops.
fn run(h: &mut Harness, until_ms: u64, cut: impl Fn(&Message) -> bool) {
    while h.now_ms < until_ms {
        let t = (h.now_ms + 50).min(until_ms);
        h.tick_all(t);
        loop {
            h.drop_where(&cut);
            if h.deliver(|_| true) == 0 {
                break;
            }
        }
    }
}

fn run_for(h: &mut Harness, ms: u64, cut: impl Fn(&Message) -> bool) {
    let until = h.now_ms + ms;
    run(h, until, cut);
}

fn no_cut(_: &Message) -> bool {
    false
}

fn isolates(n: u64) -> impl Fn(&Message) -> bool {
    move |m: &Message| m.from == id(n) || m.to == id(n)
}

fn propose(h: &mut Harness, leader: u64, a: i64) -> Result<raft_core::EntryId, ProposeError> {
    let r = node_mut(h, leader).propose(Command::Add { a, b: 1 });
    h.collect();
    r
}

fn events(h: &Harness, n: u64) -> impl Iterator<Item = &(u64, NodeEvent)> {
    h.events.get(&id(n)).into_iter().flatten()
}

// ----- PreVote (§9.6) -----

/// Node 3 is cut off for 20 s (about ten election timeouts) while node 1 keeps committing with
/// node 2, then it rejoins for 10 s. Returns the harness and the leader's term before the cut.
fn isolate_node_3_then_rejoin(pre_vote: bool) -> (Harness, Term, Term) {
    let mut h = cluster(3, config(pre_vote, false));
    elect_1(&mut h);
    let term = h.node(1).current_term();
    for i in 0..10 {
        propose(&mut h, 1, i).expect("leader accepts");
        run_for(&mut h, 2_000, isolates(3));
    }
    // Node 3 rejoins just as its election timer fires: its PreVotes (or RequestVotes) reach
    // the others.
    let rejoin_at = h.node(3).election_deadline_ms();
    run(&mut h, rejoin_at - 1, isolates(3));
    h.drop_where(isolates(3));
    let isolated_term = h.node(3).current_term();
    if pre_vote {
        assert_eq!(h.node(3).role(), RoleKind::PreCandidate);
        assert!(h.node(3).counters().pre_vote_attempts >= 5);
        assert_eq!(h.node(3).counters().election_attempts, 0);
    }
    run_for(&mut h, 10_000, no_cut);
    (h, term, isolated_term)
}

#[test]
fn pre_vote_keeps_an_isolated_nodes_term_and_the_leader_survives_its_return() {
    let (h, term, isolated_term) = isolate_node_3_then_rejoin(true);
    assert_eq!(
        isolated_term, term,
        "the isolated node never raised its term"
    );
    // Back with the cluster: the leader was not disturbed and node 3 caught up.
    assert_eq!(h.node(1).role(), RoleKind::Leader);
    for n in 1..=3 {
        assert_eq!(h.node(n).current_term(), term, "Node {n}");
    }
    assert_eq!(h.node(3).leader_id(), Some(id(1)));
    assert_eq!(h.node(3).log(), h.node(1).log());
    assert!(
        !events(&h, 1).any(|(_, e)| matches!(e, NodeEvent::BecameFollower { .. })),
        "the leader never stepped down"
    );
    // Its pre-votes were refused on the log check: the others had committed entries it lacked.
    assert!(events(&h, 2).any(|(_, e)| matches!(
        e,
        NodeEvent::PreVoteDenied {
            candidate,
            reason: VoteDenial::LogNotUpToDate,
            ..
        } if *candidate == id(3)
    )));
}

#[test]
fn without_pre_vote_the_isolated_node_raises_its_term_and_deposes_the_leader() {
    let (h, term, isolated_term) = isolate_node_3_then_rejoin(false);
    assert!(
        isolated_term.0 >= term.0 + 5,
        "term climbed from {term} to {isolated_term}"
    );
    assert!(
        events(&h, 1).any(|(_, e)| matches!(
            e,
            NodeEvent::BecameFollower {
                from_role: RoleKind::Leader,
                ..
            }
        )),
        "the leader was deposed"
    );
    // Someone leads again, in a term above the isolated node's, and nothing committed was lost
    // (node 3's stale log cannot win).
    let leader = (1..=3)
        .find(|&n| h.node(n).role() == RoleKind::Leader)
        .expect("a leader again");
    assert_ne!(leader, 3);
    assert!(h.node(leader).current_term() > isolated_term);
    assert!(h.node(leader).log().last_index().0 >= 11);
}

#[test]
fn a_pre_campaign_persists_nothing_and_voters_change_nothing() {
    let cfg = config(true, false);
    let voters = [id(1), id(2), id(3)];
    let mut n = RaftNode::new(id(1), voters, cfg.clone(), 7, 0).unwrap();
    let mut v = RaftNode::new(id(2), voters, cfg, 8, 0).unwrap();
    let _ = (n.take_ready(), v.take_ready());

    n.tick(n.election_deadline_ms());
    assert_eq!(n.role(), RoleKind::PreCandidate);
    assert_eq!((n.current_term(), n.voted_for()), (Term(0), None));
    let ready = n.take_ready();
    assert_eq!(ready.persist, None, "nothing to persist for a pre-campaign");
    assert_eq!(ready.messages.len(), 2);
    for m in &ready.messages {
        assert!(matches!(m.body, MessageBody::PreVote { .. }));
        assert_eq!(m.term, Term(1), "asks about the next term");
    }
    assert!(ready.events.contains(&NodeEvent::PreVoteStarted {
        term: Term(1),
        forced: false
    }));

    // The voter answers without touching its term, vote or election timer.
    let deadline = v.election_deadline_ms();
    v.advance_clock(500);
    let to_v = ready.messages.iter().find(|m| m.to == id(2)).unwrap();
    v.step(to_v.clone());
    let reply = v.take_ready();
    assert_eq!(reply.persist, None);
    assert_eq!((v.current_term(), v.voted_for()), (Term(0), None));
    assert_eq!(v.election_deadline_ms(), deadline, "timer not reset");
    assert_eq!(reply.messages.len(), 1);
    assert_eq!(
        reply.messages[0].body,
        MessageBody::PreVoteReply { granted: true }
    );
    assert_eq!(
        reply.messages[0].term,
        Term(1),
        "the reply carries the request's term"
    );

    // With a majority (itself and node 2) the real election starts, and only now is state
    // persisted.
    n.step(reply.messages[0].clone());
    assert_eq!(n.role(), RoleKind::Candidate);
    let ready = n.take_ready();
    let persist = ready
        .persist
        .expect("the real election persists term and vote");
    assert_eq!(
        (persist.current_term, persist.voted_for),
        (Term(1), Some(id(1)))
    );
    assert!(ready.messages.iter().all(|m| m.term == Term(1)
        && matches!(
            m.body,
            MessageBody::RequestVote {
                leader_transfer: false,
                ..
            }
        )));
    assert!(ready.events.iter().any(|e| matches!(
        e,
        NodeEvent::PreVoteWon { term: Term(1), votes } if votes.len() == 2
    )));

    // Control: without PreVote the same timeout persists the new term at once.
    let mut plain = RaftNode::new(id(1), voters, config(false, false), 7, 0).unwrap();
    let _ = plain.take_ready();
    plain.tick(plain.election_deadline_ms());
    assert_eq!(
        plain.take_ready().persist.map(|p| p.current_term),
        Some(Term(1))
    );
}

#[test]
fn pre_vote_replies_of_an_old_round_are_ignored_and_a_higher_term_refusal_is_adopted() {
    let voters = [id(1), id(2), id(3)];
    let mut n = RaftNode::new(id(1), voters, config(true, false), 7, 0).unwrap();
    n.tick(n.election_deadline_ms());
    let _ = n.take_ready();
    let reply = |from: u64, term: u64, granted: bool| Message {
        from: id(from),
        to: id(1),
        term: Term(term),
        body: MessageBody::PreVoteReply { granted },
    };
    // A grant for term 0 belongs to no round of this node's (it asks about term 1): one
    // counted grant would have made a majority.
    n.step(reply(2, 0, true));
    assert_eq!(n.role(), RoleKind::PreCandidate);
    assert_eq!(n.votes_granted().map(|g| g.len()), Some(1));
    // A voter already in term 5 refuses with its own term: the pre-candidate adopts it.
    n.step(reply(3, 5, false));
    assert_eq!(n.role(), RoleKind::Follower);
    assert_eq!(n.current_term(), Term(5));
    assert_eq!(
        n.take_ready().persist.map(|p| p.current_term),
        Some(Term(5))
    );

    // Voter side of that refusal: a node in term 5 answers a PreVote for term 1 with its term.
    let mut v = RaftNode::new(id(2), voters, config(true, false), 8, 0).unwrap();
    v.step(Message {
        from: id(3),
        to: id(2),
        term: Term(5),
        body: MessageBody::AppendEntries {
            prev_log_index: raft_core::LogIndex(0),
            prev_log_term: Term(0),
            entries: vec![],
            leader_commit: raft_core::LogIndex(0),
        },
    });
    let _ = v.take_ready();
    v.step(Message {
        from: id(1),
        to: id(2),
        term: Term(1),
        body: MessageBody::PreVote {
            last_log_index: raft_core::LogIndex(0),
            last_log_term: Term(0),
        },
    });
    let out = v.take_ready();
    assert_eq!(out.messages.len(), 1);
    assert_eq!(out.messages[0].term, Term(5));
    assert_eq!(
        out.messages[0].body,
        MessageBody::PreVoteReply { granted: false }
    );
    assert_eq!(v.current_term(), Term(5));
}

#[test]
fn a_pre_candidate_that_hears_from_the_leader_becomes_its_follower() {
    let mut h = cluster(3, config(true, false));
    elect_1(&mut h);
    let term = h.node(1).current_term();
    // Node 3 misses heartbeats until its timer fires; its PreVotes are lost.
    let t = h.node(3).election_deadline_ms();
    run(&mut h, t, isolates(3));
    h.drop_where(|_| true);
    assert_eq!(h.node(3).role(), RoleKind::PreCandidate);
    // The next heartbeat of the current term turns it back into a follower.
    run_for(&mut h, 400, no_cut);
    assert_eq!(h.node(3).role(), RoleKind::Follower);
    assert_eq!(h.node(3).leader_id(), Some(id(1)));
    assert_eq!(h.node(3).current_term(), term);
}

// ----- CheckQuorum (§6.2) -----

/// Node 1 leads healthily for 3 s (several windows), then is cut off from both followers.
/// Returns the harness and the time of the cut.
fn cut_off_the_leader(check_quorum: bool, for_ms: u64) -> (Harness, u64) {
    let mut h = cluster(3, config(false, check_quorum));
    elect_1(&mut h);
    run(&mut h, 3_000, no_cut);
    assert_eq!(h.node(1).role(), RoleKind::Leader, "a healthy leader stays");
    let cut_at = h.now_ms;
    run(&mut h, cut_at + for_ms, isolates(1));
    (h, cut_at)
}

#[test]
fn check_quorum_leader_cut_off_steps_down_within_an_election_timeout() {
    // Heartbeats go every 300 ms and are answered at once, so the leader last heard from a
    // majority less than 300 ms before the cut.
    let (h, cut_at) = cut_off_the_leader(true, MIN - 350);
    assert_eq!(h.node(1).role(), RoleKind::Leader, "not before the window");
    let (h, cut_at2) = cut_off_the_leader(true, MIN + 50);
    assert_eq!(cut_at, cut_at2);
    assert_eq!(h.node(1).role(), RoleKind::Follower);
    let (at, heard_from, window_ms) = events(&h, 1)
        .find_map(|(t, e)| match e {
            NodeEvent::QuorumLost {
                heard_from,
                window_ms,
                ..
            } => Some((*t, heard_from.clone(), *window_ms)),
            _ => None,
        })
        .expect("QuorumLost event");
    assert!(at > cut_at + MIN - 350 && at <= cut_at + MIN + 50, "{at}");
    assert_eq!(heard_from, [id(1)].into());
    assert_eq!(window_ms, MIN);
    assert_eq!(h.node(1).leader_id(), None);
}

#[test]
fn without_check_quorum_a_cut_off_leader_leads_forever() {
    let (h, _) = cut_off_the_leader(false, 20 * MIN);
    assert_eq!(h.node(1).role(), RoleKind::Leader);
    assert!(
        !events(&h, 1).any(|(_, e)| matches!(e, NodeEvent::QuorumLost { .. })),
        "no step-down"
    );
}

#[test]
fn check_quorum_leader_with_one_follower_left_keeps_leading() {
    let mut h = cluster(3, config(false, true));
    elect_1(&mut h);
    run(&mut h, 20 * MIN, isolates(3));
    assert_eq!(
        h.node(1).role(),
        RoleKind::Leader,
        "itself and node 2 are a majority"
    );
}

// ----- Leader lease (§4.2.3) -----

fn vote_request(from: u64, to: u64, term: Term, h: &Harness, leader_transfer: bool) -> Message {
    let last = h.node(from).log().last_id();
    Message {
        from: id(from),
        to: id(to),
        term,
        body: MessageBody::RequestVote {
            last_log_index: last.index,
            last_log_term: last.term,
            leader_transfer,
        },
    }
}

fn replies_from(h: &Harness, n: u64) -> Vec<&Message> {
    h.queue.iter().filter(|m| m.from == id(n)).collect()
}

#[test]
fn lease_a_follower_that_heard_from_the_leader_ignores_a_higher_term_vote_request() {
    for check_quorum in [true, false] {
        let mut h = cluster(3, config(false, check_quorum));
        elect_1(&mut h);
        run(&mut h, 1_000, no_cut);
        let term = h.node(2).current_term();
        let higher = Term(term.0 + 5);
        h.queue.push(vote_request(3, 2, higher, &h, false));
        h.deliver(|m| m.to == id(2));
        if check_quorum {
            assert_eq!(h.node(2).current_term(), term, "term kept");
            assert_eq!(h.node(2).voted_for(), Some(id(1)));
            assert!(replies_from(&h, 2).is_empty(), "ignored: no reply");
            assert!(events(&h, 2).any(|(_, e)| matches!(
                e,
                NodeEvent::VoteDenied {
                    reason: VoteDenial::LeaderLease(l),
                    ..
                } if *l == id(1)
            )));
        } else {
            assert_eq!(h.node(2).current_term(), higher, "term adopted");
            assert_eq!(h.node(2).voted_for(), Some(id(3)));
            assert!(replies_from(&h, 2).iter().any(|m| m.body
                == MessageBody::RequestVoteReply { vote_granted: true }
                && m.term == higher));
        }
    }
}

#[test]
fn lease_also_protects_the_leader_and_blocks_pre_votes() {
    let mut h = cluster(3, config(true, true));
    elect_1(&mut h);
    run(&mut h, 1_000, no_cut);
    let term = h.node(1).current_term();
    h.queue
        .push(vote_request(3, 1, Term(term.0 + 3), &h, false));
    h.deliver(|m| m.to == id(1));
    assert_eq!(h.node(1).role(), RoleKind::Leader);
    assert_eq!(h.node(1).current_term(), term);

    let last = h.node(3).log().last_id();
    h.queue.push(Message {
        from: id(3),
        to: id(2),
        term: Term(term.0 + 1),
        body: MessageBody::PreVote {
            last_log_index: last.index,
            last_log_term: last.term,
        },
    });
    h.deliver(|m| m.to == id(2));
    assert!(
        replies_from(&h, 2).is_empty(),
        "a pre-vote in the lease gets no reply"
    );
    assert!(events(&h, 2).any(|(_, e)| matches!(
        e,
        NodeEvent::PreVoteDenied {
            reason: VoteDenial::LeaderLease(_),
            ..
        }
    )));
}

#[test]
fn lease_ends_after_the_minimum_election_timeout_and_transfers_bypass_it() {
    let mut h = cluster(3, config(false, true));
    elect_1(&mut h);
    run(&mut h, 1_000, no_cut);
    let term = h.node(2).current_term();
    // A leader-transfer RequestVote is honoured inside the lease.
    h.queue.push(vote_request(3, 2, Term(term.0 + 1), &h, true));
    h.deliver(|m| m.to == id(2));
    assert_eq!(h.node(2).current_term(), Term(term.0 + 1));
    assert_eq!(h.node(2).voted_for(), Some(id(3)));

    // Fresh cluster: once `election_timeout_ms_min` passes without a heartbeat (the clock moves
    // but no timer fires), an ordinary RequestVote is honoured too.
    let mut h = cluster(3, config(false, true));
    elect_1(&mut h);
    run(&mut h, 1_000, no_cut);
    let term = h.node(2).current_term();
    h.now_ms += MIN - 300;
    h.queue
        .push(vote_request(3, 2, Term(term.0 + 1), &h, false));
    h.deliver(|m| m.to == id(2));
    assert_eq!(h.node(2).current_term(), term, "still inside the lease");
    h.now_ms += 300;
    h.queue
        .push(vote_request(3, 2, Term(term.0 + 1), &h, false));
    h.deliver(|m| m.to == id(2));
    assert_eq!(h.node(2).current_term(), Term(term.0 + 1));
    assert_eq!(h.node(2).voted_for(), Some(id(3)));
}

// ----- Leadership transfer (§3.10) -----

#[test]
fn transfer_makes_the_target_leader_in_the_next_term_at_once() {
    for (pre_vote, check_quorum) in [(false, false), (true, true)] {
        let mut h = cluster(3, config(pre_vote, check_quorum));
        elect_1(&mut h);
        for i in 0..3 {
            propose(&mut h, 1, i).unwrap();
        }
        run(&mut h, 1_000, no_cut);
        let term = h.node(1).current_term();
        let started_at = h.now_ms;
        node_mut(&mut h, 1).transfer_leadership(id(2)).unwrap();
        h.collect();
        assert_eq!(h.node(1).leader_transfer(), Some(id(2)));
        assert_eq!(
            propose(&mut h, 1, 99),
            Err(ProposeError::TransferInProgress { target: id(2) })
        );
        assert!(
            h.queue
                .iter()
                .any(|m| m.to == id(2) && m.body == MessageBody::TimeoutNow),
            "the target is up to date: TimeoutNow goes out at once"
        );
        h.deliver_until_quiet(50, |_| true);
        assert_eq!(h.now_ms, started_at, "no time passed");
        assert_eq!(h.node(2).role(), RoleKind::Leader);
        assert_eq!(h.node(2).current_term(), Term(term.0 + 1));
        assert_eq!(h.node(1).role(), RoleKind::Follower);
        assert_eq!(h.node(1).leader_id(), Some(id(2)));
        assert_eq!(h.node(1).leader_transfer(), None);
        assert!(events(&h, 1).any(|(_, e)| *e
            == NodeEvent::TransferStarted {
                target: id(2),
                term
            }));
        assert!(events(&h, 2).any(|(_, e)| *e
            == NodeEvent::TimeoutNowReceived {
                term: Term(term.0 + 1),
                from: id(1)
            }));
        // The new leader takes proposals; the old one redirects.
        assert!(propose(&mut h, 2, 7).is_ok());
        assert_eq!(
            propose(&mut h, 1, 7),
            Err(ProposeError::NotLeader {
                leader_hint: Some(id(2))
            })
        );
    }
}

#[test]
fn transfer_to_an_out_of_date_target_catches_it_up_first() {
    let mut h = cluster(3, config(false, false));
    elect_1(&mut h);
    run(&mut h, 500, no_cut);
    for i in 0..5 {
        propose(&mut h, 1, i).unwrap();
    }
    // Cut off for less than an election timeout: node 3 misses the entries, not the leader.
    run(&mut h, 800, isolates(3));
    assert_eq!(h.node(3).role(), RoleKind::Follower);
    let leader_last = h.node(1).log().last_index();
    assert!(
        h.node(3).log().last_index() < leader_last,
        "node 3 is behind"
    );
    assert_eq!(
        h.node(1).commit_index(),
        leader_last,
        "committed with node 2"
    );

    node_mut(&mut h, 1).transfer_leadership(id(3)).unwrap();
    h.collect();
    let started_at = h.now_ms;
    let term = h.node(1).current_term();
    // Heal, and deliver one message at a time: TimeoutNow only leaves once node 3 matches.
    let mut saw_timeout_now = false;
    while h.node(3).role() != RoleKind::Leader && h.now_ms < started_at + MIN {
        h.tick_all(h.now_ms + 50);
        while let Some(m) = h.queue.first().cloned() {
            if m.body == MessageBody::TimeoutNow {
                assert_eq!(
                    h.node(3).log(),
                    h.node(1).log(),
                    "caught up before TimeoutNow"
                );
                saw_timeout_now = true;
            }
            let mut first = true;
            h.deliver(|_| std::mem::take(&mut first));
        }
    }
    assert!(saw_timeout_now);
    assert_eq!(h.node(3).role(), RoleKind::Leader);
    assert_eq!(h.node(3).current_term(), Term(term.0 + 1));
    assert!(
        h.node(3).log().last_index() > leader_last,
        "its own no-op on top"
    );
    assert!(
        h.now_ms <= started_at + 300,
        "within a heartbeat interval, well before the transfer would time out"
    );
}

#[test]
fn transfer_to_an_unreachable_target_is_abandoned_after_an_election_timeout() {
    let mut h = cluster(3, config(false, false));
    elect_1(&mut h);
    run(&mut h, 500, no_cut);
    let term = h.node(1).current_term();
    let started_at = h.now_ms;
    node_mut(&mut h, 1).transfer_leadership(id(3)).unwrap();
    h.collect();
    run(&mut h, started_at + MIN - 50, isolates(3));
    assert_eq!(h.node(1).leader_transfer(), Some(id(3)));
    assert!(matches!(
        propose(&mut h, 1, 1),
        Err(ProposeError::TransferInProgress { .. })
    ));
    run(&mut h, started_at + MIN + 50, isolates(3));
    assert_eq!(h.node(1).leader_transfer(), None);
    assert!(events(&h, 1).any(|(t, e)| *t >= started_at + MIN
        && *e
            == NodeEvent::TransferAbandoned {
                target: id(3),
                term,
                reason: TransferAbandon::TimedOut
            }));
    assert_eq!(h.node(1).role(), RoleKind::Leader);
    assert_eq!(h.node(1).current_term(), term);
    // Proposals are accepted again and commit with node 2.
    let entry = propose(&mut h, 1, 42).expect("accepting again");
    run_for(&mut h, 400, isolates(3));
    assert!(h.node(1).commit_index() >= entry.index);
}

#[test]
fn a_new_transfer_supersedes_the_old_one() {
    let mut h = cluster(3, config(false, false));
    elect_1(&mut h);
    run(&mut h, 500, isolates(3));
    let term = h.node(1).current_term();
    node_mut(&mut h, 1).transfer_leadership(id(3)).unwrap();
    // Asking again for the same target changes nothing.
    node_mut(&mut h, 1).transfer_leadership(id(3)).unwrap();
    node_mut(&mut h, 1).transfer_leadership(id(2)).unwrap();
    h.collect();
    assert_eq!(h.node(1).leader_transfer(), Some(id(2)));
    let started: Vec<_> = events(&h, 1)
        .filter(|(_, e)| matches!(e, NodeEvent::TransferStarted { .. }))
        .collect();
    assert_eq!(started.len(), 2);
    assert!(events(&h, 1).any(|(_, e)| *e
        == NodeEvent::TransferAbandoned {
            target: id(3),
            term,
            reason: TransferAbandon::Superseded(id(2))
        }));
}

#[test]
fn transfer_errors() {
    let mut h = cluster(3, config(false, false));
    elect_1(&mut h);
    assert_eq!(
        node_mut(&mut h, 2).transfer_leadership(id(3)),
        Err(TransferError::NotLeader {
            leader_hint: Some(id(1))
        })
    );
    assert_eq!(
        node_mut(&mut h, 1).transfer_leadership(id(1)),
        Err(TransferError::TargetIsSelf)
    );
    assert_eq!(
        node_mut(&mut h, 1).transfer_leadership(id(9)),
        Err(TransferError::UnknownTarget(id(9)))
    );
    h.collect();
    assert_eq!(h.node(1).leader_transfer(), None);
    assert!(
        propose(&mut h, 1, 1).is_ok(),
        "a refused transfer blocks nothing"
    );
    assert!(
        !events(&h, 1).any(|(_, e)| matches!(e, NodeEvent::TransferStarted { .. })),
        "no transfer started"
    );
}

// ----- Safety with the guards on -----

/// Random crashes, restarts, forced timeouts and client commands over the simulator with
/// PreVote and CheckQuorum on: Election Safety and Log Matching hold throughout, and after
/// healing a leader is elected and serves a request.
#[test]
fn guards_on_random_fault_schedules_stay_safe_and_live() {
    let (mut pre_votes_won, mut pre_votes_refused, mut quorum_lost) = (0, 0, 0);
    for seed in 0..60u64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let nodes = rng.random_range(3..=5u64);
        let mut s = Simulation::new(SimConfig {
            seed,
            node_count: nodes,
            raft: Config {
                pre_vote: true,
                check_quorum: true,
                ..Config::default()
            },
            ..SimConfig::default()
        })
        .expect("valid config");
        let mut steps = 0u64;
        while s.now_ms() < 400_000 {
            let next_action = s.now_ms() + rng.random_range(500..20_000u64);
            while s.next_event_ms().is_some_and(|t| t <= next_action) {
                s.step();
                steps += 1;
                if steps.is_multiple_of(64) {
                    check_logs(&s);
                }
            }
            s.advance_to(next_action);
            let n = id(rng.random_range(1..=nodes));
            let up = s.node(n).is_some_and(|x| x.raft().is_some());
            let action = match rng.random_range(0..10u32) {
                0..=1 if up => Action::Crash(n),
                0..=2 if !up => Action::Restart(n),
                3 if up && s.node(n).and_then(|x| x.role()) != Some(RoleKind::Leader) => {
                    Action::Timeout(n)
                }
                _ => Action::Submit(Command::Add {
                    a: rng.random_range(-100..100i64),
                    b: 1,
                }),
            };
            s.apply(action)
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        }
        check_logs(&s);
        leaders_by_term(&s);
        for n in 1..=nodes {
            let _ = s.apply(Action::Restart(id(n)));
        }
        let leader = run_until_stable_leader(&mut s, 600_000)
            .unwrap_or_else(|| panic!("seed {seed}: no leader after healing"));
        let req = match s.apply(Action::Submit(Command::Add { a: 5, b: 3 })) {
            Ok(raft_core::sim::ActionOutcome::Submitted(r)) => r,
            other => panic!("seed {seed}: {other:?}"),
        };
        let done = s.run_until(600_000, |s| {
            s.client().request(req).is_some_and(|r| r.is_finished())
        });
        assert!(done, "seed {seed}: request after healing (leader {leader})");
        check_logs(&s);
        leaders_by_term(&s);
        for e in s.trace().events() {
            if let TraceKind::Node { event, .. } = &e.kind {
                match event {
                    NodeEvent::PreVoteWon { .. } => pre_votes_won += 1,
                    NodeEvent::PreVoteDenied { .. } => pre_votes_refused += 1,
                    NodeEvent::QuorumLost { .. } => quorum_lost += 1,
                    _ => {}
                }
            }
        }
    }
    // The sweep really exercised the guards.
    assert!(pre_votes_won > 0 && pre_votes_refused > 0 && quorum_lost > 0);
}
