//! The typed trace of a simulation, its text form and its determinism digest.

use super::client::OpSummary;
use super::network::{Endpoint, MessageId, RequestId};
use crate::command::{ApplyOutput, Command};
use crate::message::MessageKind;
use crate::node::{NodeEvent, RoleKind, VoteDenial};
use crate::types::{LogIndex, NodeId, Term};
use serde::{Deserialize, Serialize};
use std::hash::Hasher;

/// Severity of a trace line: protocol milestones are `Info`, individual messages `Debug`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    /// Per-message detail (sent, delivered, lost, applied).
    Debug,
    /// Role changes, votes, commits, faults, client outcomes.
    Info,
}

impl Level {
    /// `DEBUG` or `INFO`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
        }
    }
}

/// Why a message was not delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DropReason {
    /// The recipient was crashed when the message arrived (or crashed while it was in flight).
    RecipientCrashed,
}

/// One thing that happened in the simulation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TraceKind {
    /// A protocol event inside a node.
    Node {
        /// The node.
        node: NodeId,
        /// What happened.
        event: NodeEvent,
    },
    /// A message entered the network.
    Sent {
        /// Its id.
        id: MessageId,
        /// Sender.
        from: Endpoint,
        /// Recipient.
        to: Endpoint,
        /// Kind.
        kind: MessageKind,
    },
    /// A message reached its recipient.
    Delivered {
        /// Its id.
        id: MessageId,
        /// Sender.
        from: Endpoint,
        /// Recipient.
        to: Endpoint,
        /// Kind.
        kind: MessageKind,
    },
    /// A message was lost.
    Dropped {
        /// Its id.
        id: MessageId,
        /// Sender.
        from: Endpoint,
        /// Recipient.
        to: Endpoint,
        /// Kind.
        kind: MessageKind,
        /// Why.
        reason: DropReason,
    },
    /// A node applied a committed entry to its state machine.
    Applied {
        /// The node.
        node: NodeId,
        /// The entry's index.
        index: LogIndex,
        /// The command.
        command: Command,
        /// The result.
        output: ApplyOutput,
    },
    /// A node crashed (volatile state lost).
    Crashed {
        /// The node.
        node: NodeId,
    },
    /// A node restarted from its persisted state.
    Restarted {
        /// The node.
        node: NodeId,
        /// Its persisted term.
        term: Term,
        /// Entries in its persisted log.
        log_len: u64,
    },
    /// The client sent a request to a node.
    ClientSent {
        /// The request.
        request: RequestId,
        /// The command.
        command: Command,
        /// Recipient.
        to: NodeId,
        /// Attempt number, from 1.
        attempt: u32,
    },
    /// The client followed a `NotLeader` hint.
    ClientRedirected {
        /// The request.
        request: RequestId,
        /// The node that refused.
        from: NodeId,
        /// The hinted leader.
        to: NodeId,
    },
    /// The client will retry (timeout, no leader known, or leadership lost).
    ClientRetry {
        /// The request.
        request: RequestId,
        /// Why.
        reason: String,
    },
    /// The request completed.
    ClientCompleted {
        /// The request.
        request: RequestId,
        /// The outcome.
        summary: OpSummary,
    },
    /// The request failed for good.
    ClientFailed {
        /// The request.
        request: RequestId,
        /// Why.
        reason: String,
    },
}

/// A trace entry: what happened and when (virtual ms since the start of the run).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// Virtual time in ms.
    pub time_ms: u64,
    /// What happened.
    pub kind: TraceKind,
}

impl TraceEvent {
    /// Severity of this event.
    pub fn level(&self) -> Level {
        match self.kind {
            TraceKind::Sent { .. }
            | TraceKind::Delivered { .. }
            | TraceKind::Dropped { .. }
            | TraceKind::Applied { .. } => Level::Debug,
            _ => Level::Info,
        }
    }

