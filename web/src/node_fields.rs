//! The node inspector as plain data: the selected node's Raft state, field by field with the
//! names of the paper's Figure 2 and a one-line explanation each, the leader's next_index and
//! match_index per follower, and the seed's counters. Made only for the selected node, so it
//! costs nothing for the others.

use crate::views::config_texts;
use raft_core::NodeId;
use raft_core::sim::{SimNode, Simulation};

/// One row of the inspector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRow {
    /// The field's name as in Figure 2 (`current_term`); also its `data-field`.
    pub key: &'static str,
    /// The value for tests (`data-value`): a plain number or id, empty for none.
    pub value: String,
    /// The value as shown: `Node 3`, `nobody`, `index 12, term 3`.
    pub shown: String,
    /// What the field means, in one line of plain English.
    pub help: &'static str,
}

/// A leader's replication progress for one follower (Figure 2: nextIndex[], matchIndex[]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressRow {
    /// The follower.
    pub peer: u64,
    /// The next log index the leader sends it.
    pub next_index: u64,
    /// The highest log index known to be stored on it.
    pub match_index: u64,
    /// A learner (receives the log, does not count toward majorities).
    pub learner: bool,
}

/// Everything the inspector shows about one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeFields {
    /// The node.
    pub id: u64,
    /// Whether it is crashed (its volatile state is gone; the persistent state is its disk).
    pub crashed: bool,
    /// Persistent state (Figure 2: updated on stable storage before responding to RPCs).
    pub persistent: Vec<FieldRow>,
    /// Volatile state on all servers (lost in a crash).
    pub volatile: Vec<FieldRow>,
    /// On a leader: one row per follower (voters and learners), in id order.
    pub progress: Option<Vec<ProgressRow>>,
    /// The seed's counters since the node last (re)started.
    pub counters: Vec<FieldRow>,
    /// The other nodes, for the buttons that open the inspector of the link to each.
    pub peers: Vec<u64>,
}

/// Help for the leader's next_index column.
pub const NEXT_INDEX_HELP: &str =
    "next_index: the next log entry the leader will send to that follower.";
/// Help for the leader's match_index column.
pub const MATCH_INDEX_HELP: &str = "match_index: the highest entry the leader knows is stored on that follower (it counts these for commitment).";

fn row(key: &'static str, value: String, shown: String, help: &'static str) -> FieldRow {
    FieldRow {
        key,
        value,
        shown,
        help,
    }
}

/// A number as both the value and what is shown.
fn num(key: &'static str, n: u64, help: &'static str) -> FieldRow {
    row(key, n.to_string(), n.to_string(), help)
}

/// An optional node id: `Node 3`, or `none` with an empty value.
fn node_row(key: &'static str, id: Option<NodeId>, none: &str, help: &'static str) -> FieldRow {
    match id {
        Some(id) => row(key, id.0.to_string(), format!("Node {id}"), help),
        None => row(key, String::new(), none.to_string(), help),
    }
}

