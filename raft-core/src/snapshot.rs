//! Snapshots for log compaction (§7 of the paper, Figure 13; dissertation §5).
//!
//! A snapshot replaces the log up to its last included entry with the state machine's state at
//! that point (including the client sessions of dissertation §6.3, so exactly-once answers
//! survive compaction) and the cluster configuration in effect there (dissertation §5.1: "the
//! snapshot includes the latest configuration as of the last included index"). A node keeps
//! at most one snapshot, in its persistent state, next to the log entries that follow it.
//!
//! InstallSnapshot sends the whole snapshot in one message: the paper's chunking (offset,
//! done) only matters for snapshots too large for one RPC, which the simulated state machine
//! never is.

use crate::membership::Membership;
use crate::state_machine::StateMachine;
use crate::types::EntryId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A snapshot: the state after applying every entry up to `last_included`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The last entry the snapshot replaces (Figure 13: lastIncludedIndex, lastIncludedTerm).
    pub last_included: EntryId,
    /// The configuration in effect at `last_included` (dissertation §5.1).
    pub membership: Membership,
    /// The state machine after applying entries 1..=`last_included.index`, sessions included.
    pub state: StateMachine,
}

impl Snapshot {
    /// A rough size in bytes of what the snapshot stores: a fixed part for the indexes, the
    /// register and the counters, plus the configuration and the client sessions with their
    /// stored results. Used to report persistent-state sizes; not an exact encoding.
    pub fn approx_size_bytes(&self) -> u64 {
        let members = (self.membership.voters.len() + self.membership.learners.len()) as u64;
        let results: u64 = self
            .state
            .sessions
            .values()
            .map(|s| s.results.len() as u64)
            .sum();
        64 + 8 * members + 24 * self.state.sessions.len() as u64 + 24 * results
    }
}

/// Why a node refused to take a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SnapshotError {
    /// The state machine has applied nothing beyond the current snapshot: there is nothing
    /// to compact.
    NothingToCompact,
    /// The state given has applied entries this node has not handed out yet (a driver bug).
    AheadOfApplied,
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::NothingToCompact => f.write_str(
                "no entry was applied since the last snapshot, so there is nothing to compact",
            ),
            SnapshotError::AheadOfApplied => {
                f.write_str("the state machine is ahead of what this node has applied")
            }
        }
    }
}

impl std::error::Error for SnapshotError {}
