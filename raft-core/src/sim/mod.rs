//! A deterministic discrete-event simulator for a Raft cluster.
//!
//! The [`Simulation`] owns a virtual clock (milliseconds from 0), one seeded RNG from which every
//! random choice is drawn (message latency, the client's choice of node, each node's election
//! timeouts through derived seeds), the network of in-flight messages, crash/restart of nodes and
//! a client. Events are processed in a fixed order — by time, then messages before node timers
//! before client timers, each by id — so one `u64` seed always gives the same run, on native
//! targets and on wasm32 alike. [`Trace::digest`] proves it.
//!
//! Faults and user actions all go through [`Simulation::apply`] with an [`Action`].

pub mod check;
pub mod client;
mod client_flow;
mod explain;
mod faults;
pub mod history;
pub mod link;
mod members;
pub mod network;
pub mod scenario;
mod settings;
pub mod timeline;
pub mod trace;

pub use check::{Property, SafetyChecker, Violation};
pub use client::{ClientConfig, ClientRequest, OpSummary, RequestState};
pub use explain::{CommitExplanation, CommitStatus};
pub use history::{
    DEFAULT_CHECK_STEPS, History, HistoryOp, Linearizability, Outcome, RegisterModel,
};
pub use link::{LinkSettings, LinkState, Ratio};
pub use members::MemberKind;
pub use network::{
    ClientReply, DroppedMessage, Endpoint, Envelope, MessageId, Network, Payload, RequestId,
};
pub use settings::{DriverBug, MAX_CLIENTS, MAX_NODE_ID, MAX_NODES, SimConfig, SimError};
pub use timeline::{Recorded, Scene, Timeline};
pub use trace::{DropReason, Level, Trace, TraceEvent, TraceKind, TraceMark, format_timestamp};

use crate::command::{ApplyOutput, ClientId, Command, CommandError, StateMachine};
use crate::node::{PersistUpdate, PersistentState, ProposeError, RaftNode, RoleKind};
use crate::sorted::SortedMap;
use crate::types::{LogIndex, NodeId, Term};
use client::Client;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};

/// How many dropped messages [`Simulation::recent_drops`] remembers.
pub const RECENT_DROPS: usize = 64;

/// Everything that can be done to a running simulation: user clicks, scenario steps and
/// randomized fault schedules all use this one type.
///
/// Network actions act on the links *between nodes*; the client always reaches every node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Crash a node: it loses its volatile state and every message in flight to it. With
    /// [`SimConfig::storage_faults`] it also loses writes not yet synced.
    Crash(NodeId),
    /// Restart a crashed node from its persisted state, as a follower with commit_index 0
    /// (Figure 2: commitIndex and lastApplied are volatile).
    Restart(NodeId),
    /// Make a node's election timer fire now.
    Timeout(NodeId),
    /// The default client ([`ClientId::DEFAULT`]) submits a command to a random node.
    Submit(Command),
    /// A chosen client (1..=`ClientConfig::clients`) submits a command to a random node.
    SubmitFrom {
        /// The client.
        client: ClientId,
        /// The command: an `Add` or a `Register` operation.
        command: Command,
    },
    /// Pause a running node, like a long garbage-collection pause or a stopped VM: it keeps
    /// all its state but processes nothing (no timers, no messages) until resumed. Messages
    /// that arrive meanwhile wait for it.
    Pause(NodeId),
    /// Resume a paused node: its clock jumps to now, it handles the messages that waited for
    /// it in arrival order, and overdue timers fire.
    Resume(NodeId),
    /// Cut one direction of a link: messages from `from` to `to` are lost, including those
    /// already in flight.
    CutLink {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
    },
    /// Restore one direction of a link.
    RestoreLink {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
    },
    /// Split the cluster: restore every link, then cut both directions of every link between
    /// nodes of different groups. Nodes not listed form one more group together.
    Partition(Vec<Vec<NodeId>>),
    /// Cut every link to and from one node (other cuts stay).
    Isolate(NodeId),
    /// Restore every link and remove every per-link override.
    HealAll,
    /// Set the settings of one direction of a link (`None`: back to the network's defaults).
    SetLink {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
        /// The link's own settings.
        settings: Option<LinkSettings>,
    },
    /// Set the default settings of every link without an override (latency range, loss,
    /// duplication).
    SetNetwork(LinkSettings),
    /// Drop one message in flight (any message, client messages included).
    DropMessage(MessageId),
    /// Send a second copy of a message in flight between two nodes, with a fresh latency.
    DuplicateMessage(MessageId),
    /// Ask the current leader to hand leadership to this node (dissertation §3.10: it brings
    /// the target up to date, then sends TimeoutNow).
    TransferLeadership(NodeId),
    /// Start a new node with this id and an empty log: it sends JoinCluster to a member, joins
    /// as a learner, catches up and becomes a voter (dissertation §4.2.1).
    AddNode(NodeId),
    /// Ask the leader to remove this node from the cluster (a voter, a learner, a crashed node
    /// or the leader itself; dissertation §4.1, §4.2.2).
    RemoveNode(NodeId),
    /// Delete a node that has left the cluster from the simulation (and from the view).
    DismissNode(NodeId),
    /// Make a running node take a snapshot of everything it has applied and compact its log
    /// (§7).
    Snapshot(NodeId),
    /// Set [`SimConfig::snapshot_threshold_entries`] for every node from now on (`None`: no
    /// automatic compaction). Nodes whose logs already exceed it compact after their next
    /// apply.
    SetSnapshotThreshold(Option<u64>),
    /// Turn the liveness guards on or off on every node, now and after restarts: PreVote
    /// (dissertation §9.6) and CheckQuorum with its leader lease (§6.2, §4.2.3).
    SetGuards {
        /// PreVote on or off.
        pre_vote: bool,
        /// CheckQuorum on or off.
        check_quorum: bool,
    },
}

