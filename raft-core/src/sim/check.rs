//! Safety checkers that watch a [`Simulation`] as it runs: the five properties of Figure 3 of
//! the Raft paper (§5.2–§5.4), plus three invariants of the persistence rules.
//!
//! A [`SafetyChecker`] is fed the simulation after every step (or every few steps, or once per
//! animation frame in the app) with [`SafetyChecker::observe`]. It reads the trace events that
//! happened since the previous call and the nodes' current state, keeps what it needs from
//! history (who led each term, who voted for whom, what was committed and applied), and returns
//! the first [`Violation`] it finds. After a violation it keeps returning it.
//!
//! Properties checked:
//! - **Election Safety**: at most one leader per term, over the whole history (two leaders of
//!   one term are a violation even if they never coexist).
//! - **Leader Append-Only**: while a node leads a term, the entries it held never change or
//!   disappear from its log.
//! - **Log Matching**: two logs holding an entry with the same index and term are identical up
//!   to it (checked on the stored logs; `observe_logs` on every call is O(nodes² × log) so it
//!   can be thinned with [`SafetyChecker::log_matching_every`]).
//! - **Leader Completeness**: a leader elected for term T holds every entry committed in an
//!   earlier term.
//! - **State Machine Safety**: every node applies indexes 1, 2, 3… in order, without gaps, and
//!   each index with the same entry on every node, across restarts (a restarted node applies
//!   again from index 1).
//! - **Term monotonic**: a node's stored term never decreases, across restarts; its running
//!   term never decreases within one life. (With storage faults a crash may lose an unsynced
//!   term bump; that write was never externalized, so only the synced term is held to this.)
//! - **Single vote**: a node never grants its vote to two candidates in one term, across
//!   restarts.
//! - **Committed on a majority**: when a leader advances its commit index, the entry there is
//!   on the stable storage of a majority of the voters.

use super::Simulation;
use super::trace::TraceKind;
use crate::log::{Entry, Log};
use crate::node::NodeEvent;
use crate::quorum::majority;
use crate::types::{EntryId, LogIndex, NodeId, Term};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The property a [`Violation`] breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Property {
    /// Figure 3: at most one leader can be elected in a given term (§5.2).
    ElectionSafety,
    /// Figure 3: a leader never overwrites or deletes entries in its log (§5.3).
    LeaderAppendOnly,
    /// Figure 3: logs that share an entry's index and term are identical up to it (§5.3).
    LogMatching,
    /// Figure 3: a committed entry is in the logs of the leaders of all later terms (§5.4).
    LeaderCompleteness,
    /// Figure 3: no two servers apply different entries at one index (§5.4.3).
    StateMachineSafety,
    /// A node's term never goes back (Figure 2: currentTerm "increases monotonically").
    TermMonotonic,
    /// A node votes for at most one candidate per term (Figure 2: votedFor, persisted).
    SingleVote,
    /// A committed entry is stored on a majority (§5.3: "replicated it on a majority").
    CommittedOnMajority,
}

impl Property {
    /// The property's name as the paper writes it.
    pub fn name(self) -> &'static str {
        match self {
            Property::ElectionSafety => "Election Safety",
            Property::LeaderAppendOnly => "Leader Append-Only",
            Property::LogMatching => "Log Matching",
            Property::LeaderCompleteness => "Leader Completeness",
            Property::StateMachineSafety => "State Machine Safety",
            Property::TermMonotonic => "Term never decreases",
            Property::SingleVote => "One vote per term",
            Property::CommittedOnMajority => "Committed entries are on a majority",
        }
    }
}

/// A broken safety property: which, where, when, and the run's seed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The property.
    pub property: Property,
    /// The nodes involved, in order.
    pub nodes: Vec<NodeId>,
    /// The term concerned, if one is.
    pub term: Option<Term>,
    /// The log index concerned, if one is.
    pub index: Option<LogIndex>,
    /// Virtual time it was noticed (ms).
    pub time_ms: u64,
    /// The run's seed.
    pub seed: u64,
    /// What exactly was seen.
    pub detail: String,
}

