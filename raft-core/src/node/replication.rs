//! Log replication (§5.3) and the commitment rule (§5.4.2).

use super::{NodeEvent, RaftNode, Role};
use crate::command::Command;
use crate::config::ProtocolBug;
use crate::log::Entry;
use crate::message::{AppendResult, MessageBody};
use crate::quorum::committed_index;
use crate::types::{EntryId, LogIndex, NodeId, Term};

impl RaftNode {
    /// Appends `command` to the leader's log in the current term and sends it to every follower
    /// that can take it now. Callers ensure this node is the leader.
    pub(super) fn append_and_replicate(&mut self, command: Command) -> EntryId {
        let id = self
            .persistent
            .log
            .append_new(self.persistent.current_term, command.clone());
        self.mark_log_dirty(id.index);
        let is_config = matches!(command, Command::Config(_));
        self.events.push(NodeEvent::Appended { entry: id, command });
        if is_config {
            // A configuration takes effect as soon as it is in the log (dissertation §4.1).
            self.refresh_membership(id.index);
        }
        for peer in self.replication_targets() {
            self.send_append(peer, false);
        }
        // In a single-node cluster the leader alone is a majority.
        self.maybe_commit();
        id
    }

    /// On a leader, every server it replicates to: the other members of its configuration,
    /// and servers being removed until that change commits.
    fn replication_targets(&self) -> Vec<NodeId> {
        match &self.role {
            Role::Leader { progress, .. } => progress.keys().copied().collect(),
            _ => Vec::new(),
        }
    }

    /// A heartbeat round (§5.2): AppendEntries to every follower, carrying any entries it still
    /// lacks. A probe that got no answer is retried here.
    pub(super) fn heartbeat(&mut self) {
        let next = self
            .now_ms
            .saturating_add(self.config.heartbeat_interval_ms);
        if let Role::Leader {
            heartbeat_deadline_ms,
            progress,
            ..
        } = &mut self.role
        {
            *heartbeat_deadline_ms = next;
            for p in progress.values_mut() {
                p.probe_sent = false;
            }
        }
        self.counters.heartbeats_sent += 1;
        for peer in self.replication_targets() {
            self.send_append(peer, true);
        }
    }

    /// Sends AppendEntries to `peer` starting at its nextIndex, with at most
    /// `max_entries_per_append` entries. Without `force`, nothing is sent when there is nothing
    /// new or the follower is being probed and a probe is outstanding.
    pub(super) fn send_append(&mut self, peer: NodeId, force: bool) {
        if self.maybe_send_snapshot(peer, force) {
            return;
        }
        let max = self.config.max_entries_per_append;
        let last_index = self.persistent.log.last_index();
        let Role::Leader { progress, .. } = &mut self.role else {
            return;
        };
        let Some(p) = progress.get_mut(&peer) else {
            return;
        };
        if !force && (!p.can_send() || p.next_index > last_index) {
            return;
        }
        // nextIndex never exceeds last_index + 1 (entries are only ever appended on a leader).
        p.next_index = p.next_index.min(last_index.next());
        let prev_log_index = p.next_index.prev();
        let entries: Vec<Entry> = self.persistent.log.slice_from(p.next_index, max).to_vec();
        let last_sent = LogIndex(prev_log_index.0 + entries.len() as u64);
        p.on_sent(last_sent);
        let prev_log_term = self
            .persistent
            .log
            .term_at(prev_log_index)
            .unwrap_or(Term(0));
        let leader_commit = self.commit_index;
        self.send(
            peer,
            MessageBody::AppendEntries {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            },
        );
    }

    /// Figure 2, AppendEntries receiver, for a message of the current term (`step` already
    /// reconciled terms): recognize the leader, reset the election timer, run the consistency
    /// check, merge entries (truncating only on a real conflict), and advance commitIndex to
    /// `min(leader_commit, index of last new entry)` — never past what this message verified.
    pub(super) fn handle_append_entries(
        &mut self,
        leader: NodeId,
        prev: EntryId,
        entries: Vec<Entry>,
        leader_commit: LogIndex,
    ) {
        if matches!(self.role, Role::Leader { .. }) {
            // Two leaders in one term would violate Election Safety; a correct cluster never
            // gets here. Ignore rather than corrupt the log.
            return;
        }
        self.recognize_leader(leader);
        // Entries up to the snapshot are committed and match any leader's (§7): an old message
        // that starts before it is checked from the snapshot on.
        let snap = self.persistent.log.snapshot_id();
        let (prev, entries) = if prev.index < snap.index {
            let skip = (snap.index.0 - prev.index.0) as usize;
            (
                snap,
                entries.get(skip..).map_or_else(Vec::new, <[Entry]>::to_vec),
            )
        } else {
            (prev, entries)
        };

        let log = &self.persistent.log;
        let result = if prev.index > log.last_index() {
            AppendResult::Conflict {
                rejected_index: prev.index,
                conflict_term: None,
                conflict_index: log.last_index().next(),
            }
        } else if !log.matches(prev) {
            let conflict_term = log.term_at(prev.index);
            AppendResult::Conflict {
                rejected_index: prev.index,
                conflict_term,
                conflict_index: log.first_index_of_term_ending_at(prev.index),
            }
        } else {
            // Only take entries that really follow `prev` consecutively.
            let consistent = entries
                .iter()
                .enumerate()
                .all(|(i, e)| e.index.0 == prev.index.0 + 1 + i as u64);
            let entries: &[Entry] = if consistent { &entries } else { &[] };
            let old_last = self.persistent.log.last_index();
            if let Some(from) = self.persistent.log.merge(entries) {
                if from <= old_last {
                    self.events.push(NodeEvent::Truncated { from_index: from });
                }
                self.mark_log_dirty(from);
                self.refresh_membership(from);
            }
            // The deliberate bug: also throw away acknowledged entries that follow the
            // message's (but never committed ones: a node does not un-commit).
            let end = prev.index.0 + entries.len() as u64;
            if self.config.bug == Some(ProtocolBug::TruncateWithoutConflict)
                && self.persistent.log.last_index().0 > end
                && end >= self.commit_index.0
            {
                let cut = LogIndex(end + 1);
                self.persistent.log.replace_suffix(cut, &[]);
                self.events.push(NodeEvent::Truncated { from_index: cut });
                self.mark_log_dirty(cut);
                self.refresh_membership(cut);
            }
            let match_index = LogIndex(prev.index.0 + entries.len() as u64);
            let verified = if self.config.bug == Some(ProtocolBug::FollowerCommitPastVerified) {
                self.persistent.log.last_index()
            } else {
                match_index
            };
            self.advance_commit(leader_commit.min(verified));
            AppendResult::Success { match_index }
        };
        self.send(leader, MessageBody::AppendEntriesReply { result });
    }

