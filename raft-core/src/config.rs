//! Protocol timing and batching configuration, validated once at construction.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Timing and batching parameters of one Raft node. All durations are virtual milliseconds.
///
/// The defaults are the seed project's timings: an election timeout drawn uniformly from
/// [20 000, 30 000) ms and re-drawn at every reset (§5.2, randomized election timeouts), and a
/// heartbeat every 6 000 ms. §5.6 asks for `broadcastTime ≪ electionTimeout ≪ MTBF`; validation
/// enforces the part that is a configuration error: the heartbeat interval must be strictly
/// below the minimum election timeout, or followers would time out between heartbeats.
///
/// The width of the randomization window (`max - min`) is what breaks split votes (§9.3 of the
/// paper measures this): keep it well above the message latency. A window of a few
/// milliseconds is accepted but can leave a cluster splitting its votes for a very long time.
///
/// The liveness guards [`Config::pre_vote`] and [`Config::check_quorum`] are off by default,
/// which is the protocol of the 2014 paper exactly. Configurations serialized before the
/// guards existed still load (the fields default to `false`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Lower bound (inclusive) of the randomized election timeout, in virtual ms.
    pub election_timeout_ms_min: u64,
    /// Upper bound (exclusive) of the randomized election timeout, in virtual ms.
    pub election_timeout_ms_max: u64,
    /// Interval between a leader's heartbeat rounds (empty AppendEntries), in virtual ms.
    pub heartbeat_interval_ms: u64,
    /// Maximum number of log entries carried by one AppendEntries message (at least 1).
    pub max_entries_per_append: u64,
    /// PreVote (dissertation §9.6): a node whose election timer fires first asks the voters
    /// whether they would vote for it in `current_term + 1`, without changing its own term or
    /// vote, and starts the real election only after a majority says yes. A node that cannot
    /// win (cut off, or with a stale log) then never raises its term and cannot disrupt a
    /// healthy leader when it comes back.
    #[serde(default)]
    pub pre_vote: bool,
    /// CheckQuorum (dissertation §6.2) and the leader lease that rests on it (§4.2.3): a leader
    /// that has not heard from a majority of voters (itself included) within
    /// `election_timeout_ms_min` steps down; and a node that heard from a current leader within
    /// `election_timeout_ms_min` ignores RequestVote and PreVote of a higher term (unless the
    /// RequestVote is part of a leader transfer). As in etcd-raft, the lease exists only when
    /// this is on: without CheckQuorum a leader that lost its majority never steps down, and
    /// a lease held on its behalf could block elections forever.
    #[serde(default)]
    pub check_quorum: bool,
    /// A deliberate protocol bug, for the tests that prove the safety checkers catch it
    /// ([`crate::sim::SafetyChecker`]). `None`, the default, in every real use.
    #[serde(default)]
    pub bug: Option<ProtocolBug>,
}

/// Ways to break the protocol on purpose, each a classic Raft implementation bug. Tests turn
/// one on and show that the randomized sweep's safety checks catch it within a bounded number
/// of seeds. Never enable one outside such a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ProtocolBug {
    /// The leader commits the highest index stored on a majority whatever its term, ignoring
    /// §5.4.2's current-term rule (the Figure 8 bug).
    CommitPreviousTermByCounting,
    /// The vote is never written to stable storage (Figure 2 lists votedFor as persistent
    /// state): a restarted node can vote again in the same term.
    ForgetToPersistVote,
    /// A follower deletes everything after the entries of an AppendEntries even when they
    /// matched (Figure 2, receiver rule 3 truncates only on a conflict): a late or duplicated
    /// message erases entries it has already acknowledged.
    TruncateWithoutConflict,
    /// A follower sets its commit index to `min(leaderCommit, last index of its own log)`
    /// instead of the last entry the message verified, so it can commit stale entries that
    /// the leader's log does not have.
    ///
    /// In this implementation the bug cannot show: a leader's AppendEntries always starts at
    /// the follower's first divergent index or before it and carries at least that entry (the
    /// conflict hints find it exactly, §5.3), so a follower that accepts a message has already
    /// truncated any stale suffix, and whatever lies past the verified entries came from the
    /// same leader. The randomized sweep does not catch it (it has nothing to catch); it is
    /// kept so that a change to the replication path that makes it observable is noticed.
    FollowerCommitPastVerified,
    /// A new leader starts a membership change before an entry of its own term is committed
    /// (the single-server-change bug Ongaro reported on raft-dev in 2015): a change appended
    /// by an earlier leader but not yet known to this one can then win an election with a
    /// different majority and overwrite a committed configuration.
    ConfigChangeBeforeOwnTermCommit,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            election_timeout_ms_min: 20_000,
            election_timeout_ms_max: 30_000,
            heartbeat_interval_ms: 6_000,
            max_entries_per_append: 16,
            pre_vote: false,
            check_quorum: false,
            bug: None,
        }
    }
}

