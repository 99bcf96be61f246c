//! Settings of a simulation run and the errors of building or acting on one.

use super::client::ClientConfig;
use super::link::{LinkSettings, Ratio};
use super::network::MessageId;
use crate::command::ClientId;
use crate::config::{Config, ConfigError};
use crate::node::{ChangeError, TransferError};
use crate::types::NodeId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Largest cluster the simulator builds, and the most voters membership changes can grow it
/// to.
pub const MAX_NODES: u64 = 9;

/// Highest node id: nodes added later take ids up to this (removed ones keep theirs until
/// dismissed).
pub const MAX_NODE_ID: u64 = 32;

/// Most clients a simulation has ([`super::ClientConfig::clients`]).
pub const MAX_CLIENTS: u64 = 8;

/// Settings of a simulation run. Durations are virtual milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimConfig {
    /// The seed of every random choice in the run.
    pub seed: u64,
    /// Number of nodes, 1 to [`MAX_NODES`]; they get ids 1..=node_count.
    pub node_count: u64,
    /// Protocol timing shared by all nodes.
    pub raft: Config,
    /// Smallest one-way message latency (inclusive), in virtual ms.
    pub latency_ms_min: u64,
    /// Largest one-way message latency (inclusive), in virtual ms.
    pub latency_ms_max: u64,
    /// Log compaction (§7): a node takes a snapshot as soon as its log holds more than this
    /// many entries after its last snapshot. `None` (the default): never on its own.
    #[serde(default)]
    pub snapshot_threshold_entries: Option<u64>,
    /// Client behaviour.
    pub client: ClientConfig,
    /// Chance that a message between two nodes is lost (see [`LinkSettings::loss`]).
    #[serde(default)]
    pub loss: Ratio,
    /// Chance that a message between two nodes is delivered twice.
    #[serde(default)]
    pub duplicate: Ratio,
    /// Storage faults: when on, a node's writes reach stable storage only when the driving
    /// contract requires it (before the messages and applies of the same `Ready`), and a crash
    /// loses whatever was written but not yet synced. When off, every write is synced at once.
    /// Either way nothing a node has told anyone can be lost, which is what makes Raft's
    /// persistence rule (Figure 2: "updated on stable storage before responding to RPCs")
    /// sufficient.
    #[serde(default)]
    pub storage_faults: bool,
    /// A deliberately broken driver, for tests that prove the safety checks notice it. `None`
    /// (the default) in every real use.
    #[serde(default)]
    pub driver_bug: Option<DriverBug>,
}

/// Ways to break the driving contract on purpose, so tests can show what the contract
/// protects. Never enable one outside such a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DriverBug {
    /// Send a `Ready`'s messages before syncing its writes, and sync only when entries are
    /// applied. With [`SimConfig::storage_faults`] on, a crash can then lose a vote the node
    /// already sent, and the restarted node may vote again in the same term.
    SendBeforeSync,
    /// Apply client commands as if they had no session (dissertation §6.3): a retried
    /// operation whose first attempt also committed is applied twice. The linearizability
    /// checker must notice.
    IgnoreSessions,
}

impl SimConfig {
    /// The link settings every node-to-node link starts with: the configured latency range,
    /// loss and duplication.
    pub fn link_defaults(&self) -> LinkSettings {
        LinkSettings {
            latency_ms_min: self.latency_ms_min,
            latency_ms_max: self.latency_ms_max,
            loss: self.loss,
            duplicate: self.duplicate,
        }
    }
}

impl Default for SimConfig {
    /// Five nodes with the seed's timings and a one-way latency of 1.8–2.4 s: long enough for a
    /// message to be seen in flight at the app's default 6× speed (≥ 0.3 s of wall time), short
    /// against the 6 s heartbeat and the 20–30 s election timeout (§5.6: broadcastTime ≪
    /// electionTimeout), so most elections are decided in one round.
    fn default() -> Self {
        SimConfig {
            seed: 1,
            node_count: 5,
            raft: Config::default(),
            latency_ms_min: 1_800,
            latency_ms_max: 2_400,
            snapshot_threshold_entries: None,
            client: ClientConfig::default(),
            loss: Ratio::NEVER,
            duplicate: Ratio::NEVER,
            storage_faults: false,
            driver_bug: None,
        }
    }
}

