//! Membership actions of the simulator: adding a node that joins through JoinCluster, asking the
//! leader to remove one, and dismissing a node that has left (dissertation §4.1–§4.2).

use super::trace::TraceKind;
use super::{MAX_NODE_ID, MAX_NODES, NodeStatus, SimError, SimNode, Simulation, node_seed};
use crate::membership::Membership;
use crate::node::RaftNode;
use crate::types::NodeId;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where a node stands in the cluster's configuration ([`Simulation::cluster_membership`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberKind {
    /// A voting member.
    Voter,
    /// A non-voting member catching up (dissertation §4.2.1).
    Learner,
    /// A new node asking to join, not yet in the configuration.
    Joining,
    /// Not in the configuration and not asking to join: it was removed (or its join failed).
    Removed,
}

impl MemberKind {
    /// `voter`, `learner`, `joining` or `removed`.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberKind::Voter => "voter",
            MemberKind::Learner => "learner",
            MemberKind::Joining => "joining",
            MemberKind::Removed => "removed",
        }
    }
}

static NO_MEMBERS: Membership = Membership {
    voters: BTreeSet::new(),
    learners: BTreeSet::new(),
};

impl Simulation {
    /// The cluster's configuration as an observer would name it: the leader's (the one
    /// [`Simulation::leader`] returns), or without a leader the most recent one (highest
    /// entry index) among running nodes, or among stored states if every node is down.
    /// During a change, nodes may still use the previous one ([`RaftNode::membership`]).
    pub fn cluster_membership(&self) -> &Membership {
        if let Some(l) = self
            .leader()
            .and_then(|l| self.nodes.get(&l)?.raft.as_ref())
        {
            return l.membership();
        }
        let running = self
            .nodes
            .values()
            .filter_map(|n| n.raft.as_ref())
            .filter(|r| r.membership_index().0 > 0 || !r.membership().voters.is_empty())
            .max_by_key(|r| r.membership_index())
            .map(RaftNode::membership);
        running
            .or_else(|| {
                self.nodes
                    .values()
                    .map(|n| n.storage.effective_membership())
                    .filter(|(i, m)| i.0 > 0 || !m.voters.is_empty())
                    .max_by_key(|(i, _)| *i)
                    .map(|(_, m)| m)
            })
            .unwrap_or(&NO_MEMBERS)
    }

    /// Where node `id` stands in [`Simulation::cluster_membership`], or `None` if there is no
    /// such node.
    pub fn member_kind(&self, id: NodeId) -> Option<MemberKind> {
        let node = self.nodes.get(&id)?;
        let c = self.cluster_membership();
        Some(if c.is_voter(id) {
            MemberKind::Voter
        } else if c.is_learner(id) {
            MemberKind::Learner
        } else if node
            .raft
            .as_ref()
            .is_some_and(|r| r.join_target().is_some())
        {
            MemberKind::Joining
        } else {
            MemberKind::Removed
        })
    }

    pub(super) fn add_node(&mut self, id: NodeId) -> Result<(), SimError> {
        if id.0 == 0 || id.0 > MAX_NODE_ID {
            return Err(SimError::InvalidNodeId(id));
        }
        if self.nodes.contains_key(&id) {
            return Err(SimError::NodeExists(id));
        }
        if self.retired.contains(&id) {
            return Err(SimError::IdRetired(id));
        }
        let joining = self
            .nodes
            .keys()
            .filter(|&&n| self.member_kind(n) == Some(MemberKind::Joining))
            .count();
        let c = self.cluster_membership();
        if (c.voters.len() + c.learners.len() + joining) as u64 >= MAX_NODES {
            return Err(SimError::TooManyVoters);
        }
        // "Any member": one of the running voters (any voter if none runs), chosen with the
        // run's RNG (drawn as a u64 so that native and wasm32 draw alike).
        let mut voters: Vec<NodeId> = c
            .voters
            .iter()
            .copied()
            .filter(|v| self.nodes.get(v).map(SimNode::status) == Some(NodeStatus::Up))
            .collect();
        if voters.is_empty() {
            voters = c.voters.iter().copied().collect();
        }
        let pick = self.rng.random_range(0..(voters.len() as u64).max(1));
        let contact = voters.get(pick as usize).copied().unwrap_or(NodeId(1));
        let raft = RaftNode::join(
            id,
            contact,
            self.config.raft.clone(),
            node_seed(self.config.seed, id, 0),
            self.now_ms,
        )?;
        self.nodes.insert(id, SimNode::fresh(raft));
        self.trace_now(TraceKind::NodeAdded { node: id, contact });
        self.drain(id);
        Ok(())
    }

    pub(super) fn remove_node(&mut self, id: NodeId) -> Result<(), SimError> {
        // A dismissed node can still be in a configuration (dismissed while no leader spoke
        // for the cluster): it can be removed by id.
        if !self.nodes.contains_key(&id) && !self.cluster_membership().contains(id) {
            return Err(SimError::UnknownNode(id));
        }
        let leader = self.leader().ok_or(SimError::NoLeader)?;
        let now = self.now_ms;
        let node = self.nodes.get_mut(&leader).ok_or(SimError::NoLeader)?;
        if node.paused {
            return Err(SimError::NodePaused(leader));
        }
        let raft = node.raft.as_mut().ok_or(SimError::NoLeader)?;
        raft.advance_clock(now);
        raft.remove_node(id).map_err(SimError::Change)?;
        self.drain(leader);
        Ok(())
    }

    pub(super) fn dismiss_node(&mut self, id: NodeId) -> Result<(), SimError> {
        match self.member_kind(id) {
            None => return Err(SimError::UnknownNode(id)),
            Some(MemberKind::Removed) => {}
            Some(_) => return Err(SimError::NotRemoved(id)),
        }
        self.nodes.remove(&id);
        self.retired.insert(id);
        self.pending.remove(&id);
        self.held.remove(&id);
        self.trace_now(TraceKind::NodeDismissed { node: id });
        Ok(())
    }
}
