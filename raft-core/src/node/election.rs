//! Leader election (§5.2) with the election restriction (§5.4.1).

use super::{NodeEvent, RaftNode, Role, VoteDenial};
use crate::command::Command;
use crate::message::MessageBody;
use crate::progress::Progress;
use crate::quorum::{VoteResult, just, vote_result};
use crate::sorted::SortedMap;
use crate::types::{EntryId, NodeId};
use std::collections::BTreeSet;

/// What made a node become a candidate; each cause has its own trace event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum CampaignCause {
    /// The election timer fired, or [`RaftNode::campaign`] forced it (`forced`), without
    /// PreVote.
    Timeout { forced: bool },
    /// A majority granted this node's pre-votes (dissertation §9.6).
    PreVoteWon { votes: BTreeSet<NodeId> },
    /// The leader sent TimeoutNow (leadership transfer, dissertation §3.10).
    TimeoutNow { from: NodeId },
}

impl RaftNode {
    /// The election timer fired (or `campaign` forced it): start an election, or with
    /// [`crate::Config::pre_vote`] a PreVote round first (dissertation §9.6).
    pub(super) fn election_timeout(&mut self, forced: bool) {
        if self.config.pre_vote {
            self.start_pre_vote(forced);
        } else {
            self.start_election(CampaignCause::Timeout { forced });
        }
    }

    /// Figure 2, "Rules for Servers / Candidates": increment currentTerm, vote for self, reset
    /// the election timer, send RequestVote to all other servers. The single way into the
    /// candidate role; the RequestVotes carry the leader-transfer flag when TimeoutNow caused
    /// the election (dissertation §3.10).
    pub(super) fn start_election(&mut self, cause: CampaignCause) {
        let term = self.persistent.current_term.next();
        self.set_term(term);
        self.persistent.voted_for = Some(self.id);
        self.hard_state_dirty = true;
        self.leader_id = None;
        self.counters.election_attempts += 1;
        self.role = Role::Candidate {
            granted: just(self.id),
            denied: BTreeSet::new(),
        };
        self.reset_election_timer();
        let leader_transfer = matches!(cause, CampaignCause::TimeoutNow { .. });
        self.events.push(match cause {
            CampaignCause::Timeout { forced } => NodeEvent::ElectionTimeout { term, forced },
            CampaignCause::PreVoteWon { votes } => NodeEvent::PreVoteWon { term, votes },
            CampaignCause::TimeoutNow { from } => NodeEvent::TimeoutNowReceived { term, from },
        });
        let last = self.persistent.log.last_id();
        let peers: Vec<NodeId> = self.voting_peers().collect();
        for peer in peers {
            self.send(
                peer,
                MessageBody::RequestVote {
                    last_log_index: last.index,
                    last_log_term: last.term,
                    leader_transfer,
                },
            );
        }
        // A single-node cluster wins with its own vote.
        self.check_election_result();
    }

    /// Figure 2, RequestVote receiver: grant if the term is current, this node has not voted
    /// for someone else in it, and the candidate's log is at least as up to date (§5.4.1).
    /// Granting resets the election timer. Terms were already reconciled by `step`.
    pub(super) fn handle_request_vote(&mut self, candidate: NodeId, candidate_last: EntryId) {
        let term = self.persistent.current_term;
        let denial = self.vote_denial(candidate, candidate_last, true);
        match denial {
            None => {
                if self.persistent.voted_for != Some(candidate) {
                    self.persistent.voted_for = Some(candidate);
                    self.hard_state_dirty = true;
                }
                self.reset_election_timer();
                self.events.push(NodeEvent::VoteGranted { candidate, term });
            }
            Some(reason) => self.events.push(NodeEvent::VoteDenied {
                candidate,
                term,
                reason,
            }),
        }
        self.send(
            candidate,
            MessageBody::RequestVoteReply {
                vote_granted: denial.is_none(),
            },
        );
    }

    /// Why this node would refuse its vote to `candidate` (None: it would grant). `same_term`
    /// says whether the election is in this node's current term, where its one vote per term
    /// may already be spent (§5.2); in a later term it would not be. The log check is the
    /// election restriction (§5.4.1). Shared by RequestVote and PreVote.
    pub(super) fn vote_denial(
        &self,
        candidate: NodeId,
        candidate_last: EntryId,
        same_term: bool,
    ) -> Option<VoteDenial> {
        match self.persistent.voted_for {
            Some(v) if same_term && v != candidate => Some(VoteDenial::AlreadyVoted(v)),
            _ if !self.persistent.log.candidate_is_up_to_date(candidate_last) => {
                Some(VoteDenial::LogNotUpToDate)
            }
            _ => None,
        }
    }

    /// Counts a vote reply of the current term (only candidates care).
    pub(super) fn handle_vote_reply(&mut self, voter: NodeId, granted: bool) {
        if let Role::Candidate {
            granted: yes,
            denied: no,
        } = &mut self.role
        {
            if granted {
                yes.insert(voter);
            } else {
                no.insert(voter);
            }
            self.check_election_result();
        }
    }

    fn check_election_result(&mut self) {
        if let Role::Candidate { granted, denied } = &self.role
            && vote_result(&self.membership.voters, granted, denied) == VoteResult::Won
        {
            let votes = granted.clone();
            self.become_leader(votes);
        }
        // A lost election simply waits for the next timeout (randomized, §5.2).
    }

    /// The single way into the leader role: initialize nextIndex/matchIndex for every follower
    /// (Figure 2), append a no-op of the new term (§8) so entries of earlier terms can commit
    /// under the current-term rule, and send the first round of AppendEntries at once.
    fn become_leader(&mut self, votes: BTreeSet<NodeId>) {
        let term = self.persistent.current_term;
        let last = self.persistent.log.last_index();
        let mut progress = SortedMap::new();
        progress.extend(self.peers().map(|p| (p, Progress::new(last))));
        // CheckQuorum's clock starts at the election: a new leader gets one full window.
        let mut last_heard_ms = SortedMap::new();
        last_heard_ms.extend(self.peers().map(|p| (p, self.now_ms)));
        self.role = Role::Leader {
            progress,
            heartbeat_deadline_ms: self
                .now_ms
                .saturating_add(self.config.heartbeat_interval_ms),
            last_heard_ms,
            transfer: None,
            catch_up: None,
        };
        self.leader_id = Some(self.id);
        self.events.push(NodeEvent::BecameLeader { term, votes });
        self.append_and_replicate(Command::Noop);
    }
}
