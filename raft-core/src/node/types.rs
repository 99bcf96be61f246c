//! The node's data types: persistent state, outputs, roles, events and errors.

use crate::command::{Command, CommandError};
use crate::log::{Entry, Log};
use crate::membership::Membership;
use crate::membership::MembershipError;
use crate::message::{JoinResult, Message};
use crate::progress::Progress;
use crate::snapshot::Snapshot;
use crate::sorted::SortedMap;
use crate::types::{EntryId, LogIndex, NodeId, Term};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The state a server must keep on stable storage, updated before it responds to RPCs
/// (Figure 2, "Persistent state on all servers": currentTerm, votedFor, log[]), plus the
/// cluster configuration the log starts from. Later configurations are log entries
/// ([`crate::Command::Config`], dissertation §4.1), so they are on stable storage with the log.
/// A simulated crash keeps exactly this value and loses the rest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersistentState {
    /// Latest term the server has seen (Figure 2: currentTerm).
    pub current_term: Term,
    /// Candidate that received this server's vote in `current_term` (Figure 2: votedFor).
    pub voted_for: Option<NodeId>,
    /// The log (Figure 2: log[]).
    pub log: Log,
    /// The configuration in effect before the first entry of `log`: the bootstrap
    /// configuration of a new cluster, or empty for a server that joins one. A configuration
    /// entry in the log overrides it (dissertation §4.1: the latest one in the log is used,
    /// committed or not).
    pub membership: Membership,
    /// The snapshot that replaced the log up to [`Log::snapshot_id`] (§7), if any; its
    /// configuration is `membership`.
    #[serde(default)]
    pub snapshot: Option<Snapshot>,
}

impl PersistentState {
    /// Fresh state for a server that has never run: term 0, no vote, empty log, and `voters`
    /// as its configuration (empty for a server that will join an existing cluster).
    pub fn new(voters: BTreeSet<NodeId>) -> Self {
        PersistentState {
            current_term: Term(0),
            voted_for: None,
            log: Log::new(),
            membership: Membership {
                voters,
                learners: BTreeSet::new(),
            },
            snapshot: None,
        }
    }

    /// The configuration this state puts in effect: the last configuration entry of the log,
    /// or [`PersistentState::membership`] if the log has none (dissertation §4.1), with the
    /// index of the entry that set it (the snapshot's last included index, or 0, for the
    /// starting one).
    pub fn effective_membership(&self) -> (LogIndex, &Membership) {
        self.log
            .last_config_before(self.log.last_index().next())
            .unwrap_or((self.log.snapshot_id().index, &self.membership))
    }

    /// Applies a [`PersistUpdate`] taken from [`Ready::persist`]: this is the "write to stable
    /// storage" step the driver performs before sending the same `Ready`'s messages.
    pub fn apply(&mut self, update: &PersistUpdate) {
        self.current_term = update.current_term;
        self.voted_for = update.voted_for;
        if let Some(s) = &update.snapshot {
            self.log.install_snapshot(s.last_included);
            self.membership = s.membership.clone();
            self.snapshot = Some(s.clone());
        }
        if let Some(from) = update.log_changed_from {
            self.log.replace_suffix(from, &update.entries);
        }
    }
}

/// Changes to [`PersistentState`] since the last [`Ready`]. The driver must make them durable
/// before sending any message of the same `Ready` (Figure 2: "updated on stable storage before
/// responding to RPCs"); otherwise a crash could let a server vote twice in one term or forget
/// an entry it acknowledged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersistUpdate {
    /// The current term to store.
    pub current_term: Term,
    /// The vote to store.
    pub voted_for: Option<NodeId>,
    /// If the log changed: the first changed index. The stored log must be truncated there and
    /// `entries` appended.
    pub log_changed_from: Option<LogIndex>,
    /// The log's entries from `log_changed_from` to its end (empty if the log only shrank).
    pub entries: Vec<Entry>,
    /// A new snapshot (taken, or installed from the leader) to store before the log changes:
    /// the stored log is compacted to it, keeping the entries after it if they match
    /// (Figure 13, rules 6–7).
    #[serde(default)]
    pub snapshot: Option<Snapshot>,
}

/// Everything a node produced since the last call to [`super::RaftNode::take_ready`].
///
/// Contract for the driver, in this order: (1) apply `persist` to stable storage; (2) send
/// `messages`; (3) if `snapshot` is set, replace the state machine with its state; (4) apply
/// `committed_entries` to the state machine, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ready {
    /// State to make durable before any message below is sent.
    pub persist: Option<PersistUpdate>,
    /// Messages to deliver to other nodes.
    pub messages: Vec<Message>,
    /// A snapshot installed from the leader (§7): the state machine must be replaced by its
    /// state before `committed_entries` (which follow it) are applied.
    pub snapshot: Option<Snapshot>,
    /// Newly committed entries, in index order, to apply to the state machine.
    pub committed_entries: Vec<Entry>,
    /// What happened, for the trace.
    pub events: Vec<NodeEvent>,
}

