//! "Why isn't this committed?" in words: turns [`raft_core::sim::CommitExplanation`] (the
//! simulator's reasoning, see `Simulation::commit_explanation`) into a headline and a few
//! sentences for the log panel. Pure and tested natively.

use raft_core::NodeId;
use raft_core::sim::{CommitExplanation, CommitStatus};

/// The explanation as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhyView {
    /// The node whose entry it is.
    pub node: u64,
    /// The entry's index.
    pub index: u64,
    /// The entry's term.
    pub term: u64,
    /// A stable name of the reason (`data-reason`): `committed`, `not-yet-known`,
    /// `no-leader`, `superseded`, `no-majority`, `current-term-rule`, `committing`.
    pub reason: &'static str,
    /// One-line answer.
    pub headline: String,
    /// The details, one sentence each.
    pub lines: Vec<String>,
}

/// `Node 3`, `Nodes 1 and 2`, `Nodes 1, 2 and 4`, `no node`; learners (ids not in `voters`)
/// get `(learner)` after them when `voters` is given.
pub fn node_list(ids: &[NodeId], voters: Option<&[NodeId]>) -> String {
    let name = |id: &NodeId| match voters {
        Some(v) if !v.contains(id) => format!("{id} (learner)"),
        _ => id.to_string(),
    };
    match ids {
        [] => "no node".to_string(),
        [one] => format!("Node {}", name(one)),
        [init @ .., last] => {
            let mut s = "Nodes ".to_string();
            for (i, id) in init.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                s.push_str(&name(id));
            }
            s.push_str(" and ");
            s.push_str(&name(last));
            s
        }
    }
}

/// The explanation of `e` in words; `crashed` says whether the asked node is crashed (it then
/// has no commit_index at all).
pub fn why_view(e: &CommitExplanation, crashed: bool) -> WhyView {
    let (index, term) = (e.entry.index.0, e.entry.term.0);
    let entry = format!("Entry {index} (term {term})");
    let voters = e.voters.len();
    let stored = format!(
        "Stored on {} ({} of the {voters} voters {}).",
        node_list(&e.holders, Some(&e.voters)),
        e.holders.iter().filter(|h| e.voters.contains(h)).count(),
        config(&e.voters),
    );
    let need = format!(
        "Committing it needs a majority: {} of the {voters} voters (learners do not count).",
        e.needed
    );
    let acked = |leader: NodeId, acknowledged: &[NodeId]| {
        format!(
            "The leader, Node {leader}, knows it is stored on {} of them: {} (its match_index for each follower, and itself).",
            acknowledged.len(),
            node_list(acknowledged, None)
        )
    };
    let (reason, headline, lines) = match &e.status {
        CommitStatus::Known => (
            "committed",
            format!("{entry} is committed, and Node {} knows it.", e.node),
            vec![stored],
        ),
        CommitStatus::CommittedOnLeader {
            leader,
            leader_commit,
        } => (
            "not-yet-known",
            format!("{entry} is committed: Node {} has not learned it yet.", e.node),
            vec![
                format!(
                    "The leader, Node {leader}, has committed every entry up to index {leader_commit}."
                ),
                if crashed {
                    format!(
                        "Node {} is crashed: commit_index is volatile, so it will relearn it from the leader after a restart.",
                        e.node
                    )
                } else {
                    format!(
                        "Node {} learns the leader's commit_index from its next AppendEntries or heartbeat.",
                        e.node
                    )
                },
            ],
        ),
        CommitStatus::NoLeader { known_committed_by } => {
            let mut lines = vec![stored, need];
            lines.push(if known_committed_by.is_empty() {
                "Only a leader commits entries; a new one must be elected first.".to_string()
            } else {
                format!(
                    "It was committed before: {} already know{} it. Node {} will learn it from the next leader.",
                    node_list(known_committed_by, None),
                    if known_committed_by.len() == 1 { "s" } else { "" },
                    e.node
                )
            });
            ("no-leader", "There is no leader: nothing can be committed now.".to_string(), lines)
        }
        CommitStatus::Superseded {
            leader,
            leader_term,
        } => (
            "superseded",
            format!("{entry} will never be committed: the leader has a different log."),
            vec![
                match leader_term {
                    Some(t) => format!(
                        "The leader, Node {leader}, has an entry of term {t} at index {index}."
                    ),
                    None => format!("The leader, Node {leader}, has no entry at index {index}."),
                },
                format!(
                    "Its AppendEntries will make Node {} delete this entry and take the leader's instead (\u{a7}5.3).",
                    e.node
                ),
                stored,
            ],
        ),
        CommitStatus::NoMajority {
            leader,
            acknowledged,
        } => (
            "no-majority",
            format!("{entry} is not on a majority yet."),
            vec![
                stored,
                need,
                acked(*leader, acknowledged),
                "It keeps sending AppendEntries until a majority has it (crashed or cut-off followers cannot answer).".to_string(),
            ],
        ),
        CommitStatus::OlderTerm {
            leader,
            leader_term,
            acknowledged,
        } => (
            "current-term-rule",
            format!(
                "{entry} is from an older term than the leader's (term {leader_term}): the current-term rule holds it back."
            ),
            vec![
                stored,
                need,
                acked(*leader, acknowledged),
                format!(
                    "A leader commits by counting replicas only entries of its own term (Raft \u{a7}5.4.2, Figure 8): entry {index} is committed together with the first entry of term {leader_term} after it that reaches a majority."
                ),
            ],
        ),
        CommitStatus::Committing {
            leader,
            acknowledged,
        } => (
            "committing",
            format!("{entry} is on a majority; the leader commits it with the next reply."),
            vec![stored, need, acked(*leader, acknowledged)],
        ),
    };
    WhyView {
        node: e.node.0,
        index,
        term,
        reason,
        headline,
        lines,
    }
}

