//! One Raft server as a deterministic state machine, driven like etcd's `RawNode`.
//!
//! Inputs: [`RaftNode::tick`] (virtual time has advanced), [`RaftNode::step`] (a message
//! arrived), [`RaftNode::propose`] (a client command) and [`RaftNode::campaign`] (force an
//! election timeout). Outputs accumulate in the node and are collected with
//! [`RaftNode::take_ready`]: state to persist, messages to send, committed entries to apply and
//! trace events. The node never performs I/O, reads a clock or draws OS randomness.
//!
//! Driving contract:
//! - Tell the node the time before every input: [`RaftNode::tick`] fires due timers,
//!   [`RaftNode::advance_clock`] only moves the clock (use it before `step`, `propose` and
//!   `campaign` when time has passed since the last tick).
//! - After inputs, call [`RaftNode::take_ready`] and act on every `Ready`, in order and
//!   synchronously: persist, then send, then apply. Skipping a `Ready`'s persist update breaks
//!   [`PersistentState::apply`] for the next one; persisting asynchronously while the messages
//!   go out is not supported (the leader counts its own log toward commitment).
//! - Entries handed out in [`Ready::committed_entries`] count as applied (`last_applied`); a
//!   restarted node hands out every committed entry again from index 1, so a durable state
//!   machine must skip what it already holds.
//!
//! The protocol follows Figure 2 of Ongaro & Ousterhout (2014). Election logic lives in
//! `election.rs` (§5.2, §5.4.1), replication and commitment in `replication.rs` (§5.3, §5.4.2).
//! The optional liveness guards of Ongaro's dissertation live beside them: PreVote in
//! `pre_vote.rs` (§9.6), CheckQuorum and the leader lease in `check_quorum.rs` (§6.2, §4.2.3),
//! leadership transfer in `transfer.rs` (§3.10).

mod check_quorum;
mod election;
mod membership;
mod pre_vote;
mod replication;
mod snapshot;
mod transfer;
mod types;

pub use membership::{CatchUp, MAX_CATCH_UP_ROUNDS};
pub use types::{
    ChangeBusy, ChangeError, Counters, NodeEvent, PersistUpdate, PersistentState, ProposeError,
    Ready, RoleKind, TransferAbandon, TransferError, VoteDenial,
};
pub(crate) use types::{Role, Transfer};

use crate::command::Command;
use crate::config::{Config, ConfigError};
use crate::log::Log;
use crate::membership::Membership;
use crate::message::{Message, MessageBody};
use crate::progress::Progress;
use crate::sorted::SortedMap;
use crate::types::{EntryId, LogIndex, NodeId, Term};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One Raft server. See the module documentation for the driving contract.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RaftNode {
    id: NodeId,
    config: Config,
    persistent: PersistentState,
    /// The configuration in use: the latest in the log, or the starting one (volatile cache,
    /// recomputed from `persistent` on restart; dissertation §4.1).
    membership: Membership,
    /// Index of the entry that set `membership` (0: the starting configuration).
    membership_index: LogIndex,
    /// A joining server: the member it sends JoinCluster to (dissertation §4.2.1).
    join: Option<NodeId>,
    role: Role,
    /// Index of the highest entry known to be committed (Figure 2: commitIndex).
    commit_index: LogIndex,
    /// Index of the highest entry handed to the driver for applying (Figure 2: lastApplied).
    last_applied: LogIndex,
    leader_id: Option<NodeId>,
    now_ms: u64,
    election_timer_started_ms: u64,
    election_deadline_ms: u64,
    /// When this node last heard from the leader it follows (virtual ms); the leader lease
    /// (dissertation §4.2.3) runs for `election_timeout_ms_min` from here.
    #[serde(default)]
    leader_contact_ms: u64,
    rng: Xoshiro256PlusPlus,
    counters: Counters,
    // Output accumulators, drained by take_ready.
    hard_state_dirty: bool,
    log_dirty_from: Option<LogIndex>,
    /// A snapshot was taken or installed since the last `Ready` (it goes into the persist
    /// update).
    #[serde(default)]
    snapshot_dirty: bool,
    /// A snapshot installed from the leader, for the driver's state machine (§7).
    #[serde(default)]
    installed_snapshot: Option<crate::snapshot::Snapshot>,
    outbox: Vec<Message>,
    events: Vec<NodeEvent>,
}

