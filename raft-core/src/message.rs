//! The Raft RPCs and their replies (Figure 2), one variant per message kind.

use crate::log::Entry;
use crate::types::{LogIndex, NodeId, Term};
use serde::{Deserialize, Serialize};

/// A message between two Raft nodes. Every RPC and reply carries the sender's `current_term`
/// (§5.1: "if one server's current term is smaller than the other's, then it updates its
/// current term to the larger value").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Sender.
    pub from: NodeId,
    /// Recipient.
    pub to: NodeId,
    /// The sender's `current_term` when it sent the message.
    pub term: Term,
    /// The RPC or reply.
    pub body: MessageBody,
}

/// The RPCs of Figure 2 and their replies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageBody {
    /// RequestVote RPC (§5.2): a candidate asks for a vote.
    RequestVote {
        /// Index of the candidate's last log entry (§5.4.1).
        last_log_index: LogIndex,
        /// Term of the candidate's last log entry (§5.4.1).
        last_log_term: Term,
    },
    /// Reply to RequestVote.
    RequestVoteReply {
        /// True means the candidate received the vote.
        vote_granted: bool,
    },
    /// AppendEntries RPC (§5.3): replicates entries and serves as heartbeat when empty.
    AppendEntries {
        /// Index of the entry immediately preceding the new ones.
        prev_log_index: LogIndex,
        /// Term of the entry at `prev_log_index`.
        prev_log_term: Term,
        /// Entries to store (empty for a heartbeat); at most `max_entries_per_append`.
        entries: Vec<Entry>,
        /// The leader's `commit_index`.
        leader_commit: LogIndex,
    },
    /// Reply to AppendEntries.
    AppendEntriesReply {
        /// Whether the follower's log matched at `prev_log_index`, and what it now holds.
        result: AppendResult,
    },
}

/// Outcome of an AppendEntries at the follower.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppendResult {
    /// The consistency check passed; the follower's log now matches the leader's up to and
    /// including `match_index` (= `prev_log_index` + number of entries sent).
    Success {
        /// Highest index known to match the leader's log.
        match_index: LogIndex,
    },
    /// The consistency check failed, or the sender's term was stale. The hint lets the leader
    /// skip a whole conflicting term per round trip instead of one entry (the optimization
    /// described at the end of §5.3).
    Conflict {
        /// The `prev_log_index` that was rejected (lets the leader ignore stale rejections).
        rejected_index: LogIndex,
        /// Term of the follower's entry at `prev_log_index`, or `None` if its log is shorter.
        conflict_term: Option<Term>,
        /// First index the follower holds for `conflict_term`, or its `last_index + 1` when
        /// its log is too short.
        conflict_index: LogIndex,
    },
}

/// The kind of a message as the visualization and the trace name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MessageKind {
    /// RequestVote.
    RequestVote,
    /// RequestVote reply, vote granted.
    VoteGranted,
    /// RequestVote reply, vote denied.
    VoteDenied,
    /// AppendEntries without entries.
    Heartbeat,
    /// AppendEntries carrying entries.
    AppendEntries,
    /// AppendEntries reply, success.
    AppendOk,
    /// AppendEntries reply, rejected.
    AppendRejected,
    /// A client's request to a node (simulator only).
    ClientRequest,
    /// A node's answer to the client (simulator only).
    ClientReply,
}

impl MessageKind {
    /// Stable kebab-case name, used as `data-message-kind` in the app and in the trace.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::RequestVote => "request-vote",
            MessageKind::VoteGranted => "vote-granted",
            MessageKind::VoteDenied => "vote-denied",
            MessageKind::Heartbeat => "heartbeat",
            MessageKind::AppendEntries => "append-entries",
            MessageKind::AppendOk => "append-ok",
            MessageKind::AppendRejected => "append-rejected",
            MessageKind::ClientRequest => "client-request",
            MessageKind::ClientReply => "client-reply",
        }
    }

    /// A short human label ("RequestVote", "vote granted", ...).
    pub fn label(self) -> &'static str {
        match self {
            MessageKind::RequestVote => "RequestVote",
            MessageKind::VoteGranted => "vote granted",
            MessageKind::VoteDenied => "vote denied",
            MessageKind::Heartbeat => "heartbeat",
            MessageKind::AppendEntries => "AppendEntries",
            MessageKind::AppendOk => "append ok",
            MessageKind::AppendRejected => "append rejected",
            MessageKind::ClientRequest => "client request",
            MessageKind::ClientReply => "client reply",
        }
    }
}

impl Message {
    /// The kind of this message.
    pub fn kind(&self) -> MessageKind {
        match &self.body {
            MessageBody::RequestVote { .. } => MessageKind::RequestVote,
            MessageBody::RequestVoteReply { vote_granted: true } => MessageKind::VoteGranted,
            MessageBody::RequestVoteReply {
                vote_granted: false,
            } => MessageKind::VoteDenied,
            MessageBody::AppendEntries { entries, .. } if entries.is_empty() => {
                MessageKind::Heartbeat
            }
            MessageBody::AppendEntries { .. } => MessageKind::AppendEntries,
            MessageBody::AppendEntriesReply {
                result: AppendResult::Success { .. },
            } => MessageKind::AppendOk,
            MessageBody::AppendEntriesReply { .. } => MessageKind::AppendRejected,
        }
    }

    /// A one-line description for the trace, e.g. `AppendEntries(prev 3/2, 2 entries, commit 3)`.
    pub fn describe(&self) -> String {
        match &self.body {
            MessageBody::RequestVote {
                last_log_index,
                last_log_term,
            } => format!(
                "RequestVote(term {}, last log {}/{})",
                self.term, last_log_index, last_log_term
            ),
            MessageBody::RequestVoteReply { vote_granted } => format!(
                "RequestVoteReply(term {}, {})",
                self.term,
                if *vote_granted { "granted" } else { "denied" }
            ),
            MessageBody::AppendEntries {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } => format!(
                "AppendEntries(term {}, prev {}/{}, {} entries, commit {})",
                self.term,
                prev_log_index,
                prev_log_term,
                entries.len(),
                leader_commit
            ),
            MessageBody::AppendEntriesReply { result } => match result {
                AppendResult::Success { match_index } => format!(
                    "AppendEntriesReply(term {}, success, match {})",
                    self.term, match_index
                ),
                AppendResult::Conflict {
                    rejected_index,
                    conflict_term,
                    conflict_index,
                } => format!(
                    "AppendEntriesReply(term {}, rejected prev {}, conflict term {}, index {})",
                    self.term,
                    rejected_index,
                    conflict_term.map_or_else(|| "none".to_string(), |t| t.to_string()),
                    conflict_index
                ),
            },
        }
    }
}