/// Why a [`Config`] was rejected by [`Config::validate`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConfigError {
    /// `election_timeout_ms_min` must be below `election_timeout_ms_max` (the range is
    /// half-open and must not be empty).
    EmptyElectionTimeoutRange {
        /// The configured lower bound (ms).
        min_ms: u64,
        /// The configured upper bound (ms).
        max_ms: u64,
    },
    /// The heartbeat interval must be positive.
    ZeroHeartbeatInterval,
    /// The heartbeat interval must be strictly below the minimum election timeout.
    HeartbeatNotBelowElectionTimeout {
        /// The configured heartbeat interval (ms).
        heartbeat_interval_ms: u64,
        /// The configured minimum election timeout (ms).
        election_timeout_ms_min: u64,
    },
    /// `max_entries_per_append` must be at least 1.
    ZeroBatchSize,
    /// A cluster needs at least one voting member.
    EmptyCluster,
    /// The node's own id is not among the cluster's members.
    SelfNotInCluster,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::EmptyElectionTimeoutRange { min_ms, max_ms } => write!(
                f,
                "election timeout range [{min_ms}, {max_ms}) ms is empty: the minimum must be below the maximum"
            ),
            ConfigError::ZeroHeartbeatInterval => {
                write!(f, "the heartbeat interval must be greater than 0 ms")
            }
            ConfigError::HeartbeatNotBelowElectionTimeout {
                heartbeat_interval_ms,
                election_timeout_ms_min,
            } => write!(
                f,
                "heartbeat interval {heartbeat_interval_ms} ms must be below the minimum election timeout {election_timeout_ms_min} ms"
            ),
            ConfigError::ZeroBatchSize => {
                write!(f, "max_entries_per_append must be at least 1")
            }
            ConfigError::EmptyCluster => write!(f, "a cluster needs at least one member"),
            ConfigError::SelfNotInCluster => {
                write!(f, "the node's own id is not a member of the cluster")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Checks the configuration once; every constructor that takes a `Config` calls this.
    ///
    /// # Errors
    /// Returns the first [`ConfigError`] found.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.election_timeout_ms_min >= self.election_timeout_ms_max {
            return Err(ConfigError::EmptyElectionTimeoutRange {
                min_ms: self.election_timeout_ms_min,
                max_ms: self.election_timeout_ms_max,
            });
        }
        if self.heartbeat_interval_ms == 0 {
            return Err(ConfigError::ZeroHeartbeatInterval);
        }
        if self.heartbeat_interval_ms >= self.election_timeout_ms_min {
            return Err(ConfigError::HeartbeatNotBelowElectionTimeout {
                heartbeat_interval_ms: self.heartbeat_interval_ms,
                election_timeout_ms_min: self.election_timeout_ms_min,
            });
        }
        if self.max_entries_per_append == 0 {
            return Err(ConfigError::ZeroBatchSize);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_seed_timings_and_valid() {
        let c = Config::default();
        assert_eq!(c.election_timeout_ms_min, 20_000);
        assert_eq!(c.election_timeout_ms_max, 30_000);
        assert_eq!(c.heartbeat_interval_ms, 6_000);
        assert!(!c.pre_vote && !c.check_quorum, "guards are opt-in");
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn configs_serialized_without_guard_fields_still_load() {
        let old = r#"{"election_timeout_ms_min":150,"election_timeout_ms_max":300,
            "heartbeat_interval_ms":50,"max_entries_per_append":4}"#;
        let c: Config = serde_json::from_str(old).expect("old config loads");
        assert_eq!(c.election_timeout_ms_min, 150);
        assert!(!c.pre_vote);
        assert!(!c.check_quorum);
    }

    #[test]
    fn heartbeat_must_be_below_election_timeout() {
        let c = Config {
            heartbeat_interval_ms: 20_000,
            ..Config::default()
        };
        assert_eq!(
            c.validate(),
            Err(ConfigError::HeartbeatNotBelowElectionTimeout {
                heartbeat_interval_ms: 20_000,
                election_timeout_ms_min: 20_000
            })
        );
    }

    #[test]
    fn rejects_empty_range_zero_heartbeat_and_zero_batch() {
        let empty = Config {
            election_timeout_ms_max: 20_000,
            ..Config::default()
        };
        assert!(matches!(
            empty.validate(),
            Err(ConfigError::EmptyElectionTimeoutRange { .. })
        ));
        let zero_hb = Config {
            heartbeat_interval_ms: 0,
            ..Config::default()
        };
        assert_eq!(zero_hb.validate(), Err(ConfigError::ZeroHeartbeatInterval));
        let zero_batch = Config {
            max_entries_per_append: 0,
            ..Config::default()
        };
        assert_eq!(zero_batch.validate(), Err(ConfigError::ZeroBatchSize));
    }
}