impl RaftNode {
    /// Creates a node that has never run, as a follower at time `now_ms` (virtual ms), in a new
    /// cluster whose initial voters are `voters` (which must include `id`). `seed` drives this
    /// node's randomized election timeouts.
    ///
    /// # Errors
    /// [`ConfigError`] if `config` is invalid, `voters` is empty or lacks `id`.
    pub fn new(
        id: NodeId,
        voters: impl IntoIterator<Item = NodeId>,
        config: Config,
        seed: u64,
        now_ms: u64,
    ) -> Result<Self, ConfigError> {
        let mut set = BTreeSet::new();
        set.extend(voters);
        let voters = set;
        if voters.is_empty() {
            return Err(ConfigError::EmptyCluster);
        }
        if !voters.contains(&id) {
            return Err(ConfigError::SelfNotInCluster);
        }
        Self::restart(id, PersistentState::new(voters), config, seed, now_ms)
    }

    /// Creates a server that has never run and will join an existing cluster (JoinCluster,
    /// dissertation §4.2.1): empty log, empty configuration. It asks `contact` (any member) at
    /// once and again every election timeout until a leader makes it a voter or answers for
    /// good; until then it never campaigns. Its progress shows in [`RaftNode::membership`]
    /// (learner, then voter) and in [`NodeEvent::JoinFinished`].
    ///
    /// # Errors
    /// [`ConfigError`] if `config` is invalid, or `contact` is `id`.
    pub fn join(
        id: NodeId,
        contact: NodeId,
        config: Config,
        seed: u64,
        now_ms: u64,
    ) -> Result<Self, ConfigError> {
        if contact == id {
            return Err(ConfigError::SelfNotInCluster);
        }
        let mut node = Self::restart(
            id,
            PersistentState::new(BTreeSet::new()),
            config,
            seed,
            now_ms,
        )?;
        node.join = Some(contact);
        node.send(contact, MessageBody::JoinCluster);
        Ok(node)
    }

