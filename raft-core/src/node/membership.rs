//! Membership changes on a node: single-server changes (dissertation §4.1), a new server's
//! catch-up as a learner (§4.2.1), removal of any server including the leader (§4.2.2), and the
//! rule that keeps removed servers from disrupting the cluster (§4.2.3).
//!
//! - **Joining.** A new server starts with an empty configuration ([`RaftNode::join`]) and sends
//!   JoinCluster to a member, again each election timeout until it is a voter. A non-leader
//!   answers with a leader hint. The leader appends a configuration that adds the server as a
//!   learner, streams it the log, and measures catch-up in rounds: each round replicates up to
//!   the leader's last index at the round's start. When a round takes at most
//!   `election_timeout_ms_min` and the learner entry is committed, the leader appends the
//!   configuration that makes the server a voter, and answers "joined" once that commits.
//!   After [`MAX_CATCH_UP_ROUNDS`] rounds, or when the learner makes no progress for two
//!   maximum election timeouts, the leader gives up, removes the learner and answers "timed
//!   out".
//! - **One change at a time.** A leader starts a change only when its latest configuration is
//!   committed, and only after an entry of its own term is committed (the no-op it appends on
//!   election, §8): without that second rule a change appended by an earlier leader that this
//!   one never saw can win an election with another majority and overwrite a committed
//!   configuration (Ongaro's 2015 raft-dev report; [`crate::ProtocolBug::ConfigChangeBeforeOwnTermCommit`]).
//! - **Learners** receive AppendEntries but count toward no majority and never campaign. A
//!   leader catches up every learner of its configuration, one at a time, whether or not the
//!   learner asked it (a join survives a change of leader and a restart of the joiner). A
//!   joining server that hears from a leader other than the one it asked sends JoinCluster to
//!   that leader, so its answer comes from the leader that promotes it.
//! - **Removal.** The leader appends the configuration without the server. A leader that removes
//!   itself keeps leading, without counting its own log toward commitment, until that entry
//!   commits; then it steps down and, no longer a voter, never campaigns again.
//! - **Disruption (§4.2.3).** A server outside the receiver's configuration (typically one that
//!   was removed without learning it) can time out and send RequestVote with higher terms. A
//!   node that heard from a current leader within `election_timeout_ms_min`, and a leader
//!   itself, ignores such a RequestVote or PreVote: it neither grants it nor adopts its term.
//!   With [`crate::Config::check_quorum`] this lease applies to every candidate (see
//!   `check_quorum.rs`); without it, only to candidates outside the configuration, because a
//!   general lease without CheckQuorum can keep a leader that lost its majority in office.

use super::{ChangeBusy, ChangeError, NodeEvent, RaftNode, Role};
use crate::command::Command;
use crate::config::ProtocolBug;
use crate::membership::{Membership, MembershipChange};
use crate::message::{JoinResult, MessageBody};
use crate::progress::Progress;
use crate::types::{LogIndex, NodeId};
use serde::{Deserialize, Serialize};

/// After this many catch-up rounds without one short enough, the leader gives up on a learner
/// (dissertation §4.2.1 suggests a fixed number of rounds; it uses ten in its example).
pub const MAX_CATCH_UP_ROUNDS: u32 = 10;

/// A leader's record of a learner it is catching up (dissertation §4.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatchUp {
    /// The learner.
    pub node: NodeId,
    /// The current round, from 1.
    pub round: u32,
    /// The leader's last index when this round started: the round ends when the learner's
    /// match_index reaches it.
    pub round_target: LogIndex,
    /// When this round started (virtual ms).
    pub round_started_ms: u64,
    /// When the learner's match_index last grew (virtual ms).
    pub last_progress_ms: u64,
}

impl RaftNode {
    /// The configuration this node uses now: the latest in its log, committed or not
    /// (dissertation §4.1).
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// Index of the log entry that set [`RaftNode::membership`] (0: the starting configuration
    /// from persistent state). The configuration is committed when this is at most
    /// [`RaftNode::commit_index`].
    pub fn membership_index(&self) -> LogIndex {
        self.membership_index
    }

    /// The member this joining server sends JoinCluster to, while it is not yet a voter and its
    /// request has not been answered for good.
    pub fn join_target(&self) -> Option<NodeId> {
        self.join
    }