    /// A follower, candidate or pre-candidate heard from the leader of its term (AppendEntries
    /// or InstallSnapshot): §5.2, a candidate steps down, and so does a pre-candidate
    /// (dissertation §9.6), whose term this leader's equals; the election timer restarts and the
    /// leader lease (§4.2.3) runs from now.
    pub(super) fn recognize_leader(&mut self, leader: NodeId) {
        match self.role {
            Role::Leader { .. } => return,
            Role::Candidate { .. } | Role::PreCandidate { .. } => {
                let term = self.persistent.current_term;
                self.become_follower(term, Some(leader), Some(leader));
            }
            Role::Follower => {
                self.leader_id = Some(leader);
            }
        }
        self.joiner_heard_from(leader);
        self.reset_election_timer();
        self.leader_contact_ms = self.now_ms;
    }

    /// Leader side of an AppendEntries reply of the current term: on success advance
    /// matchIndex/nextIndex and try to commit; on a conflict move nextIndex back using the hint
    /// (one round trip per conflicting term) and retry at once.
    pub(super) fn handle_append_reply(&mut self, peer: NodeId, result: AppendResult) {
        let last_index = self.persistent.log.last_index();
        let new_next = match &result {
            AppendResult::Conflict {
                rejected_index,
                conflict_term,
                conflict_index,
            } => {
                let hinted = match conflict_term {
                    Some(t) => self
                        .persistent
                        .log
                        .last_index_of_term(*t)
                        .map_or(*conflict_index, LogIndex::next),
                    None => *conflict_index,
                };
                // Always move strictly below the rejected position, so probing terminates.
                Some(hinted.min(*rejected_index))
            }
            AppendResult::Success { .. } => None,
        };
        let Role::Leader { progress, .. } = &mut self.role else {
            return;
        };
        let Some(p) = progress.get_mut(&peer) else {
            return;
        };
        match result {
            AppendResult::Success { match_index } => {
                // A follower can never match beyond what the leader has.
                let match_index = match_index.min(last_index);
                let grew = p.on_success(match_index);
                let more = p.next_index <= last_index;
                if grew {
                    self.note_catch_up_progress(peer);
                    self.maybe_commit();
                }
                if more {
                    self.send_append(peer, false);
                }
                self.maybe_send_timeout_now(peer);
                if grew {
                    self.check_catch_up();
                }
            }
            AppendResult::Conflict { rejected_index, .. } => {
                let next = new_next.unwrap_or(rejected_index);
                if p.on_reject(rejected_index, next) {
                    self.send_append(peer, false);
                }
            }
        }
    }

    /// Figure 2, leader rule: commit the highest N stored on a majority **if log[N].term ==
    /// currentTerm** (§5.4.2). Entries of earlier terms are never committed by counting
    /// replicas (Figure 8); they commit indirectly together with a current-term entry.
    pub(super) fn maybe_commit(&mut self) {
        let Role::Leader { progress, .. } = &self.role else {
            return;
        };
        let last_index = self.persistent.log.last_index();
        let matches: Vec<LogIndex> = self
            .membership
            .voters
            .iter()
            .map(|v| {
                if *v == self.id {
                    last_index
                } else {
                    progress.get(v).map_or(LogIndex(0), |p| p.match_index)
                }
            })
            .collect();
        let n = committed_index(matches);
        let current_term_rule = self.config.bug != Some(ProtocolBug::CommitPreviousTermByCounting);
        if n > self.commit_index
            && (!current_term_rule
                || self.persistent.log.term_at(n) == Some(self.persistent.current_term))
        {
            self.advance_commit(n);
        }
    }
}
