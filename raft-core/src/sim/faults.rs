//! Network and process faults: pausing nodes, cutting links, partitions, per-link settings and
//! acting on single messages. Every one is an [`Action`] applied at the current virtual time;
//! each validates everything before changing anything, so an error leaves the run untouched.

use super::link::LinkSettings;
use super::network::{Endpoint, MessageId};
use super::trace::{DropReason, TraceEvent, TraceKind};
use super::{NodeStatus, SimError, Simulation};
use crate::types::NodeId;
use std::collections::BTreeSet;

impl Simulation {
    pub(super) fn set_link_cut(
        &mut self,
        from: NodeId,
        to: NodeId,
        cut: bool,
    ) -> Result<(), SimError> {
        self.check_link(from, to)?;
        self.set_cut(from, to, cut);
        Ok(())
    }

    pub(super) fn isolate(&mut self, id: NodeId) -> Result<(), SimError> {
        self.check_node(id)?;
        self.trace_now(TraceKind::Isolated { node: id });
        let others: Vec<NodeId> = self.nodes.keys().copied().filter(|&n| n != id).collect();
        for other in others {
            self.cut_quietly(id, other);
            self.cut_quietly(other, id);
        }
        Ok(())
    }

    pub(super) fn heal_all(&mut self) {
        self.network.heal_all();
        self.trace_now(TraceKind::Healed);
    }

    pub(super) fn set_link(
        &mut self,
        from: NodeId,
        to: NodeId,
        settings: Option<LinkSettings>,
    ) -> Result<(), SimError> {
        self.check_link(from, to)?;
        if let Some(s) = &settings {
            s.validate()?;
        }
        self.network.set_override(from, to, settings);
        self.trace_now(TraceKind::LinkSettingsChanged { from, to, settings });
        Ok(())
    }

    pub(super) fn set_network(&mut self, settings: LinkSettings) -> Result<(), SimError> {
        settings.validate()?;
        self.network.set_defaults(settings);
        self.trace_now(TraceKind::NetworkChanged { settings });
        Ok(())
    }

    pub(super) fn drop_message(&mut self, id: MessageId) -> Result<(), SimError> {
        let env = self
            .network
            .remove(id)
            .ok_or(SimError::UnknownMessage(id))?;
        self.record_drop(&env, DropReason::ByUser);
        Ok(())
    }

    pub(super) fn trace_now(&mut self, kind: TraceKind) {
        self.trace.push(TraceEvent {
            time_ms: self.now_ms,
            kind,
        });
    }

    fn check_node(&self, id: NodeId) -> Result<(), SimError> {
        if self.nodes.contains_key(&id) {
            Ok(())
        } else {
            Err(SimError::UnknownNode(id))
        }
    }

    fn check_link(&self, from: NodeId, to: NodeId) -> Result<(), SimError> {
        self.check_node(from)?;
        self.check_node(to)?;
        if from == to {
            return Err(SimError::SelfLink(from));
        }
        Ok(())
    }

    pub(super) fn transfer_leadership(&mut self, target: NodeId) -> Result<(), SimError> {
        match self.nodes.get(&target).map(|n| n.status()) {
            None => return Err(SimError::UnknownNode(target)),
            Some(NodeStatus::Crashed) => return Err(SimError::NodeDown(target)),
            Some(NodeStatus::Paused) => return Err(SimError::NodePaused(target)),
            Some(NodeStatus::Up) => {}
        }
        let leader = self.leader().ok_or(SimError::NoLeader)?;
        let node = self.nodes.get_mut(&leader).ok_or(SimError::NoLeader)?;
        if node.paused {
            return Err(SimError::NodePaused(leader));
        }
        let raft = node.raft.as_mut().ok_or(SimError::NoLeader)?;
        raft.advance_clock(self.now_ms);
        raft.transfer_leadership(target)
            .map_err(SimError::Transfer)?;
        self.drain(leader);
        Ok(())
    }

    pub(super) fn set_guards(&mut self, pre_vote: bool, check_quorum: bool) {
        self.config.raft.pre_vote = pre_vote;
        self.config.raft.check_quorum = check_quorum;
        let now = self.now_ms;
        for node in self.nodes.values_mut() {
            if let Some(r) = node.raft.as_mut() {
                r.advance_clock(now);
                r.set_liveness_guards(pre_vote, check_quorum);
            }
        }
        self.trace_now(TraceKind::GuardsChanged {
            pre_vote,
            check_quorum,
        });
    }

