//! Typed identifiers used throughout the protocol: node ids, terms and log indexes.
//!
//! Raft (Ongaro & Ousterhout 2014, §5) numbers terms and log indexes from 1; the value 0 means
//! "nothing yet" exactly as in the paper's Figure 2 ("initialized to 0"), so `Term(0)` is the term
//! before any election and `LogIndex(0)` is the position before the first entry. Everything that
//! is genuinely optional (a vote, a known leader) is an `Option` instead.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Identifier of a server in the cluster. Ids are chosen by the caller; the simulator numbers
/// its nodes from 1.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct NodeId(pub u64);

/// A Raft term (§5.1): a logical clock that increases by one with every election attempt.
/// `Term(0)` is the initial term before any election.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Term(pub u64);

/// Position of an entry in the replicated log, counted from 1 (§5.3). `LogIndex(0)` is the
/// position before the first entry (an empty log's last index).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct LogIndex(pub u64);

/// "The entry at `index` with `term`": the pair that the Log Matching Property (§5.3) is about.
/// `EntryId { term: Term(0), index: LogIndex(0) }` stands for the empty prefix.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct EntryId {
    /// Term in which the entry was created by a leader.
    pub term: Term,
    /// Index of the entry in the log (from 1).
    pub index: LogIndex,
}

impl Term {
    /// The following term (`self + 1`), used when a node starts an election.
    pub fn next(self) -> Term {
        Term(self.0 + 1)
    }
}

impl LogIndex {
    /// The index after this one.
    pub fn next(self) -> LogIndex {
        LogIndex(self.0 + 1)
    }

    /// The index before this one, saturating at `LogIndex(0)`.
    pub fn prev(self) -> LogIndex {
        LogIndex(self.0.saturating_sub(1))
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for LogIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