/// Errors from building a simulation or applying an action. The simulation is unchanged when
/// an action returns an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SimError {
    /// The protocol configuration is invalid.
    Config(ConfigError),
    /// `node_count` is outside 1..=[`MAX_NODES`].
    NodeCount {
        /// The requested count.
        requested: u64,
    },
    /// `latency_ms_min` is above `latency_ms_max`.
    LatencyRange {
        /// Requested minimum (ms).
        min_ms: u64,
        /// Requested maximum (ms).
        max_ms: u64,
    },
    /// `client.max_attempts` is 0, a client timer is 0 ms, or `client.clients` is outside
    /// 1..=[`MAX_CLIENTS`].
    ClientConfig,
    /// No client has this id (clients are numbered 1..=`client.clients`).
    UnknownClient(ClientId),
    /// No node has this id.
    UnknownNode(NodeId),
    /// The node is crashed, so it cannot do that.
    NodeDown(NodeId),
    /// The node is already running.
    NodeUp(NodeId),
    /// An election timeout was forced on a leader, which has no election timer (it sends
    /// heartbeats instead, §5.2).
    LeaderHasNoElectionTimer(NodeId),
    /// A probability is not a fraction between 0 and 1 (`den` is 0 or `num > den`).
    InvalidRatio {
        /// Numerator.
        num: u32,
        /// Denominator.
        den: u32,
    },
    /// The node is paused, so it cannot do that until it is resumed.
    NodePaused(NodeId),
    /// The node is not paused, so there is nothing to resume.
    NodeNotPaused(NodeId),
    /// A link from a node to itself does not exist.
    SelfLink(NodeId),
    /// A partition lists the same node in two groups.
    NodeInTwoGroups(NodeId),
    /// No message with this id is in flight (it may have been delivered already).
    UnknownMessage(MessageId),
    /// The message travels between the client and a node, and only messages between nodes
    /// can be duplicated (a duplicated client request would run twice: exactly-once needs
    /// client sessions).
    NotANodeMessage(MessageId),
    /// A leadership transfer needs a leader, and there is none right now.
    NoLeader,
    /// A partition must leave at least two groups (one group holding every node cuts
    /// nothing).
    PartitionNeedsTwoGroups,
    /// The leader refused the transfer.
    Transfer(TransferError),
    /// A node with this id exists already (ids are never reused while a node keeps one).
    NodeExists(NodeId),
    /// Node ids run from 1 to [`MAX_NODE_ID`].
    InvalidNodeId(NodeId),
    /// The configuration already has [`MAX_NODES`] voters, counting learners and nodes asking
    /// to join (each about to become one).
    TooManyVoters,
    /// The leader refused the membership change (not possible, or another one is pending).
    Change(ChangeError),
    /// Only a node that has left the cluster can be dismissed from the view.
    NotRemoved(NodeId),
    /// A snapshot could not be taken (e.g. nothing applied since the last one).
    Snapshot(NodeId, crate::snapshot::SnapshotError),
    /// A scene's recorded actions are not in the order of their positions.
    ScriptOutOfOrder,
    /// A recorded action of a scene could not be replayed ([`super::Timeline::from_scene`]).
    Replay {
        /// Position of the action in the scene's script, from 0.
        index: u64,
        /// Virtual time the action was recorded at (ms).
        at_ms: u64,
        /// Why it failed.
        error: Box<SimError>,
    },
    /// A scene's action is recorded after `events` events at a time at which the replayed run
    /// is not at that event (it gets there later, or never): the scene was not recorded from
    /// a run with these settings.
    ScriptPosition {
        /// Events processed when the action was recorded.
        events: u64,
    },
    /// A node with this id existed before and was dismissed: ids are never reused, so that
    /// old configurations, votes and messages that name it cannot be mistaken for a new node.
    IdRetired(NodeId),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Config(e) => write!(f, "invalid Raft configuration: {e}"),
            SimError::NodeCount { requested } => write!(
                f,
                "a cluster must have between 1 and {MAX_NODES} nodes, not {requested}"
            ),
            SimError::LatencyRange { min_ms, max_ms } => write!(
                f,
                "the minimum latency ({min_ms} ms) is above the maximum ({max_ms} ms)"
            ),
            SimError::ClientConfig => write!(
                f,
                "client settings need at least one attempt, positive timeouts and 1 to {MAX_CLIENTS} clients"
            ),
            SimError::UnknownClient(c) => write!(f, "there is no client {c}"),
            SimError::UnknownNode(n) => write!(f, "there is no Node {n}"),
            SimError::NodeDown(n) => write!(f, "Node {n} is crashed"),
            SimError::NodeUp(n) => write!(f, "Node {n} is already running"),
            SimError::LeaderHasNoElectionTimer(n) => write!(
                f,
                "Node {n} is the leader: it has no election timer (it sends heartbeats instead)"
            ),
            SimError::InvalidRatio { num, den } => write!(
                f,
                "{num}/{den} is not a probability: it must be between 0 and 1 with a positive denominator"
            ),
            SimError::NodePaused(n) => write!(f, "Node {n} is paused: resume it first"),
            SimError::NodeNotPaused(n) => write!(f, "Node {n} is not paused"),
            SimError::SelfLink(n) => write!(f, "there is no link from Node {n} to itself"),
            SimError::NodeInTwoGroups(n) => {
                write!(
                    f,
                    "Node {n} is in two groups: a partition's groups must not overlap"
                )
            }
            SimError::UnknownMessage(id) => write!(
                f,
                "message {} is no longer in flight (it was delivered or dropped)",
                id.0
            ),
            SimError::PartitionNeedsTwoGroups => write!(
                f,
                "a partition needs nodes on both sides: leave at least one node out of the group"
            ),
            SimError::NoLeader => write!(
                f,
                "there is no leader right now (only a leader hands leadership over or changes the membership)"
            ),
            SimError::NodeExists(n) => write!(f, "Node {n} already exists"),
            SimError::InvalidNodeId(n) => {
                write!(
                    f,
                    "Node {n} is not a valid id: ids run from 1 to {MAX_NODE_ID}"
                )
            }
            SimError::TooManyVoters => write!(
                f,
                "the cluster already has {MAX_NODES} voters, counting learners and nodes still asking to join"
            ),
            SimError::Change(e) => write!(f, "the leader refused the membership change: {e}"),
            // The node is named by whoever reports it ("Cannot take snapshot now on Node 3: …").
            SimError::Snapshot(_, e) => write!(f, "{e}"),
            SimError::ScriptOutOfOrder => write!(
                f,
                "the scene's actions are out of order (each must come at or after the one before)"
            ),
            SimError::Replay {
                index,
                at_ms,
                error,
            } => write!(
                f,
                "action {} of the scene (at {}) cannot be replayed: {error}",
                index + 1,
                super::format_timestamp(*at_ms)
            ),
            SimError::ScriptPosition { events } => write!(
                f,
                "it is recorded after event {events} of the run, but with these settings the run is not at that event at that time (the scene was recorded with other settings, or edited)"
            ),
            SimError::IdRetired(n) => write!(
                f,
                "Node {n} was dismissed before: ids are never reused, pick another one"
            ),
            SimError::NotRemoved(n) => write!(
                f,
                "Node {n} is still a member (remove it from the cluster first)"
            ),
            SimError::Transfer(e) => write!(f, "the leader refused the transfer: {e}"),
            SimError::NotANodeMessage(id) => write!(
                f,
                "message {} travels between the client and a node: only messages between nodes can be duplicated",
                id.0
            ),
        }
    }
}

impl std::error::Error for SimError {}

impl From<ConfigError> for SimError {
    fn from(e: ConfigError) -> Self {
        SimError::Config(e)
    }
}
