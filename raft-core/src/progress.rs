//! The leader's view of one follower's replication progress (Figure 2: nextIndex, matchIndex).

use crate::types::LogIndex;
use serde::{Deserialize, Serialize};

/// How the leader is currently sending to a follower (the probe/replicate split of etcd-raft).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProgressState {
    /// The leader does not know where the follower's log matches: it sends one AppendEntries at
    /// a time and waits for the reply (or the next heartbeat) before sending another.
    Probe,
    /// The follower's log is known to match up to `match_index`: the leader streams entries
    /// optimistically, advancing `next_index` as it sends.
    Replicate,
}

/// Replication progress of one follower, kept by the leader and reset at every election
/// (Figure 2: "Volatile state on leaders, reinitialized after election").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Index of the next log entry to send to this follower.
    pub next_index: LogIndex,
    /// Highest index known to be replicated on this follower (0 if none).
    pub match_index: LogIndex,
    /// Probe or replicate.
    pub state: ProgressState,
    /// In probe state: an AppendEntries is outstanding, so do not send another until a reply
    /// or the next heartbeat.
    pub probe_sent: bool,
}

impl Progress {
    /// Progress for a follower of a leader whose last index is `last_index`: nextIndex is
    /// initialized to the leader's last log index + 1, matchIndex to 0 (Figure 2).
    pub fn new(last_index: LogIndex) -> Self {
        Progress {
            next_index: last_index.next(),
            match_index: LogIndex(0),
            state: ProgressState::Probe,
            probe_sent: false,
        }
    }

    /// Records a successful AppendEntries that verified the log up to `match_index`. Stale or
    /// duplicated replies never move indexes backwards. Returns true if `match_index` grew.
    pub fn on_success(&mut self, match_index: LogIndex) -> bool {
        self.state = ProgressState::Replicate;
        self.probe_sent = false;
        if match_index.next() > self.next_index {
            self.next_index = match_index.next();
        }
        if match_index > self.match_index {
            self.match_index = match_index;
            true
        } else {
            false
        }
    }

    /// Records a rejection of the AppendEntries whose `prev_log_index` was `rejected_index`, with
    /// `next_index` computed by the leader from the conflict hint. A rejection that does not
    /// concern the last probe (a stale reply) is ignored. Returns whether it was applied.
    pub fn on_reject(&mut self, rejected_index: LogIndex, new_next_index: LogIndex) -> bool {
        if self.state == ProgressState::Replicate {
            // Everything up to match_index is known to match: a rejection at or below it is stale.
            if rejected_index <= self.match_index {
                return false;
            }
        } else if rejected_index.next() != self.next_index {
            return false;
        }
        self.state = ProgressState::Probe;
        self.probe_sent = false;
        // Never go below match_index + 1, never to index 0.
        self.next_index = new_next_index.max(self.match_index.next()).max(LogIndex(1));
        true
    }

    /// Whether the leader may send an AppendEntries now (probe state allows one outstanding).
    pub fn can_send(&self) -> bool {
        self.state == ProgressState::Replicate || !self.probe_sent
    }

    /// Records that a snapshot was sent instead of entries the leader no longer has (§7): wait
    /// for its answer (or the next heartbeat) as for a probe.
    pub fn on_snapshot_sent(&mut self) {
        self.state = ProgressState::Probe;
        self.probe_sent = true;
    }

    /// Records that entries up to `last_sent` were sent.
    pub fn on_sent(&mut self, last_sent: LogIndex) {
        match self.state {
            ProgressState::Replicate => {
                if last_sent.next() > self.next_index {
                    self.next_index = last_sent.next();
                }
            }
            ProgressState::Probe => self.probe_sent = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_progress_starts_after_leader_log() {
        let p = Progress::new(LogIndex(5));
        assert_eq!(p.next_index, LogIndex(6));
        assert_eq!(p.match_index, LogIndex(0));
        assert_eq!(p.state, ProgressState::Probe);
    }

    #[test]
    fn success_moves_forward_only() {
        let mut p = Progress::new(LogIndex(5));
        assert!(p.on_success(LogIndex(5)));
        assert_eq!(p.next_index, LogIndex(6));
        assert!(!p.on_success(LogIndex(3)));
        assert_eq!(p.match_index, LogIndex(5));
        assert_eq!(p.next_index, LogIndex(6));
    }

    #[test]
    fn probe_allows_one_outstanding() {
        let mut p = Progress::new(LogIndex(5));
        assert!(p.can_send());
        p.on_sent(LogIndex(5));
        assert!(!p.can_send());
        assert!(p.on_reject(LogIndex(5), LogIndex(3)));
        assert_eq!(p.next_index, LogIndex(3));
        assert!(p.can_send());
    }

    #[test]
    fn stale_rejection_ignored() {
        let mut p = Progress::new(LogIndex(5));
        p.on_sent(LogIndex(5));
        // Rejects a prev_log_index that is not the one probed.
        assert!(!p.on_reject(LogIndex(2), LogIndex(1)));
        assert_eq!(p.next_index, LogIndex(6));
        p.on_success(LogIndex(5));
        p.on_sent(LogIndex(8));
        assert_eq!(p.next_index, LogIndex(9));
        assert!(!p.on_reject(LogIndex(4), LogIndex(1)));
        assert!(p.on_reject(LogIndex(7), LogIndex(7)));
        assert_eq!(p.next_index, LogIndex(7));
    }

    #[test]
    fn reject_never_goes_below_match() {
        let mut p = Progress::new(LogIndex(5));
        p.on_success(LogIndex(4));
        p.on_sent(LogIndex(6));
        assert!(p.on_reject(LogIndex(6), LogIndex(1)));
        assert_eq!(p.next_index, LogIndex(5));
    }
}