    /// On a leader, the learner it is catching up, if any.
    pub fn catch_up(&self) -> Option<&CatchUp> {
        match &self.role {
            Role::Leader { catch_up, .. } => catch_up.as_ref(),
            _ => None,
        }
    }

    /// Starts removing `node` (a voter or a learner, running or crashed, this leader included)
    /// by appending the configuration without it (dissertation §4.1, §4.2.2). Returns the
    /// entry's index; the removal is done when that commits.
    ///
    /// # Errors
    /// [`ChangeError::NotLeader`] off the leader; [`ChangeError::Busy`] while another change is
    /// uncommitted or catching up, or before this leader committed an entry of its term;
    /// [`ChangeError::Invalid`] for a non-member or the last voter.
    pub fn remove_node(&mut self, node: NodeId) -> Result<LogIndex, ChangeError> {
        if !matches!(self.role, Role::Leader { .. }) {
            return Err(ChangeError::NotLeader {
                leader_hint: self.leader_id,
            });
        }
        // Removing the learner being caught up ends its catch-up.
        let catching_up = self.catch_up().map(|c| c.node);
        let next = self
            .membership
            .apply(MembershipChange::Remove(node))
            .map_err(ChangeError::Invalid)?;
        match self.change_allowed() {
            Err(ChangeBusy::CatchingUp(n)) if n == node => {}
            Err(busy) => return Err(ChangeError::Busy(busy)),
            Ok(()) => {}
        }
        if catching_up == Some(node)
            && let Role::Leader { catch_up, .. } = &mut self.role
        {
            *catch_up = None;
        }
        Ok(self.append_config(next))
    }

    /// Whether this leader may start a membership change now.
    pub(super) fn change_allowed(&self) -> Result<(), ChangeBusy> {
        if self.membership_index > self.commit_index {
            return Err(ChangeBusy::Uncommitted(self.membership_index));
        }
        if self.config.bug != Some(ProtocolBug::ConfigChangeBeforeOwnTermCommit)
            && self.persistent.log.term_at(self.commit_index) != Some(self.persistent.current_term)
        {
            return Err(ChangeBusy::NoCommitInTerm);
        }
        if let Some(c) = self.catch_up() {
            return Err(ChangeBusy::CatchingUp(c.node));
        }
        Ok(())
    }

    /// Appends a configuration entry on the leader (it takes effect at once).
    fn append_config(&mut self, next: Membership) -> LogIndex {
        self.append_and_replicate(Command::Config(next)).index
    }

    /// JoinCluster receiver. Terms are not reconciled: the joiner is not a member.
    pub(super) fn handle_join(&mut self, joiner: NodeId) {
        let result = match self.role {
            Role::Leader { .. } => self.leader_join(joiner),
            _ => Some(JoinResult::NotLeader {
                leader_hint: self.leader_id,
            }),
        };
        if let Some(result) = result {
            self.send(joiner, MessageBody::JoinClusterReply { result });
        }
    }

    /// The leader's answer to JoinCluster, or `None` when the answer comes later (once the
    /// joiner is a voter, or its catch-up failed).
    fn leader_join(&mut self, joiner: NodeId) -> Option<JoinResult> {
        if joiner == self.id || self.membership.is_voter(joiner) {
            return Some(JoinResult::AlreadyMember);
        }
        if self.catch_up().is_some_and(|c| c.node == joiner) {
            return None;
        }
        if self.change_allowed().is_err() {
            return Some(JoinResult::Busy);
        }
        if let Ok(next) = self.membership.apply(MembershipChange::AddLearner(joiner)) {
            self.append_config(next);
        }
        self.start_catch_up(joiner);
        None
    }

    fn start_catch_up(&mut self, node: NodeId) {
        let now = self.now_ms;
        let target = self.persistent.log.last_index();
        if let Role::Leader { catch_up, .. } = &mut self.role {
            *catch_up = Some(CatchUp {
                node,
                round: 1,
                round_target: target,
                round_started_ms: now,
                last_progress_ms: now,
            });
        }
    }

