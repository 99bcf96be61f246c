//! PreVote (Ongaro's dissertation §9.6), enabled by [`crate::Config::pre_vote`].
//!
//! A node whose election timer fires first becomes a pre-candidate and asks every voter
//! whether it would grant a vote in `current_term + 1`. Nobody changes term, vote or timer
//! because of a PreVote, so nothing is persisted; only when a majority says yes does the node
//! start the real election (§5.2). A node that could not win (cut off from a majority, or with
//! a stale log) therefore never raises its term and cannot depose a healthy leader when it
//! rejoins.
//!
//! Terms on the wire: the PreVote carries the prospective term `T = current_term + 1`. A voter
//! answers as a RequestVote of term `T` would be answered, without acting on it: if `T` is its
//! own term, its vote in that term may already be spent; if `T` is newer, only the log check
//! (§5.4.1) and the leader lease (§4.2.3, only with CheckQuorum; see `check_quorum.rs`)
//! matter. The reply carries `T` so that the pre-candidate can tell replies of an older round
//! apart. A voter whose own term is above `T` refuses with its own term, and the pre-candidate
//! adopts that term and becomes a follower: this is etcd-raft's rule (a rejected pre-vote
//! response of a higher term is a real term, while a granted one carries only the prospective
//! term and is never adopted). It keeps a node with a stale term from retrying forever at a
//! term nobody will accept.

use super::election::CampaignCause;
use super::{NodeEvent, RaftNode, Role, VoteDenial};
use crate::message::MessageBody;
use crate::quorum::{VoteResult, just, vote_result};
use crate::types::{EntryId, NodeId, Term};
use std::collections::BTreeSet;

impl RaftNode {
    /// The single way into the pre-candidate role: forget the leader, reset the election timer
    /// (a round that gets no majority is retried at the next timeout) and send PreVote for
    /// `current_term + 1` to every other voter. Term and vote stay as they are.
    pub(super) fn start_pre_vote(&mut self, forced: bool) {
        let term = self.persistent.current_term.next();
        self.leader_id = None;
        self.counters.pre_vote_attempts += 1;
        self.role = Role::PreCandidate {
            granted: just(self.id),
            denied: BTreeSet::new(),
        };
        self.reset_election_timer();
        self.events.push(NodeEvent::PreVoteStarted { term, forced });
        let last = self.persistent.log.last_id();
        let peers: Vec<NodeId> = self.voting_peers().collect();
        for peer in peers {
            self.send_with_term(
                peer,
                term,
                MessageBody::PreVote {
                    last_log_index: last.index,
                    last_log_term: last.term,
                },
            );
        }
        // A single-node cluster wins with its own pre-vote.
        self.check_pre_vote_result();
    }

    /// PreVote receiver. Changes nothing on this node (no term, no vote, no timer reset); see
    /// the module documentation for the rules.
    pub(super) fn handle_pre_vote(&mut self, candidate: NodeId, term: Term, last: EntryId) {
        let current = self.persistent.current_term;
        if term < current {
            self.events.push(NodeEvent::PreVoteDenied {
                candidate,
                term,
                reason: VoteDenial::StaleTerm,
            });
            self.send_with_term(
                candidate,
                current,
                MessageBody::PreVoteReply { granted: false },
            );
            return;
        }
        if term > current
            && let Some(leader) = self.leader_lease(candidate)
        {
            // Like a RequestVote inside the lease: ignored, no reply (etcd-raft).
            self.events.push(NodeEvent::PreVoteDenied {
                candidate,
                term,
                reason: VoteDenial::LeaderLease(leader),
            });
            return;
        }
        let denial = self.vote_denial(candidate, last, term == current);
        self.events.push(match denial {
            None => NodeEvent::PreVoteGranted { candidate, term },
            Some(reason) => NodeEvent::PreVoteDenied {
                candidate,
                term,
                reason,
            },
        });
        self.send_with_term(
            candidate,
            term,
            MessageBody::PreVoteReply {
                granted: denial.is_none(),
            },
        );
    }

    /// PreVoteReply: a refusal from a higher term is adopted; a reply for the current round
    /// (`term == current_term + 1`) is counted on a pre-candidate; anything else is stale.
    pub(super) fn handle_pre_vote_reply(&mut self, voter: NodeId, term: Term, granted: bool) {
        let round = self.persistent.current_term.next();
        if term > round {
            // Only a refusal can carry a term above the one asked about.
            self.become_follower(term, None, Some(voter));
            return;
        }
        if term != round {
            return;
        }
        if let Role::PreCandidate {
            granted: yes,
            denied: no,
        } = &mut self.role
        {
            if granted {
                yes.insert(voter);
            } else {
                no.insert(voter);
            }
            self.check_pre_vote_result();
        }
    }

    fn check_pre_vote_result(&mut self) {
        if let Role::PreCandidate { granted, denied } = &self.role
            && vote_result(&self.membership.voters, granted, denied) == VoteResult::Won
        {
            let votes = granted.clone();
            self.start_election(CampaignCause::PreVoteWon { votes });
        }
        // A lost round waits for the next (randomized) timeout, like a lost election.
    }
}
