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

/// The RPCs of Figure 2 and their replies, plus the dissertation's PreVote (§9.6) and
/// TimeoutNow (§3.10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageBody {
    /// RequestVote RPC (§5.2): a candidate asks for a vote.
    RequestVote {
        /// Index of the candidate's last log entry (§5.4.1).
        last_log_index: LogIndex,
        /// Term of the candidate's last log entry (§5.4.1).
        last_log_term: Term,
        /// True if the election was started by [`MessageBody::TimeoutNow`] (a leader transfer,
        /// dissertation §3.10): voters then disregard their leader lease (§4.2.3), because the
        /// current leader itself asked for this election.
        #[serde(default)]
        leader_transfer: bool,
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
    /// PreVote RPC (dissertation §9.6): "would you vote for me in this term?". The message's
    /// `term` is the term the sender *would* campaign in (its `current_term + 1`); neither side
    /// changes its term or vote because of it.
    PreVote {
        /// Index of the pre-candidate's last log entry (§5.4.1).
        last_log_index: LogIndex,
        /// Term of the pre-candidate's last log entry (§5.4.1).
        last_log_term: Term,
    },
    /// Reply to PreVote. Its `term` is the request's term, so a pre-candidate recognizes replies
    /// to an older round; a refusal from a node whose own term is higher carries that higher
    /// term instead, and the pre-candidate adopts it (as etcd-raft does).
    PreVoteReply {
        /// True means the sender would grant its vote in that term.
        granted: bool,
    },
    /// TimeoutNow (dissertation §3.10): the leader tells the target of a leadership transfer,
    /// whose log it has brought up to date, to start an election at once.
    TimeoutNow,
    /// InstallSnapshot (§7, Figure 13): the leader sends its snapshot to a follower that needs
    /// entries the leader has compacted away. The whole snapshot travels in one message (no
    /// chunks). The follower answers with an AppendEntries reply whose `match_index` is the
    /// snapshot's last included index.
    InstallSnapshot {
        /// The snapshot.
        snapshot: Box<crate::snapshot::Snapshot>,
    },
    /// JoinCluster (the seed's membership RPC; dissertation §4.1, §4.2.1): a new server with an
    /// empty log asks to be added. Any member may receive it; a non-leader answers with a
    /// leader hint, exactly as for client operations. Its `term` is the sender's and is never
    /// adopted by the receiver (the joiner is not a member yet).
    JoinCluster,
    /// The answer to JoinCluster. Its `term` is the sender's and is not adopted either.
    JoinClusterReply {
        /// The outcome.
        result: JoinResult,
    },
}

/// How a JoinCluster request ended (or why it cannot proceed now).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JoinResult {
    /// The configuration that makes the joiner a voter is committed.
    Joined,
    /// The joiner is already a voter.
    AlreadyMember,
    /// Another membership change is in progress, or this new leader has not committed an entry
    /// of its own term yet (dissertation §4.1 and the 2015 single-server-change fix): try again.
    Busy,
    /// The receiver is not the leader; `leader_hint` is the leader it knows of.
    NotLeader {
        /// The current leader as far as the receiver knows.
        leader_hint: Option<NodeId>,
    },
    /// The joiner did not catch up within the allowed rounds (dissertation §4.2.1); the leader
    /// removed it again.
    TimedOut,
}

