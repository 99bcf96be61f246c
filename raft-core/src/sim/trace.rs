//! The typed trace of a simulation, its text form and its determinism digest.

use super::client::OpSummary;
use super::link::LinkSettings;
use super::network::{Endpoint, MessageId, RequestId};
use crate::command::{ApplyOutput, Command};
use crate::message::MessageKind;
use crate::node::{NodeEvent, RoleKind, TransferAbandon, VoteDenial};
use crate::types::{LogIndex, NodeId, Term};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
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
    /// The link from the sender to the recipient was cut (when it was sent, or while it was
    /// in flight).
    LinkCut,
    /// The network lost it (the link's loss ratio).
    Lost,
    /// The user dropped it.
    ByUser,
}

impl DropReason {
    /// `recipient-crashed`, `link-cut`, `lost` or `by-user`.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::RecipientCrashed => "recipient-crashed",
            DropReason::LinkCut => "link-cut",
            DropReason::Lost => "lost",
            DropReason::ByUser => "by-user",
        }
    }
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
        /// The entry's term.
        #[serde(default)]
        term: Term,
        /// The command.
        command: Command,
        /// The result.
        output: ApplyOutput,
    },
    /// A node crashed (volatile state lost).
    Crashed {
        /// The node.
        node: NodeId,
        /// Writes it had made but not synced, lost with the crash (storage faults only).
        #[serde(default)]
        lost_writes: u64,
        /// The role it had when it crashed (`None` in traces saved before this field
        /// existed). Not part of the text line, so the digest does not depend on it.
        #[serde(default)]
        role: Option<RoleKind>,
    },
    /// A node was paused.
    Paused {
        /// The node.
        node: NodeId,
    },
    /// A paused node resumed.
    Resumed {
        /// The node.
        node: NodeId,
        /// Messages that had arrived while it was paused.
        waiting: u64,
    },
    /// One direction of a link was cut or restored.
    LinkChanged {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
        /// Whether it is now cut.
        cut: bool,
    },
    /// The cluster was split into groups (every link between groups cut both ways).
    Partitioned {
        /// The groups, each sorted, including the group of unlisted nodes.
        groups: Vec<Vec<NodeId>>,
    },
    /// Every link to and from a node was cut.
    Isolated {
        /// The node.
        node: NodeId,
    },
    /// Every link was restored and per-link settings removed.
    Healed,
    /// One direction of a link got its own settings, or went back to the defaults (`None`).
    LinkSettingsChanged {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
        /// The new settings.
        settings: Option<LinkSettings>,
    },
    /// PreVote and CheckQuorum were turned on or off on every node.
    GuardsChanged {
        /// PreVote on.
        pre_vote: bool,
        /// CheckQuorum on.
        check_quorum: bool,
    },
    /// The log size at which nodes compact (§7) was set for every node (`None`: never on
    /// their own).
    SnapshotThresholdChanged {
        /// Entries after the snapshot a log may hold before its node compacts it.
        entries: Option<u64>,
    },
    /// A new node started with an empty log and asked `contact` to let it join.
    NodeAdded {
        /// The new node.
        node: NodeId,
        /// The member it sends JoinCluster to first.
        contact: NodeId,
    },
    /// A node that had left the cluster was deleted from the simulation.
    NodeDismissed {
        /// The node.
        node: NodeId,
    },
    /// The network's default link settings changed.
    NetworkChanged {
        /// The new defaults.
        settings: LinkSettings,
    },
    /// A message was duplicated (by the network or the user).
    Duplicated {
        /// The original.
        id: MessageId,
        /// The copy.
        copy: MessageId,
        /// Sender.
        from: Endpoint,
        /// Recipient.
        to: Endpoint,
        /// Kind.
        kind: MessageKind,
        /// Whether the user asked for it.
        by_user: bool,
    },
    /// A node restarted from its persisted state.
    Restarted {
        /// The node.
        node: NodeId,
        /// Its persisted term.
        term: Term,
        /// Index of the last entry in its persisted log (counting entries replaced by its
        /// snapshot).
        log_len: u64,
        /// The last index its snapshot covers (0 without a snapshot, §7): it restarts with
        /// those entries committed and applied.
        #[serde(default)]
        snapshot_index: u64,
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
            | TraceKind::Dropped {
                reason: DropReason::RecipientCrashed | DropReason::LinkCut | DropReason::Lost,
                ..
            }
            | TraceKind::Duplicated { by_user: false, .. }
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
            TraceKind::Dropped {
                from,
                to,
                kind,
                reason,
                ..
            } => {
                let why = match reason {
                    DropReason::RecipientCrashed => format!("{to} is down"),
                    DropReason::LinkCut => format!("the link from {from} to {to} is cut"),
                    DropReason::Lost => "the network lost it".to_string(),
                    DropReason::ByUser => "dropped by the user".to_string(),
                };
                format!("{} from {from} to {to} lost: {why}", kind.label())
            }
            TraceKind::Duplicated {
                from,
                to,
                kind,
                by_user,
                ..
            } => {
                let who = if *by_user { "the user" } else { "the network" };
                format!("{} from {from} to {to} duplicated by {who}", kind.label())
            }
            TraceKind::Applied {
                node,
                index,
                command,
                output,
                ..
            } => match output {
                ApplyOutput::Sum(s) => {
                    format!("Node {node} applied entry {index}: {command} = {s}")
                }
                ApplyOutput::Value(v) => {
                    format!("Node {node} applied entry {index}: {command}, r = {v}")
                }
                ApplyOutput::Failed(e) => {
                    format!("Node {node} applied entry {index}: {command}: error: {e}")
                }
                ApplyOutput::Duplicate(first) => format!(
                    "Node {node} applied entry {index}: {command} was applied before: not again, answered with the first result ({})",
                    output_text(first)
                ),
                ApplyOutput::Stale { client, seq } => format!(
                    "Node {node} applied entry {index}: {command} is a late copy (client {client} settled #{seq}): ignored"
                ),
                ApplyOutput::Noop => format!("Node {node} applied entry {index}: {command}"),
            },
            TraceKind::Crashed {
                node,
                lost_writes: 0,
                ..
            } => format!("Node {node} crashed"),
            TraceKind::Crashed {
                node, lost_writes, ..
            } => format!(
                "Node {node} crashed, losing {lost_writes} unsynced write(s) (nothing it had sent depended on them)"
            ),
            TraceKind::Paused { node } => {
                format!("Node {node} paused: it keeps its state but processes nothing")
            }
            TraceKind::Resumed { node, waiting } => {
                format!("Node {node} resumed with {waiting} message(s) waiting for it")
            }
            TraceKind::LinkChanged {
                from,
                to,
                cut: true,
            } => {
                format!("Link from Node {from} to Node {to} cut")
            }
            TraceKind::LinkChanged {
                from,
                to,
                cut: false,
            } => format!("Link from Node {from} to Node {to} restored"),
            TraceKind::Partitioned { groups } => {
                let g: Vec<String> = groups
                    .iter()
                    .map(|g| {
                        let ids: Vec<String> = g.iter().map(|n| n.to_string()).collect();
                        format!("{{{}}}", ids.join(","))
                    })
                    .collect();
                format!("Network partitioned into {}", g.join(" | "))
            }
            TraceKind::Isolated { node } => {
                format!("Node {node} isolated: every link to and from it cut")
            }
            TraceKind::Healed => "Network healed: every link restored".to_string(),
            TraceKind::LinkSettingsChanged {
                from,
                to,
                settings: Some(l),
            } => format!("Link from Node {from} to Node {to} set to {}", link_text(l)),
            TraceKind::LinkSettingsChanged {
                from,
                to,
                settings: None,
            } => format!("Link from Node {from} to Node {to} back to the network defaults"),
            TraceKind::NodeAdded { node, contact } => format!(
                "Node {node} started with an empty log and asks Node {contact} to join the cluster"
            ),
            TraceKind::NodeDismissed { node } => {
                format!("Node {node} was shut down and dismissed")
            }
            TraceKind::GuardsChanged {
                pre_vote,
                check_quorum,
            } => {
                let on = |b: &bool| if *b { "on" } else { "off" };
                format!(
                    "Liveness guards set: PreVote {}, CheckQuorum {}",
                    on(pre_vote),
                    on(check_quorum)
                )
            }
            TraceKind::SnapshotThresholdChanged { entries: None } => {
                "Log compaction off: nodes take snapshots only when asked".to_string()
            }
            TraceKind::SnapshotThresholdChanged { entries: Some(n) } => format!(
                "Log compaction on: a node takes a snapshot once its log holds more than {n} entries"
            ),
            TraceKind::NetworkChanged { settings } => {
                format!("Network defaults set to {}", link_text(settings))
            }
            TraceKind::Restarted {
                node,
                term,
                log_len,
                snapshot_index: 0,
            } => format!(
                "Node {node} restarted as follower (term {term}, {log_len} log entries kept, commit index 0 until a leader says otherwise)"
            ),
            TraceKind::Restarted {
                node,
                term,
                log_len,
                snapshot_index,
            } => format!(
                "Node {node} restarted as follower from its snapshot up to entry {snapshot_index} (term {term}, log up to entry {log_len}; commit index {snapshot_index} until a leader says more)"
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

fn link_text(l: &LinkSettings) -> String {
    format!(
        "latency {}-{} ms, loss {}, duplication {}",
        l.latency_ms_min, l.latency_ms_max, l.loss, l.duplicate
    )
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
                (RoleKind::Candidate | RoleKind::PreCandidate, Some(l), _) => {
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
            let why = denial_text(reason);
            format!("Node {node} refused its vote to Node {candidate} in term {term}: {why}")
        }
        NodeEvent::PreVoteStarted { term, forced } => format!(
            "Node {node} election timeout{}, becoming pre-candidate for term {term}",
            if *forced { " forced" } else { "" }
        ),
        NodeEvent::PreVoteWon { term, votes } => {
            let v: Vec<String> = votes.iter().map(|v| v.to_string()).collect();
            format!(
                "Node {node} won the pre-vote (votes from {{{}}}), becoming candidate for term {term}",
                v.join(",")
            )
        }
        NodeEvent::PreVoteGranted { candidate, term } => {
            format!("Node {node} would vote for Node {candidate} in term {term} (pre-vote)")
        }
        NodeEvent::PreVoteDenied {
            candidate,
            term,
            reason,
        } => {
            let why = denial_text(reason);
            format!("Node {node} refused its pre-vote to Node {candidate} for term {term}: {why}")
        }
        NodeEvent::TimeoutNowReceived { term, from } => format!(
            "Node {node} received TimeoutNow from Node {from}, becoming candidate for term {term}"
        ),
        NodeEvent::QuorumLost {
            term,
            heard_from,
            window_ms,
        } => {
            let h: Vec<String> = heard_from.iter().map(|v| v.to_string()).collect();
            format!(
                "Leader {node} heard only from {{{}}} in the last {window_ms} ms, stepping down (term {term})",
                h.join(",")
            )
        }
        NodeEvent::TransferStarted { target, term } => {
            format!("Leader {node} is transferring leadership to Node {target} (term {term})")
        }
        NodeEvent::TransferAbandoned {
            target,
            term,
            reason,
        } => {
            let why = match reason {
                TransferAbandon::TimedOut => "it did not take over in time".to_string(),
                TransferAbandon::Superseded(n) => format!("transferring to Node {n} instead"),
            };
            format!("Leader {node} abandoned the transfer to Node {target} (term {term}): {why}")
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
        NodeEvent::ConfigChanged {
            index,
            membership,
            reverted,
            leader,
        } => {
            if *leader {
                format!("Leader {node} updated cluster configuration: {membership}")
            } else if *reverted {
                format!(
                    "Node {node} went back to cluster configuration {membership} (entry {index}): the newer one was deleted"
                )
            } else {
                format!("Node {node} now uses cluster configuration {membership} (entry {index})")
            }
        }
        NodeEvent::CatchUpRound {
            node: learner,
            round,
            index,
            took_ms,
        } => format!(
            "Leader {node}: Node {learner} caught up to index {index} in round {round} ({took_ms} ms)"
        ),
        NodeEvent::CatchUpAborted {
            node: learner,
            rounds,
        } => format!(
            "Leader {node} gave up on Node {learner} after {rounds} catch-up round(s): join timed out"
        ),
        NodeEvent::MemberJoined { node: joined } => format!("Node {joined} joined the cluster"),
        NodeEvent::MemberRemoved { node: left } => {
            format!("Node {left} was removed from the cluster")
        }
        NodeEvent::SnapshotTaken { last_included } => format!(
            "Node {node} took a snapshot up to entry {} (term {}) and compacted its log",
            last_included.index, last_included.term
        ),
        NodeEvent::SnapshotInstalled {
            last_included,
            from,
            kept_suffix,
        } => format!(
            "Node {node} installed a snapshot from Node {from} up to entry {} (term {}){}",
            last_included.index,
            last_included.term,
            if *kept_suffix {
                ", keeping the entries after it"
            } else {
                ", discarding its log"
            }
        ),
        NodeEvent::JoinFinished { from, result } => {
            format!("Node {node} got an answer to JoinCluster from Node {from}: {result}")
        }
    }
}

fn denial_text(reason: &VoteDenial) -> String {
    match reason {
        VoteDenial::AlreadyVoted(v) => format!("already voted for Node {v}"),
        VoteDenial::LogNotUpToDate => "its log is not up to date".to_string(),
        VoteDenial::StaleTerm => "its term is stale".to_string(),
        VoteDenial::LeaderLease(l) => {
            format!("it heard from leader Node {l} recently (lease), ignoring the request")
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

/// A result in a few words: `8`, `r = 8`, `error: ...`.
fn output_text(output: &ApplyOutput) -> String {
    match output.result() {
        ApplyOutput::Sum(s) => s.to_string(),
        ApplyOutput::Value(v) => format!("r = {v}"),
        ApplyOutput::Failed(e) => format!("error: {e}"),
        ApplyOutput::Noop => "no-op".to_string(),
        ApplyOutput::Duplicate(_) | ApplyOutput::Stale { .. } => "not applied".to_string(),
    }
}

/// The trace: every event in order, plus a running digest of all of them.
///
/// The digest is FNV-1a over each event's virtual time (little-endian `u64`), level and message
/// text, so two runs with equal digests produced the same events at the same times. It is
/// computed from fixed-width integers and strings only, so it is the same on wasm32 and 64-bit
/// hosts.
///
/// Formatting every event's text was half of the simulator's time, and only tests and replays
/// read the digest, so it is folded lazily: [`Trace::digest`] folds the events pushed since
/// the last call (the value is the same as folding at every push).
///
/// **Retention.** By default every event stays in memory. [`Trace::set_retention`] bounds
/// that for long interactive runs: the trace then keeps at least the newest `n` events (and
/// drops older ones in batches once it holds `n + n/4`), and folds the digest over every event
/// before dropping it, so [`Trace::digest`] still covers the whole run. Events keep their
/// *position*: the number of events pushed before them since the run began. [`Trace::events`]
/// is the retained window, which starts at position [`Trace::first_position`] and ends at
/// [`Trace::len_ever`]; both are 0 and `events().len()` when nothing was dropped, so readers
/// that index the trace by position work with and without retention ([`Trace::since`]).
///
/// The serialized form is `{ events, digest }` with the digest of all events, plus, only for
/// a trace that dropped events or has a retention, where the window starts and the retention.
#[derive(Clone, Debug)]
pub struct Trace {
    /// The retained events: positions `first..first + events.len()`.
    events: Vec<TraceEvent>,
    /// Position of `events[0]`: how many events were dropped.
    first: usize,
    /// Digest of every event before `first`.
    base_digest: u64,
    /// Digest of the events before position `digested` (`first <= digested <= len_ever`).
    digest: Cell<u64>,
    digested: Cell<usize>,
    /// Keep at least this many events (`None`: all).
    retention: Option<usize>,
}

/// A point in a trace: the number of events pushed before it and the digest of those events.
/// [`Trace::rewind`] goes back to it even when those events are no longer in memory (time
/// travel's checkpoints keep one each).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceMark {
    /// Events before the point.
    pub len: usize,
    /// Digest of those events.
    pub digest: u64,
}

fn empty_digest() -> u64 {
    fnv::FnvHasher::default().finish()
}

/// Folds one event into a digest.
fn fold(digest: u64, event: &TraceEvent) -> u64 {
    let mut h = fnv::FnvHasher::with_key(digest);
    h.write(&event.time_ms.to_le_bytes());
    h.write(event.level().as_str().as_bytes());
    h.write(event.message().as_bytes());
    h.finish()
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            events: Vec::new(),
            first: 0,
            base_digest: empty_digest(),
            digest: Cell::new(empty_digest()),
            digested: Cell::new(0),
            retention: None,
        }
    }
}

/// Where the retained window of a serialized trace starts (absent when nothing was dropped).
#[derive(Clone, Copy, Serialize, Deserialize)]
struct Window {
    first_position: usize,
    base_digest: u64,
}

/// The serialized form of a [`Trace`] (as it was when the digest was folded at every push).
#[derive(Serialize)]
struct TraceRef<'a> {
    events: &'a [TraceEvent],
    digest: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<Window>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retention: Option<usize>,
}

#[derive(Deserialize)]
struct TraceOwned {
    events: Vec<TraceEvent>,
    digest: u64,
    #[serde(default)]
    window: Option<Window>,
    #[serde(default)]
    retention: Option<usize>,
}

impl Serialize for Trace {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TraceRef {
            events: &self.events,
            digest: self.digest(),
            window: (self.first > 0).then_some(Window {
                first_position: self.first,
                base_digest: self.base_digest,
            }),
            retention: self.retention,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Trace {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let t = TraceOwned::deserialize(deserializer)?;
        let window = t.window.unwrap_or(Window {
            first_position: 0,
            base_digest: empty_digest(),
        });
        let len_ever = window.first_position.saturating_add(t.events.len());
        Ok(Trace {
            first: window.first_position,
            base_digest: window.base_digest,
            digested: Cell::new(len_ever),
            digest: Cell::new(t.digest),
            events: t.events,
            retention: t.retention,
        })
    }
}

impl Trace {
    /// Appends an event (its digest is folded in when [`Trace::digest`] is next called, or
    /// before the event is dropped by the retention).
    pub fn push(&mut self, event: TraceEvent) {
        self.events.push(event);
        if let Some(keep) = self.retention
            && self.events.len() > keep + (keep / 4).max(1)
        {
            self.drop_oldest(self.events.len() - keep);
        }
    }

    /// The retained events, oldest first: every event of the run unless a retention is set
    /// (then the newest ones, from position [`Trace::first_position`]).
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// Position of the first retained event: how many events were dropped (0 without a
    /// retention).
    pub fn first_position(&self) -> usize {
        self.first
    }

    /// How many events the run has pushed, dropped ones included: the position the next event
    /// will have.
    pub fn len_ever(&self) -> usize {
        self.first + self.events.len()
    }

    /// The retained events at positions `pos` and later (all retained events if `pos` was
    /// dropped, none if `pos` is [`Trace::len_ever`] or beyond): what an incremental reader that
    /// has seen the events before `pos` reads next.
    pub fn since(&self, pos: usize) -> &[TraceEvent] {
        let start = pos.saturating_sub(self.first).min(self.events.len());
        &self.events[start..]
    }

    /// The retention: at least how many of the newest events are kept (`None`: all).
    pub fn retention(&self) -> Option<usize> {
        self.retention
    }

    /// Keeps at least the newest `keep` events in memory from now on, and at most
    /// `keep + keep / 4`; `None` keeps every event (the default). The digest still covers
    /// every event. Dropping happens at once if the trace holds more than `keep`.
    pub fn set_retention(&mut self, keep: Option<usize>) {
        self.retention = keep;
        if let Some(keep) = keep
            && self.events.len() > keep
        {
            self.drop_oldest(self.events.len() - keep);
        }
    }

    /// Drops the `n` oldest retained events, folding them into the digest first.
    #[cold]
    #[inline(never)]
    fn drop_oldest(&mut self, n: usize) {
        let n = n.min(self.events.len());
        let cut = self.first + n;
        let (digest, digested) = (self.digest.get(), self.digested.get());
        // Fold from where the digest is, or from the window's start if it is past the cut.
        let (mut d, from) = if digested <= cut {
            (digest, digested)
        } else {
            (self.base_digest, self.first)
        };
        for event in &self.events[from - self.first..n] {
            d = fold(d, event);
        }
        self.events.drain(..n);
        self.first = cut;
        self.base_digest = d;
        if digested <= cut {
            self.digest.set(d);
            self.digested.set(cut);
        }
    }

    /// Keeps only the events before position `len` (time travel going back). Positions before
    /// [`Trace::first_position`] are no longer in memory, and neither is the digest there:
    /// this keeps no retained event then, and the trace goes on from `first_position`; use
    /// [`Trace::rewind`] with a [`TraceMark`] to go back further. The digest is folded again
    /// from the window's start when next asked for, if it had covered dropped events.
    pub fn truncate(&mut self, len: usize) {
        let len = len.max(self.first);
        if len >= self.len_ever() {
            return;
        }
        self.events.truncate(len - self.first);
        if self.digested.get() > len {
            self.digest.set(self.base_digest);
            self.digested.set(self.first);
        }
    }

    /// The present point: [`Trace::len_ever`] and the digest of every event (folded now).
    pub fn mark(&self) -> TraceMark {
        TraceMark {
            len: self.len_ever(),
            digest: self.digest(),
        }
    }

    /// Goes back to `mark`, an earlier point of this trace: the events after it are dropped and
    /// the digest is the mark's. If the mark is before the retained window, the trace restarts
    /// empty at the mark's position (the events between it and the window are gone from
    /// memory; the digest is exact). A mark at or after the present changes nothing.
    pub fn rewind(&mut self, mark: TraceMark) {
        if mark.len >= self.len_ever() {
            return;
        }
        if mark.len >= self.first {
            self.events.truncate(mark.len - self.first);
        } else {
            self.events.clear();
            self.first = mark.len;
            self.base_digest = mark.digest;
        }
        self.digest.set(mark.digest);
        self.digested.set(mark.len);
    }

    /// The running digest of every event so far (dropped ones included).
    pub fn digest(&self) -> u64 {
        let mut digest = self.digest.get();
        for event in &self.events[self.digested.get() - self.first..] {
            digest = fold(digest, event);
        }
        self.digest.set(digest);
        self.digested.set(self.len_ever());
        digest
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
    fn guard_events_read_as_log_lines() {
        let text = |event| {
            TraceEvent {
                time_ms: 0,
                kind: TraceKind::Node {
                    node: NodeId(2),
                    event,
                },
            }
            .message()
        };
        assert_eq!(
            text(NodeEvent::PreVoteStarted {
                term: Term(4),
                forced: false
            }),
            "Node 2 election timeout, becoming pre-candidate for term 4"
        );
        assert_eq!(
            text(NodeEvent::QuorumLost {
                term: Term(3),
                heard_from: [NodeId(2)].into(),
                window_ms: 20_000
            }),
            "Leader 2 heard only from {2} in the last 20000 ms, stepping down (term 3)"
        );
        assert_eq!(
            text(NodeEvent::VoteDenied {
                candidate: NodeId(5),
                term: Term(3),
                reason: VoteDenial::LeaderLease(NodeId(1))
            }),
            "Node 2 refused its vote to Node 5 in term 3: it heard from leader Node 1 recently (lease), ignoring the request"
        );
        assert_eq!(
            text(NodeEvent::TransferAbandoned {
                target: NodeId(3),
                term: Term(3),
                reason: TransferAbandon::TimedOut
            }),
            "Leader 2 abandoned the transfer to Node 3 (term 3): it did not take over in time"
        );
    }

    #[test]
    fn digest_depends_on_content_and_order() {
        let a = TraceEvent {
            time_ms: 1,
            kind: TraceKind::Crashed {
                node: NodeId(1),
                lost_writes: 0,
                role: None,
            },
        };
        let b = TraceEvent {
            time_ms: 1,
            kind: TraceKind::Crashed {
                node: NodeId(2),
                lost_writes: 0,
                role: None,
            },
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

    #[test]
    fn lazy_digest_equals_folding_at_every_push_and_survives_serde() {
        let events: Vec<TraceEvent> = (0..5)
            .map(|i| TraceEvent {
                time_ms: i,
                kind: TraceKind::Crashed {
                    node: NodeId(i),
                    lost_writes: 0,
                    role: None,
                },
            })
            .collect();
        let mut eager = Trace::default();
        let mut lazy = Trace::default();
        for e in &events {
            eager.push(e.clone());
            eager.digest();
            lazy.push(e.clone());
        }
        assert_eq!(lazy.digest(), eager.digest());
        // Serialized with the digest of every event; restored, it folds on from there.
        let mut half = Trace::default();
        half.push(events[0].clone());
        half.push(events[1].clone());
        let json = serde_json::to_string(&half).expect("serialize");
        assert!(
            json.contains(&format!("\"digest\":{}", half.digest())),
            "{json}"
        );
        let mut restored: Trace = serde_json::from_str(&json).expect("deserialize");
        for e in &events[2..] {
            restored.push(e.clone());
        }
        assert_eq!(restored.digest(), eager.digest());
        assert_eq!(restored.events(), eager.events());
    }

    fn crash_event(i: u64) -> TraceEvent {
        TraceEvent {
            time_ms: i,
            kind: TraceKind::Crashed {
                node: NodeId(i % 7),
                lost_writes: i,
                role: None,
            },
        }
    }

    #[test]
    fn retention_keeps_positions_and_rewinds_before_the_window_with_the_exact_digest() {
        let mut full = Trace::default();
        let mut kept = Trace::default();
        kept.set_retention(Some(10));
        let mut marks = Vec::new();
        for i in 0..100 {
            if i % 25 == 0 {
                marks.push((full.mark(), kept.mark()));
            }
            full.push(crash_event(i));
            kept.push(crash_event(i));
            assert!((10..=12).contains(&kept.events().len()) || kept.len_ever() < 10);
            assert_eq!(kept.events(), &full.events()[kept.first_position()..]);
        }
        assert_eq!(kept.len_ever(), 100);
        assert_eq!(kept.first_position(), 100 - kept.events().len());
        assert_eq!(kept.digest(), full.digest());
        assert!(marks.iter().all(|(f, k)| f == k), "marks agree");
        // Back into the window: exact, as truncating the full trace.
        let (inside, _) = marks[3];
        assert!(inside.len < kept.first_position(), "75 was dropped");
        let mut cut = full.clone();
        cut.truncate(95);
        let mut k = kept.clone();
        k.truncate(95);
        assert_eq!((k.len_ever(), k.digest()), (95, cut.digest()));
        // Truncating before the window keeps what it can: nothing of the window.
        let mut k = kept.clone();
        k.truncate(3);
        assert_eq!(
            (k.first_position(), k.len_ever()),
            (kept.first_position(), kept.first_position())
        );
        // Rewinding before the window restarts the trace at the mark, digest exact; pushing the
        // same events again gives the same digest as the full trace.
        let (mark, _) = marks[1];
        kept.rewind(mark);
        full.rewind(mark);
        assert_eq!((kept.first_position(), kept.len_ever()), (25, 25));
        assert!(kept.events().is_empty());
        assert_eq!(kept.digest(), full.digest());
        assert_eq!(full.events().len(), 25);
        for i in 25..60 {
            full.push(crash_event(i));
            kept.push(crash_event(i));
        }
        assert_eq!(kept.digest(), full.digest());
        assert_eq!(kept.events(), &full.events()[kept.first_position()..]);
        // Serialized with its window; restored, it goes on alike.
        let json = serde_json::to_string(&kept).expect("serialize");
        let mut back: Trace = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(
            (back.first_position(), back.len_ever()),
            (kept.first_position(), 60)
        );
        assert_eq!(back.retention(), Some(10));
        back.push(crash_event(60));
        full.push(crash_event(60));
        back.truncate(58);
        full.truncate(58);
        assert_eq!(back.digest(), full.digest());
        // Turning the retention on trims at once; off keeps everything from then on.
        full.set_retention(Some(5));
        assert_eq!((full.events().len(), full.first_position()), (5, 53));
        full.set_retention(None);
        for i in 58..200 {
            full.push(crash_event(i));
        }
        assert_eq!(full.first_position(), 53);
        assert_eq!(full.since(190).len(), 10);
        assert!(full.since(500).is_empty());
    }
}
