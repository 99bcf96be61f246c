//! The log grid as plain data: the last few indexes of every node's log, which entries each
//! node knows to be committed, which it compacted into its snapshot (§7), and the leader's
//! commit index. Logs are read by index ([`raft_core::Log::get`]), never by position: after a
//! snapshot a log no longer starts at index 1.

use raft_core::sim::{MemberKind, SimNode, Simulation};
use raft_core::{Command, EntryId, Log, RoleKind, Snapshot};

/// A command as a log cell shows it: `5+3`, `r*2`, `no-op` or `C` for a configuration entry (a
/// session's tag is left out).
pub fn command_short(command: &Command) -> String {
    match command {
        Command::Noop => "no-op".to_string(),
        Command::Config(_) => "C".to_string(),
        Command::Register(op) => op.to_string().replace(' ', ""),
        Command::Session { op, .. } => command_short(op),
        Command::Add { a, b } => {
            if *b < 0 {
                format!("{a}\u{2212}{}", b.unsigned_abs())
            } else {
                format!("{a}+{b}")
            }
        }
    }
}

/// One log slot of one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCell {
    /// The entry's term.
    pub term: u64,
    /// Short command text.
    pub text: String,
    /// Whether this node knows the entry is committed (index ≤ its commit index).
    pub committed: bool,
    /// A configuration entry: the configuration it holds, e.g. `{1,2,3} + learner {4}`.
    pub config: Option<String>,
}

/// One node's row of the log grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    /// Node id.
    pub node: u64,
    /// Role (`Follower` while crashed).
    pub role: RoleKind,
    /// Whether the node is crashed (its row shows the log on stable storage).
    pub crashed: bool,
    /// A leader of an older term than the newest leader (cut off, it still believes it leads).
    pub stale: bool,
    /// `learner`, `joining` or `removed` for a node that is not a voter; empty for a voter.
    pub member: &'static str,
    /// The node's commit index (0 while crashed: it is volatile state).
    pub commit_index: u64,
    /// Last index in its log.
    pub last_index: u64,
    /// The last entry its snapshot replaced (index 0 without a snapshot): entries up to it
    /// are compacted away.
    pub snapshot: EntryId,
    /// Cells for the shown indexes; `None` where the log has no entry (see
    /// [`LogRow::compacted`] for why).
    pub cells: Vec<Option<LogCell>>,
}

impl LogRow {
    /// Whether `index` was compacted into this node's snapshot (it has no entry there, but
    /// its state machine has applied it).
    pub fn compacted(&self, index: u64) -> bool {
        index <= self.snapshot.index.0
    }
}

/// How many entries a log holds, and how many its snapshot replaced: `3 log entries`, or
/// `log up to entry 57, entries 1–40 in a snapshot`.
pub fn log_size_text(log: &Log) -> String {
    let (last, snap) = (log.last_index().0, log.snapshot_id().index.0);
    match (snap, last) {
        (0, 1) => "1 log entry".to_string(),
        (0, n) => format!("{n} log entries"),
        (s, n) => format!("log up to entry {n}, entries 1\u{2013}{s} in a snapshot"),
    }
}

/// The contents of a snapshot as `(name, value)` rows, for the node panel and the
/// InstallSnapshot inspector (Figure 13's lastIncludedIndex and lastIncludedTerm, then the
/// state machine, its client sessions with the latest operation applied for each, and the
/// configuration it carries).
pub fn snapshot_fields(s: &Snapshot) -> Vec<(&'static str, String)> {
    let last = s.last_included;
    // Built by appending (no `join` of a `Vec<String>`): this runs in the download.
    let mut sessions = s.state.sessions.len().to_string();
    let mut sep = " (latest applied: C";
    for (client, session) in &s.state.sessions {
        // The session keeps the results of its operations from the first unanswered one on;
        // the highest is the client's latest operation in the snapshot (the session's
        // `first_unanswered` is what the client said when it sent it, one behind).
        let latest = session
            .results
            .keys()
            .next_back()
            .copied()
            .unwrap_or(session.first_unanswered.saturating_sub(1));
        sessions.push_str(sep);
        sessions.push_str(&client.0.to_string());
        sessions.push_str(" #");
        sessions.push_str(&latest.to_string());
        sep = ", C";
    }
    if !s.state.sessions.is_empty() {
        sessions.push(')');
    }
    vec![
        (
            "last included",
            format!("index {}, term {}", last.index, last.term),
        ),
        ("register r", s.state.register.to_string()),
        ("adds applied", s.state.adds_applied.to_string()),
        ("client sessions", sessions),
        ("configuration", s.membership.to_string()),
    ]
}

/// The log grid: the last few indexes of every node's log. (`Default` is an empty grid, a
/// placeholder until the first one is built.)
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogGrid {
    /// First index shown (≥ 1).
    pub first: u64,
    /// Last index shown (the longest log's last index; 0 when all logs are empty).
    pub last: u64,
    /// One row per node, in id order.
    pub rows: Vec<LogRow>,
    /// The current leader and its commit index.
    pub leader: Option<(u64, u64)>,
    /// Whether some running node knows of fewer committed entries than the leader (it learns
    /// the leader's commit index from the next AppendEntries or heartbeat).
    pub lagging: bool,
    /// Whether some node has a snapshot (the grid then has a snapshot column).
    pub any_snapshot: bool,
}

