//! CheckQuorum (Ongaro's dissertation §6.2) and the leader lease built on it (§4.2.3), both
//! enabled by [`crate::Config::check_quorum`]. The window for both is
//! `election_timeout_ms_min`, the shortest time after which any follower may start an
//! election (etcd-raft uses its base election timeout the same way).
//!
//! - A leader remembers when it last heard from each follower in its term (any message of
//!   that term). When a majority of voters, itself included, has not been heard from within
//!   the window, it steps down: it can no longer commit anything, and stepping down lets its
//!   clients find the real leader. It is checked continuously, so a leader steps down exactly
//!   one window after the moment it last had a majority's attention.
//! - A node that heard from a current leader within the window (and a leader itself) holds a
//!   lease: it ignores RequestVote and PreVote of a higher term, neither granting nor adopting
//!   the term, unless the RequestVote is flagged as part of a leader transfer (§3.10). The lease
//!   exists only together with CheckQuorum, as in etcd-raft (`inLease` requires `checkQuorum`):
//!   without it, a leader that lost its majority never steps down, and its followers' leases
//!   could block every election (e.g. a leader that can still send but not receive).

use super::{NodeEvent, RaftNode, Role};
use crate::quorum::{just, quorum_contact_ms};
use crate::types::NodeId;

impl RaftNode {
    /// Turns PreVote (dissertation §9.6) and CheckQuorum (§6.2, with its lease) on or off on a
    /// running node, as the app's toggles do for every node at once. Switching CheckQuorum on
    /// gives a leader a full window from now (as if it had just been elected), so it does not
    /// step down for silence that happened while the guard was off. A pre-candidate whose
    /// PreVote is switched off finishes its round; its next election is a plain one.
    pub fn set_liveness_guards(&mut self, pre_vote: bool, check_quorum: bool) {
        if check_quorum && !self.config.check_quorum {
            let now = self.now_ms;
            if let Role::Leader { last_heard_ms, .. } = &mut self.role {
                for t in last_heard_ms.values_mut() {
                    *t = now;
                }
            }
        }
        self.config.pre_vote = pre_vote;
        self.config.check_quorum = check_quorum;
    }

    /// The leader whose lease makes this node ignore an election started by `candidate` now,
    /// if any. With CheckQuorum the lease covers every candidate; without it, only candidates
    /// outside this node's configuration (removed servers, dissertation §4.2.3; see
    /// `membership.rs`). A leader holds its own lease; CheckQuorum ends it by stepping down.
    pub(super) fn leader_lease(&self, candidate: NodeId) -> Option<NodeId> {
        if !self.config.check_quorum && self.membership.is_voter(candidate) {
            return None;
        }
        match self.role {
            Role::Leader { .. } => Some(self.id),
            _ => self.leader_id.filter(|_| {
                self.now_ms
                    < self
                        .leader_contact_ms
                        .saturating_add(self.config.election_timeout_ms_min)
            }),
        }
    }

    /// Records, on a leader, that `from` sent a message of the current term.
    pub(super) fn note_heard_from(&mut self, from: NodeId) {
        let now = self.now_ms;
        if let Role::Leader { last_heard_ms, .. } = &mut self.role
            && let Some(t) = last_heard_ms.get_mut(&from)
        {
            *t = (*t).max(now);
        }
    }

    /// On a leader with CheckQuorum, when it steps down unless it hears from more voters
    /// (virtual ms): the latest time a majority had been heard from, plus the window.
    pub(super) fn quorum_deadline_ms(&self) -> Option<u64> {
        if !self.config.check_quorum {
            return None;
        }
        let Role::Leader { last_heard_ms, .. } = &self.role else {
            return None;
        };
        let heard: Vec<u64> = self
            .membership
            .voters
            .iter()
            .map(|v| {
                if *v == self.id {
                    self.now_ms
                } else {
                    last_heard_ms.get(v).copied().unwrap_or(0)
                }
            })
            .collect();
        Some(quorum_contact_ms(heard).saturating_add(self.config.election_timeout_ms_min))
    }

    /// CheckQuorum on a leader's tick: step down if the deadline passed. Returns whether it
    /// did.
    pub(super) fn check_quorum_due(&mut self) -> bool {
        let Some(deadline) = self.quorum_deadline_ms() else {
            return false;
        };
        if self.now_ms < deadline {
            return false;
        }
        let window_ms = self.config.election_timeout_ms_min;
        let mut heard_from = just(self.id);
        if let Role::Leader { last_heard_ms, .. } = &self.role {
            heard_from.extend(
                last_heard_ms
                    .iter()
                    .filter(|&(_, &t)| t.saturating_add(window_ms) > self.now_ms)
                    .map(|(&p, _)| p),
            );
        }
        let term = self.persistent.current_term;
        self.events.push(NodeEvent::QuorumLost {
            term,
            heard_from,
            window_ms,
        });
        self.become_follower(term, None, None);
        true
    }
}