/// The three server roles (§5.1, Figure 4), plus the pre-candidate of PreVote (dissertation
/// §9.6), without their role-specific data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RoleKind {
    /// Passive: responds to leaders and candidates.
    Follower,
    /// Asking whether it could win an election in `current_term + 1`, before starting one
    /// (only with [`crate::Config::pre_vote`]). Its term and vote are unchanged.
    PreCandidate,
    /// Campaigning for leadership in the current term.
    Candidate,
    /// Handles client requests and replicates the log.
    Leader,
}

impl RoleKind {
    /// Lower-case name, used as `data-role` in the app: `follower`, `pre-candidate`,
    /// `candidate` or `leader`.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Follower => "follower",
            RoleKind::PreCandidate => "pre-candidate",
            RoleKind::Candidate => "candidate",
            RoleKind::Leader => "leader",
        }
    }
}

impl fmt::Display for RoleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role together with the state that only exists in that role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Role {
    Follower,
    /// PreVote (dissertation §9.6): the same bookkeeping as a candidate, for the term it would
    /// campaign in (`current_term + 1`).
    PreCandidate {
        /// Voters that would grant their vote (including self).
        granted: BTreeSet<NodeId>,
        /// Voters that would not.
        denied: BTreeSet<NodeId>,
    },
    Candidate {
        /// Voters that granted their vote this term (including self).
        granted: BTreeSet<NodeId>,
        /// Voters that refused.
        denied: BTreeSet<NodeId>,
    },
    Leader {
        /// Per-follower replication progress (Figure 2: nextIndex[], matchIndex[]).
        progress: SortedMap<NodeId, Progress>,
        /// Virtual time of the next heartbeat round (ms).
        heartbeat_deadline_ms: u64,
        /// CheckQuorum (dissertation §6.2): when each follower was last heard from in this
        /// term (virtual ms); starts at the time of election.
        #[serde(default)]
        last_heard_ms: SortedMap<NodeId, u64>,
        /// A leadership transfer in progress (dissertation §3.10).
        #[serde(default)]
        transfer: Option<Transfer>,
        /// The learner being caught up before it becomes a voter (dissertation §4.2.1).
        #[serde(default)]
        catch_up: Option<super::membership::CatchUp>,
    },
}

/// A leadership transfer in progress on a leader (dissertation §3.10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Transfer {
    /// The voter that should become leader.
    pub(crate) target: NodeId,
    /// When the transfer is abandoned if it has not happened (virtual ms).
    pub(crate) deadline_ms: u64,
}

/// Why a node refused a vote, for the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoteDenial {
    /// It already voted for another candidate in this term (§5.2, one vote per term).
    AlreadyVoted(NodeId),
    /// The candidate's log is less up to date than the voter's (§5.4.1).
    LogNotUpToDate,
    /// The candidate's term is older than the voter's.
    StaleTerm,
    /// The voter heard from this current leader within `election_timeout_ms_min` and ignores
    /// the request entirely (leader lease, dissertation §4.2.3; only with
    /// [`crate::Config::check_quorum`]): it neither grants nor adopts the higher term, and
    /// sends no reply.
    LeaderLease(NodeId),
}

/// Why a leadership transfer was given up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferAbandon {
    /// The target did not take over within `election_timeout_ms_min` (dissertation §3.10:
    /// "the prior leader aborts the transfer" after an election timeout).
    TimedOut,
    /// A transfer to another node was requested.
    Superseded(NodeId),
}

