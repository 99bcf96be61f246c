//! "Why isn't this committed?": where one node's log entry stands on its way to being
//! committed, worked out from every node's state the way the leader's commit rule sees it
//! (Figure 2, "Rules for Servers", Leaders: commit N once a majority of matchIndex ≥ N **and**
//! log\[N\].term == currentTerm; §5.3, §5.4.2 and Figure 8).
//!
//! The simulator sees every node at once, so an explanation can say both what is true (which
//! logs hold the entry) and what the leader knows (which voters it has heard back from: its
//! match_index for each follower), and why the two differ.

use super::Simulation;
use crate::node::RaftNode;
use crate::quorum::majority;
use crate::types::{EntryId, LogIndex, NodeId, Term};

/// Where an entry of one node's log stands, from [`Simulation::commit_explanation`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitExplanation {
    /// The node asked about.
    pub node: NodeId,
    /// The entry at the asked index in that node's log (on its disk while it is crashed).
    pub entry: EntryId,
    /// Every node whose log holds this very entry (same index *and* term), running or
    /// crashed, learners included, in id order. A snapshot that covers the index counts as
    /// holding it (only committed entries are compacted).
    pub holders: Vec<NodeId>,
    /// The voters whose majority decides: those of the configuration the leader uses, or,
    /// without a leader, of the one the asked node uses. Learners never count (§4.2.1).
    pub voters: Vec<NodeId>,
    /// How many of `voters` must store the entry: a majority, ⌊n/2⌋ + 1.
    pub needed: usize,
    /// Why the entry is, or is not yet, committed.
    pub status: CommitStatus,
}

/// The reason in a [`CommitExplanation`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitStatus {
    /// The node knows the entry is committed: the index is at most its commit_index (or its
    /// snapshot covers it).
    Known,
    /// The leader has committed it (the index is at most the leader's commit_index), but this
    /// node has not learned so yet: it hears the leader's commit_index with the next
    /// AppendEntries (or heartbeat). A crashed node has forgotten its commit_index, which is
    /// volatile state.
    CommittedOnLeader {
        /// The leader.
        leader: NodeId,
        /// The leader's commit_index.
        leader_commit: LogIndex,
    },
    /// No running node is leader, so nothing can be committed until one is elected.
    NoLeader {
        /// Running nodes that hold the entry and already know it is committed (the index is at
        /// most their commit_index), in id order: it was committed before the leader was lost,
        /// and the asked node will learn so from the next leader.
        known_committed_by: Vec<NodeId>,
    },
    /// The leader's log holds a different entry at this index (`leader_term` is its term), or
    /// none (`None`): this entry can never be committed; the leader will overwrite it on this
    /// node (§5.3, the AppendEntries consistency check).
    Superseded {
        /// The leader.
        leader: NodeId,
        /// The term of the leader's entry at that index, if it has one.
        leader_term: Option<Term>,
    },
    /// An entry of the leader's current term, and the leader knows of fewer than `needed`
    /// voters storing it (itself included): it keeps sending AppendEntries until a majority
    /// has answered that they store it.
    NoMajority {
        /// The leader.
        leader: NodeId,
        /// The voters the leader knows store the entry (match_index ≥ the index, and itself),
        /// in id order.
        acknowledged: Vec<NodeId>,
    },
    /// The entry is from an older term than the leader's current term, and the leader counts
    /// replicas only for entries of its own term (§5.4.2, Figure 8): however many voters store
    /// it, it is committed only indirectly, once an entry of the current term after it is
    /// stored on a majority (the leader appends a no-op at the start of its term for this).
    OlderTerm {
        /// The leader.
        leader: NodeId,
        /// The leader's current term.
        leader_term: Term,
        /// The voters the leader knows store the entry, in id order.
        acknowledged: Vec<NodeId>,
    },
    /// A majority of acknowledgements and an entry of the leader's term: the leader commits it
    /// the next time it processes an AppendEntries reply. (The leader re-checks on every
    /// reply, so this is only seen with a deliberately broken protocol.)
    Committing {
        /// The leader.
        leader: NodeId,
        /// The voters the leader knows store the entry, in id order.
        acknowledged: Vec<NodeId>,
    },
}

/// The voters that `leader` knows store the entry at `index`: itself if its log reaches it,
/// and each follower whose match_index is at least `index` (Figure 2: matchIndex).
fn acknowledged(leader: &RaftNode, index: LogIndex) -> Vec<NodeId> {
    let progress = leader.progress();
    leader
        .voters()
        .iter()
        .copied()
        .filter(|&v| {
            if v == leader.id() {
                leader.log().last_index() >= index
            } else {
                progress
                    .and_then(|p| p.get(&v))
                    .is_some_and(|p| p.match_index >= index)
            }
        })
        .collect()
}