    pub(super) fn pause(&mut self, id: NodeId) -> Result<(), SimError> {
        let node = self.nodes.get_mut(&id).ok_or(SimError::UnknownNode(id))?;
        if node.raft.is_none() {
            return Err(SimError::NodeDown(id));
        }
        if node.paused {
            return Err(SimError::NodePaused(id));
        }
        node.paused = true;
        self.trace_now(TraceKind::Paused { node: id });
        Ok(())
    }

    pub(super) fn resume(&mut self, id: NodeId) -> Result<(), SimError> {
        let node = self.nodes.get_mut(&id).ok_or(SimError::UnknownNode(id))?;
        if !node.paused {
            return Err(SimError::NodeNotPaused(id));
        }
        node.paused = false;
        let now = self.now_ms;
        if let Some(r) = node.raft.as_mut() {
            r.advance_clock(now);
        }
        let waiting = self.held.remove(&id).unwrap_or_default();
        self.trace_now(TraceKind::Resumed {
            node: id,
            waiting: waiting.len() as u64,
        });
        // In arrival order, as a socket buffer would hand them over.
        for env in waiting {
            self.hand_over(env);
        }
        Ok(())
    }

    /// Cuts or restores one direction with a trace line; a cut drops what is in flight on it.
    fn set_cut(&mut self, from: NodeId, to: NodeId, cut: bool) {
        if self.network.set_cut(from, to, cut) {
            self.trace_now(TraceKind::LinkChanged { from, to, cut });
            if cut {
                self.drop_in_flight(from, to);
            }
        }
    }

    /// Cuts one direction without its own trace line (part of a partition or isolation).
    fn cut_quietly(&mut self, from: NodeId, to: NodeId) {
        if self.network.set_cut(from, to, true) {
            self.drop_in_flight(from, to);
        }
    }

    /// Drops every message in flight from `from` to `to` (the link was just cut).
    fn drop_in_flight(&mut self, from: NodeId, to: NodeId) {
        let lost = self
            .network
            .remove_where(|e| e.from == Endpoint::Node(from) && e.to == Endpoint::Node(to));
        for e in lost {
            self.record_drop(&e, DropReason::LinkCut);
        }
    }

    pub(super) fn partition(&mut self, groups: Vec<Vec<NodeId>>) -> Result<(), SimError> {
        let mut seen = BTreeSet::new();
        for &id in groups.iter().flatten() {
            self.check_node(id)?;
            if !seen.insert(id) {
                return Err(SimError::NodeInTwoGroups(id));
            }
        }
        // Each group in id order (a BTreeSet of node ids sorts without linking a sort routine
        // into the wasm build), and the groups in order of their smallest id (inserted in
        // place: a set of groups would add another copy of the B-tree code).
        let mut all: Vec<Vec<NodeId>> = Vec::new();
        let mut add = |group: Vec<NodeId>| {
            if let Err(at) = all.binary_search(&group) {
                all.insert(at, group);
            }
        };
        for g in groups.into_iter().filter(|g| !g.is_empty()) {
            let mut set = BTreeSet::new();
            set.extend(g);
            add(set.into_iter().collect());
        }
        let rest: Vec<NodeId> = self
            .nodes
            .keys()
            .copied()
            .filter(|n| !seen.contains(n))
            .collect();
        if !rest.is_empty() {
            add(rest);
        }
        if all.len() < 2 {
            return Err(SimError::PartitionNeedsTwoGroups);
        }
        // Restore every link, keeping per-link settings, then cut between groups.
        let old: Vec<(NodeId, NodeId)> = self.network.cut_links().collect();
        for (a, b) in old {
            self.network.set_cut(a, b, false);
        }
        self.trace_now(TraceKind::Partitioned {
            groups: all.clone(),
        });
        for (i, g) in all.iter().enumerate() {
            for (j, h) in all.iter().enumerate() {
                if i == j {
                    continue;
                }
                for &a in g {
                    for &b in h {
                        self.cut_quietly(a, b);
                    }
                }
            }
        }
        Ok(())
    }

    pub(super) fn duplicate(&mut self, id: MessageId) -> Result<(), SimError> {
        let env = self.network.get(id).ok_or(SimError::UnknownMessage(id))?;
        let (Endpoint::Node(a), Endpoint::Node(b)) = (env.from, env.to) else {
            return Err(SimError::NotANodeMessage(id));
        };
        let (from, to, payload) = (env.from, env.to, env.payload.clone());
        let kind = payload.kind();
        let link: LinkSettings = *self.network.settings(a, b);
        let now = self.now_ms;
        let at = now.saturating_add(link.draw_latency(&mut self.rng));
        let copy = self
            .network
            .enqueue(from, to, now, at, false, true, payload);
        self.trace_now(TraceKind::Duplicated {
            id,
            copy,
            from,
            to,
            kind,
            by_user: true,
        });
        Ok(())
    }
}