    /// On a leader: moves the learner's catch-up on (a round ended, it is caught up, or it
    /// stalled), and starts catching up a learner nobody is working on. Called on every tick
    /// and after each successful AppendEntries reply.
    pub(super) fn check_catch_up(&mut self) {
        let Role::Leader {
            catch_up, progress, ..
        } = &self.role
        else {
            return;
        };
        let Some(c) = *catch_up else {
            // A learner nobody is catching up (its leader changed, or it restarted and forgot
            // it was joining): resume once this leader may change the configuration. The
            // own-term rule is checked even under the deliberate bug, which concerns only the
            // changes a client asks for.
            if let Some(&learner) = self.membership.learners.iter().next()
                && self.change_allowed().is_ok()
                && self.persistent.log.term_at(self.commit_index)
                    == Some(self.persistent.current_term)
            {
                self.start_catch_up(learner);
            }
            return;
        };
        if !self.membership.is_learner(c.node) {
            if let Role::Leader { catch_up, .. } = &mut self.role {
                *catch_up = None;
            }
            return;
        }
        let now = self.now_ms;
        let matched = progress.get(&c.node).map_or(LogIndex(0), |p| p.match_index);
        if matched < c.round_target {
            if now.saturating_sub(c.last_progress_ms) > 2 * self.config.election_timeout_ms_max {
                self.abort_catch_up(c.node, c.round);
            }
            return;
        }
        let took_ms = now.saturating_sub(c.round_started_ms);
        let done = c;
        let last = self.persistent.log.last_index();
        self.events.push(NodeEvent::CatchUpRound {
            node: done.node,
            round: done.round,
            index: done.round_target,
            took_ms,
        });
        let fast = took_ms <= self.config.election_timeout_ms_min;
        let learner_committed = self.membership_index <= self.commit_index;
        if fast && learner_committed {
            if let Role::Leader { catch_up, .. } = &mut self.role {
                *catch_up = None;
            }
            if let Ok(next) = self.membership.apply(MembershipChange::Promote(done.node)) {
                self.append_config(next);
            }
        } else if done.round >= MAX_CATCH_UP_ROUNDS {
            self.abort_catch_up(done.node, done.round);
        } else if let Role::Leader {
            catch_up: Some(c), ..
        } = &mut self.role
        {
            c.round += 1;
            c.round_target = last;
            c.round_started_ms = now;
        }
    }

    /// Records, on a leader, that the learner's match_index grew.
    pub(super) fn note_catch_up_progress(&mut self, peer: NodeId) {
        let now = self.now_ms;
        if let Role::Leader {
            catch_up: Some(c), ..
        } = &mut self.role
            && c.node == peer
        {
            c.last_progress_ms = now;
        }
    }

    /// Gives up on a learner: removes it again if no other change is pending, and tells it.
    fn abort_catch_up(&mut self, node: NodeId, rounds: u32) {
        if let Role::Leader { catch_up, .. } = &mut self.role {
            *catch_up = None;
        }
        self.events.push(NodeEvent::CatchUpAborted { node, rounds });
        if self.change_allowed().is_ok()
            && let Ok(next) = self.membership.apply(MembershipChange::Remove(node))
        {
            self.append_config(next);
        }
        self.send(
            node,
            MessageBody::JoinClusterReply {
                result: JoinResult::TimedOut,
            },
        );
    }

    /// On a joining server that heard from `leader`: if that is not the server it asked, it
    /// asks the leader instead (a new leader resumes its catch-up).
    pub(super) fn joiner_heard_from(&mut self, leader: NodeId) {
        if self.join.is_some_and(|t| t != leader) {
            self.join = Some(leader);
            self.send(leader, MessageBody::JoinCluster);
        }
    }

    /// JoinCluster reply, on a joining server.
    pub(super) fn handle_join_reply(&mut self, from: NodeId, result: JoinResult) {
        if self.join.is_none() {
            return;
        }
        match result {
            JoinResult::Joined | JoinResult::AlreadyMember | JoinResult::TimedOut => {
                self.join = None;
                self.events.push(NodeEvent::JoinFinished { from, result });
            }
            JoinResult::NotLeader {
                leader_hint: Some(hint),
            } if hint != self.id => {
                self.join = Some(hint);
                self.send(hint, MessageBody::JoinCluster);
            }
            // Busy, or no leader known: ask again when the retry timer fires.
            JoinResult::Busy | JoinResult::NotLeader { .. } => {}
        }
    }

    /// A non-voter's timer: a joining server asks again; others wait.
    pub(super) fn non_voter_timeout(&mut self) {
        if let Some(target) = self.join {
            self.send(target, MessageBody::JoinCluster);
        }
        self.reset_election_timer();
    }

