//! The simulated network: a queue of in-flight messages ordered by delivery time, and the
//! fault state of every directed link between nodes (cut or up, latency, loss, duplication).
//!
//! Links from and to the client are not part of the fault model: the client reaches every
//! node with the default latency, without loss or duplication, whatever partitions exist
//! between the nodes (faults are about the cluster's internal network).

use super::link::{LinkSettings, LinkState};
use super::trace::DropReason;
use crate::command::{Command, CommandError};
use crate::message::{Message, MessageBody, MessageKind};
use crate::types::NodeId;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::fmt;

/// Identifier of one message in flight, unique within a simulation and increasing in send
/// order (the tie-breaker between messages delivered at the same virtual millisecond).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct MessageId(pub u64);

/// Identifier of one client request (the simulator's client numbers them from 1).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct RequestId(pub u64);

/// Who sends or receives a message: a Raft node or the simulated client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Endpoint {
    /// A cluster node.
    Node(NodeId),
    /// The simulated client.
    Client,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Node(n) => write!(f, "Node {n}"),
            Endpoint::Client => write!(f, "Client"),
        }
    }
}

/// A node's answer to a client request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientReply {
    /// The command was committed and applied by the replying leader.
    Done {
        /// The result of the `Add`.
        sum: i64,
    },
    /// A register operation was committed and applied: the register's value after it (its
    /// value, for a read).
    Value(i64),
    /// The command was committed and applied, and its result is an error (a register
    /// overflow, the same on every node), or it was a stale copy that was not applied.
    Failed(CommandError),
    /// The node is not the leader (§8: "it will reject the client's request and supply
    /// information about the most recent leader it has heard from").
    NotLeader {
        /// The leader the node knows of, if any.
        leader_hint: Option<NodeId>,
    },
    /// The command is invalid and was not appended.
    Rejected(CommandError),
    /// The entry was appended but replaced by another leader's entry before committing.
    LeadershipLost,
}

/// What a message in flight carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payload {
    /// A Raft RPC or reply between nodes.
    Raft(Message),
    /// A client request to a node.
    ClientRequest {
        /// The request.
        request: RequestId,
        /// The command to run.
        command: Command,
    },
    /// A node's reply to the client.
    ClientReply {
        /// The request answered.
        request: RequestId,
        /// The answer.
        reply: ClientReply,
    },
}

/// One message in flight. `sent_at_ms` and `deliver_at_ms` (virtual ms) let a viewer place it
/// on its path by interpolation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Unique id, increasing in send order.
    pub id: MessageId,
    /// Sender.
    pub from: Endpoint,
    /// Recipient.
    pub to: Endpoint,
    /// Virtual time it was sent (ms).
    pub sent_at_ms: u64,
    /// Virtual time it will be delivered (ms), unless dropped first.
    pub deliver_at_ms: u64,
    /// Whether the network will lose it: a lost message travels like any other but is dropped
    /// when it arrives (random loss, decided when it was sent).
    #[serde(default)]
    pub lost: bool,
    /// Whether it is a copy made by the network (random duplication or a user's "duplicate").
    #[serde(default)]
    pub duplicate: bool,
    /// Contents.
    pub payload: Payload,
}

impl Payload {
    /// The kind used by the app (`data-message-kind`) and the trace.
    pub fn kind(&self) -> MessageKind {
        match self {
            Payload::Raft(m) => m.kind(),
            Payload::ClientRequest { .. } => MessageKind::ClientRequest,
            Payload::ClientReply { .. } => MessageKind::ClientReply,
        }
    }
}

impl Envelope {
    /// The kind used by the app (`data-message-kind`) and the trace.
    pub fn kind(&self) -> MessageKind {
        self.payload.kind()
    }

    /// Number of log entries it carries (AppendEntries only, else 0).
    pub fn entry_count(&self) -> usize {
        match &self.payload {
            Payload::Raft(Message {
                body: MessageBody::AppendEntries { entries, .. },
                ..
            }) => entries.len(),
            _ => 0,
        }
    }