    /// The message part of the text form, e.g. `Node 3 won election, becoming leader`.
    pub fn message(&self) -> String {
        match &self.kind {
            TraceKind::Node { node, event } => node_event_text(*node, event),
            TraceKind::Sent { from, to, kind, .. } => {
                format!("{from} sent {} to {to}", kind.label())
            }
            TraceKind::Delivered { from, to, kind, .. } => {
                format!("{to} received {} from {from}", kind.label())
            }
            TraceKind::Dropped { from, to, kind, .. } => {
                format!("{} from {from} to {to} lost: {to} is down", kind.label())
            }
            TraceKind::Applied {
                node,
                index,
                command,
                output,
            } => match output {
                ApplyOutput::Sum(s) => {
                    format!("Node {node} applied entry {index}: {command} = {s}")
                }
                ApplyOutput::Noop => format!("Node {node} applied entry {index}: no-op"),
            },
            TraceKind::Crashed { node } => format!("Node {node} crashed"),
            TraceKind::Restarted {
                node,
                term,
                log_len,
            } => format!(
                "Node {node} restarted as follower (term {term}, {log_len} log entries kept, commit index 0 until a leader says otherwise)"
            ),
            TraceKind::ClientSent {
                request,
                command,
                to,
                attempt,
            } => format!(
                "Client sent {command} (request {}, attempt {attempt}) to Node {to}",
                request.0
            ),
            TraceKind::ClientRedirected { request, from, to } => format!(
                "Node {from} is not the leader; client redirected request {} to Node {to}",
                request.0
            ),
            TraceKind::ClientRetry { request, reason } => {
                format!("Client retrying request {}: {reason}", request.0)
            }
            TraceKind::ClientCompleted { summary, .. } => summary.text(),
            TraceKind::ClientFailed { request, reason } => {
                format!("Client request {} failed: {reason}", request.0)
            }
        }
    }

    /// The full log line in the seed's format:
    /// `[2026-01-01 00:00:21,345] - INFO - Node 3 won election, becoming leader`.
    /// Virtual time 0 is 2026-01-01 00:00:00,000.
    pub fn line(&self) -> String {
        format!(
            "[{}] - {} - {}",
            format_timestamp(self.time_ms),
            self.level().as_str(),
            self.message()
        )
    }
}

fn node_event_text(node: NodeId, event: &NodeEvent) -> String {
    match event {
        NodeEvent::ElectionTimeout { term, forced } => {
            if *forced {
                format!("Node {node} election timeout forced, becoming candidate for term {term}")
            } else {
                format!("Node {node} election timeout, becoming candidate for term {term}")
            }
        }
        NodeEvent::BecameLeader { term, votes } => {
            let v: Vec<String> = votes.iter().map(|v| v.to_string()).collect();
            format!(
                "Node {node} won election, becoming leader (term {term}, votes from {{{}}})",
                v.join(",")
            )
        }
        NodeEvent::BecameFollower {
            term,
            from_role,
            leader,
            because_of,
        } => {
            let why = match (from_role, leader, because_of) {
                (RoleKind::Candidate, Some(l), _) => {
                    format!("learned that Node {l} is leader of term {term}")
                }
                (_, _, Some(n)) => format!("saw term {term} from Node {n}"),
                _ => format!("moved to term {term}"),
            };
            if *from_role == RoleKind::Follower {
                // Already a follower: only the term changed.
                format!("Node {node} {why}, updating its term")
            } else {
                format!("Node {node} {why}, becoming follower")
            }
        }
        NodeEvent::VoteGranted { candidate, term } => {
            format!("Node {node} voted for Node {candidate} in term {term}")
        }
        NodeEvent::VoteDenied {
            candidate,
            term,
            reason,
        } => {
            let why = match reason {
                VoteDenial::AlreadyVoted(v) => format!("already voted for Node {v}"),
                VoteDenial::LogNotUpToDate => "its log is not up to date".to_string(),
                VoteDenial::StaleTerm => "its term is stale".to_string(),
            };
            format!("Node {node} refused its vote to Node {candidate} in term {term}: {why}")
        }
        NodeEvent::Appended { entry, command } => format!(
            "Leader {node} appended entry {} (term {}): {command}",
            entry.index, entry.term
        ),
        NodeEvent::Truncated { from_index } => {
            format!("Node {node} deleted conflicting entries from index {from_index}")
        }
        NodeEvent::CommitAdvanced { commit_index } => {
            format!("Node {node} committed entries up to index {commit_index}")
        }
    }
}