impl std::fmt::Display for JoinResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JoinResult::Joined => f.write_str("joined"),
            JoinResult::AlreadyMember => f.write_str("already a member"),
            JoinResult::Busy => f.write_str("busy with another membership change"),
            JoinResult::NotLeader {
                leader_hint: Some(l),
            } => write!(f, "not the leader; try Node {l}"),
            JoinResult::NotLeader { leader_hint: None } => {
                f.write_str("not the leader; no leader known")
            }
            JoinResult::TimedOut => f.write_str("timed out catching up"),
        }
    }
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
    /// PreVote (dissertation §9.6).
    PreVote,
    /// PreVote reply, granted or not.
    PreVoteReply,
    /// TimeoutNow (leader transfer, dissertation §3.10).
    TimeoutNow,
    /// InstallSnapshot (§7).
    InstallSnapshot,
    /// JoinCluster (a new server asks to join).
    JoinCluster,
    /// JoinCluster reply.
    JoinClusterReply,
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
            MessageKind::PreVote => "pre-vote",
            MessageKind::PreVoteReply => "pre-vote-reply",
            MessageKind::TimeoutNow => "timeout-now",
            MessageKind::InstallSnapshot => "install-snapshot",
            MessageKind::JoinCluster => "join-cluster",
            MessageKind::JoinClusterReply => "join-cluster-reply",
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
            MessageKind::PreVote => "PreVote",
            MessageKind::PreVoteReply => "pre-vote reply",
            MessageKind::TimeoutNow => "TimeoutNow",
            MessageKind::InstallSnapshot => "InstallSnapshot",
            MessageKind::JoinCluster => "JoinCluster",
            MessageKind::JoinClusterReply => "join reply",
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
            MessageBody::PreVote { .. } => MessageKind::PreVote,
            MessageBody::PreVoteReply { .. } => MessageKind::PreVoteReply,
            MessageBody::TimeoutNow => MessageKind::TimeoutNow,
            MessageBody::InstallSnapshot { .. } => MessageKind::InstallSnapshot,
            MessageBody::JoinCluster => MessageKind::JoinCluster,
            MessageBody::JoinClusterReply { .. } => MessageKind::JoinClusterReply,
        }
    }

    /// A one-line description for the trace, e.g. `AppendEntries(prev 3/2, 2 entries, commit 3)`.
    pub fn describe(&self) -> String {
        match &self.body {
            MessageBody::RequestVote {
                last_log_index,
                last_log_term,
                leader_transfer,
            } => format!(
                "RequestVote(term {}, last log {}/{}{})",
                self.term,
                last_log_index,
                last_log_term,
                if *leader_transfer {
                    ", leader transfer"
                } else {
                    ""
                }
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
            MessageBody::PreVote {
                last_log_index,
                last_log_term,
            } => format!(
                "PreVote(term {}, last log {}/{})",
                self.term, last_log_index, last_log_term
            ),
            MessageBody::PreVoteReply { granted } => format!(
                "PreVoteReply(term {}, {})",
                self.term,
                if *granted { "granted" } else { "denied" }
            ),
            MessageBody::TimeoutNow => format!("TimeoutNow(term {})", self.term),
            MessageBody::InstallSnapshot { snapshot } => format!(
                "InstallSnapshot(term {}, last included {}/{}, r = {})",
                self.term,
                snapshot.last_included.index,
                snapshot.last_included.term,
                snapshot.state.register
            ),
            MessageBody::JoinCluster => format!("JoinCluster(term {})", self.term),
            MessageBody::JoinClusterReply { result } => {
                format!("JoinClusterReply(term {}, {result})", self.term)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: MessageBody) -> Message {
        Message {
            from: NodeId(1),
            to: NodeId(2),
            term: Term(4),
            body,
        }
    }

    #[test]
    fn guard_messages_have_kinds_and_descriptions() {
        let pv = msg(MessageBody::PreVote {
            last_log_index: LogIndex(3),
            last_log_term: Term(2),
        });
        assert_eq!(pv.kind().as_str(), "pre-vote");
        assert_eq!(pv.describe(), "PreVote(term 4, last log 3/2)");
        let reply = msg(MessageBody::PreVoteReply { granted: false });
        assert_eq!(reply.kind().as_str(), "pre-vote-reply");
        assert_eq!(reply.describe(), "PreVoteReply(term 4, denied)");
        let tn = msg(MessageBody::TimeoutNow);
        assert_eq!(tn.kind().as_str(), "timeout-now");
        assert_eq!(tn.describe(), "TimeoutNow(term 4)");
        let rv = msg(MessageBody::RequestVote {
            last_log_index: LogIndex(3),
            last_log_term: Term(2),
            leader_transfer: true,
        });
        assert_eq!(
            rv.describe(),
            "RequestVote(term 4, last log 3/2, leader transfer)"
        );
    }

    #[test]
    fn request_vote_without_transfer_flag_deserializes() {
        let old = r#"{"RequestVote":{"last_log_index":3,"last_log_term":2}}"#;
        let body: MessageBody = serde_json::from_str(old).expect("old message loads");
        assert_eq!(
            body,
            MessageBody::RequestVote {
                last_log_index: LogIndex(3),
                last_log_term: Term(2),
                leader_transfer: false
            }
        );
    }
}