/// What a successful [`Action`] produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionOutcome {
    /// The action took effect.
    Done,
    /// The client request was created with this id.
    Submitted(RequestId),
}

fn done(_: ()) -> ActionOutcome {
    ActionOutcome::Done
}

/// Whether a simulated node is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeStatus {
    /// Running.
    Up,
    /// Paused: all state kept, nothing processed.
    Paused,
    /// Crashed: only its persistent state survives.
    Crashed,
}

impl NodeStatus {
    /// `up`, `paused` or `crashed` (the app's `data-status`).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Up => "up",
            NodeStatus::Paused => "paused",
            NodeStatus::Crashed => "crashed",
        }
    }
}

/// One simulated server: its stable storage, and, while it runs, the Raft node and the state
/// machine it applies to.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimNode {
    id: NodeId,
    /// What survives a crash: written from each `Ready` before its messages are sent.
    storage: PersistentState,
    /// Writes not yet synced to `storage` (only with storage faults or a driver bug).
    #[serde(default)]
    unsynced: Vec<PersistUpdate>,
    raft: Option<RaftNode>,
    state_machine: StateMachine,
    incarnation: u64,
    #[serde(default)]
    paused: bool,
}

impl SimNode {
    /// A server that has never run: `raft` is its first life, and its stable storage holds
    /// what the node starts from.
    fn fresh(raft: RaftNode) -> SimNode {
        SimNode {
            id: raft.id(),
            storage: raft.persistent().clone(),
            unsynced: Vec::new(),
            raft: Some(raft),
            state_machine: StateMachine::default(),
            incarnation: 0,
            paused: false,
        }
    }

    /// Makes every pending write durable, in order. The storage's log then holds the entries
    /// the running node's log holds: the full chunks it completed share their memory with the
    /// running log's (see [`crate::chunked`]), so the node's log is in memory once, not twice.
    fn sync(&mut self) {
        if self.unsynced.is_empty() {
            return;
        }
        let mut from = self.storage.log.full_chunks();
        for update in self.unsynced.drain(..) {
            self.storage.apply(&update);
            from = from.min(self.storage.log.full_chunks());
        }
        if let Some(raft) = &self.raft
            && self.storage.log.full_chunks() > from
        {
            self.storage.log.share_chunks_from(raft.log(), from);
        }
    }
    /// The node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }
    /// Up, paused or crashed.
    pub fn status(&self) -> NodeStatus {
        match (&self.raft, self.paused) {
            (None, _) => NodeStatus::Crashed,
            (Some(_), true) => NodeStatus::Paused,
            (Some(_), false) => NodeStatus::Up,
        }
    }
    /// Whether the node is paused.
    pub fn is_paused(&self) -> bool {
        self.paused
    }
    /// Number of writes made but not yet synced to stable storage (a crash with storage
    /// faults loses them).
    pub fn unsynced_writes(&self) -> usize {
        self.unsynced.len()
    }
    /// The running (or paused) Raft node, or `None` while crashed.
    pub fn raft(&self) -> Option<&RaftNode> {
        self.raft.as_ref()
    }
    /// The state on stable storage (what a restart recovers).
    pub fn storage(&self) -> &PersistentState {
        &self.storage
    }
    /// The node's state machine (reset by a crash, rebuilt by re-applying committed entries).
    pub fn state_machine(&self) -> &StateMachine {
        &self.state_machine
    }
    /// The role, or `None` while crashed.
    pub fn role(&self) -> Option<RoleKind> {
        self.raft.as_ref().map(RaftNode::role)
    }
    /// The current term (from storage while crashed).
    pub fn current_term(&self) -> Term {
        self.raft
            .as_ref()
            .map_or(self.storage.current_term, RaftNode::current_term)
    }
    /// How many times it has been restarted.
    pub fn restarts(&self) -> u64 {
        self.incarnation
    }
}