/// Something that happened inside a node, in the order it happened. The simulator turns these
/// into trace lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeEvent {
    /// The election timer fired (or an election was forced); the node became a candidate.
    ElectionTimeout {
        /// The new term it campaigns in.
        term: Term,
        /// True if forced by [`super::RaftNode::campaign`] rather than by the timer.
        forced: bool,
    },
    /// PreVote (dissertation §9.6): the election timer fired (or an election was forced); the
    /// node became a pre-candidate and asks whether it could win `term`, its own term unchanged.
    PreVoteStarted {
        /// The term it would campaign in (`current_term + 1`).
        term: Term,
        /// True if forced by [`super::RaftNode::campaign`] rather than by the timer.
        forced: bool,
    },
    /// A majority would vote for the pre-candidate: it became a candidate of `term` (the real
    /// election starts, as after [`NodeEvent::ElectionTimeout`]).
    PreVoteWon {
        /// The new term it campaigns in.
        term: Term,
        /// The voters that granted their pre-votes (including itself).
        votes: BTreeSet<NodeId>,
    },
    /// The node told a pre-candidate it would vote for it (nothing changed on this node).
    PreVoteGranted {
        /// The pre-candidate.
        candidate: NodeId,
        /// The term the pre-candidate would campaign in.
        term: Term,
    },
    /// The node refused a pre-vote (for [`VoteDenial::LeaderLease`] without replying).
    PreVoteDenied {
        /// The pre-candidate.
        candidate: NodeId,
        /// The term the pre-candidate would campaign in.
        term: Term,
        /// Why.
        reason: VoteDenial,
    },
    /// The leader asked this node to take over (TimeoutNow, dissertation §3.10): it became a
    /// candidate of `term` at once, skipping PreVote.
    TimeoutNowReceived {
        /// The new term it campaigns in.
        term: Term,
        /// The leader that sent TimeoutNow.
        from: NodeId,
    },
    /// CheckQuorum (dissertation §6.2): the leader has not heard from a majority of voters
    /// within `window_ms` and steps down (a [`NodeEvent::BecameFollower`] follows).
    QuorumLost {
        /// The term it led.
        term: Term,
        /// The voters it did hear from within the window (itself included).
        heard_from: BTreeSet<NodeId>,
        /// The window: `election_timeout_ms_min` (virtual ms).
        window_ms: u64,
    },
    /// The leader started a leadership transfer (dissertation §3.10) and stops accepting
    /// proposals until it ends.
    TransferStarted {
        /// The node that should take over.
        target: NodeId,
        /// The leader's term.
        term: Term,
    },
    /// The leader gave up a leadership transfer and accepts proposals again.
    TransferAbandoned {
        /// The node that should have taken over.
        target: NodeId,
        /// The leader's term.
        term: Term,
        /// Why.
        reason: TransferAbandon,
    },
    /// A majority voted for the node; it became leader.
    BecameLeader {
        /// The term it leads.
        term: Term,
        /// The voters that granted their votes.
        votes: BTreeSet<NodeId>,
    },
    /// The node stepped down or adopted a newer term, becoming (or staying) a follower.
    BecameFollower {
        /// Its term after the change.
        term: Term,
        /// The role it left.
        from_role: RoleKind,
        /// The leader it now follows, if known.
        leader: Option<NodeId>,
        /// The node whose message caused the change, if any.
        because_of: Option<NodeId>,
    },
    /// The node granted its vote.
    VoteGranted {
        /// The candidate.
        candidate: NodeId,
        /// The term of the vote.
        term: Term,
    },
    /// The node refused a vote.
    VoteDenied {
        /// The candidate.
        candidate: NodeId,
        /// The voter's term.
        term: Term,
        /// Why.
        reason: VoteDenial,
    },
    /// The leader appended a new entry to its log.
    Appended {
        /// The new entry's id.
        entry: EntryId,
        /// The command.
        command: Command,
    },
    /// A follower deleted conflicting entries (Figure 2, AppendEntries rule 3).
    Truncated {
        /// The first index removed.
        from_index: LogIndex,
    },
    /// The node's commit index advanced.
    CommitAdvanced {
        /// The new commit index.
        commit_index: LogIndex,
    },
    /// The configuration this node uses changed (dissertation §4.1): a configuration entry was
    /// appended (by this leader, or from the leader's AppendEntries), or a truncation removed
    /// the one in use and the previous one is back (`reverted`).
    ConfigChanged {
        /// Index of the entry that holds it (0: the starting configuration).
        index: LogIndex,
        /// The configuration now in use.
        membership: Membership,
        /// True if a truncation brought back an older configuration.
        reverted: bool,
        /// True on the leader that appended the entry.
        leader: bool,
    },
    /// On the leader: a learner finished a catch-up round (dissertation §4.2.1).
    CatchUpRound {
        /// The learner.
        node: NodeId,
        /// The round, from 1.
        round: u32,
        /// The leader's last index when the round started, which the learner now has.
        index: LogIndex,
        /// How long the round took (virtual ms).
        took_ms: u64,
    },
    /// On the leader: a learner did not catch up (too many rounds, or no progress for two
    /// maximum election timeouts); the leader removes it and answers its JoinCluster with
    /// "timed out".
    CatchUpAborted {
        /// The learner.
        node: NodeId,
        /// Rounds tried.
        rounds: u32,
    },
    /// On the leader: a configuration that makes `node` a voter is committed.
    MemberJoined {
        /// The new voter.
        node: NodeId,
    },
    /// On the leader: a configuration without `node` is committed (the leader itself steps
    /// down right after this if it is the one removed).
    MemberRemoved {
        /// The removed server.
        node: NodeId,
    },
    /// The node compacted its log into a snapshot (§7).
    SnapshotTaken {
        /// The last entry the snapshot replaces.
        last_included: EntryId,
    },
    /// A follower installed the leader's snapshot (Figure 13).
    SnapshotInstalled {
        /// The snapshot's last included entry.
        last_included: EntryId,
        /// The leader that sent it.
        from: NodeId,
        /// True if the entries after the snapshot matched and were kept (rule 6); false if
        /// the whole log was discarded (rule 7).
        kept_suffix: bool,
    },
    /// On a joining server: its JoinCluster got a final answer.
    JoinFinished {
        /// The member that answered.
        from: NodeId,
        /// The answer: joined, already a member, or timed out.
        result: JoinResult,
    },
}