impl Simulation {
    /// Why the entry at `index` in `node`'s log is (or is not yet) committed; `None` if there
    /// is no such node or its log has no entry at `index` (index 0, or beyond its end). An
    /// index inside the node's snapshot is [`CommitStatus::Known`]. The leader is
    /// [`Simulation::leader`]; its rule is Figure 2's: a majority of the voters store the
    /// entry *and* it is from the leader's current term (§5.4.2).
    pub fn commit_explanation(&self, node: NodeId, index: LogIndex) -> Option<CommitExplanation> {
        let n = self.node(node)?;
        let log = n.raft().map_or(&n.storage().log, RaftNode::log);
        let term = log.term_at(index).filter(|_| index.0 > 0)?;
        let entry = EntryId { term, index };
        let holders = self
            .nodes()
            .filter(|m| {
                m.raft()
                    .map_or(&m.storage().log, RaftNode::log)
                    .holds(entry)
            })
            .map(|m| m.id())
            .collect();
        let leader = self.leader().and_then(|l| self.node(l)?.raft());
        let voters: Vec<NodeId> = match (leader, n.raft()) {
            (Some(l), _) => l.voters().iter().copied().collect(),
            (None, Some(r)) => r.voters().iter().copied().collect(),
            (None, None) => n
                .storage()
                .effective_membership()
                .1
                .voters
                .iter()
                .copied()
                .collect(),
        };
        let needed = majority(voters.len());
        let knows =
            index <= log.snapshot_id().index || n.raft().is_some_and(|r| index <= r.commit_index());
        let status = match leader {
            _ if knows => CommitStatus::Known,
            None => CommitStatus::NoLeader {
                known_committed_by: self
                    .nodes()
                    .filter_map(|m| m.raft())
                    .filter(|r| r.log().holds(entry) && index <= r.commit_index())
                    .map(RaftNode::id)
                    .collect(),
            },
            Some(l) if !l.log().holds(entry) => CommitStatus::Superseded {
                leader: l.id(),
                leader_term: l.log().term_at(index),
            },
            Some(l) if index <= l.commit_index() => CommitStatus::CommittedOnLeader {
                leader: l.id(),
                leader_commit: l.commit_index(),
            },
            Some(l) => {
                let acked = acknowledged(l, index);
                if term != l.current_term() {
                    CommitStatus::OlderTerm {
                        leader: l.id(),
                        leader_term: l.current_term(),
                        acknowledged: acked,
                    }
                } else if acked.len() < needed {
                    CommitStatus::NoMajority {
                        leader: l.id(),
                        acknowledged: acked,
                    }
                } else {
                    CommitStatus::Committing {
                        leader: l.id(),
                        acknowledged: acked,
                    }
                }
            }
        };
        Some(CommitExplanation {
            node,
            entry,
            holders,
            voters,
            needed,
            status,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::sim::scenario::find;
    use crate::sim::{Action, SimConfig};

    fn leader_sim() -> Simulation {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        assert!(sim.run_until(120_000, |s| s.leader().is_some()));
        sim.run_for(10_000);
        sim
    }

    #[test]
    fn nothing_to_explain_without_an_entry() {
        let sim = leader_sim();
        let l = sim.leader().expect("leader");
        assert!(sim.commit_explanation(l, LogIndex(0)).is_none());
        assert!(sim.commit_explanation(l, LogIndex(99)).is_none());
        assert!(sim.commit_explanation(NodeId(42), LogIndex(1)).is_none());
        let e = sim.commit_explanation(l, LogIndex(1)).expect("the no-op");
        assert_eq!(e.status, CommitStatus::Known);
        assert_eq!(e.holders.len(), 5);
        assert_eq!((e.voters.len(), e.needed), (5, 3));
    }

    #[test]
    fn an_entry_cut_off_from_the_majority_waits_for_it_then_commits() {
        let mut sim = leader_sim();
        let l = sim.leader().expect("leader");
        let others: Vec<NodeId> = sim.nodes().map(|n| n.id()).filter(|&i| i != l).collect();
        // The leader keeps one follower: two voters of five store the new entry.
        sim.apply(Action::Partition(vec![vec![l, others[0]]]))
            .expect("partition");
        sim.apply(Action::Submit(Command::Add { a: 1, b: 2 }))
            .expect("submit");
        sim.run_for(15_000);
        let index = sim
            .node(l)
            .and_then(|n| n.raft())
            .expect("up")
            .log()
            .last_index();
        let e = sim.commit_explanation(l, index).expect("entry");
        assert_eq!(
            e.status,
            CommitStatus::NoMajority {
                leader: l,
                acknowledged: {
                    let mut v = vec![l, others[0]];
                    v.sort();
                    v
                }
            }
        );
        assert_eq!(e.holders.len(), 2);
        assert_eq!(e.needed, 3);
        // The follower knows the leader and the entry, but not that it is committed.
        let f = sim.commit_explanation(others[0], index).expect("entry");
        assert!(matches!(f.status, CommitStatus::NoMajority { .. }));
        // Healed, it commits; a follower that has not heard the new commit_index yet is told so.
        sim.apply(Action::HealAll).expect("heal");
        assert!(sim.run_until(sim.now_ms() + 60_000, |s| {
            s.node(l)
                .and_then(|n| n.raft())
                .is_some_and(|r| r.commit_index() >= index)
        }));
        let e = sim.commit_explanation(l, index).expect("entry");
        assert_eq!(e.status, CommitStatus::Known);
        assert_eq!(e.holders.len(), 5);
        // A crashed follower forgot its commit_index: the leader has committed the entry.
        let now = sim.leader().expect("a leader");
        let f = sim
            .nodes()
            .map(|n| n.id())
            .find(|&i| i != now)
            .expect("a follower");
        sim.apply(Action::Crash(f)).expect("crash");
        let c = sim.commit_explanation(f, index).expect("on its disk");
        assert!(
            matches!(
                c.status,
                CommitStatus::CommittedOnLeader { leader, leader_commit } if leader == now && leader_commit >= index
            ),
            "{c:?}"
        );
    }

    #[test]
    fn without_a_leader_nothing_commits() {
        let mut sim = leader_sim();
        let old = sim.leader().expect("leader");
        let f = sim
            .nodes()
            .map(|n| n.id())
            .find(|&i| i != old)
            .expect("a follower");
        // The leader crashes; a follower restarts and has forgotten its commit_index.
        sim.apply(Action::Crash(old)).expect("crash");
        sim.apply(Action::Crash(f)).expect("crash");
        sim.apply(Action::Restart(f)).expect("restart");
        assert_eq!(sim.leader(), None);
        let e = sim.commit_explanation(f, LogIndex(1)).expect("the no-op");
        let CommitStatus::NoLeader { known_committed_by } = &e.status else {
            panic!("expected no leader, got {e:?}");
        };
        // The three other running followers know entry 1 is committed; the crashed leader's
        // disk holds it too.
        assert_eq!(known_committed_by.len(), 3, "{known_committed_by:?}");
        assert!(!known_committed_by.contains(&f) && !known_committed_by.contains(&old));
        assert_eq!(e.holders.len(), 5);
    }

    #[test]
    fn figure_8_an_older_term_entry_on_a_majority_waits_for_the_current_term_rule() {
        // The bundled Figure 8 scenario, up to the moment before Node 2 (leader of term 3)
        // crashes: its entry 2 of term 1 is on a majority, its term-3 entry is not.
        let scenario = find("figure-8").expect("bundled");
        let mut sim = Simulation::new(scenario.config.clone()).expect("valid");
        let crash_at = scenario
            .steps
            .iter()
            .find(|s| s.actions == vec![Action::Crash(NodeId(2))])
            .expect("the crash of Node 2")
            .at_ms;
        for step in scenario.steps.iter().take_while(|s| s.at_ms < crash_at) {
            sim.advance_to(step.at_ms);
            for a in &step.actions {
                sim.apply(a.clone()).expect("scenario action");
            }
        }
        sim.advance_to(crash_at - 1);
        assert_eq!(sim.leader(), Some(NodeId(2)));
        let e = sim
            .commit_explanation(NodeId(2), LogIndex(2))
            .expect("entry 2");
        assert_eq!(e.entry.term, Term(1));
        match &e.status {
            CommitStatus::OlderTerm {
                leader,
                leader_term,
                acknowledged,
            } => {
                assert_eq!((*leader, *leader_term), (NodeId(2), Term(3)));
                // Nodes 1, 2, 4 and 5 store it (the leader has not heard back from all yet).
                assert!(acknowledged.contains(&NodeId(2)), "{acknowledged:?}");
                assert_eq!(e.holders, [1, 2, 4, 5].map(NodeId));
            }
            other => panic!("expected the current-term rule, got {other:?} in {e:?}"),
        }
        // Node 3's conflicting entry 2 (term 2), on its disk, is not the leader's.
        let c = sim
            .commit_explanation(NodeId(3), LogIndex(2))
            .expect("entry 2");
        assert_eq!(c.entry.term, Term(2));
        assert_eq!(c.holders, vec![NodeId(3)]);
        assert!(matches!(
            c.status,
            CommitStatus::Superseded {
                leader_term: Some(Term(1)),
                ..
            }
        ));
        // The leader's own term-3 entry is not on a majority: a plain wait.
        let last = sim
            .node(NodeId(2))
            .and_then(|n| n.raft())
            .expect("up")
            .log()
            .last_index();
        let t3 = sim.commit_explanation(NodeId(2), last).expect("entry");
        assert_eq!(t3.entry.term, Term(3));
        assert!(
            matches!(t3.status, CommitStatus::NoMajority { .. }),
            "{t3:?}"
        );
    }

    #[test]
    fn learners_hold_entries_but_do_not_count() {
        let mut sim = leader_sim();
        sim.apply(Action::AddNode(NodeId(6))).expect("add");
        assert!(sim.run_until(sim.now_ms() + 60_000, |s| {
            s.cluster_membership().is_learner(NodeId(6))
        }));
        let l = sim.leader().expect("leader");
        let e = sim
            .commit_explanation(l, LogIndex(1))
            .expect("the first entry");
        assert_eq!((e.voters.len(), e.needed), (5, 3));
        assert!(!e.voters.contains(&NodeId(6)));
    }
}