    /// Recomputes the configuration after the log changed from index `from` on (entries
    /// appended, or a suffix truncated), and records the change. Only a truncation that removes
    /// the configuration entry in use needs a backwards scan; otherwise only the new entries
    /// are looked at.
    pub(super) fn refresh_membership(&mut self, from: LogIndex) {
        let log = &self.persistent.log;
        let found = log
            .slice_from(from, u64::MAX)
            .iter()
            .rev()
            .find_map(|e| match &e.command {
                Command::Config(m) => Some((e.index, m)),
                _ => None,
            });
        let (index, membership) = match found {
            Some(f) => f,
            None if self.membership_index >= from => self.persistent.effective_membership(),
            None => return,
        };
        if *membership == self.membership {
            // Same configuration, held elsewhere now (e.g. in a snapshot): nothing changed.
            self.membership_index = index;
            return;
        }
        let reverted = index < self.membership_index;
        self.membership = membership.clone();
        self.membership_index = index;
        self.sync_leader_peers();
        self.events.push(NodeEvent::ConfigChanged {
            index,
            membership: self.membership.clone(),
            reverted,
            leader: matches!(self.role, Role::Leader { .. }),
        });
    }

    /// On a leader, adds progress (and CheckQuorum) entries for new members of the
    /// configuration; a new member starts probing at the end of the log. Servers that left keep
    /// theirs, and keep receiving the log, until the configuration without them commits, so a
    /// removed server normally learns of its removal and stays quiet; a truncation that brings
    /// an older configuration back prunes the rest ([`RaftNode::prune_leader_peers`]).
    fn sync_leader_peers(&mut self) {
        let me = self.id;
        let last = self.persistent.log.last_index();
        let now = self.now_ms;
        let Role::Leader {
            progress,
            last_heard_ms,
            ..
        } = &mut self.role
        else {
            return;
        };
        for peer in self.membership.members().filter(|&p| p != me) {
            progress.entry(peer).or_insert_with(|| Progress::new(last));
            last_heard_ms.entry(peer).or_insert(now);
        }
    }

    /// On a leader with a committed configuration, stops replicating to servers outside it.
    fn prune_leader_peers(&mut self) {
        if self.membership_index > self.commit_index {
            return;
        }
        if let Role::Leader {
            progress,
            last_heard_ms,
            ..
        } = &mut self.role
        {
            progress.retain(|p, _| self.membership.contains(*p));
            last_heard_ms.retain(|p, _| self.membership.contains(*p));
        }
    }

    /// On a leader whose commit index moved past configuration entries: announces who joined
    /// and who left (answering the joiner), and steps down if this leader is no longer a voter
    /// (dissertation §4.2.2).
    pub(super) fn on_configs_committed(&mut self, from: LogIndex) {
        if let Some(contact) = self.join
            && self.membership.is_voter(self.id)
            && self.membership_index <= self.commit_index
        {
            // A joiner that sees its own promotion committed needs no answer any more.
            self.join = None;
            self.events.push(NodeEvent::JoinFinished {
                from: self.leader_id.unwrap_or(contact),
                result: JoinResult::Joined,
            });
        }
        if !matches!(self.role, Role::Leader { .. }) || self.membership_index < from {
            return;
        }
        let log = &self.persistent.log;
        let mut joined = Vec::new();
        let mut left = Vec::new();
        let n = self.commit_index.0 + 1 - from.0;
        for e in log.slice_from(from, n) {
            let Command::Config(next) = &e.command else {
                continue;
            };
            let prev = log
                .last_config_before(e.index)
                .map_or(&self.persistent.membership, |(_, m)| m);
            joined.extend(next.voters.iter().filter(|v| !prev.is_voter(**v)).copied());
            left.extend(prev.members().filter(|m| !next.contains(*m)));
        }
        for node in joined {
            self.events.push(NodeEvent::MemberJoined { node });
            if node != self.id {
                self.send(
                    node,
                    MessageBody::JoinClusterReply {
                        result: JoinResult::Joined,
                    },
                );
            }
        }
        for node in left {
            self.events.push(NodeEvent::MemberRemoved { node });
        }
        self.prune_leader_peers();
        if !self.membership.is_voter(self.id) && self.membership_index <= self.commit_index {
            let term = self.persistent.current_term;
            self.become_follower(term, None, None);
        }
    }
}