/// Why a proposal was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProposeError {
    /// Only the leader accepts commands (§8). `leader_hint` is the leader this node knows of.
    NotLeader {
        /// The current leader as far as this node knows.
        leader_hint: Option<NodeId>,
    },
    /// The command can never be applied (validated before it takes a log slot).
    InvalidCommand(CommandError),
    /// The leader is handing leadership to `target` (dissertation §3.10: "the prior leader
    /// stops accepting new client requests" during a transfer). Retry at `target`, or here once
    /// the transfer is abandoned (after at most `election_timeout_ms_min`).
    TransferInProgress {
        /// The node leadership is being transferred to.
        target: NodeId,
    },
}

impl fmt::Display for ProposeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProposeError::NotLeader {
                leader_hint: Some(l),
            } => write!(f, "not the leader; try Node {l}"),
            ProposeError::NotLeader { leader_hint: None } => {
                write!(f, "not the leader; no leader known")
            }
            ProposeError::InvalidCommand(e) => write!(f, "invalid command: {e}"),
            ProposeError::TransferInProgress { target } => {
                write!(f, "leadership is being transferred to Node {target}")
            }
        }
    }
}

impl std::error::Error for ProposeError {}

/// Why [`super::RaftNode::transfer_leadership`] refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferError {
    /// Only the leader can hand over leadership.
    NotLeader {
        /// The current leader as far as this node knows.
        leader_hint: Option<NodeId>,
    },
    /// The target is this leader itself.
    TargetIsSelf,
    /// The target is not a voting member of the cluster.
    UnknownTarget(NodeId),
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::NotLeader {
                leader_hint: Some(l),
            } => write!(f, "not the leader; try Node {l}"),
            TransferError::NotLeader { leader_hint: None } => {
                write!(f, "not the leader; no leader known")
            }
            TransferError::TargetIsSelf => write!(f, "this node is already the leader"),
            TransferError::UnknownTarget(t) => write!(f, "Node {t} is not a voting member"),
        }
    }
}

impl std::error::Error for TransferError {}

/// Why a leader cannot start a membership change right now (dissertation §4.1); retry later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeBusy {
    /// The configuration entry at this index is not committed yet: one change at a time.
    Uncommitted(LogIndex),
    /// This leader has not committed an entry of its own term yet (its no-op): the 2015
    /// single-server-change fix.
    NoCommitInTerm,
    /// A learner is being caught up to become a voter.
    CatchingUp(NodeId),
}

impl fmt::Display for ChangeBusy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeBusy::Uncommitted(i) => write!(
                f,
                "the configuration change at index {i} is not committed yet (one change at a time)"
            ),
            ChangeBusy::NoCommitInTerm => {
                f.write_str("the new leader has not committed an entry of its own term yet")
            }
            ChangeBusy::CatchingUp(n) => write!(f, "Node {n} is still catching up to join"),
        }
    }
}

/// Why a membership change was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeError {
    /// Only the leader changes the configuration.
    NotLeader {
        /// The current leader as far as this node knows.
        leader_hint: Option<NodeId>,
    },
    /// Another change is in progress; retry later.
    Busy(ChangeBusy),
    /// The change is impossible from the current configuration.
    Invalid(MembershipError),
}

impl fmt::Display for ChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeError::NotLeader {
                leader_hint: Some(l),
            } => write!(f, "not the leader; try Node {l}"),
            ChangeError::NotLeader { leader_hint: None } => {
                f.write_str("not the leader; no leader known")
            }
            ChangeError::Busy(b) => write!(f, "busy: {b}"),
            ChangeError::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ChangeError {}

/// Counters kept for the visualization (the seed's per-node statistics).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// How many elections this node started (each election timeout that made it a candidate).
    pub election_attempts: u64,
    /// How many heartbeat rounds it sent as leader (one per heartbeat interval, to all peers).
    pub heartbeats_sent: u64,
    /// How many PreVote rounds it started (dissertation §9.6; each one that a majority grants
    /// is also counted in `election_attempts`).
    #[serde(default)]
    pub pre_vote_attempts: u64,
}
