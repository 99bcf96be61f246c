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
use std::collections::{BTreeMap, BTreeSet};
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
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Network {
    #[serde(with = "in_flight_as_list")]
    in_flight: BTreeMap<(u64, MessageId), Envelope>,
    next_id: u64,
    /// Settings of every link without an override.
    #[serde(default)]
    defaults: LinkSettings,
    /// Per directed link `(from, to)`: settings that replace the defaults.
    #[serde(default, with = "overrides_as_list")]
    overrides: BTreeMap<(NodeId, NodeId), LinkSettings>,
    /// Directed links `(from, to)` that deliver nothing.
    #[serde(default)]
    cut: BTreeSet<(NodeId, NodeId)>,
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
        self.in_flight.insert(
            (deliver_at_ms, id),
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
        self.in_flight.values().find(|e| e.id == id)
    }

    /// Removes the message in flight with this id.
    pub fn remove(&mut self, id: MessageId) -> Option<Envelope> {
        let key = self
            .in_flight
            .iter()
            .find(|(_, e)| e.id == id)
            .map(|(k, _)| *k)?;
        self.in_flight.remove(&key)
    }

    // ----- link state -----

    /// The settings used by links without an override.
    pub fn defaults(&self) -> &LinkSettings {
        &self.defaults
    }

    /// The settings of the directed link `from → to` (its override, or the defaults).
    pub fn settings(&self, from: NodeId, to: NodeId) -> &LinkSettings {
        self.overrides.get(&(from, to)).unwrap_or(&self.defaults)
    }

    /// The override of the directed link `from → to`, if it has one.
    pub fn link_override(&self, from: NodeId, to: NodeId) -> Option<&LinkSettings> {
        self.overrides.get(&(from, to))
    }

    /// Whether the directed link `from → to` is cut.
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.cut.contains(&(from, to))
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
        match s {
            Some(s) => {
                self.overrides.insert((from, to), s);
            }
            None => {
                self.overrides.remove(&(from, to));
            }
        }
    }

    /// Cuts or restores one direction; returns whether anything changed.
    pub(crate) fn set_cut(&mut self, from: NodeId, to: NodeId, cut: bool) -> bool {
        if cut {
            self.cut.insert((from, to))
        } else {
            self.cut.remove(&(from, to))
        }
    }

    /// Restores every cut link and removes every per-link override.
    pub(crate) fn heal_all(&mut self) {
        self.cut.clear();
        self.overrides.clear();
    }

    /// Delivery time of the earliest message, if any.
    pub fn next_delivery_ms(&self) -> Option<u64> {
        self.in_flight.keys().next().map(|(t, _)| *t)
    }

    /// Removes and returns the earliest message.
    pub fn pop_next(&mut self) -> Option<Envelope> {
        self.in_flight.pop_first().map(|(_, e)| e)
    }

    /// Removes every message matching `pred` and returns them in delivery order.
    pub fn remove_where(&mut self, mut pred: impl FnMut(&Envelope) -> bool) -> Vec<Envelope> {
        let keys: Vec<(u64, MessageId)> = self
            .in_flight
            .iter()
            .filter(|(_, e)| pred(e))
            .map(|(k, _)| *k)
            .collect();
        keys.into_iter()
            .filter_map(|k| self.in_flight.remove(&k))
            .collect()
    }

    /// Messages in flight, in delivery order.
    pub fn in_flight(&self) -> impl Iterator<Item = &Envelope> {
        self.in_flight.values()
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

/// Serializes the in-flight map as a plain list (its keys are derived from each envelope), so
/// formats whose map keys must be strings (JSON) can hold it.
mod in_flight_as_list {
    use super::{Envelope, MessageId};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<(u64, MessageId), Envelope>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let list: Vec<&Envelope> = map.values().collect();
        list.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<(u64, MessageId), Envelope>, D::Error> {
        let list = Vec::<Envelope>::deserialize(d)?;
        Ok(list
            .into_iter()
            .map(|e| ((e.deliver_at_ms, e.id), e))
            .collect())
    }
}

/// Serializes the per-link overrides as a list of `(from, to, settings)`: their keys are pairs,
/// and formats whose map keys must be strings (JSON) cannot hold a map keyed by pairs.
mod overrides_as_list {
    use super::LinkSettings;
    use crate::types::NodeId;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<(NodeId, NodeId), LinkSettings>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let list: Vec<(NodeId, NodeId, &LinkSettings)> =
            map.iter().map(|(&(from, to), l)| (from, to, l)).collect();
        list.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<(NodeId, NodeId), LinkSettings>, D::Error> {
        let list = Vec::<(NodeId, NodeId, LinkSettings)>::deserialize(d)?;
        Ok(list
            .into_iter()
            .map(|(from, to, l)| ((from, to), l))
            .collect())
    }
}
