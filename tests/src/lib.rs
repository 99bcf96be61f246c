//! Shared helpers for the native suites in `tests/tests/`. Everything here uses raft-core's
//! public API only, like any outside user of the crate would.

use raft_core::sim::{SimConfig, Simulation, TraceKind};
use raft_core::{LogIndex, NodeEvent, NodeId, RoleKind, Term};
use std::collections::BTreeMap;

/// A simulation with default settings and the given seed and size.
///
/// # Panics
/// If the settings are rejected (they are valid for 1..=9 nodes).
pub fn sim(seed: u64, nodes: u64) -> Simulation {
    Simulation::new(SimConfig {
        seed,
        node_count: nodes,
        ..SimConfig::default()
    })
    .expect("default settings are valid")
}

/// Runs until some running node is leader and every other running node knows it (or
/// `limit_ms` of virtual time pass). Returns the leader.
pub fn run_until_stable_leader(sim: &mut Simulation, limit_ms: u64) -> Option<NodeId> {
    let ok = sim.run_until(limit_ms, |s| {
        let Some(l) = s.leader() else { return false };
        let term = s.node(l).map(|n| n.current_term());
        s.nodes()
            .filter_map(|n| n.raft())
            .all(|r| r.id() == l || (r.leader_id() == Some(l) && Some(r.current_term()) == term))
    });
    if ok { sim.leader() } else { None }
}

/// Every `(term → leader)` recorded in the trace. Panics (with the seed) if two different
/// nodes became leader in the same term: the Election Safety property of Figure 3, checked
/// over the whole history rather than at one instant.
pub fn leaders_by_term(sim: &Simulation) -> BTreeMap<Term, NodeId> {
    let mut leaders = BTreeMap::new();
    for e in sim.trace().events() {
        if let TraceKind::Node {
            node,
            event: NodeEvent::BecameLeader { term, .. },
        } = &e.kind
            && let Some(prev) = leaders.insert(*term, *node)
        {
            assert_eq!(
                prev,
                *node,
                "Election Safety violated in term {term} (seed {})",
                sim.config().seed
            );
        }
    }
    leaders
}

/// Every vote a node granted to a second, different candidate in a term in which it had
/// already granted one, over the whole trace and across restarts: `(voter, term, first,
/// second)`. Figure 2 allows one vote per term ("votedFor ... updated on stable storage before
/// responding"), so this is empty in a correct run.
pub fn double_votes(sim: &Simulation) -> Vec<(NodeId, Term, NodeId, NodeId)> {
    let mut votes: BTreeMap<(NodeId, Term), NodeId> = BTreeMap::new();
    let mut doubles = Vec::new();
    for e in sim.trace().events() {
        if let TraceKind::Node {
            node,
            event: NodeEvent::VoteGranted { candidate, term },
        } = &e.kind
        {
            let first = *votes.entry((*node, *term)).or_insert(*candidate);
            if first != *candidate {
                doubles.push((*node, *term, first, *candidate));
            }
        }
    }
    doubles
}

/// Checks the Log Matching and State Machine Safety properties (Figure 3) on the current state:
/// any two logs that hold an entry with the same index and term are identical up to it, and
/// committed prefixes agree. Panics with the seed on violation.
pub fn check_logs(sim: &Simulation) {
    let seed = sim.config().seed;
    let logs: Vec<(NodeId, &raft_core::Log, u64)> = sim
        .nodes()
        .map(|n| {
            let commit = n.raft().map_or(0, |r| r.commit_index().0);
            (n.id(), &n.storage().log, commit)
        })
        .collect();
    for (a, la, ca) in &logs {
        for (b, lb, cb) in &logs {
            if a >= b {
                continue;
            }
            // Entries compacted into a snapshot (§7) are committed and not compared here.
            let first = la.first_index().max(lb.first_index()).0;
            let common = la.last_index().min(lb.last_index());
            let same = |i: u64| la.get(LogIndex(i)) == lb.get(LogIndex(i));
            // Find the highest index where both have the same term; everything up to it
            // must be identical.
            let mut i = common.0;
            while i >= first {
                if la.term_at(LogIndex(i)) == lb.term_at(LogIndex(i)) {
                    if let Some(bad) = (first..=i).find(|&j| !same(j)) {
                        panic!(
                            "Log Matching violated between Node {a} and Node {b} at index {bad} (seed {seed})"
                        );
                    }
                    break;
                }
                i -= 1;
            }
            let committed = (*ca).min(*cb);
            if let Some(bad) = (first..=committed).find(|&j| !same(j)) {
                panic!("committed prefixes of Node {a} and Node {b} differ at {bad} (seed {seed})");
            }
        }
    }
}

/// Role of a running node.
pub fn role(sim: &Simulation, id: NodeId) -> Option<RoleKind> {
    sim.node(id).and_then(|n| n.role())
}

/// A hand-driven cluster of [`raft_core::RaftNode`]s with a message queue the test controls:
/// it can deliver, hold back or drop any message. Used for node-level scenarios (Figure 8,
/// conflict hints) where the simulator's random latency would get in the way.
pub struct Harness {
    /// The nodes, by id.
    pub nodes: BTreeMap<NodeId, raft_core::RaftNode>,
    /// Stable storage per node, written from each `Ready` before its messages are queued.
    pub storage: BTreeMap<NodeId, raft_core::PersistentState>,
    /// Messages sent and not yet delivered, in send order.
    pub queue: Vec<raft_core::Message>,
    /// Entries each node handed out to apply, in order.
    pub applied: BTreeMap<NodeId, Vec<raft_core::Entry>>,
    /// Events each node reported, in order, with the harness time they were collected at.
    pub events: BTreeMap<NodeId, Vec<(u64, NodeEvent)>>,
    /// Virtual time (ms).
    pub now_ms: u64,
}