impl fmt::Display for Violation {
    /// `Election Safety violated (seed 7, at 81234 ms): Node 2 and Node 4 both led term 3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} violated (seed {}, at {} ms): {}",
            self.property.name(),
            self.seed,
            self.time_ms,
            self.detail
        )
    }
}

impl std::error::Error for Violation {}

/// Watches a simulation and reports the first broken safety property (see the module
/// documentation for the list).
///
/// Per-node state is kept in vectors indexed by node id and per-index state in vectors indexed
/// by log index (both are small and dense): besides being fast, this keeps the web app's
/// download small (every distinct `BTreeMap` key/value type is another copy of its code).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SafetyChecker {
    /// Trace position up to which events were read (see [`super::Trace::since`]).
    trace_pos: usize,
    /// Term → the node that became its leader.
    leaders: TermMap,
    /// Per voter (by id): term → the candidate it voted for.
    votes: Vec<TermMap>,
    /// Per node: the highest stored term seen.
    stored_terms: Vec<Term>,
    /// Per node: the highest running term seen in its current life, as (restarts, term).
    running_terms: Vec<Option<(u64, Term)>>,
    /// Per node leading a term: (term, the last entry of its log when last seen).
    leading: Vec<Option<(Term, EntryId)>>,
    /// Per index from 1: (entry id, lowest term in which it was known committed).
    committed: Vec<(EntryId, Term)>,
    /// Per index from 1: the entry first applied there.
    applied: Vec<Entry>,
    /// Per node, the last index it applied in its current life.
    applied_upto: Vec<LogIndex>,
    /// Run Log Matching on every `log_matching_every`-th call (0 or 1: every call).
    log_matching_every: u32,
    calls: u64,
    violation: Option<Violation>,
}

/// Term → node, as a list sorted by term (serialized as a map, like the `BTreeMap` it
/// replaces, whose code would cost the web app's download more than this does).
#[derive(Clone, Debug, Default)]
struct TermMap(Vec<(Term, NodeId)>);

impl TermMap {
    fn get(&self, term: &Term) -> Option<&NodeId> {
        let at = self.0.binary_search_by(|e| e.0.cmp(term)).ok()?;
        Some(&self.0[at].1)
    }

    fn insert(&mut self, term: Term, node: NodeId) {
        match self.0.binary_search_by(|e| e.0.cmp(&term)) {
            Ok(at) => self.0[at].1 = node,
            Err(at) => self.0.insert(at, (term, node)),
        }
    }
}

impl Serialize for TermMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(t, n)| (t, n)))
    }
}

impl<'de> Deserialize<'de> for TermMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(TermMap(
            BTreeMap::<Term, NodeId>::deserialize(d)?
                .into_iter()
                .collect(),
        ))
    }
}

/// The slot of node `id` in a per-node vector, grown as needed.
fn slot<T: Default>(v: &mut Vec<T>, id: NodeId) -> &mut T {
    let i = usize::try_from(id.0).unwrap_or(usize::MAX).min(4096);
    if v.len() <= i {
        v.resize_with(i + 1, T::default);
    }
    &mut v[i]
}

/// Position of log index `index` (from 1) in a per-index vector.
fn pos(index: LogIndex) -> usize {
    usize::try_from(index.0.saturating_sub(1)).unwrap_or(usize::MAX)
}

impl SafetyChecker {
    /// A checker for a run that has not started yet (or that it reads from its beginning: the
    /// first `observe` reads the whole trace).
    pub fn new() -> SafetyChecker {
        SafetyChecker::default()
    }

    /// Runs the O(nodes² × log) Log Matching check only on every `n`-th call to
    /// [`SafetyChecker::observe`] (and always on [`SafetyChecker::observe_all`]).
    pub fn log_matching_every(mut self, n: u32) -> SafetyChecker {
        self.log_matching_every = n;
        self
    }