    /// A one-line description of the contents.
    pub fn describe(&self) -> String {
        match &self.payload {
            Payload::Raft(m) => m.describe(),
            Payload::ClientRequest { request, command } => {
                format!("ClientRequest(#{}, {command})", request.0)
            }
            Payload::ClientReply { request, reply } => match reply {
                ClientReply::Done { sum } => format!("ClientReply(#{}, result {sum})", request.0),
                ClientReply::Value(v) => format!("ClientReply(#{}, r = {v})", request.0),
                ClientReply::Failed(e) => format!("ClientReply(#{}, error: {e})", request.0),
                ClientReply::NotLeader {
                    leader_hint: Some(l),
                } => format!("ClientReply(#{}, not leader, try Node {l})", request.0),
                ClientReply::NotLeader { leader_hint: None } => {
                    format!("ClientReply(#{}, not leader, no leader known)", request.0)
                }
                ClientReply::Rejected(e) => format!("ClientReply(#{}, rejected: {e})", request.0),
                ClientReply::LeadershipLost => {
                    format!("ClientReply(#{}, leadership lost)", request.0)
                }
            },
        }
    }
}

/// A message that was dropped, with enough to draw where it vanished: a viewer interpolates
/// between `sent_at_ms` and `deliver_at_ms` at `dropped_at_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroppedMessage {
    /// Its id.
    pub id: MessageId,
    /// Sender.
    pub from: Endpoint,
    /// Recipient.
    pub to: Endpoint,
    /// Kind.
    pub kind: MessageKind,
    /// When it was sent (virtual ms).
    pub sent_at_ms: u64,
    /// When it would have arrived (virtual ms).
    pub deliver_at_ms: u64,
    /// When it was dropped (virtual ms).
    pub dropped_at_ms: u64,
    /// Number of log entries it carried (AppendEntries only, else 0).
    pub entries: usize,
    /// Why.
    pub reason: DropReason,
}

/// Messages in flight, ordered by `(deliver_at_ms, id)`: the simulator always delivers the
/// earliest, and among equals the one sent first. Also the state of every directed link.
///
/// The collections are sorted vectors rather than B-trees: they hold a few dozen items at
/// most, and each B-tree key/value type costs kilobytes of code in the app's download.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Network {
    /// Sorted by `(deliver_at_ms, id)`: new messages go near the back, the earliest leaves
    /// from the front.
    #[serde(with = "in_flight_as_list")]
    in_flight: VecDeque<Envelope>,
    next_id: u64,
    /// Settings of every link without an override.
    #[serde(default)]
    defaults: LinkSettings,
    /// Per directed link `(from, to)`, sorted by link: settings that replace the defaults.
    #[serde(default, with = "overrides_as_list")]
    overrides: Vec<(NodeId, NodeId, LinkSettings)>,
    /// Directed links `(from, to)` that deliver nothing, sorted (a set, serialized as a list).
    #[serde(default, deserialize_with = "cut_from_list")]
    cut: Vec<(NodeId, NodeId)>,
}

/// The key messages in flight are ordered by.
fn flight_key(e: &Envelope) -> (u64, MessageId) {
    (e.deliver_at_ms, e.id)
}

/// Puts a message into the sorted in-flight queue.
fn insert_in_flight(queue: &mut VecDeque<Envelope>, e: Envelope) {
    let key = flight_key(&e);
    let at = queue.partition_point(|x| flight_key(x) < key);
    queue.insert(at, e);
}

/// Where the link `(from, to)` is, or would go, in a list sorted by link.
fn find_link<T>(
    list: &[T],
    link: (NodeId, NodeId),
    key: impl Fn(&T) -> (NodeId, NodeId),
) -> Result<usize, usize> {
    list.binary_search_by(|x| key(x).cmp(&link))
}