impl Harness {
    /// Nodes restarted from the given persistent states (all with `config`).
    ///
    /// # Panics
    /// If a state or the config is rejected.
    pub fn from_states(
        states: Vec<(NodeId, raft_core::PersistentState)>,
        config: raft_core::Config,
    ) -> Harness {
        let mut h = Harness {
            nodes: BTreeMap::new(),
            storage: BTreeMap::new(),
            queue: Vec::new(),
            applied: BTreeMap::new(),
            events: BTreeMap::new(),
            now_ms: 0,
        };
        for (i, (id, st)) in states.into_iter().enumerate() {
            let node = raft_core::RaftNode::restart(id, st.clone(), config.clone(), i as u64, 0)
                .expect("valid state");
            h.nodes.insert(id, node);
            h.storage.insert(id, st);
        }
        h
    }

    /// Collects every node's `Ready`: persists, queues messages, records applied entries.
    pub fn collect(&mut self) {
        for (id, node) in self.nodes.iter_mut() {
            let ready = node.take_ready();
            if let Some(p) = &ready.persist
                && let Some(s) = self.storage.get_mut(id)
            {
                s.apply(p);
            }
            self.queue.extend(ready.messages);
            self.applied
                .entry(*id)
                .or_default()
                .extend(ready.committed_entries);
            let now = self.now_ms;
            self.events
                .entry(*id)
                .or_default()
                .extend(ready.events.into_iter().map(|e| (now, e)));
        }
    }

    /// Moves the harness clock to `now_ms` and ticks every node (firing due timers), then
    /// collects. Nothing is delivered.
    pub fn tick_all(&mut self, now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
        for node in self.nodes.values_mut() {
            node.tick(self.now_ms);
        }
        self.collect();
    }

    /// Makes `id` start an election now.
    pub fn campaign(&mut self, id: NodeId) {
        if let Some(n) = self.nodes.get_mut(&id) {
            n.advance_clock(self.now_ms);
            n.campaign();
        }
        self.collect();
    }

    /// Delivers, in order, every queued message matching `pred` (messages they cause are queued
    /// behind and not delivered in this call). Returns how many were delivered.
    pub fn deliver(&mut self, mut pred: impl FnMut(&raft_core::Message) -> bool) -> usize {
        let (now, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.queue)
            .into_iter()
            .partition(|m| pred(m));
        self.queue = later;
        let n = now.len();
        for m in now {
            if let Some(node) = self.nodes.get_mut(&m.to) {
                node.advance_clock(self.now_ms);
                node.step(m);
            }
            self.collect();
        }
        n
    }

    /// Delivers everything matching `pred` until no such message is queued (at most `rounds`
    /// passes). Returns the total delivered.
    pub fn deliver_until_quiet(
        &mut self,
        rounds: usize,
        mut pred: impl FnMut(&raft_core::Message) -> bool,
    ) -> usize {
        let mut total = 0;
        for _ in 0..rounds {
            let n = self.deliver(&mut pred);
            if n == 0 {
                break;
            }
            total += n;
        }
        total
    }

    /// Drops every queued message matching `pred`.
    pub fn drop_where(&mut self, mut pred: impl FnMut(&raft_core::Message) -> bool) {
        self.queue.retain(|m| !pred(m));
    }

    /// The node with this id.
    ///
    /// # Panics
    /// If there is none.
    pub fn node(&self, id: u64) -> &raft_core::RaftNode {
        &self.nodes[&NodeId(id)]
    }
}

/// A persistent state with the given log terms (commands are `Add { a: index, b: term }` so
/// entries of different origin differ), current term and voters 1..=n.
pub fn state_with_log(terms: &[u64], current_term: u64, voters: u64) -> raft_core::PersistentState {
    let mut st = raft_core::PersistentState::new((1..=voters).map(NodeId).collect());
    for (i, &t) in terms.iter().enumerate() {
        st.log.append_new(
            Term(t),
            raft_core::Command::Add {
                a: i as i64 + 1,
                b: t as i64,
            },
        );
    }
    st.current_term = Term(current_term);
    st
}

/// The reference run used to compare platforms: seed 42, 5 nodes, a leader crash and restart,
/// a follower crash, and a dozen client operations, over 10 minutes of virtual time. Native
/// tests and the browser (wasm) test both compute its trace digest and compare it with
/// `tests/golden/reference-digest.txt`, which proves one seed gives the same run everywhere.
pub fn reference_run() -> Simulation {
    use raft_core::Command;
    use raft_core::sim::Action;
    let mut s = sim(42, 5);
    s.run_for(40_000);
    for i in 0..6 {
        let _ = s.apply(Action::Submit(Command::Add { a: i, b: 10 * i }));
        s.run_for(3_000);
    }
    if let Some(l) = s.leader() {
        let _ = s.apply(Action::Crash(l));
        s.run_for(90_000);
        let _ = s.apply(Action::Restart(l));
    }
    let _ = s.apply(Action::Crash(NodeId(2)));
    for i in 0..6 {
        let _ = s.apply(Action::Submit(Command::Add { a: -i, b: 7 }));
        s.run_for(5_000);
    }
    let _ = s.apply(Action::Restart(NodeId(2)));
    let _ = s.apply(Action::Timeout(NodeId(3)));
    s.advance_to(600_000);
    s
}

/// The golden digest of [`reference_run`], as 16 lower-case hex digits.
pub const REFERENCE_DIGEST: &str = include_str!("../golden/reference-digest.txt");