    /// The violation found so far, if any.
    pub fn violation(&self) -> Option<&Violation> {
        self.violation.as_ref()
    }

    /// Every term's leader seen so far.
    pub fn leaders(&self) -> BTreeMap<Term, NodeId> {
        self.leaders.0.iter().copied().collect()
    }

    /// Reads what happened since the last call and checks every property.
    ///
    /// # Errors
    /// The first [`Violation`] found (also on every later call).
    pub fn observe(&mut self, sim: &Simulation) -> Result<(), Violation> {
        self.calls += 1;
        let full = self.log_matching_every <= 1
            || self
                .calls
                .is_multiple_of(u64::from(self.log_matching_every));
        self.run(sim, full)
    }

    /// Like [`SafetyChecker::observe`], always including Log Matching.
    ///
    /// # Errors
    /// The first [`Violation`] found.
    pub fn observe_all(&mut self, sim: &Simulation) -> Result<(), Violation> {
        self.run(sim, true)
    }

    fn run(&mut self, sim: &Simulation, log_matching: bool) -> Result<(), Violation> {
        if let Some(v) = &self.violation {
            return Err(v.clone());
        }
        let result = self
            .read_trace(sim)
            .and_then(|()| self.check_nodes(sim))
            .and_then(|()| {
                if log_matching {
                    check_log_matching(sim)
                } else {
                    Ok(())
                }
            });
        if let Err(v) = &result {
            self.violation = Some(v.clone());
        }
        result
    }

