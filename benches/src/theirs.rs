//! tikv/raft-rs 0.7's `RawNode` over its `MemStorage` in the throughput loop, driven the way
//! its documentation and examples (`examples/five_mem_node`) do: for each `Ready`, send its
//! messages, apply its committed entries, append its entries and hard state to storage, send
//! its persisted messages, then `advance` and handle the `LightReady` the same way.

use crate::throughput::{Cluster, parse_payload, payload};
use raft::eraftpb::{Entry, EntryType, Message};
use raft::storage::MemStorage;
use raft::{Config, RawNode, StateRole};
use slog::{Discard, Logger, o};
use std::collections::VecDeque;

/// One node and what its driver keeps beside it.
struct Node {
    raft: RawNode<MemStorage>,
    applied: u64,
    sum: u64,
}

impl Node {
    fn apply(&mut self, entries: &[Entry]) {
        for entry in entries {
            if entry.get_entry_type() != EntryType::EntryNormal {
                continue;
            }
            // The leader's empty entry of its term carries no command.
            if let Some((a, b)) = parse_payload(entry.get_data()) {
                self.applied += 1;
                self.sum = self.sum.wrapping_add(a.saturating_add(b) as u64);
            }
        }
    }
}

/// Three raft-rs nodes, node 1 leading, and the messages in flight between them.
pub struct TheirCluster {
    nodes: Vec<Node>,
    in_flight: VecDeque<Message>,
    heartbeat_tick: usize,
}

impl TheirCluster {
    /// Builds the cluster and elects node 1, like [`crate::ours::OurCluster::new`].
    ///
    /// With `skip_bcast_commit` the leader tells followers about a new commit index with its
    /// next AppendEntries, as raftlab does; without it (raft-rs's default) it sends an extra
    /// empty AppendEntries to every follower each time the commit index moves.
    ///
    /// # Panics
    /// If node 1 does not become leader.
    pub fn new(skip_bcast_commit: bool) -> Self {
        let logger = Logger::root(Discard, o!());
        let heartbeat_tick = 2;
        let nodes = (1..=3u64)
            .map(|id| {
                let config = Config {
                    id,
                    election_tick: 10,
                    heartbeat_tick,
                    // Never split a batch (raftlab: max_entries_per_append 1024).
                    max_size_per_msg: 1024 * 1024,
                    max_inflight_msgs: 256,
                    skip_bcast_commit,
                    ..Config::default()
                };
                let storage = MemStorage::new_with_conf_state((vec![1, 2, 3], vec![]));
                let raft = RawNode::new(&config, storage, &logger).expect("valid config");
                Node {
                    raft,
                    applied: 0,
                    sum: 0,
                }
            })
            .collect();
        let mut cluster = TheirCluster {
            nodes,
            in_flight: VecDeque::new(),
            heartbeat_tick,
        };
        cluster.nodes[0].raft.campaign().expect("campaign");
        cluster.deliver_all();
        assert_eq!(cluster.nodes[0].raft.raft.state, StateRole::Leader);
        cluster.heartbeat();
        cluster.deliver_all();
        cluster
    }

    /// Benchmark entries applied by each node.
    pub fn applied(&self) -> [u64; 3] {
        [0, 1, 2].map(|i| self.nodes[i].applied)
    }

    /// Sum of the results of the benchmark entries applied by each node.
    pub fn sums(&self) -> [u64; 3] {
        [0, 1, 2].map(|i| self.nodes[i].sum)
    }

    /// Handles every pending `Ready` of every node.
    fn drain_all(&mut self) {
        for node in &mut self.nodes {
            while node.raft.has_ready() {
                let mut ready = node.raft.ready();
                self.in_flight.extend(ready.take_messages());
                assert!(
                    ready.snapshot().is_empty(),
                    "no snapshots in this benchmark"
                );
                node.apply(&ready.take_committed_entries());
                if !ready.entries().is_empty() {
                    let store = node.raft.raft.raft_log.store.clone();
                    store.wl().append(ready.entries()).expect("append");
                }
                if let Some(hs) = ready.hs() {
                    node.raft.mut_store().wl().set_hardstate(hs.clone());
                }
                self.in_flight.extend(ready.take_persisted_messages());
                let mut light = node.raft.advance(ready);
                if let Some(commit) = light.commit_index() {
                    node.raft
                        .mut_store()
                        .wl()
                        .mut_hard_state()
                        .set_commit(commit);
                }
                self.in_flight.extend(light.take_messages());
                node.apply(&light.take_committed_entries());
                node.raft.advance_apply();
            }
        }
    }
}

impl Cluster for TheirCluster {
    fn propose(&mut self, i: u64) {
        let data = payload(i).to_vec();
        self.nodes[0]
            .raft
            .propose(Vec::new(), data)
            .expect("node 1 leads");
    }

    fn deliver_all(&mut self) {
        loop {
            self.drain_all();
            if self.in_flight.is_empty() {
                return;
            }
            while let Some(msg) = self.in_flight.pop_front() {
                let to = (msg.to - 1) as usize;
                self.nodes[to].raft.step(msg).expect("step");
            }
        }
    }

    fn heartbeat(&mut self) {
        for _ in 0..self.heartbeat_tick {
            self.nodes[0].raft.tick();
        }
    }

    fn min_applied(&self) -> u64 {
        self.nodes.iter().map(|n| n.applied).min().unwrap_or(0)
    }
}