/// A proposal accepted by a leader on behalf of a client request, awaiting its apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct PendingProposal {
    request: RequestId,
    term: Term,
}

/// A whole simulated cluster. `Clone` and serde-serializable, RNG state included, so a copy
/// continues exactly as the original would.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Simulation {
    config: SimConfig,
    now_ms: u64,
    rng: Xoshiro256PlusPlus,
    nodes: SortedMap<NodeId, SimNode>,
    network: Network,
    client: Client,
    /// Per node, proposals accepted for the client, by log index.
    pending: SortedMap<NodeId, SortedMap<LogIndex, PendingProposal>>,
    /// Per paused node, the messages that arrived for it, in arrival order.
    #[serde(default)]
    held: SortedMap<NodeId, Vec<Envelope>>,
    /// The last [`RECENT_DROPS`] dropped messages, oldest first.
    #[serde(default)]
    recent_drops: VecDeque<DroppedMessage>,
    trace: Trace,
    events_processed: u64,
    /// Ids of dismissed nodes, never given out again.
    #[serde(default)]
    retired: BTreeSet<NodeId>,
}

/// SplitMix64's output function: turns related inputs (seed, stream) into unrelated seeds.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Seed for node `id` in its `incarnation`-th life, derived from the run's seed.
fn node_seed(seed: u64, id: NodeId, incarnation: u64) -> u64 {
    mix(mix(seed) ^ mix(id.0.wrapping_mul(1_000_003).wrapping_add(incarnation)))
}

impl Simulation {
    /// Builds a cluster of `config.node_count` fresh nodes (ids 1..=n) at virtual time 0.
    ///
    /// # Errors
    /// [`SimError`] if any setting is invalid.
    pub fn new(config: SimConfig) -> Result<Self, SimError> {
        config.raft.validate()?;
        if config.node_count == 0 || config.node_count > MAX_NODES {
            return Err(SimError::NodeCount {
                requested: config.node_count,
            });
        }
        config.link_defaults().validate()?;
        let c = &config.client;
        if c.max_attempts == 0
            || c.attempt_timeout_ms == 0
            || c.retry_backoff_ms == 0
            || c.clients == 0
            || c.clients > MAX_CLIENTS
        {
            return Err(SimError::ClientConfig);
        }
        let mut ids = BTreeSet::new();
        ids.extend((1..=config.node_count).map(NodeId));
        let mut nodes = SortedMap::new();
        for &id in &ids {
            let raft = RaftNode::new(
                id,
                ids.iter().copied(),
                config.raft.clone(),
                node_seed(config.seed, id, 0),
                0,
            )?;
            nodes.insert(id, SimNode::fresh(raft));
        }
        Ok(Simulation {
            rng: Xoshiro256PlusPlus::seed_from_u64(mix(config.seed ^ 0x5EED)),
            client: Client {
                config: config.client.clone(),
                ..Client::default()
            },
            network: Network::new(config.link_defaults()),
            config,
            now_ms: 0,
            nodes,
            pending: SortedMap::new(),
            held: SortedMap::new(),
            recent_drops: VecDeque::new(),
            trace: Trace::default(),
            events_processed: 0,
            retired: BTreeSet::new(),
        })
    }

    // ----- read access -----