/// Reads the cut links (any order, repeats allowed, as a set would be) into a sorted list.
fn cut_from_list<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<(NodeId, NodeId)>, D::Error> {
    let mut cut = Vec::new();
    for link in Vec::<(NodeId, NodeId)>::deserialize(d)? {
        if let Err(at) = find_link(&cut, link, |&l| l) {
            cut.insert(at, link);
        }
    }
    Ok(cut)
}

impl Network {
    /// An empty network whose links all use `defaults`.
    pub fn new(defaults: LinkSettings) -> Network {
        Network {
            defaults,
            ..Network::default()
        }
    }

    /// Queues a message; returns its id.
    pub fn send(
        &mut self,
        from: Endpoint,
        to: Endpoint,
        sent_at_ms: u64,
        deliver_at_ms: u64,
        payload: Payload,
    ) -> MessageId {
        self.enqueue(from, to, sent_at_ms, deliver_at_ms, false, false, payload)
    }

    /// Queues a message with its fate flags; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn enqueue(
        &mut self,
        from: Endpoint,
        to: Endpoint,
        sent_at_ms: u64,
        deliver_at_ms: u64,
        lost: bool,
        duplicate: bool,
        payload: Payload,
    ) -> MessageId {
        self.next_id += 1;
        let id = MessageId(self.next_id);
        insert_in_flight(
            &mut self.in_flight,
            Envelope {
                id,
                from,
                to,
                sent_at_ms,
                deliver_at_ms,
                lost,
                duplicate,
                payload,
            },
        );
        id
    }

    /// Takes the next message id without queueing anything (for a message dropped the moment
    /// it is sent).
    pub(crate) fn allocate_id(&mut self) -> MessageId {
        self.next_id += 1;
        MessageId(self.next_id)
    }

    /// The message in flight with this id, if any.
    pub fn get(&self, id: MessageId) -> Option<&Envelope> {
        self.in_flight.iter().find(|e| e.id == id)
    }

    /// Removes the message in flight with this id.
    pub fn remove(&mut self, id: MessageId) -> Option<Envelope> {
        let at = self.in_flight.iter().position(|e| e.id == id)?;
        self.in_flight.remove(at)
    }

    // ----- link state -----

    /// The settings used by links without an override.
    pub fn defaults(&self) -> &LinkSettings {
        &self.defaults
    }

    /// The settings of the directed link `from → to` (its override, or the defaults).
    pub fn settings(&self, from: NodeId, to: NodeId) -> &LinkSettings {
        self.link_override(from, to).unwrap_or(&self.defaults)
    }

    /// The override of the directed link `from → to`, if it has one.
    pub fn link_override(&self, from: NodeId, to: NodeId) -> Option<&LinkSettings> {
        let at = find_link(&self.overrides, (from, to), |o| (o.0, o.1)).ok()?;
        Some(&self.overrides[at].2)
    }

    /// Whether the directed link `from → to` is cut.
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        find_link(&self.cut, (from, to), |&l| l).is_ok()
    }

    /// Every cut directed link `(from, to)`, in order.
    pub fn cut_links(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.cut.iter().copied()
    }

    /// Whether any link has its own settings.
    pub fn has_overrides(&self) -> bool {
        !self.overrides.is_empty()
    }

    /// Whether any link is cut.
    pub fn has_cuts(&self) -> bool {
        !self.cut.is_empty()
    }

    /// The state of the undirected link between `a` and `b`, seen with `a` as the smaller id
    /// (the arguments may come in either order).
    pub fn link_state(&self, a: NodeId, b: NodeId) -> LinkState {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        match (self.is_cut(a, b), self.is_cut(b, a)) {
            (true, true) => LinkState::Cut,
            (true, false) => LinkState::CutAToB,
            (false, true) => LinkState::CutBToA,
            (false, false) => {
                if self.settings(a, b).is_faulty() || self.settings(b, a).is_faulty() {
                    LinkState::Lossy
                } else {
                    LinkState::Up
                }
            }
        }
    }

    pub(crate) fn set_defaults(&mut self, settings: LinkSettings) {
        self.defaults = settings;
    }

    pub(crate) fn set_override(&mut self, from: NodeId, to: NodeId, s: Option<LinkSettings>) {
        match (find_link(&self.overrides, (from, to), |o| (o.0, o.1)), s) {
            (Ok(at), Some(s)) => self.overrides[at].2 = s,
            (Err(at), Some(s)) => self.overrides.insert(at, (from, to, s)),
            (Ok(at), None) => {
                self.overrides.remove(at);
            }
            (Err(_), None) => {}
        }
    }

    /// Cuts or restores one direction; returns whether anything changed.
    pub(crate) fn set_cut(&mut self, from: NodeId, to: NodeId, cut: bool) -> bool {
        match (find_link(&self.cut, (from, to), |&l| l), cut) {
            (Err(at), true) => self.cut.insert(at, (from, to)),
            (Ok(at), false) => {
                self.cut.remove(at);
            }
            _ => return false,
        }
        true
    }

    /// Restores every cut link and removes every per-link override.
    pub(crate) fn heal_all(&mut self) {
        self.cut.clear();
        self.overrides.clear();
    }

    /// Delivery time of the earliest message, if any.
    pub fn next_delivery_ms(&self) -> Option<u64> {
        self.in_flight.front().map(|e| e.deliver_at_ms)
    }

    /// Removes and returns the earliest message.
    pub fn pop_next(&mut self) -> Option<Envelope> {
        self.in_flight.pop_front()
    }

    /// Removes every message matching `pred` and returns them in delivery order.
    pub fn remove_where(&mut self, mut pred: impl FnMut(&Envelope) -> bool) -> Vec<Envelope> {
        let mut removed = Vec::new();
        for e in std::mem::take(&mut self.in_flight) {
            if pred(&e) {
                removed.push(e);
            } else {
                self.in_flight.push_back(e);
            }
        }
        removed
    }

    /// Messages in flight, in delivery order.
    pub fn in_flight(&self) -> impl Iterator<Item = &Envelope> {
        self.in_flight.iter()
    }

    /// Number of messages in flight.
    pub fn len(&self) -> usize {
        self.in_flight.len()
    }

    /// Whether nothing is in flight.
    pub fn is_empty(&self) -> bool {
        self.in_flight.is_empty()
    }
}