    /// Rebuilds a node after a crash from its persisted state: it starts as a follower with
    /// volatile state reset (commit_index and last_applied 0, no known leader) and learns the
    /// commit index again from the next leader (Figure 2, "Volatile state on all servers").
    ///
    /// The node uses the latest configuration in its log (dissertation §4.1). It may not be a
    /// voter in it (a learner, a server that was removed, or one that was joining): such a node
    /// never campaigns, and a joining one does not resume asking to join.
    ///
    /// # Errors
    /// [`ConfigError`] if `config` is invalid.
    pub fn restart(
        id: NodeId,
        persistent: PersistentState,
        config: Config,
        seed: u64,
        now_ms: u64,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let (membership_index, membership) = persistent.effective_membership();
        let membership = membership.clone();
        // A snapshot holds only committed, applied entries (§7): they count as such at once,
        // and the driver restores its state machine from the snapshot.
        let snapshot_index = persistent.log.snapshot_id().index;
        let mut node = RaftNode {
            id,
            config,
            persistent,
            membership,
            membership_index,
            join: None,
            role: Role::Follower,
            commit_index: snapshot_index,
            last_applied: snapshot_index,
            leader_id: None,
            now_ms,
            election_timer_started_ms: now_ms,
            election_deadline_ms: now_ms,
            leader_contact_ms: now_ms,
            // The id is mixed in so that nodes given the same seed still draw different
            // timeouts; identical draws would keep them in lockstep and split every vote.
            rng: Xoshiro256PlusPlus::seed_from_u64(seed ^ id.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            counters: Counters::default(),
            hard_state_dirty: false,
            log_dirty_from: None,
            snapshot_dirty: false,
            installed_snapshot: None,
            outbox: Vec::new(),
            events: Vec::new(),
        };
        node.reset_election_timer();
        Ok(node)
    }

    // ----- inputs -----

    /// Advances the node's clock to `now_ms` (virtual ms; earlier values are ignored) and fires
    /// any timer that is due: a follower, pre-candidate or candidate whose election timeout
    /// elapsed starts an election (§5.2), or with [`Config::pre_vote`] a PreVote round
    /// (dissertation §9.6); a leader steps down if CheckQuorum finds it cut off from a majority
    /// (§6.2), abandons a leadership transfer that timed out (§3.10), and when its heartbeat
    /// interval elapsed sends AppendEntries to every follower (§5.2, "repeated during idle
    /// periods to prevent election timeouts").
    pub fn tick(&mut self, now_ms: u64) {
        self.advance_clock(now_ms);
        match self.role {
            Role::Leader { .. } => {
                if self.check_quorum_due() {
                    return;
                }
                self.check_transfer_timeout();
                self.check_catch_up();
                if let Role::Leader {
                    heartbeat_deadline_ms,
                    ..
                } = self.role
                    && self.now_ms >= heartbeat_deadline_ms
                {
                    self.heartbeat();
                }
            }
            Role::Follower | Role::PreCandidate { .. } | Role::Candidate { .. } => {
                if self.now_ms >= self.election_deadline_ms {
                    if self.membership.is_voter(self.id) {
                        self.election_timeout(false);
                    } else {
                        self.non_voter_timeout();
                    }
                }
            }
        }
    }

    /// Moves the node's clock to `now_ms` (virtual ms; earlier values are ignored) without
    /// firing any timer. Timers that `step`, `propose` and `campaign` reset are measured from
    /// this clock, so a driver calls this (or [`RaftNode::tick`]) with the current time before
    /// handing the node a message that arrives later than its last tick.
    pub fn advance_clock(&mut self, now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
    }

    /// Forces an election timeout now (a user action in the simulator). A leader ignores it,
    /// and so does a server that is not a voter in its configuration (a learner, a joining or a
    /// removed server). With [`Config::pre_vote`] this starts a PreVote round, exactly as the
    /// timer would.
    pub fn campaign(&mut self) {
        if !matches!(self.role, Role::Leader { .. }) && self.membership.is_voter(self.id) {
            self.election_timeout(true);
        }
    }

    /// Handles a message addressed to this node. Messages for other nodes are ignored.
    ///
    /// Timers that the message resets (a vote granted, a leader heard from) are measured from
    /// the node's own clock: call [`RaftNode::advance_clock`] (or [`RaftNode::tick`]) with the
    /// arrival time first, or the reset is measured from the last tick and can fire early.
    ///
    /// Any message with a higher term makes this node adopt the term and become a follower
    /// (§5.1); requests with a lower term are answered with a rejection carrying the newer term;
    /// replies with a lower term are stale and dropped. Exceptions from the dissertation's
    /// liveness guards: PreVote and its replies never change the receiver's term (§9.6, see
    /// `pre_vote.rs`), and with [`Config::check_quorum`] a RequestVote of a higher term that
    /// arrives within the leader lease is ignored altogether (§4.2.3).
    pub fn step(&mut self, msg: Message) {
        if msg.to != self.id {
            return;
        }
        match msg.body {
            MessageBody::PreVote {
                last_log_index,
                last_log_term,
            } => {
                let last = EntryId {
                    term: last_log_term,
                    index: last_log_index,
                };
                return self.handle_pre_vote(msg.from, msg.term, last);
            }
            MessageBody::PreVoteReply { granted } => {
                return self.handle_pre_vote_reply(msg.from, msg.term, granted);
            }
            MessageBody::JoinCluster => return self.handle_join(msg.from),
            MessageBody::JoinClusterReply { result } => {
                return self.handle_join_reply(msg.from, result);
            }
            MessageBody::RequestVote {
                leader_transfer: false,
                ..
            } if msg.term > self.persistent.current_term => {
                if let Some(leader) = self.leader_lease(msg.from) {
                    self.events.push(NodeEvent::VoteDenied {
                        candidate: msg.from,
                        term: self.persistent.current_term,
                        reason: VoteDenial::LeaderLease(leader),
                    });
                    return;
                }
            }
            _ => {}
        }
        if msg.term > self.persistent.current_term {
            let leader = match msg.body {
                MessageBody::AppendEntries { .. } => Some(msg.from),
                _ => None,
            };
            self.become_follower(msg.term, leader, Some(msg.from));
        } else if msg.term < self.persistent.current_term {
            self.reject_stale(&msg);
            return;
        }
        self.note_heard_from(msg.from);
        match msg.body {
            MessageBody::RequestVote {
                last_log_index,
                last_log_term,
                ..
            } => self.handle_request_vote(
                msg.from,
                EntryId {
                    term: last_log_term,
                    index: last_log_index,
                },
            ),
            MessageBody::RequestVoteReply { vote_granted } => {
                self.handle_vote_reply(msg.from, vote_granted)
            }
            MessageBody::AppendEntries {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } => self.handle_append_entries(
                msg.from,
                EntryId {
                    term: prev_log_term,
                    index: prev_log_index,
                },
                entries,
                leader_commit,
            ),
            MessageBody::AppendEntriesReply { result } => {
                self.handle_append_reply(msg.from, result)
            }
            MessageBody::TimeoutNow => self.handle_timeout_now(msg.from),
            MessageBody::InstallSnapshot { snapshot } => {
                self.handle_install_snapshot(msg.from, *snapshot)
            }
            // Handled above, before terms were reconciled.
            MessageBody::PreVote { .. }
            | MessageBody::PreVoteReply { .. }
            | MessageBody::JoinCluster
            | MessageBody::JoinClusterReply { .. } => {}
        }
    }

    /// Offers a client command. On the leader the command is validated, appended in the current
    /// term and replicated; the returned [`EntryId`] is committed once a majority stores it, and
    /// the command's result is known when the entry comes out of [`Ready::committed_entries`]
    /// with the same term (if another term's entry appears at that index, the proposal was lost
    /// with a leadership change).
    ///
    /// # Errors
    /// [`ProposeError::NotLeader`] on followers and candidates, with the leader they know of;
    /// [`ProposeError::InvalidCommand`] if the command cannot be applied (e.g. `Add` overflow):
    /// such a command never takes a log slot; [`ProposeError::TransferInProgress`] while this
    /// leader is handing leadership over ([`RaftNode::transfer_leadership`]).
    pub fn propose(&mut self, command: Command) -> Result<EntryId, ProposeError> {
        match &self.role {
            Role::Leader {
                transfer: Some(t), ..
            } => {
                return Err(ProposeError::TransferInProgress { target: t.target });
            }
            Role::Leader { .. } => {}
            _ => {
                return Err(ProposeError::NotLeader {
                    leader_hint: self.leader_id,
                });
            }
        }
        command.validate().map_err(ProposeError::InvalidCommand)?;
        Ok(self.append_and_replicate(command))
    }

    /// Drains the accumulated outputs. See [`Ready`] for the order in which the driver must
    /// act on them.
    pub fn take_ready(&mut self) -> Ready {
        debug_assert!(
            self.commit_index <= self.persistent.log.last_index(),
            "commit index beyond the log"
        );
        let persist =
            if self.hard_state_dirty || self.log_dirty_from.is_some() || self.snapshot_dirty {
                let entries = match self.log_dirty_from {
                    Some(from) => self.persistent.log.slice_from(from, u64::MAX).to_vec(),
                    None => Vec::new(),
                };
                Some(PersistUpdate {
                    current_term: self.persistent.current_term,
                    voted_for: if self.config.bug
                        == Some(crate::config::ProtocolBug::ForgetToPersistVote)
                    {
                        None
                    } else {
                        self.persistent.voted_for
                    },
                    log_changed_from: self.log_dirty_from,
                    entries,
                    snapshot: if self.snapshot_dirty {
                        self.persistent.snapshot.clone()
                    } else {
                        None
                    },
                })
            } else {
                None
            };
        self.hard_state_dirty = false;
        self.log_dirty_from = None;
        self.snapshot_dirty = false;
        let committed_entries = if self.commit_index > self.last_applied {
            let n = self.commit_index.0 - self.last_applied.0;
            let out = self
                .persistent
                .log
                .slice_from(self.last_applied.next(), n)
                .to_vec();
            self.last_applied = self.commit_index;
            out
        } else {
            Vec::new()
        };
        Ready {
            persist,
            messages: std::mem::take(&mut self.outbox),
            snapshot: self.installed_snapshot.take(),
            committed_entries,
            events: std::mem::take(&mut self.events),
        }
    }

    /// Whether [`RaftNode::take_ready`] would return anything.
    pub fn has_ready(&self) -> bool {
        self.hard_state_dirty
            || self.log_dirty_from.is_some()
            || self.snapshot_dirty
            || !self.outbox.is_empty()
            || !self.events.is_empty()
            || self.commit_index > self.last_applied
    }

    // ----- read access -----

    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }
    /// The configuration it was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// Its persistent state (term, vote, log, voters).
    pub fn persistent(&self) -> &PersistentState {
        &self.persistent
    }
    /// Its current role.
    pub fn role(&self) -> RoleKind {
        match self.role {
            Role::Follower => RoleKind::Follower,
            Role::PreCandidate { .. } => RoleKind::PreCandidate,
            Role::Candidate { .. } => RoleKind::Candidate,
            Role::Leader { .. } => RoleKind::Leader,
        }
    }
    /// Figure 2: currentTerm.
    pub fn current_term(&self) -> Term {
        self.persistent.current_term
    }
    /// Figure 2: votedFor.
    pub fn voted_for(&self) -> Option<NodeId> {
        self.persistent.voted_for
    }
    /// The log.
    pub fn log(&self) -> &Log {
        &self.persistent.log
    }
    /// Voting members of the configuration in use ([`RaftNode::membership`]).
    pub fn voters(&self) -> &BTreeSet<NodeId> {
        &self.membership.voters
    }
    /// Figure 2: commitIndex (0 after a restart until a leader says otherwise).
    pub fn commit_index(&self) -> LogIndex {
        self.commit_index
    }
    /// Figure 2: lastApplied (the last entry handed out through [`Ready::committed_entries`]).
    pub fn last_applied(&self) -> LogIndex {
        self.last_applied
    }
    /// The leader this node currently knows of (itself when leading).
    pub fn leader_id(&self) -> Option<NodeId> {
        self.leader_id
    }
    /// The node's clock (virtual ms).
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }
    /// When the current election timer was (re)started (virtual ms).
    pub fn election_timer_started_ms(&self) -> u64 {
        self.election_timer_started_ms
    }
    /// When the election timer fires if nothing resets it (virtual ms). Not used by leaders.
    pub fn election_deadline_ms(&self) -> u64 {
        self.election_deadline_ms
    }
    /// When the next heartbeat round is due, on a leader (virtual ms).
    pub fn heartbeat_deadline_ms(&self) -> Option<u64> {
        match self.role {
            Role::Leader {
                heartbeat_deadline_ms,
                ..
            } => Some(heartbeat_deadline_ms),
            _ => None,
        }
    }
    /// The next virtual time at which [`RaftNode::tick`] has something to do: on a leader the
    /// next heartbeat round, or earlier the CheckQuorum step-down (with
    /// [`Config::check_quorum`]) or the end of a leadership transfer; otherwise the election
    /// deadline.
    pub fn next_deadline_ms(&self) -> u64 {
        match &self.role {
            Role::Leader {
                heartbeat_deadline_ms,
                transfer,
                ..
            } => {
                let mut t = *heartbeat_deadline_ms;
                if let Some(q) = self.quorum_deadline_ms() {
                    t = t.min(q);
                }
                if let Some(tr) = transfer {
                    t = t.min(tr.deadline_ms);
                }
                t
            }
            _ => self.election_deadline_ms,
        }
    }
    /// On a leader, the node a leadership transfer is handing over to, if one is in progress
    /// (dissertation §3.10).
    pub fn leader_transfer(&self) -> Option<NodeId> {
        match &self.role {
            Role::Leader {
                transfer: Some(t), ..
            } => Some(t.target),
            _ => None,
        }
    }
    /// On a leader, the replication progress of each follower (Figure 2: nextIndex[],
    /// matchIndex[]); `None` on other roles.
    pub fn progress(&self) -> Option<&SortedMap<NodeId, Progress>> {
        match &self.role {
            Role::Leader { progress, .. } => Some(progress),
            _ => None,
        }
    }
    /// On a candidate, the voters that granted their vote so far (including itself); on a
    /// pre-candidate, those that granted their pre-vote.
    pub fn votes_granted(&self) -> Option<&BTreeSet<NodeId>> {
        match &self.role {
            Role::Candidate { granted, .. } | Role::PreCandidate { granted, .. } => Some(granted),
            _ => None,
        }
    }
    /// Election and heartbeat counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    // ----- shared internals -----

    /// Every other member of the configuration in use, voters and learners: the servers a
    /// leader replicates to.
    fn peers(&self) -> impl Iterator<Item = NodeId> + '_ {
        let me = self.id;
        self.membership.members().filter(move |&p| p != me)
    }

    /// Every other voter: the servers a candidate asks for votes.
    fn voting_peers(&self) -> impl Iterator<Item = NodeId> + '_ {
        let me = self.id;
        self.membership
            .voters
            .iter()
            .copied()
            .filter(move |&p| p != me)
    }

    fn send(&mut self, to: NodeId, body: MessageBody) {
        self.send_with_term(to, self.persistent.current_term, body);
    }

    /// Sends with a term other than the current one: only PreVote and its reply do this
    /// (dissertation §9.6: they carry the term of the prospective election).
    fn send_with_term(&mut self, to: NodeId, term: Term, body: MessageBody) {
        self.outbox.push(Message {
            from: self.id,
            to,
            term,
            body,
        });
    }

    fn reset_election_timer(&mut self) {
        use rand::RngExt;
        let timeout = self
            .rng
            .random_range(self.config.election_timeout_ms_min..self.config.election_timeout_ms_max);
        self.election_timer_started_ms = self.now_ms;
        self.election_deadline_ms = self.now_ms.saturating_add(timeout);
    }

    fn set_term(&mut self, term: Term) {
        if term != self.persistent.current_term {
            self.persistent.current_term = term;
            self.persistent.voted_for = None;
            self.hard_state_dirty = true;
        }
    }

    fn mark_log_dirty(&mut self, from: LogIndex) {
        self.log_dirty_from = Some(self.log_dirty_from.map_or(from, |f| f.min(from)));
    }

    /// The single way into the follower role (§5.1): adopts `term` (clearing the vote if it is
    /// newer), forgets leader-only and candidate-only state, and records one event.
    fn become_follower(&mut self, term: Term, leader: Option<NodeId>, because_of: Option<NodeId>) {
        let from_role = self.role();
        let term_changed = term != self.persistent.current_term;
        self.set_term(term);
        self.leader_id = leader;
        if from_role != RoleKind::Follower {
            self.role = Role::Follower;
            self.reset_election_timer();
        }
        if from_role != RoleKind::Follower || term_changed {
            self.events.push(NodeEvent::BecameFollower {
                term,
                from_role,
                leader,
                because_of,
            });
        }
    }

    fn advance_commit(&mut self, to: LogIndex) {
        if to > self.commit_index {
            let from = self.commit_index.next();
            self.commit_index = to;
            self.events
                .push(NodeEvent::CommitAdvanced { commit_index: to });
            self.on_configs_committed(from);
        }
    }

    /// Answers a request from an older term so the sender learns the newer term (§5.1).
    fn reject_stale(&mut self, msg: &Message) {
        match &msg.body {
            MessageBody::RequestVote { .. } => {
                self.events.push(NodeEvent::VoteDenied {
                    candidate: msg.from,
                    term: self.persistent.current_term,
                    reason: VoteDenial::StaleTerm,
                });
                self.send(
                    msg.from,
                    MessageBody::RequestVoteReply {
                        vote_granted: false,
                    },
                );
            }
            MessageBody::InstallSnapshot { snapshot } => {
                let result = crate::message::AppendResult::Conflict {
                    rejected_index: snapshot.last_included.index,
                    conflict_term: None,
                    conflict_index: self.persistent.log.last_index().next(),
                };
                self.send(msg.from, MessageBody::AppendEntriesReply { result });
            }
            MessageBody::AppendEntries { prev_log_index, .. } => {
                let result = crate::message::AppendResult::Conflict {
                    rejected_index: *prev_log_index,
                    conflict_term: None,
                    conflict_index: self.persistent.log.last_index().next(),
                };
                self.send(msg.from, MessageBody::AppendEntriesReply { result });
            }
            // A stale TimeoutNow comes from a leader that has been replaced: ignore it. PreVote
            // messages never reach here (see `step`).
            MessageBody::RequestVoteReply { .. }
            | MessageBody::AppendEntriesReply { .. }
            | MessageBody::TimeoutNow
            | MessageBody::PreVote { .. }
            | MessageBody::PreVoteReply { .. }
            | MessageBody::JoinCluster
            | MessageBody::JoinClusterReply { .. } => {}
        }
    }
}