    /// The run's settings.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }
    /// Current virtual time (ms since the start of the run).
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }
    /// All nodes, by id.
    pub fn nodes(&self) -> impl Iterator<Item = &SimNode> {
        self.nodes.values()
    }
    /// One node.
    pub fn node(&self, id: NodeId) -> Option<&SimNode> {
        self.nodes.get(&id)
    }
    /// Messages in flight, in delivery order.
    pub fn in_flight(&self) -> impl Iterator<Item = &Envelope> {
        self.network.in_flight()
    }
    /// The network.
    pub fn network(&self) -> &Network {
        &self.network
    }
    /// The clients, their requests and their history.
    pub fn client(&self) -> &Client {
        &self.client
    }
    /// The history of every client operation (invocations and responses with their virtual
    /// times); [`History::check`] checks it for linearizability.
    pub fn history(&self) -> &History {
        self.client.history()
    }
    /// The trace of everything that happened.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    /// Keeps at least the newest `keep` trace events in memory (`None`: every event, the
    /// default); the digest still covers every event. See [`Trace::set_retention`]: readers of
    /// [`Simulation::trace`] then see the newest events only, from
    /// [`Trace::first_position`].
    pub fn set_trace_retention(&mut self, keep: Option<usize>) {
        self.trace.set_retention(keep);
    }
    /// Number of events processed so far.
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// Moves the clock to `t_ms` without processing anything (time travel replays an action
    /// recorded at a moment when events at that time were still pending).
    fn set_clock(&mut self, t_ms: u64) {
        self.now_ms = self.now_ms.max(t_ms);
    }

    /// Takes the trace out (a checkpoint is stored without it).
    fn take_trace(&mut self) -> Trace {
        std::mem::take(&mut self.trace)
    }

    /// Puts a trace back.
    fn put_trace(&mut self, trace: Trace) {
        self.trace = trace;
    }
    /// Messages that arrived for a paused node and wait for it, in arrival order (empty if
    /// the node is not paused).
    pub fn held_messages(&self, id: NodeId) -> &[Envelope] {
        self.held.get(&id).map_or(&[], Vec::as_slice)
    }
    /// The most recently dropped messages (at most [`RECENT_DROPS`]), oldest first, with
    /// when and why each was dropped, so a viewer can draw them fading out.
    pub fn recent_drops(&self) -> impl DoubleEndedIterator<Item = &DroppedMessage> {
        self.recent_drops.iter()
    }
    /// The running node that believes it leads in the highest term, if any. (Two nodes may
    /// believe they lead at once, in different terms, until the older one hears of the newer.)
    pub fn leader(&self) -> Option<NodeId> {
        self.nodes
            .values()
            .filter_map(|n| n.raft.as_ref())
            .filter(|r| r.role() == RoleKind::Leader)
            .max_by_key(|r| r.current_term())
            .map(RaftNode::id)
    }

    // ----- actions -----

    /// Applies a user action, scenario step or fault at the current virtual time.
    ///
    /// # Errors
    /// On error nothing changes:
    /// - [`SimError::UnknownNode`] for any node id that does not exist;
    /// - [`SimError::NodeDown`] (timeout, crash or pause of a crashed node),
    ///   [`SimError::NodeUp`] (restart of a running node), [`SimError::NodePaused`] (timeout or
    ///   pause of a paused node), [`SimError::NodeNotPaused`] (resume of a node that is not
    ///   paused), [`SimError::LeaderHasNoElectionTimer`] (timeout on a leader);
    /// - [`SimError::SelfLink`], [`SimError::NodeInTwoGroups`], [`SimError::LatencyRange`],
    ///   [`SimError::InvalidRatio`] for impossible network settings;
    /// - [`SimError::UnknownMessage`], [`SimError::NotANodeMessage`] for message actions;
    /// - [`SimError::UnknownClient`] for a client id outside 1..=`ClientConfig::clients`;
    /// - [`SimError::NoLeader`], [`SimError::Transfer`], and [`SimError::NodeDown`] /
    ///   [`SimError::NodePaused`] for the leader or the target, for a leadership transfer;
    /// - for membership: [`SimError::NodeExists`], [`SimError::InvalidNodeId`],
    ///   [`SimError::IdRetired`], [`SimError::TooManyVoters`] (add), [`SimError::NoLeader`], [`SimError::Change`]
    ///   (remove; e.g. the last voter, or another change pending), [`SimError::NotRemoved`]
    ///   (dismiss);
    /// - [`SimError::NodeDown`], [`SimError::Snapshot`] for a snapshot.
    pub fn apply(&mut self, action: Action) -> Result<ActionOutcome, SimError> {
        match action {
            Action::Crash(id) => self.crash(id).map(done),
            Action::Restart(id) => self.restart(id).map(done),
            Action::Timeout(id) => {
                let node = self.nodes.get_mut(&id).ok_or(SimError::UnknownNode(id))?;
                if node.paused {
                    return Err(SimError::NodePaused(id));
                }
                let raft = node.raft.as_mut().ok_or(SimError::NodeDown(id))?;
                if raft.role() == RoleKind::Leader {
                    return Err(SimError::LeaderHasNoElectionTimer(id));
                }
                raft.advance_clock(self.now_ms);
                raft.campaign();
                self.drain(id);
                Ok(ActionOutcome::Done)
            }
            Action::Submit(command) => Ok(ActionOutcome::Submitted(
                self.submit(ClientId::DEFAULT, command),
            )),
            Action::SubmitFrom { client, command } => {
                if client.0 == 0 || client.0 > self.client.config.clients {
                    return Err(SimError::UnknownClient(client));
                }
                Ok(ActionOutcome::Submitted(self.submit(client, command)))
            }
            Action::Pause(id) => self.pause(id).map(done),
            Action::Resume(id) => self.resume(id).map(done),
            Action::CutLink { from, to } => self.set_link_cut(from, to, true).map(done),
            Action::RestoreLink { from, to } => self.set_link_cut(from, to, false).map(done),
            Action::Partition(groups) => self.partition(groups).map(done),
            Action::Isolate(id) => self.isolate(id).map(done),
            Action::HealAll => {
                self.heal_all();
                Ok(ActionOutcome::Done)
            }
            Action::SetLink { from, to, settings } => self.set_link(from, to, settings).map(done),
            Action::SetNetwork(settings) => self.set_network(settings).map(done),
            Action::DropMessage(id) => self.drop_message(id).map(done),
            Action::DuplicateMessage(id) => self.duplicate(id).map(done),
            Action::TransferLeadership(target) => self.transfer_leadership(target).map(done),
            Action::SetGuards {
                pre_vote,
                check_quorum,
            } => {
                self.set_guards(pre_vote, check_quorum);
                Ok(ActionOutcome::Done)
            }
            Action::AddNode(id) => self.add_node(id).map(done),
            Action::RemoveNode(id) => self.remove_node(id).map(done),
            Action::DismissNode(id) => self.dismiss_node(id).map(done),
            Action::Snapshot(id) => self.take_snapshot(id).map(done),
            Action::SetSnapshotThreshold(entries) => {
                self.config.snapshot_threshold_entries = entries;
                self.trace_now(TraceKind::SnapshotThresholdChanged { entries });
                Ok(ActionOutcome::Done)
            }
        }
    }

    fn crash(&mut self, id: NodeId) -> Result<(), SimError> {
        let node = self.nodes.get_mut(&id).ok_or(SimError::UnknownNode(id))?;
        let Some(raft) = node.raft.take() else {
            return Err(SimError::NodeDown(id));
        };
        let role = raft.role();
        node.state_machine = StateMachine::default();
        node.paused = false;
        let lost_writes = if self.config.storage_faults {
            std::mem::take(&mut node.unsynced).len()
        } else {
            node.sync();
            0
        };
        self.pending.remove(&id);
        let now = self.now_ms;
        self.trace.push(TraceEvent {
            time_ms: now,
            kind: TraceKind::Crashed {
                node: id,
                lost_writes: lost_writes as u64,
                role: Some(role),
            },
        });
        let mut lost = self.held.remove(&id).unwrap_or_default();
        lost.extend(self.network.remove_where(|e| e.to == Endpoint::Node(id)));
        for e in lost {
            self.record_drop(&e, DropReason::RecipientCrashed);
        }
        Ok(())
    }

    /// Records a dropped message in the trace and in [`Simulation::recent_drops`].
    fn record_drop(&mut self, e: &Envelope, reason: DropReason) {
        let now = self.now_ms;
        let kind = e.kind();
        self.trace.push(TraceEvent {
            time_ms: now,
            kind: TraceKind::Dropped {
                id: e.id,
                from: e.from,
                to: e.to,
                kind,
                reason,
            },
        });
        if self.recent_drops.len() == RECENT_DROPS {
            self.recent_drops.pop_front();
        }
        self.recent_drops.push_back(DroppedMessage {
            id: e.id,
            from: e.from,
            to: e.to,
            kind,
            sent_at_ms: e.sent_at_ms,
            deliver_at_ms: e.deliver_at_ms,
            dropped_at_ms: now,
            entries: e.entry_count(),
            reason,
        });
    }

    fn restart(&mut self, id: NodeId) -> Result<(), SimError> {
        let node = self.nodes.get_mut(&id).ok_or(SimError::UnknownNode(id))?;
        if node.raft.is_some() {
            return Err(SimError::NodeUp(id));
        }
        let raft = RaftNode::restart(
            id,
            node.storage.clone(),
            self.config.raft.clone(),
            node_seed(self.config.seed, id, node.incarnation + 1),
            self.now_ms,
        )?;
        node.incarnation += 1;
        // §7: a restarted server loads its snapshot into the state machine, then applies the
        // committed entries that follow it as it learns the commit index.
        node.state_machine = node
            .storage
            .snapshot
            .as_ref()
            .map(|s| s.state.clone())
            .unwrap_or_default();
        let term = raft.current_term();
        let log_len = raft.log().last_index().0;
        let snapshot_index = raft.log().snapshot_id().index.0;
        node.raft = Some(raft);
        self.trace.push(TraceEvent {
            time_ms: self.now_ms,
            kind: TraceKind::Restarted {
                node: id,
                term,
                log_len,
                snapshot_index,
            },
        });
        Ok(())
    }

    // ----- time -----

    /// Virtual time of the next event (message delivery, node timer or client timer), if any.
    pub fn next_event_ms(&self) -> Option<u64> {
        self.next_event().map(|(t, _)| t)
    }

    fn next_event(&self) -> Option<(u64, NextEvent)> {
        let mut best: Option<(u64, NextEvent)> = self
            .network
            .next_delivery_ms()
            .map(|t| (t, NextEvent::Delivery));
        for node in self.nodes.values() {
            if let Some(r) = node.raft.as_ref().filter(|_| !node.paused) {
                let t = r.next_deadline_ms();
                if best.is_none_or(|(b, _)| t < b) {
                    best = Some((t, NextEvent::NodeTimer(node.id)));
                }
            }
        }
        if let Some((t, req)) = self.client.next_timer()
            && best.is_none_or(|(b, _)| t < b)
        {
            best = Some((t, NextEvent::ClientTimer(req)));
        }
        best
    }

    /// Processes the single next event, moving the clock to its time. Returns the new time, or
    /// `None` if nothing is scheduled (every node crashed and nothing in flight).
    pub fn step(&mut self) -> Option<u64> {
        let (t, ev) = self.next_event()?;
        self.process(t, ev);
        Some(self.now_ms)
    }

    /// Processes the event `ev` scheduled at `t` (as `next_event` found it).
    fn process(&mut self, t: u64, ev: NextEvent) {
        self.now_ms = self.now_ms.max(t);
        self.events_processed += 1;
        match ev {
            NextEvent::Delivery => {
                if let Some(env) = self.network.pop_next() {
                    self.deliver(env);
                }
            }
            NextEvent::NodeTimer(id) => {
                let now = self.now_ms;
                if let Some(r) = self.nodes.get_mut(&id).and_then(|n| n.raft.as_mut()) {
                    r.tick(now);
                }
                self.drain(id);
            }
            NextEvent::ClientTimer(req) => self.client_timer(req),
        }
    }

    /// Processes every event up to and including virtual time `t_ms`, then sets the clock to
    /// `t_ms` (if it is later than now). Returns the number of events processed.
    pub fn advance_to(&mut self, t_ms: u64) -> u64 {
        let mut n = 0;
        // One search for the next event per event (not one to peek and one in `step`).
        while let Some((t, ev)) = self.next_event().filter(|&(t, _)| t <= t_ms) {
            self.process(t, ev);
            n += 1;
        }
        self.now_ms = self.now_ms.max(t_ms);
        n
    }

    /// Advances the clock by `duration_ms` (see [`Simulation::advance_to`]).
    pub fn run_for(&mut self, duration_ms: u64) -> u64 {
        self.advance_to(self.now_ms.saturating_add(duration_ms))
    }

    /// Runs until `pred` holds (checked after every event) or `limit_ms` of virtual time pass.
    /// Returns whether `pred` held.
    pub fn run_until(&mut self, limit_ms: u64, mut pred: impl FnMut(&Simulation) -> bool) -> bool {
        let deadline = self.now_ms.saturating_add(limit_ms);
        loop {
            if pred(self) {
                return true;
            }
            match self.next_event() {
                Some((t, ev)) if t <= deadline => self.process(t, ev),
                _ => {
                    self.now_ms = self.now_ms.max(deadline);
                    return pred(self);
                }
            }
        }
    }

    // ----- internals -----

    /// Sends a message over the network. Between two nodes the link's settings apply: a cut
    /// link drops it at once, otherwise it draws its latency, then whether it is lost, then
    /// whether it is duplicated (the copy draws its own latency). The client's links only
    /// draw a latency from the defaults.
    fn send(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        let now = self.now_ms;
        let kind = payload.kind();
        let (Endpoint::Node(a), Endpoint::Node(b)) = (from, to) else {
            let latency = self.network.defaults().draw_latency(&mut self.rng);
            let id = self
                .network
                .send(from, to, now, now.saturating_add(latency), payload);
            self.trace.push(TraceEvent {
                time_ms: now,
                kind: TraceKind::Sent { id, from, to, kind },
            });
            return;
        };
        let link = *self.network.settings(a, b);
        if self.network.is_cut(a, b) {
            let id = self.network.allocate_id();
            self.trace.push(TraceEvent {
                time_ms: now,
                kind: TraceKind::Sent { id, from, to, kind },
            });
            let e = Envelope {
                id,
                from,
                to,
                sent_at_ms: now,
                deliver_at_ms: now,
                lost: true,
                duplicate: false,
                payload,
            };
            self.record_drop(&e, DropReason::LinkCut);
            return;
        }
        let deliver_at = now.saturating_add(link.draw_latency(&mut self.rng));
        let lost = link.loss.sample(&mut self.rng);
        let copy = link.duplicate.sample(&mut self.rng).then(|| {
            (
                now.saturating_add(link.draw_latency(&mut self.rng)),
                link.loss.sample(&mut self.rng),
                payload.clone(),
            )
        });
        let id = self
            .network
            .enqueue(from, to, now, deliver_at, lost, false, payload);
        self.trace.push(TraceEvent {
            time_ms: now,
            kind: TraceKind::Sent { id, from, to, kind },
        });
        if let Some((copy_at, copy_lost, payload)) = copy {
            let copy = self
                .network
                .enqueue(from, to, now, copy_at, copy_lost, true, payload);
            self.trace.push(TraceEvent {
                time_ms: now,
                kind: TraceKind::Duplicated {
                    id,
                    copy,
                    from,
                    to,
                    kind,
                    by_user: false,
                },
            });
        }
    }

    /// Collects a node's outputs and acts on them in the order [`crate::Ready`] requires:
    /// persist, then send, then apply.
    fn drain(&mut self, id: NodeId) {
        loop {
            let Some(node) = self.nodes.get_mut(&id) else {
                return;
            };
            let Some(raft) = node.raft.as_mut() else {
                return;
            };
            if !raft.has_ready() {
                return;
            }
            let ready = raft.take_ready();
            let bug = self.config.driver_bug == Some(DriverBug::SendBeforeSync);
            if let Some(update) = ready.persist {
                node.unsynced.push(update);
                if !self.config.storage_faults && !bug {
                    node.sync();
                }
            }
            // The contract: writes reach stable storage before anything that depends on them
            // leaves the node (messages) or is acted on (applying committed entries).
            let externalizes = !ready.messages.is_empty() || !ready.committed_entries.is_empty();
            if externalizes && !bug {
                node.sync();
            }
            let now = self.now_ms;
            for event in ready.events {
                self.trace.push(TraceEvent {
                    time_ms: now,
                    kind: TraceKind::Node { node: id, event },
                });
            }
            for msg in ready.messages {
                let to = Endpoint::Node(msg.to);
                self.send(Endpoint::Node(id), to, Payload::Raft(msg));
            }
            if bug
                && !ready.committed_entries.is_empty()
                && let Some(node) = self.nodes.get_mut(&id)
            {
                node.sync();
            }
            if let Some(snapshot) = ready.snapshot
                && let Some(node) = self.nodes.get_mut(&id)
            {
                node.state_machine = snapshot.state;
            }
            let applied_any = !ready.committed_entries.is_empty();
            for entry in ready.committed_entries {
                let Some(node) = self.nodes.get_mut(&id) else {
                    return;
                };
                let output = if self.config.driver_bug == Some(DriverBug::IgnoreSessions) {
                    node.state_machine
                        .apply_ignoring_sessions(entry.index, &entry.command)
                } else {
                    node.state_machine.apply(entry.index, &entry.command)
                };
                self.trace.push(TraceEvent {
                    time_ms: now,
                    kind: TraceKind::Applied {
                        node: id,
                        index: entry.index,
                        term: entry.term,
                        command: entry.command.clone(),
                        output: output.clone(),
                    },
                });
                self.answer_pending(id, entry.index, entry.term, output);
            }
            if applied_any {
                self.maybe_compact(id);
            }
        }
    }

    /// Takes a snapshot on `id` if its log outgrew [`SimConfig::snapshot_threshold_entries`].
    fn maybe_compact(&mut self, id: NodeId) {
        let Some(threshold) = self.config.snapshot_threshold_entries else {
            return;
        };
        let Some(node) = self.nodes.get_mut(&id) else {
            return;
        };
        let Some(raft) = node.raft.as_mut() else {
            return;
        };
        let log = raft.log();
        let applied_since = raft
            .last_applied()
            .0
            .saturating_sub(log.snapshot_id().index.0);
        if log.entries().len() as u64 > threshold && applied_since > 0 {
            let _ = raft.compact(node.state_machine.clone());
        }
    }

    fn take_snapshot(&mut self, id: NodeId) -> Result<(), SimError> {
        let node = self.nodes.get_mut(&id).ok_or(SimError::UnknownNode(id))?;
        if node.paused {
            return Err(SimError::NodePaused(id));
        }
        let raft = node.raft.as_mut().ok_or(SimError::NodeDown(id))?;
        raft.compact(node.state_machine.clone())
            .map_err(|e| SimError::Snapshot(id, e))?;
        self.drain(id);
        Ok(())
    }

    /// If `node` accepted a client proposal at `index`, answer the client now that the entry
    /// at that index was applied: with the result if it is the proposed entry (same term) —
    /// for a repeat, the session's stored result (dissertation §6.3) — or with
    /// `LeadershipLost` if another leader's entry took the slot.
    fn answer_pending(&mut self, node: NodeId, index: LogIndex, term: Term, output: ApplyOutput) {
        let Some(p) = self.pending.get_mut(&node).and_then(|m| m.remove(&index)) else {
            return;
        };
        let reply = match output.result() {
            _ if p.term != term => ClientReply::LeadershipLost,
            ApplyOutput::Sum(sum) => ClientReply::Done { sum: *sum },
            ApplyOutput::Value(v) => ClientReply::Value(*v),
            ApplyOutput::Failed(e) => ClientReply::Failed(e.clone()),
            ApplyOutput::Stale { client, seq } => {
                ClientReply::Failed(CommandError::StaleSequence {
                    client: *client,
                    seq: *seq,
                })
            }
            ApplyOutput::Noop | ApplyOutput::Duplicate(_) => ClientReply::LeadershipLost,
        };
        self.send(
            Endpoint::Node(node),
            Endpoint::Client,
            Payload::ClientReply {
                request: p.request,
                reply,
            },
        );
    }

    fn deliver(&mut self, env: Envelope) {
        if env.lost {
            self.record_drop(&env, DropReason::Lost);
            return;
        }
        if let (Endpoint::Node(a), Endpoint::Node(b)) = (env.from, env.to)
            && self.network.is_cut(a, b)
        {
            self.record_drop(&env, DropReason::LinkCut);
            return;
        }
        let status = match env.to {
            Endpoint::Node(n) => self.nodes.get(&n).map(SimNode::status),
            Endpoint::Client => Some(NodeStatus::Up),
        };
        match (status, env.to) {
            (Some(NodeStatus::Up), _) => {}
            (Some(NodeStatus::Paused), Endpoint::Node(n)) => {
                self.held.entry(n).or_default().push(env);
                return;
            }
            _ => {
                self.record_drop(&env, DropReason::RecipientCrashed);
                return;
            }
        }
        self.hand_over(env);
    }

    /// Gives a message that arrived to its (running) recipient.
    fn hand_over(&mut self, env: Envelope) {
        let kind = env.kind();
        let now = self.now_ms;
        self.trace.push(TraceEvent {
            time_ms: now,
            kind: TraceKind::Delivered {
                id: env.id,
                from: env.from,
                to: env.to,
                kind,
            },
        });
        match (env.to, env.payload) {
            (Endpoint::Node(id), Payload::Raft(msg)) => {
                if let Some(r) = self.nodes.get_mut(&id).and_then(|n| n.raft.as_mut()) {
                    r.advance_clock(now);
                    r.step(msg);
                }
                self.drain(id);
            }
            (Endpoint::Node(id), Payload::ClientRequest { request, command }) => {
                self.node_receives_request(id, request, command)
            }
            (Endpoint::Client, Payload::ClientReply { request, reply }) => {
                let from = match env.from {
                    Endpoint::Node(n) => n,
                    Endpoint::Client => return,
                };
                self.client_receives_reply(from, request, reply)
            }
            _ => {}
        }
    }

    fn node_receives_request(&mut self, id: NodeId, request: RequestId, command: Command) {
        let Some(raft) = self.nodes.get_mut(&id).and_then(|n| n.raft.as_mut()) else {
            return;
        };
        raft.advance_clock(self.now_ms);
        let reply = match raft.propose(command) {
            Ok(entry) => {
                self.pending.entry(id).or_default().insert(
                    entry.index,
                    PendingProposal {
                        request,
                        term: entry.term,
                    },
                );
                None
            }
            Err(ProposeError::NotLeader { leader_hint }) => {
                Some(ClientReply::NotLeader { leader_hint })
            }
            Err(ProposeError::InvalidCommand(e)) => Some(ClientReply::Rejected(e)),
            // A leader handing over (dissertation §3.10) points the client at its successor.
            Err(ProposeError::TransferInProgress { target }) => Some(ClientReply::NotLeader {
                leader_hint: Some(target),
            }),
        };
        self.drain(id);
        if let Some(reply) = reply {
            self.send(
                Endpoint::Node(id),
                Endpoint::Client,
                Payload::ClientReply { request, reply },
            );
        }
    }
}

/// The kinds of scheduled event, in their tie-breaking order at equal times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NextEvent {
    Delivery,
    NodeTimer(NodeId),
    ClientTimer(RequestId),
}
