//! Settings of a simulation run and the errors of building or acting on one.

use super::client::ClientConfig;
use crate::config::{Config, ConfigError};
use crate::types::NodeId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Largest cluster the simulator builds.
pub const MAX_NODES: u64 = 9;

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
    /// Client behaviour.
    pub client: ClientConfig,
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
            client: ClientConfig::default(),
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
    /// `client.max_attempts` is 0 or a client timer is 0 ms.
    ClientConfig,
    /// No node has this id.
    UnknownNode(NodeId),
    /// The node is crashed, so it cannot do that.
    NodeDown(NodeId),
    /// The node is already running.
    NodeUp(NodeId),
    /// An election timeout was forced on a leader, which has no election timer (it sends
    /// heartbeats instead, §5.2).
    LeaderHasNoElectionTimer(NodeId),
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
                "latency range {min_ms}..={max_ms} ms is empty: the minimum must not exceed the maximum"
            ),
            SimError::ClientConfig => write!(
                f,
                "client settings need at least one attempt and positive timeouts"
            ),
            SimError::UnknownNode(n) => write!(f, "there is no Node {n}"),
            SimError::NodeDown(n) => write!(f, "Node {n} is crashed"),
            SimError::NodeUp(n) => write!(f, "Node {n} is already running"),
            SimError::LeaderHasNoElectionTimer(n) => write!(
                f,
                "Node {n} is the leader: it has no election timer (it sends heartbeats instead)"
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
