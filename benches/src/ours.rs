//! raftlab's [`RaftNode`] in the throughput loop, driven by its documented contract: take
//! each `Ready`, apply its `persist` update to the node's in-memory stable storage (a
//! [`PersistentState`]), queue its messages, apply its committed entries to a
//! [`StateMachine`].

use crate::throughput::Cluster;
use raft_core::{
    ApplyOutput, Command, Config, NodeId, PersistentState, RaftNode, RoleKind, StateMachine,
};
use std::collections::VecDeque;

const IDS: [NodeId; 3] = [NodeId(1), NodeId(2), NodeId(3)];

/// One node and what its driver keeps beside it.
struct Node {
    raft: RaftNode,
    storage: PersistentState,
    state_machine: StateMachine,
    applied: u64,
    sum: u64,
}

/// Three raftlab nodes, node 1 leading, and the messages in flight between them.
pub struct OurCluster {
    nodes: Vec<Node>,
    in_flight: VecDeque<raft_core::Message>,
    now_ms: u64,
}

impl OurCluster {
    /// Builds the cluster and elects node 1 (it campaigns; every message is delivered until
    /// none is left, so its no-op entry is committed and applied everywhere).
    ///
    /// # Panics
    /// If node 1 does not become leader.
    pub fn new() -> Self {
        // Entries per AppendEntries: high enough never to split a batch (raft-rs gets the
        // same with `max_size_per_msg` of 1 MiB).
        let config = Config {
            max_entries_per_append: 1024,
            ..Config::default()
        };
        let nodes = IDS
            .iter()
            .map(|&id| {
                let raft = RaftNode::new(id, IDS, config.clone(), id.0, 0).expect("valid config");
                Node {
                    storage: raft.persistent().clone(),
                    raft,
                    state_machine: StateMachine::default(),
                    applied: 0,
                    sum: 0,
                }
            })
            .collect();
        let mut cluster = OurCluster {
            nodes,
            in_flight: VecDeque::new(),
            now_ms: 0,
        };
        cluster.nodes[0].raft.campaign();
        cluster.deliver_all();
        assert_eq!(cluster.nodes[0].raft.role(), RoleKind::Leader);
        // The followers learn that the no-op is committed from the next heartbeat.
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
                let ready = node.raft.take_ready();
                if let Some(update) = &ready.persist {
                    node.storage.apply(update);
                }
                self.in_flight.extend(ready.messages);
                for entry in &ready.committed_entries {
                    if let ApplyOutput::Sum(sum) =
                        node.state_machine.apply(entry.index, &entry.command)
                    {
                        node.applied += 1;
                        node.sum = node.sum.wrapping_add(sum as u64);
                    }
                }
            }
        }
    }
}

impl Default for OurCluster {
    fn default() -> Self {
        Self::new()
    }
}

impl Cluster for OurCluster {
    fn propose(&mut self, i: u64) {
        let command = Command::Add { a: i as i64, b: 1 };
        self.nodes[0].raft.propose(command).expect("node 1 leads");
    }

    fn deliver_all(&mut self) {
        loop {
            self.drain_all();
            if self.in_flight.is_empty() {
                return;
            }
            while let Some(msg) = self.in_flight.pop_front() {
                let to = (msg.to.0 - 1) as usize;
                self.nodes[to].raft.step(msg);
            }
        }
    }

    fn heartbeat(&mut self) {
        let leader = &mut self.nodes[0].raft;
        self.now_ms = leader.heartbeat_deadline_ms().expect("node 1 leads");
        leader.tick(self.now_ms);
    }

    fn min_applied(&self) -> u64 {
        self.nodes.iter().map(|n| n.applied).min().unwrap_or(0)
    }
}