/// Serializes the in-flight queue as a plain list in delivery order (formats whose map keys
/// must be strings, like JSON, could not hold a map keyed by `(time, id)`).
mod in_flight_as_list {
    use super::{Envelope, insert_in_flight};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::VecDeque;

    pub fn serialize<S: Serializer>(queue: &VecDeque<Envelope>, s: S) -> Result<S::Ok, S::Error> {
        queue.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<VecDeque<Envelope>, D::Error> {
        let mut queue = VecDeque::new();
        for e in Vec::<Envelope>::deserialize(d)? {
            insert_in_flight(&mut queue, e);
        }
        Ok(queue)
    }
}

/// Serializes the per-link overrides as a list of `(from, to, settings)`: their keys are pairs,
/// and formats whose map keys must be strings (JSON) cannot hold a map keyed by pairs.
mod overrides_as_list {
    use super::{LinkSettings, find_link};
    use crate::types::NodeId;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        list: &[(NodeId, NodeId, LinkSettings)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        list.serialize(s)
    }

    /// Sorts by link; a link listed twice keeps its last settings (as a map would).
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(NodeId, NodeId, LinkSettings)>, D::Error> {
        let mut list: Vec<(NodeId, NodeId, LinkSettings)> = Vec::new();
        for (from, to, l) in Vec::<(NodeId, NodeId, LinkSettings)>::deserialize(d)? {
            match find_link(&list, (from, to), |o| (o.0, o.1)) {
                Ok(at) => list[at].2 = l,
                Err(at) => list.insert(at, (from, to, l)),
            }
        }
        Ok(list)
    }
}