/// `{1,2,3}`.
fn config(voters: &[NodeId]) -> String {
    let mut s = "{".to_string();
    for (i, v) in voters.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&v.0.to_string());
    }
    s.push('}');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::{EntryId, LogIndex, Term};

    fn ids(v: &[u64]) -> Vec<NodeId> {
        v.iter().map(|&i| NodeId(i)).collect()
    }

    fn explanation(status: CommitStatus, holders: &[u64]) -> CommitExplanation {
        CommitExplanation {
            node: NodeId(2),
            entry: EntryId {
                term: Term(1),
                index: LogIndex(2),
            },
            holders: ids(holders),
            voters: ids(&[1, 2, 3, 4, 5]),
            needed: 3,
            status,
        }
    }

    #[test]
    fn node_lists_read_naturally_and_mark_learners() {
        assert_eq!(node_list(&[], None), "no node");
        assert_eq!(node_list(&ids(&[3]), None), "Node 3");
        assert_eq!(node_list(&ids(&[1, 2]), None), "Nodes 1 and 2");
        assert_eq!(node_list(&ids(&[1, 2, 4]), None), "Nodes 1, 2 and 4");
        let voters = ids(&[1, 2, 3]);
        assert_eq!(
            node_list(&ids(&[1, 6]), Some(&voters)),
            "Nodes 1 and 6 (learner)"
        );
    }

    #[test]
    fn the_current_term_rule_is_named_with_the_counts() {
        let v = why_view(
            &explanation(
                CommitStatus::OlderTerm {
                    leader: NodeId(2),
                    leader_term: Term(3),
                    acknowledged: ids(&[1, 2]),
                },
                &[1, 2, 4, 5],
            ),
            false,
        );
        assert_eq!(v.reason, "current-term-rule");
        assert_eq!((v.node, v.index, v.term), (2, 2, 1));
        assert!(v.headline.contains("term 3"), "{}", v.headline);
        assert_eq!(
            v.lines[0],
            "Stored on Nodes 1, 2, 4 and 5 (4 of the 5 voters {1,2,3,4,5})."
        );
        assert!(v.lines[1].contains("3 of the 5 voters"));
        assert!(v.lines[2].contains("stored on 2 of them: Nodes 1 and 2"));
        assert!(v.lines[3].contains("\u{a7}5.4.2, Figure 8"));
    }

    #[test]
    fn each_reason_has_its_own_words() {
        let no_majority = why_view(
            &explanation(
                CommitStatus::NoMajority {
                    leader: NodeId(1),
                    acknowledged: ids(&[1]),
                },
                &[1, 2],
            ),
            false,
        );
        assert_eq!(no_majority.reason, "no-majority");
        assert!(no_majority.headline.ends_with("is not on a majority yet."));
        let none = why_view(
            &explanation(
                CommitStatus::NoLeader {
                    known_committed_by: ids(&[4]),
                },
                &[2, 4],
            ),
            false,
        );
        assert_eq!(none.reason, "no-leader");
        assert!(none.lines[2].starts_with("It was committed before: Node 4 already knows it."));
        let gone = why_view(
            &explanation(
                CommitStatus::Superseded {
                    leader: NodeId(3),
                    leader_term: None,
                },
                &[2],
            ),
            false,
        );
        assert_eq!(
            gone.lines[0],
            "The leader, Node 3, has no entry at index 2."
        );
        let crashed = why_view(
            &explanation(
                CommitStatus::CommittedOnLeader {
                    leader: NodeId(1),
                    leader_commit: LogIndex(4),
                },
                &[1, 2, 3],
            ),
            true,
        );
        assert_eq!(crashed.reason, "not-yet-known");
        assert!(crashed.lines[1].contains("volatile"));
    }
}
