//! The throughput loop shared by both libraries, so that they do exactly the same work in the
//! same shape: propose a batch on the leader, deliver every message (and every message those
//! deliveries produce) until the network is empty, repeat until every node has applied N.
//!
//! Followers learn a commit index from the leader's next AppendEntries; after the last batch
//! there is none, so the loop then lets the leader's heartbeat timer fire (a heartbeat carries
//! the commit index) until the followers have applied everything.

/// One 3-node cluster of one library, with its leader elected, as the loop drives it.
pub trait Cluster {
    /// Proposes the `i`-th benchmark entry (a 16-byte `i + 1` addition) on the leader.
    fn propose(&mut self, i: u64);
    /// Delivers every message in flight, and every message that produces, until none is left;
    /// each node's outputs are handled by its driving contract (persist, send, apply).
    fn deliver_all(&mut self);
    /// Makes the leader's heartbeat timer fire.
    fn heartbeat(&mut self);
    /// The fewest benchmark entries applied by any node.
    fn min_applied(&self) -> u64;
}

/// Commits and applies `n` entries on every node, proposing `batch` entries per round.
///
/// # Panics
/// If `batch` is 0, or if the cluster stops making progress (a bug in a driver).
pub fn run(cluster: &mut impl Cluster, n: u64, batch: u64) {
    assert!(batch > 0, "batch size must be at least 1");
    let mut proposed = 0;
    let mut idle_rounds = 0;
    while cluster.min_applied() < n {
        if proposed < n {
            let end = n.min(proposed + batch);
            for i in proposed..end {
                cluster.propose(i);
            }
            proposed = end;
        } else {
            cluster.heartbeat();
            idle_rounds += 1;
            assert!(idle_rounds < 100, "cluster stopped making progress");
        }
        cluster.deliver_all();
    }
}

/// The 16 bytes of the `i`-th entry's command (`a = i`, `b = 1`), as raft-rs carries it.
pub fn payload(i: u64) -> [u8; 16] {
    let mut out = [0; 16];
    out[..8].copy_from_slice(&(i as i64).to_le_bytes());
    out[8..].copy_from_slice(&1i64.to_le_bytes());
    out
}

/// Reads a [`payload`] back: `(a, b)`, or `None` if it is not 16 bytes.
pub fn parse_payload(data: &[u8]) -> Option<(i64, i64)> {
    let a = i64::from_le_bytes(data.get(..8)?.try_into().ok()?);
    let b = i64::from_le_bytes(data.get(8..16)?.try_into().ok()?);
    (data.len() == 16).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ours, theirs};

    #[test]
    fn payload_round_trips() {
        assert_eq!(parse_payload(&payload(41)), Some((41, 1)));
        assert_eq!(parse_payload(&[0; 15]), None);
        assert_eq!(parse_payload(&[0; 17]), None);
    }

    #[test]
    fn both_libraries_apply_every_entry_on_every_node() {
        for batch in [1, 7, 64] {
            let n = 1_000;
            let mut a = ours::OurCluster::new();
            run(&mut a, n, batch);
            assert_eq!(a.applied(), [n; 3], "raftlab, batch {batch}");
            assert_eq!(a.sums(), [n * (n + 1) / 2; 3], "raftlab, batch {batch}");

            for skip_bcast_commit in [true, false] {
                let mut b = theirs::TheirCluster::new(skip_bcast_commit);
                run(&mut b, n, batch);
                assert_eq!(b.applied(), [n; 3], "raft-rs, batch {batch}");
                assert_eq!(b.sums(), [n * (n + 1) / 2; 3], "raft-rs, batch {batch}");
            }
        }
    }
}