/// Formats virtual milliseconds as `YYYY-MM-DD HH:mm:ss,SSS`, counting from
/// 2026-01-01 00:00:00,000.
///
/// The calendar arithmetic is the `time` crate's; the fields are written with `format!` rather
/// than `time`'s format descriptions, whose interpreter is a large part of the web app's
/// download. (Years stay within 2026..=9999, so `{:04}` is the whole year.)
pub fn format_timestamp(time_ms: u64) -> String {
    use time::macros::datetime;
    let ms = i64::try_from(time_ms).unwrap_or(i64::MAX);
    let at = datetime!(2026-01-01 0:00)
        .checked_add(time::Duration::milliseconds(ms))
        .unwrap_or(datetime!(9999-12-31 23:59:59.999));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02},{:03}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// The trace: every event in order, plus a running digest of all of them.
///
/// The digest is FNV-1a over each event's virtual time (little-endian `u64`), level and message
/// text, so two runs with equal digests produced the same events at the same times. It is
/// computed from fixed-width integers and strings only, so it is the same on wasm32 and 64-bit
/// hosts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Trace {
    events: Vec<TraceEvent>,
    digest: u64,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            events: Vec::new(),
            digest: fnv::FnvHasher::default().finish(),
        }
    }
}

impl Trace {
    /// Appends an event and folds it into the digest.
    pub fn push(&mut self, event: TraceEvent) {
        let mut h = fnv::FnvHasher::with_key(self.digest);
        h.write(&event.time_ms.to_le_bytes());
        h.write(event.level().as_str().as_bytes());
        h.write(event.message().as_bytes());
        self.digest = h.finish();
        self.events.push(event);
    }

    /// All events so far, oldest first.
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// The running digest of every event so far.
    pub fn digest(&self) -> u64 {
        self.digest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_format_matches_the_seed() {
        assert_eq!(format_timestamp(0), "2026-01-01 00:00:00,000");
        assert_eq!(format_timestamp(21_345), "2026-01-01 00:00:21,345");
        assert_eq!(format_timestamp(90_061_001), "2026-01-02 01:01:01,001");
        // A leap day, the years after, the last representable instant and beyond it.
        const DAY: u64 = 86_400_000;
        // 9999-12-31 23:59:59.999 minus 2026-01-01, in Unix milliseconds.
        const LAST: u64 = 253_402_300_799_999 - 1_767_225_600_000;
        for (ms, text) in [
            (DAY * (365 + 365 + 31 + 28), "2028-02-29 00:00:00,000"),
            (DAY * (365 + 365 + 366) - 1, "2028-12-31 23:59:59,999"),
            (LAST, "9999-12-31 23:59:59,999"),
            (LAST + 1, "9999-12-31 23:59:59,999"),
            (i64::MAX as u64, "9999-12-31 23:59:59,999"),
            (u64::MAX, "9999-12-31 23:59:59,999"),
        ] {
            assert_eq!(format_timestamp(ms), text, "{ms}");
        }
    }

    #[test]
    fn line_has_level_and_message() {
        let e = TraceEvent {
            time_ms: 21_345,
            kind: TraceKind::Node {
                node: NodeId(3),
                event: NodeEvent::ElectionTimeout {
                    term: Term(2),
                    forced: false,
                },
            },
        };
        assert_eq!(
            e.line(),
            "[2026-01-01 00:00:21,345] - INFO - Node 3 election timeout, becoming candidate for term 2"
        );
    }

    #[test]
    fn follower_that_only_adopts_a_term_is_not_said_to_become_follower() {
        let line = |from_role| {
            TraceEvent {
                time_ms: 0,
                kind: TraceKind::Node {
                    node: NodeId(4),
                    event: NodeEvent::BecameFollower {
                        term: Term(2),
                        from_role,
                        leader: None,
                        because_of: Some(NodeId(5)),
                    },
                },
            }
            .message()
        };
        assert_eq!(
            line(RoleKind::Follower),
            "Node 4 saw term 2 from Node 5, updating its term"
        );
        assert_eq!(
            line(RoleKind::Leader),
            "Node 4 saw term 2 from Node 5, becoming follower"
        );
    }

    #[test]
    fn digest_depends_on_content_and_order() {
        let a = TraceEvent {
            time_ms: 1,
            kind: TraceKind::Crashed { node: NodeId(1) },
        };
        let b = TraceEvent {
            time_ms: 1,
            kind: TraceKind::Crashed { node: NodeId(2) },
        };
        let mut t1 = Trace::default();
        t1.push(a.clone());
        t1.push(b.clone());
        let mut t2 = Trace::default();
        t2.push(b);
        t2.push(a);
        assert_ne!(t1.digest(), t2.digest());
        assert_ne!(t1.digest(), Trace::default().digest());
    }
}