/// The inspector's data for node `id`, or `None` if there is no such node.
pub fn node_fields(sim: &Simulation, id: NodeId) -> Option<NodeFields> {
    let node: &SimNode = sim.node(id)?;
    let raft = node.raft();
    let storage = node.storage();
    let (term, vote, log) = match raft {
        Some(r) => (r.current_term(), r.voted_for(), r.log()),
        None => (storage.current_term, storage.voted_for, &storage.log),
    };
    let membership = raft.map_or_else(|| storage.effective_membership().1, |r| r.membership());
    let last = log.last_id();
    let mut log_shown = format!("last index {}, term {}", last.index, last.term);
    let snap = log.snapshot_id().index.0;
    if snap > 0 {
        log_shown.push_str(&format!(" (1\u{2013}{snap} in a snapshot)"));
    }
    let persistent = vec![
        num(
            "current_term",
            term.0,
            "The latest term this server has seen. It only grows: any message with a higher term makes the server adopt it and become a follower.",
        ),
        node_row(
            "voted_for",
            vote,
            "nobody",
            "The candidate it voted for in current_term, if any: one vote per term, kept on disk so a restart cannot vote twice.",
        ),
        row(
            "log",
            last.index.0.to_string(),
            log_shown,
            "Its log: the index of the last entry and the term in which a leader created that entry.",
        ),
        row(
            "configuration",
            config_texts(membership).0,
            config_texts(membership).1,
            "The voters (and +learners) it counts: the newest configuration entry in its log, committed or not (\u{a7}4.1).",
        ),
    ];
    let lost = || {
        row(
            "",
            String::new(),
            "\u{2014} (lost in the crash)".to_string(),
            "",
        )
    };
    let volatile_help = [
        (
            "commit_index",
            "The highest log index it knows is committed (stored on a majority). Volatile: after a restart it relearns it from the leader.",
        ),
        (
            "last_applied",
            "The highest log index it has applied to its state machine (the register r and the sums).",
        ),
        (
            "leader_id",
            "The leader it knows of in this term, from AppendEntries; it redirects clients there.",
        ),
    ];
    let volatile = match raft {
        Some(r) => vec![
            num("commit_index", r.commit_index().0, volatile_help[0].1),
            num("last_applied", r.last_applied().0, volatile_help[1].1),
            node_row("leader_id", r.leader_id(), "unknown", volatile_help[2].1),
        ],
        None => volatile_help
            .iter()
            .map(|&(key, help)| FieldRow {
                key,
                help,
                ..lost()
            })
            .collect(),
    };
    let progress = raft.and_then(|r| r.progress()).map(|p| {
        p.iter()
            .map(|(peer, pr)| ProgressRow {
                peer: peer.0,
                next_index: pr.next_index.0,
                match_index: pr.match_index.0,
                learner: membership.is_learner(*peer),
            })
            .collect()
    });
    let counters = match raft {
        Some(r) => {
            let c = r.counters();
            vec![
                num(
                    "election_attempts",
                    c.election_attempts,
                    "Elections it started (its election timer fired) since it last started.",
                ),
                num(
                    "heartbeats_sent",
                    c.heartbeats_sent,
                    "Heartbeat rounds it sent as leader since it last started: empty AppendEntries that keep followers from starting elections.",
                ),
            ]
        }
        None => Vec::new(),
    };
    Some(NodeFields {
        id: id.0,
        crashed: raft.is_none(),
        persistent,
        volatile,
        progress,
        counters,
        peers: sim
            .nodes()
            .map(|n| n.id().0)
            .filter(|&p| p != id.0)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::tests::sim_with_leader;
    use raft_core::Command;
    use raft_core::sim::Action;

    fn field<'a>(rows: &'a [FieldRow], key: &str) -> &'a FieldRow {
        rows.iter().find(|r| r.key == key).expect(key)
    }

    #[test]
    fn a_leader_shows_its_state_progress_and_counters() {
        let mut sim = sim_with_leader();
        sim.apply(Action::Submit(Command::Add { a: 1, b: 2 }))
            .expect("submit");
        sim.run_for(20_000);
        let l = sim.leader().expect("leader");
        let r = sim.node(l).and_then(SimNode::raft).expect("running");
        let f = node_fields(&sim, l).expect("fields");
        assert!(!f.crashed);
        assert_eq!(
            field(&f.persistent, "current_term").value,
            r.current_term().0.to_string()
        );
        // A leader voted for itself.
        let vote = field(&f.persistent, "voted_for");
        assert_eq!(
            (vote.value.as_str(), vote.shown.clone()),
            (l.0.to_string().as_str(), format!("Node {l}"))
        );
        let log = field(&f.persistent, "log");
        assert_eq!(log.value, r.log().last_index().0.to_string());
        assert!(
            log.shown
                .ends_with(&format!("term {}", r.log().last_term()))
        );
        assert_eq!(field(&f.persistent, "configuration").value, "1,2,3,4,5");
        assert_eq!(
            field(&f.volatile, "commit_index").value,
            r.commit_index().0.to_string()
        );
        assert_eq!(field(&f.volatile, "leader_id").value, l.0.to_string());
        let progress = f.progress.expect("a leader has progress");
        assert_eq!(progress.len(), 4);
        assert!(progress.iter().all(|p| p.peer != l.0 && !p.learner));
        assert!(
            progress
                .iter()
                .all(|p| p.match_index < p.next_index && p.match_index <= r.log().last_index().0)
        );
        assert_eq!(
            field(&f.counters, "heartbeats_sent").value,
            r.counters().heartbeats_sent.to_string()
        );
        assert!(r.counters().heartbeats_sent > 0);
        assert_eq!(f.peers.len(), 4);
        for rows in [&f.persistent, &f.volatile, &f.counters] {
            assert!(rows.iter().all(|r| !r.help.is_empty() && !r.key.is_empty()));
        }
    }

    #[test]
    fn a_follower_has_no_progress_and_a_crashed_node_shows_its_disk() {
        let mut sim = sim_with_leader();
        sim.run_for(10_000);
        let l = sim.leader().expect("leader");
        let f_id = sim
            .nodes()
            .map(|n| n.id())
            .find(|&i| i != l)
            .expect("a follower");
        let f = node_fields(&sim, f_id).expect("fields");
        assert!(f.progress.is_none());
        assert_eq!(field(&f.volatile, "leader_id").shown, format!("Node {l}"));
        sim.apply(Action::Crash(f_id)).expect("crash");
        let c = node_fields(&sim, f_id).expect("fields");
        assert!(c.crashed && c.progress.is_none() && c.counters.is_empty());
        assert_eq!(
            field(&c.persistent, "current_term").value,
            f.persistent[0].value,
            "the term survives the crash"
        );
        let commit = field(&c.volatile, "commit_index");
        assert!(commit.value.is_empty() && commit.shown.contains("lost"));
        assert!(node_fields(&sim, NodeId(99)).is_none());
    }
}