/// Builds the log grid showing at most `max_columns` indexes: the most recent ones.
pub fn log_grid(sim: &Simulation, max_columns: u64) -> LogGrid {
    let last = sim
        .nodes()
        .map(|n| {
            n.raft()
                .map_or(n.storage().log.last_index(), |r| r.log().last_index())
                .0
        })
        .max()
        .unwrap_or(0);
    let first = last.saturating_sub(max_columns.max(1) - 1).max(1);
    let rows = sim
        .nodes()
        .map(|n| {
            let (log, commit, role) = match n.raft() {
                Some(r) => (r.log(), r.commit_index().0, r.role()),
                None => (&n.storage().log, 0, RoleKind::Follower),
            };
            let cells = (first..=last)
                .map(|i| {
                    log.get(raft_core::LogIndex(i)).map(|e| LogCell {
                        term: e.term.0,
                        text: command_short(&e.command),
                        committed: i <= commit,
                        config: match &e.command {
                            Command::Config(m) => Some(m.to_string()),
                            _ => None,
                        },
                    })
                })
                .collect();
            LogRow {
                node: n.id().0,
                role,
                crashed: n.raft().is_none(),
                stale: role == RoleKind::Leader && sim.leader() != Some(n.id()),
                member: match sim.member_kind(n.id()) {
                    Some(MemberKind::Voter) | None => "",
                    Some(kind) => kind.as_str(),
                },
                commit_index: commit,
                last_index: log.last_index().0,
                snapshot: log.snapshot_id(),
                cells,
            }
        })
        .collect::<Vec<LogRow>>();
    let leader = sim.leader().and_then(|id| {
        sim.node(id)
            .and_then(SimNode::raft)
            .map(|r| (id.0, r.commit_index().0))
    });
    let lagging = leader.is_some_and(|(_, commit)| {
        rows.iter()
            .any(|r: &LogRow| !r.crashed && r.commit_index < commit)
    });
    LogGrid {
        first,
        last,
        any_snapshot: rows.iter().any(|r| r.snapshot.index.0 > 0),
        rows,
        leader,
        lagging,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::node_views;
    use crate::views::tests::sim_with_leader;
    use raft_core::NodeId;
    use raft_core::sim::{Action, NodeStatus};

    #[test]
    fn a_cut_off_leader_is_marked_stale_in_its_row_and_node() {
        let mut sim = sim_with_leader();
        let old = sim.leader().expect("leader");
        sim.apply(Action::Isolate(old)).expect("isolate");
        assert!(sim.run_until(300_000, |s| s.leader().is_some_and(|l| l != old)));
        let new = sim.leader().expect("new leader");
        let grid = log_grid(&sim, 20);
        let row = |id: NodeId| grid.rows.iter().find(|r| r.node == id.0).expect("row");
        assert!(row(old).stale && row(old).role == RoleKind::Leader);
        assert!(!row(new).stale);
        let nodes = node_views(&sim, None, 5.0);
        assert!(nodes.iter().any(|n| n.id == old.0 && n.stale));
        assert!(nodes.iter().all(|n| n.id != new.0 || !n.stale));
    }

    #[test]
    fn leader_has_heartbeat_arc_and_committed_noop() {
        let mut sim = sim_with_leader();
        sim.run_for(15_000);
        let leader = sim.leader().expect("still a leader");
        let nodes = node_views(&sim, None, 5.0);
        let lv = &nodes[(leader.0 - 1) as usize];
        assert_eq!(lv.role, RoleKind::Leader);
        assert!(lv.heartbeat_left.is_some() && lv.election_left.is_none());
        let grid = log_grid(&sim, 20);
        let (lid, commit) = grid.leader.expect("leader in grid");
        assert_eq!(lid, leader.0);
        assert!(commit >= 1);
        let row = &grid.rows[(leader.0 - 1) as usize];
        let first = row.cells[0].as_ref().expect("leader has entry 1");
        assert_eq!(first.text, "no-op");
        assert!(first.committed);
    }

    #[test]
    fn crashed_node_shows_saved_state_as_follower() {
        let mut sim = sim_with_leader();
        sim.run_for(15_000);
        let leader = sim.leader().expect("leader");
        sim.apply(Action::Crash(leader)).expect("crash works");
        let nodes = node_views(&sim, None, 5.0);
        let v = &nodes[(leader.0 - 1) as usize];
        assert_eq!(v.status, NodeStatus::Crashed);
        assert_eq!(v.role, RoleKind::Follower);
        assert!(v.term >= 1);
        assert!(v.election_left.is_none() && v.pulse.is_none());
        let row = &log_grid(&sim, 20).rows[(leader.0 - 1) as usize];
        assert!(row.crashed && row.commit_index == 0);
        assert!(row.cells.iter().flatten().all(|c| !c.committed));
    }

    #[test]
    fn followers_lag_behind_the_leaders_commit_index_until_the_next_heartbeat() {
        let mut sim = sim_with_leader();
        sim.run_for(15_000);
        let leader = sim.leader().expect("leader");
        // Crash and restart a follower: its commit index is volatile and starts again at 0.
        let follower = sim
            .nodes()
            .map(|n| n.id())
            .find(|&id| id != leader)
            .expect("a follower");
        sim.apply(Action::Crash(follower)).expect("crash");
        assert!(!log_grid(&sim, 20).lagging, "crashed nodes do not count");
        sim.apply(Action::Restart(follower)).expect("restart");
        let grid = log_grid(&sim, 20);
        assert!(grid.lagging);
        assert_eq!(grid.rows[(follower.0 - 1) as usize].commit_index, 0);
        // The next heartbeat tells it.
        assert!(sim.run_until(sim.now_ms() + 60_000, |s| !log_grid(s, 20).lagging));
    }

    #[test]
    fn log_grid_shows_only_the_last_columns() {
        let mut sim = sim_with_leader();
        for i in 0..6 {
            sim.apply(Action::Submit(Command::Add { a: i, b: 1 }))
                .expect("submit");
            sim.run_for(20_000);
        }
        let grid = log_grid(&sim, 4);
        assert!(grid.last >= 4);
        assert_eq!(grid.last - grid.first + 1, 4);
        assert!(grid.rows.iter().all(|r| r.cells.len() == 4));
    }

    #[test]
    fn compacted_logs_show_their_snapshot_and_compacted_indexes() {
        let mut sim = sim_with_leader();
        sim.apply(Action::SetSnapshotThreshold(Some(4)))
            .expect("threshold");
        for i in 0..12 {
            sim.apply(Action::Submit(Command::Add { a: i, b: 1 }))
                .expect("submit");
            sim.run_for(10_000);
        }
        sim.run_for(30_000);
        for columns in [1, 5, 20, 100] {
            let grid = log_grid(&sim, columns);
            assert!(grid.any_snapshot);
            for r in &grid.rows {
                assert!(r.snapshot.index.0 > 0, "node {} compacted", r.node);
                for (i, c) in r.cells.iter().enumerate() {
                    let index = grid.first + i as u64;
                    assert_eq!(r.compacted(index), index <= r.snapshot.index.0);
                    if r.compacted(index) {
                        assert!(c.is_none(), "no entry where the log was compacted");
                    } else if index <= r.last_index {
                        assert!(c.is_some(), "entry {index} after the snapshot is shown");
                    }
                }
            }
        }
        let leader = sim.leader().expect("leader");
        let raft = sim.node(leader).and_then(SimNode::raft).expect("running");
        let text = log_size_text(raft.log());
        assert!(text.starts_with("log up to entry ") && text.contains(" in a snapshot"));
        let fields = snapshot_fields(raft.snapshot().expect("a snapshot"));
        let field = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .expect(name)
        };
        let id = raft.log().snapshot_id();
        assert_eq!(
            field("last included"),
            format!("index {}, term {}", id.index, id.term)
        );
        assert!(field("adds applied").parse::<u64>().expect("a number") >= 1);
        assert_eq!(field("configuration"), "{1,2,3,4,5}");
        // One client: its latest applied operation is the last one it sent before the
        // snapshot.
        let sessions = field("client sessions");
        assert!(
            sessions.starts_with("1 (latest applied: C1 #"),
            "{sessions}"
        );
        let snap = raft.snapshot().expect("a snapshot");
        let latest = snap
            .state
            .sessions
            .values()
            .next()
            .and_then(|s| s.results.keys().next_back().copied());
        assert_eq!(
            Some(sessions),
            latest.map(|l| format!("1 (latest applied: C1 #{l})"))
        );
    }

    #[test]
    fn log_sizes_without_a_snapshot() {
        let sim = Simulation::new(raft_core::sim::SimConfig::default()).expect("sim");
        let node = sim.nodes().next().expect("a node");
        assert_eq!(log_size_text(&node.storage().log), "0 log entries");
        let grid = log_grid(&sim, 20);
        assert!(!grid.any_snapshot);
        assert!(grid.rows.iter().all(|r| !r.compacted(1)));
    }

    #[test]
    fn command_texts() {
        assert_eq!(command_short(&Command::Noop), "no-op");
        let mul = Command::Register(raft_core::RegisterOp::Mul(-2));
        assert_eq!(command_short(&mul), "r*-2");
        let tagged = Command::Session {
            client: raft_core::ClientId(2),
            seq: 4,
            first_unanswered: 4,
            op: Box::new(Command::Add { a: 5, b: 3 }),
        };
        assert_eq!(command_short(&tagged), "5+3");
        assert_eq!(command_short(&Command::Add { a: 5, b: 3 }), "5+3");
        assert_eq!(command_short(&Command::Add { a: 5, b: -3 }), "5\u{2212}3");
        assert_eq!(
            command_short(&Command::Add { a: 0, b: i64::MIN }),
            "0\u{2212}9223372036854775808"
        );
    }
}