    fn read_trace(&mut self, sim: &Simulation) -> Result<(), Violation> {
        // Positions count every event of the run, so this works with a trace retention too
        // (events dropped before the checker looked at them are not checked).
        let events = sim.trace().since(self.trace_pos);
        self.trace_pos = sim.trace().len_ever();
        for e in events {
            let fail = |property, nodes: Vec<NodeId>, term, index, detail: String| Violation {
                property,
                nodes,
                term,
                index,
                time_ms: e.time_ms,
                seed: sim.config().seed,
                detail,
            };
            match &e.kind {
                TraceKind::Node {
                    node,
                    event: NodeEvent::BecameLeader { term, .. },
                } => {
                    if let Some(&other) = self.leaders.get(term)
                        && other != *node
                    {
                        return Err(fail(
                            Property::ElectionSafety,
                            vec![other.min(*node), other.max(*node)],
                            Some(*term),
                            None,
                            format!("Node {other} and Node {node} both led term {term}"),
                        ));
                    }
                    self.leaders.insert(*term, *node);
                    self.check_completeness(sim, *node, *term, &fail)?;
                }
                TraceKind::Node {
                    node,
                    event: NodeEvent::VoteGranted { candidate, term },
                } => {
                    let votes = slot(&mut self.votes, *node);
                    if let Some(&earlier) = votes.get(term)
                        && earlier != *candidate
                    {
                        return Err(fail(
                            Property::SingleVote,
                            vec![*node],
                            Some(*term),
                            None,
                            format!(
                                "Node {node} voted for Node {earlier} and then for Node {candidate} in term {term}"
                            ),
                        ));
                    }
                    votes.insert(*term, *candidate);
                }
                TraceKind::Node {
                    node,
                    event: NodeEvent::CommitAdvanced { commit_index },
                } => self.record_commit(sim, *node, *commit_index, &fail)?,
                TraceKind::Applied {
                    node,
                    index,
                    term,
                    command,
                    ..
                } => {
                    let upto = slot(&mut self.applied_upto, *node);
                    let last = *upto;
                    if index.0 != last.0 + 1 {
                        return Err(fail(
                            Property::StateMachineSafety,
                            vec![*node],
                            None,
                            Some(*index),
                            format!(
                                "Node {node} applied index {index} after index {last} (out of order or a gap)"
                            ),
                        ));
                    }
                    *upto = *index;
                    let term = *term;
                    let entry = Entry {
                        term,
                        index: *index,
                        command: command.clone(),
                    };
                    match self.applied.get(pos(*index)) {
                        Some(first) if first.command != entry.command || first.term != term => {
                            return Err(fail(
                                Property::StateMachineSafety,
                                vec![*node],
                                None,
                                Some(*index),
                                format!(
                                    "Node {node} applied {} (term {term}) at index {index}, where {} (term {}) was applied before",
                                    entry.command, first.command, first.term
                                ),
                            ));
                        }
                        Some(_) => {}
                        // Indexes are applied in order, so the first application of each
                        // index comes right after the previous one (a node that starts from a
                        // snapshot applies only later indexes, which others applied first).
                        None if self.applied.len() == pos(*index) => self.applied.push(entry),
                        None => {}
                    }
                }
                TraceKind::Restarted {
                    node,
                    snapshot_index,
                    ..
                } => {
                    // A restarted node's state machine starts from its snapshot (or empty) and
                    // applies from the entry after it.
                    *slot(&mut self.applied_upto, *node) = LogIndex(*snapshot_index);
                    *slot(&mut self.leading, *node) = None;
                }
                TraceKind::Crashed { node, .. } => {
                    *slot(&mut self.leading, *node) = None;
                }
                TraceKind::Node {
                    node,
                    event: NodeEvent::SnapshotInstalled { last_included, .. },
                } => {
                    // The state machine now holds everything up to the snapshot (§7).
                    *slot(&mut self.applied_upto, *node) = last_included.index;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Leader Completeness for `node`, just elected in `term`.
    fn check_completeness(
        &self,
        sim: &Simulation,
        node: NodeId,
        term: Term,
        fail: &impl Fn(Property, Vec<NodeId>, Option<Term>, Option<LogIndex>, String) -> Violation,
    ) -> Result<(), Violation> {
        let Some(log) = sim.node(node).and_then(|n| n.raft()).map(|r| r.log()) else {
            return Ok(());
        };
        for (id, committed_in) in &self.committed {
            let index = &id.index;
            // (Term 0: committed, but compacted before the checker learned its term.)
            if *committed_in < term && id.term.0 > 0 && !log.holds(*id) {
                return Err(fail(
                    Property::LeaderCompleteness,
                    vec![node],
                    Some(term),
                    Some(*index),
                    format!(
                        "Node {node} became leader of term {term} without entry {index} (term {}), committed in term {committed_in}",
                        id.term
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Records entries up to `commit_index` as committed on `node`; checks that a committed
    /// index never holds two entries, and, on a leader, that the entry is on a majority.
    fn record_commit(
        &mut self,
        sim: &Simulation,
        node: NodeId,
        commit_index: LogIndex,
        fail: &impl Fn(Property, Vec<NodeId>, Option<Term>, Option<LogIndex>, String) -> Violation,
    ) -> Result<(), Violation> {
        let Some(raft) = sim.node(node).and_then(|n| n.raft()) else {
            return Ok(());
        };
        let term = raft.current_term();
        let log = raft.log();
        // The newly committed indexes, and the commit index itself (which must hold the entry
        // recorded there if it is already known).
        let high = self.committed.len() as u64;
        let first = (high + 1).min(commit_index.0.max(1));
        for i in first..=commit_index.0 {
            let index = LogIndex(i);
            // (A commit index never passes the log, so this ends the loop early only at
            // entries compacted before the checker saw them: their term is recorded as 0,
            // unknown, and learned from the next node that still holds them.)
            let t = match log.term_at(index) {
                Some(t) => t,
                None if index < log.snapshot_id().index => Term(0),
                None => break,
            };
            let id = EntryId { index, term: t };
            match self.committed.get_mut(pos(index)) {
                Some((known, _)) if known.term.0 == 0 || t.0 == 0 => {
                    if known.term.0 == 0 {
                        *known = id;
                    }
                }
                Some((known, _)) if *known != id => {
                    return Err(fail(
                        Property::StateMachineSafety,
                        vec![node],
                        Some(term),
                        Some(index),
                        format!(
                            "Node {node} committed entry {index} of term {t}, but entry {index} of term {} was committed before",
                            known.term
                        ),
                    ));
                }
                Some((_, when)) => *when = (*when).min(term),
                // New indexes come in order from `high + 1`.
                None => self.committed.push((id, term)),
            }
        }
        // A leader's commit: the entry must be on a majority of the voters' stable storage.
        if raft.role() == crate::node::RoleKind::Leader && commit_index.0 > 0 {
            let Some(t) = log.term_at(commit_index) else {
                return Ok(());
            };
            let voters = raft.voters();
            let holders: Vec<NodeId> = voters
                .iter()
                .copied()
                .filter(|v| {
                    sim.node(*v).is_some_and(|n| {
                        n.storage().log.holds(EntryId {
                            index: commit_index,
                            term: t,
                        })
                    })
                })
                .collect();
            if holders.len() < majority(voters.len()) {
                return Err(fail(
                    Property::CommittedOnMajority,
                    vec![node],
                    Some(term),
                    Some(commit_index),
                    format!(
                        "Leader {node} committed index {commit_index} (term {t}) but only {} of {} voters store it",
                        holders.len(),
                        voters.len()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Per-node state checks: terms never decrease, and a leader's log only grows.
    fn check_nodes(&mut self, sim: &Simulation) -> Result<(), Violation> {
        let now = sim.now_ms();
        let seed = sim.config().seed;
        for n in sim.nodes() {
            let id = n.id();
            let fail = |property, term, index, detail: String| Violation {
                property,
                nodes: vec![id],
                term,
                index,
                time_ms: now,
                seed,
                detail,
            };
            let stored = n.storage().current_term;
            let before = *slot(&mut self.stored_terms, id);
            if stored < before {
                return Err(fail(
                    Property::TermMonotonic,
                    Some(stored),
                    None,
                    format!("Node {id}'s stored term went back from {before} to {stored}"),
                ));
            }
            *slot(&mut self.stored_terms, id) = stored;
            let Some(raft) = n.raft() else {
                continue;
            };
            let life = n.restarts();
            let term = raft.current_term();
            match *slot(&mut self.running_terms, id) {
                Some((l, before)) if l == life && term < before => {
                    return Err(fail(
                        Property::TermMonotonic,
                        Some(term),
                        None,
                        format!("Node {id}'s term went back from {before} to {term}"),
                    ));
                }
                _ => {}
            }
            *slot(&mut self.running_terms, id) = Some((life, term));
            let log = raft.log();
            if raft.role() == crate::node::RoleKind::Leader {
                if let Some((t, last)) = *slot(&mut self.leading, id)
                    && t == term
                    && last.index.0 > 0
                    && !log.holds(last)
                {
                    return Err(fail(
                        Property::LeaderAppendOnly,
                        Some(term),
                        Some(last.index),
                        format!(
                            "Leader {id} of term {term} lost or changed its entry {} (term {})",
                            last.index, last.term
                        ),
                    ));
                }
                let last = EntryId {
                    index: log.last_index(),
                    term: log.last_term(),
                };
                *slot(&mut self.leading, id) = Some((term, last));
            } else {
                *slot(&mut self.leading, id) = None;
            }
        }
        Ok(())
    }
}

/// Log Matching over the stored logs of every pair of nodes, and agreement of what each pair
/// knows to be committed. O(nodes² × log length).
///
/// # Errors
/// A [`Property::LogMatching`] violation naming the two nodes and the index.
pub fn check_log_matching(sim: &Simulation) -> Result<(), Violation> {
    let logs: Vec<(NodeId, &Log)> = sim.nodes().map(|n| (n.id(), &n.storage().log)).collect();
    for (i, (a, la)) in logs.iter().enumerate() {
        for (b, lb) in &logs[i + 1..] {
            // The highest index where both have the same term: everything up to it must match.
            let mut k = la.last_index().0.min(lb.last_index().0);
            while k > 0 && la.term_at(LogIndex(k)) != lb.term_at(LogIndex(k)) {
                k -= 1;
            }
            // Entries compacted on either side are committed and compared no further.
            let first = la.first_index().max(lb.first_index()).0;
            let bad = (first..=k)
                .map(LogIndex)
                .find(|&i| la.get(i) != lb.get(i))
                .map(|i| (i.0 - 1) as usize);
            if let Some(bad) = bad {
                return Err(Violation {
                    property: Property::LogMatching,
                    nodes: vec![*a, *b],
                    term: la.term_at(LogIndex(k)),
                    index: Some(LogIndex(bad as u64 + 1)),
                    time_ms: sim.now_ms(),
                    seed: sim.config().seed,
                    detail: format!(
                        "Node {a} and Node {b} both hold entry {k} of term {}, but differ at index {}",
                        la.term_at(LogIndex(k)).unwrap_or(Term(0)),
                        bad + 1
                    ),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::sim::{Action, SimConfig};

    #[test]
    fn a_correct_run_with_faults_stays_ok_and_records_its_leaders() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        let mut checker = SafetyChecker::new();
        assert!(sim.run_until(120_000, |s| s.leader().is_some()));
        let leader = sim.leader().expect("leader");
        sim.apply(Action::Submit(Command::Add { a: 1, b: 2 }))
            .expect("submit");
        sim.apply(Action::Isolate(leader)).expect("isolate");
        for _ in 0..5_000 {
            sim.step();
            assert_eq!(checker.observe(&sim), Ok(()));
        }
        sim.apply(Action::HealAll).expect("heal");
        sim.run_for(120_000);
        assert_eq!(checker.observe_all(&sim), Ok(()));
        assert!(checker.leaders().len() >= 2, "{:?}", checker.leaders());
        assert!(checker.violation().is_none());
    }

    /// Regression: an entry applied inside an action (a resumed node handling the messages
    /// that waited for it) and read by the checker only after the node crashed was taken for
    /// an entry of term 0 and reported as a State Machine Safety violation. Applied events now
    /// carry the entry's term.
    #[test]
    fn entries_applied_just_before_a_crash_keep_their_term() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        let mut checker = SafetyChecker::new();
        assert!(sim.run_until(120_000, |s| s.leader().is_some()));
        checker.observe(&sim).expect("ok so far");
        let leader = sim.leader().expect("leader");
        let follower = sim
            .nodes()
            .map(|n| n.id())
            .find(|&n| n != leader)
            .expect("follower");
        // The follower sleeps through the commit of the leader's no-op ...
        sim.apply(Action::Pause(follower)).expect("pause");
        sim.run_for(30_000);
        checker.observe(&sim).expect("ok while paused");
        // ... wakes up, applies it while handling the waiting heartbeats, and crashes before
        // the checker looks.
        let before = sim.trace().events().len();
        sim.apply(Action::Resume(follower)).expect("resume");
        let applied_on_resume = sim.trace().events()[before..]
            .iter()
            .any(|e| matches!(&e.kind, TraceKind::Applied { node, .. } if *node == follower));
        assert!(applied_on_resume, "the follower applied during Resume");
        sim.apply(Action::Crash(follower)).expect("crash");
        assert_eq!(checker.observe(&sim), Ok(()));
    }

    #[test]
    fn a_violation_says_what_where_and_which_seed() {
        let v = Violation {
            property: Property::ElectionSafety,
            nodes: vec![NodeId(2), NodeId(4)],
            term: Some(Term(3)),
            index: None,
            time_ms: 81_234,
            seed: 7,
            detail: "Node 2 and Node 4 both led term 3".to_string(),
        };
        assert_eq!(
            v.to_string(),
            "Election Safety violated (seed 7, at 81234 ms): Node 2 and Node 4 both led term 3"
        );
    }
}
