//! Log compaction (§7, Figure 13): taking a snapshot of applied entries, sending it to a
//! follower that needs entries the leader no longer has, and installing one.

use super::{NodeEvent, RaftNode, Role};
use crate::message::{AppendResult, MessageBody};
use crate::snapshot::{Snapshot, SnapshotError};
use crate::state_machine::StateMachine;
use crate::types::{EntryId, NodeId};

impl RaftNode {
    /// Replaces the log up to the last entry `state` has applied with a snapshot holding
    /// `state` and the configuration in effect there (§7). `state` is the driver's state
    /// machine after applying what this node handed out ([`crate::Ready::committed_entries`]);
    /// entries after it stay in the log. The snapshot goes into the next
    /// [`crate::PersistUpdate`].
    ///
    /// # Errors
    /// [`SnapshotError::NothingToCompact`] if `state` has applied nothing past the current
    /// snapshot; [`SnapshotError::AheadOfApplied`] if it claims entries this node has not
    /// handed out.
    pub fn compact(&mut self, state: StateMachine) -> Result<EntryId, SnapshotError> {
        let index = state.last_applied;
        if index > self.last_applied {
            return Err(SnapshotError::AheadOfApplied);
        }
        let log = &self.persistent.log;
        if index <= log.snapshot_id().index {
            return Err(SnapshotError::NothingToCompact);
        }
        let term = log.term_at(index).ok_or(SnapshotError::NothingToCompact)?;
        let last_included = EntryId { term, index };
        let membership = log
            .last_config_before(index.next())
            .map_or(&self.persistent.membership, |(_, m)| m)
            .clone();
        self.persistent.log.compact_to(last_included);
        self.persistent.membership = membership.clone();
        self.persistent.snapshot = Some(Snapshot {
            last_included,
            membership,
            state,
        });
        self.snapshot_dirty = true;
        self.events.push(NodeEvent::SnapshotTaken { last_included });
        Ok(last_included)
    }

    /// The snapshot this node keeps (§7), if it has taken or installed one.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.persistent.snapshot.as_ref()
    }

    /// On a leader, sends its snapshot to `peer` when `peer` needs entries the log no longer
    /// has. Returns whether it did (or would have, but a probe is outstanding).
    pub(super) fn maybe_send_snapshot(&mut self, peer: NodeId, force: bool) -> bool {
        let first = self.persistent.log.first_index();
        let Role::Leader { progress, .. } = &mut self.role else {
            return false;
        };
        let Some(p) = progress.get_mut(&peer) else {
            return false;
        };
        if p.next_index >= first {
            return false;
        }
        if !force && !p.can_send() {
            return true;
        }
        let Some(snapshot) = self.persistent.snapshot.clone() else {
            return false;
        };
        p.on_snapshot_sent();
        self.send(
            peer,
            MessageBody::InstallSnapshot {
                snapshot: Box::new(snapshot),
            },
        );
        true
    }

    /// Figure 13, InstallSnapshot receiver, for a message of the current term: recognize the
    /// leader (as for AppendEntries), then install the snapshot unless everything it covers is
    /// already committed here. Rule 6: if the log holds the snapshot's last entry, the entries
    /// after it stay; rule 7: otherwise the whole log goes. Rule 8: the driver replaces its
    /// state machine ([`crate::Ready::snapshot`]). The reply is an AppendEntries success up to
    /// the snapshot's last index, which is what the leader's progress needs.
    pub(super) fn handle_install_snapshot(&mut self, leader: NodeId, snapshot: Snapshot) {
        self.recognize_leader(leader);
        let last = snapshot.last_included;
        if last.index > self.commit_index {
            let kept_suffix = self.persistent.log.install_snapshot(last);
            self.persistent.membership = snapshot.membership.clone();
            self.persistent.snapshot = Some(snapshot.clone());
            self.snapshot_dirty = true;
            if !kept_suffix {
                // Nothing after the snapshot: the stored log must lose its entries too.
                self.mark_log_dirty(last.index.next());
            }
            self.last_applied = last.index;
            self.installed_snapshot = Some(snapshot);
            self.events.push(NodeEvent::SnapshotInstalled {
                last_included: last,
                from: leader,
                kept_suffix,
            });
            // The configuration now comes from the snapshot or the entries kept after it.
            self.refresh_membership(crate::types::LogIndex(0));
            // Everything the snapshot holds is committed (a joiner whose promotion it holds
            // is done joining).
            self.advance_commit(last.index);
        }
        self.send(
            leader,
            MessageBody::AppendEntriesReply {
                result: AppendResult::Success {
                    match_index: last.index,
                },
            },
        );
    }
}
