//! Plain-data views of the simulation, derived once per rendered frame.
//!
//! Components take these (they derive `PartialEq`), never the simulation itself, so a
//! component whose view did not change skips re-rendering. Everything here is pure and tested
//! natively.

use crate::geometry::{self, MESSAGE_ANCHOR_RADIUS, Point};
use crate::lanes::LaneMap;
use raft_core::sim::{Endpoint, Envelope, NodeStatus, Payload, SimNode, Simulation};
use raft_core::{Command, MessageBody, MessageKind, NodeId, RoleKind};

/// How a node is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    /// Node id (1..=N).
    pub id: u64,
    /// Centre on the ring.
    pub center: Point,
    /// Up or crashed.
    pub status: NodeStatus,
    /// Its role; `Follower` while crashed (what `data-role` shows).
    pub role: RoleKind,
    /// Current term (the persisted one while crashed).
    pub term: u64,
    /// Follower or candidate: fraction of the election timeout still to run (1 → 0).
    pub election_left: Option<f64>,
    /// Follower or candidate: virtual seconds until the election timeout.
    pub election_secs_left: Option<f64>,
    /// Leader: fraction of the heartbeat interval still to run before the next round.
    pub heartbeat_left: Option<f64>,
    /// Leader: the pulse of the last heartbeat round, `(extra radius, opacity)`.
    pub pulse: Option<(f64, f64)>,
    /// Candidate: votes granted so far and votes needed to win.
    pub votes: Option<(usize, usize)>,
    /// Whether the user selected this node (its menu and keyboard shortcuts apply).
    pub selected: bool,
    /// Hover text.
    pub title: String,
}

/// How long (virtual ms) the heartbeat pulse lasts: about 0.6 s of wall time, bounded so it
/// never runs into the next round.
fn pulse_duration_ms(speed: f64, heartbeat_interval_ms: u64) -> u64 {
    let wanted = (600.0 * speed).clamp(150.0, 20_000.0) as u64;
    wanted.min(heartbeat_interval_ms / 2)
}

/// The view of every node, in id order.
pub fn node_views(sim: &Simulation, selected: Option<NodeId>, speed: f64) -> Vec<NodeView> {
    let count = sim.config().node_count as usize;
    let now = sim.now_ms();
    sim.nodes()
        .enumerate()
        .map(|(i, node)| node_view(node, i, count, now, selected, speed))
        .collect()
}

fn node_view(
    node: &SimNode,
    index: usize,
    count: usize,
    now: u64,
    selected: Option<NodeId>,
    speed: f64,
) -> NodeView {
    let id = node.id();
    let mut view = NodeView {
        id: id.0,
        center: geometry::ring_position(index, count),
        status: node.status(),
        role: RoleKind::Follower,
        term: node.current_term().0,
        election_left: None,
        election_secs_left: None,
        heartbeat_left: None,
        pulse: None,
        votes: None,
        selected: selected == Some(id),
        title: String::new(),
    };
    let Some(raft) = node.raft() else {
        view.title = format!(
            "Node {id} is crashed. Saved on disk: term {}, {} log entries. Click to restart it.",
            node.storage().current_term,
            node.storage().log.last_index()
        );
        return view;
    };
    view.role = raft.role();
    match raft.heartbeat_deadline_ms() {
        Some(deadline) => {
            let interval = raft.config().heartbeat_interval_ms;
            let round_sent = deadline.saturating_sub(interval);
            view.heartbeat_left = Some(geometry::remaining_fraction(round_sent, deadline, now));
            view.pulse = geometry::pulse(round_sent, now, pulse_duration_ms(speed, interval));
        }
        None => {
            let (start, deadline) = (
                raft.election_timer_started_ms(),
                raft.election_deadline_ms(),
            );
            view.election_left = Some(geometry::remaining_fraction(start, deadline, now));
            view.election_secs_left = Some(deadline.saturating_sub(now) as f64 / 1000.0);
        }
    }
    if let Some(granted) = raft.votes_granted() {
        view.votes = Some((granted.len(), raft.voters().len() / 2 + 1));
    }
    let vote = raft
        .voted_for()
        .map_or_else(|| "nobody".to_string(), |v| format!("Node {v}"));
    view.title = format!(
        "Node {id}: {} in term {}, voted for {vote}, {} log entries, committed up to {}",
        raft.role(),
        raft.current_term(),
        raft.log().last_index(),
        raft.commit_index()
    );
    view
}

/// How a message in flight is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageView {
    /// Message id (the key of the keyed list).
    pub id: u64,
    /// Its kind.
    pub kind: MessageKind,
    /// Where it is now.
    pub at: Point,
    /// Number of log entries it carries (AppendEntries only).
    pub entries: usize,
    /// Hover text: sender, recipient and contents.
    pub title: String,
}

/// Centre of an endpoint and the radius at which messages leave or reach it.
pub fn endpoint_anchor(ep: Endpoint, count: usize) -> (Point, f64) {
    match ep {
        Endpoint::Node(NodeId(n)) => {
            let index = usize::try_from(n.saturating_sub(1)).unwrap_or(0);
            (geometry::ring_position(index, count), MESSAGE_ANCHOR_RADIUS)
        }
        Endpoint::Client => (
            geometry::client_center(),
            geometry::CLIENT_BOX.1 / 2.0 + 10.0,
        ),
    }
}

/// Number of log entries a message carries (AppendEntries only).
pub fn entry_count(env: &Envelope) -> usize {
    match &env.payload {
        Payload::Raft(m) => match &m.body {
            MessageBody::AppendEntries { entries, .. } => entries.len(),
            _ => 0,
        },
        _ => 0,
    }
}

/// The view of one message in flight at `now_ms`, drawn on `lane`.
pub fn message_view(env: &Envelope, count: usize, now_ms: u64, lane: u8) -> MessageView {
    let (from, from_r) = endpoint_anchor(env.from, count);
    let (to, to_r) = endpoint_anchor(env.to, count);
    let progress = geometry::flight_progress(env.sent_at_ms, env.deliver_at_ms, now_ms);
    MessageView {
        id: env.id.0,
        kind: env.kind(),
        at: geometry::message_position(from, to, from_r, to_r, progress, lane),
        entries: entry_count(env),
        title: format!("{} \u{2192} {}: {}", env.from, env.to, env.describe()),
    }
}

/// Every message in flight, in delivery order, each on the lane `lanes` gave it.
pub fn message_views(sim: &Simulation, lanes: &LaneMap) -> Vec<MessageView> {
    let count = sim.config().node_count as usize;
    let now = sim.now_ms();
    sim.in_flight()
        .map(|e| message_view(e, count, now, lanes.lane(e.id)))
        .collect()
}

/// A command as a log cell shows it: `5+3` or `no-op`.
pub fn command_short(command: &Command) -> String {
    match command {
        Command::Noop => "no-op".to_string(),
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
    /// The node's commit index (0 while crashed: it is volatile state).
    pub commit_index: u64,
    /// Last index in its log.
    pub last_index: u64,
    /// Cells for the shown indexes; `None` where the log has no entry.
    pub cells: Vec<Option<LogCell>>,
}

/// The log grid: the last few indexes of every node's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogGrid {
    /// First index shown (≥ 1).
    pub first: u64,
    /// Last index shown (the longest log's last index; 0 when all logs are empty).
    pub last: u64,
    /// One row per node, in id order.
    pub rows: Vec<LogRow>,
    /// The current leader and its commit index.
    pub leader: Option<(u64, u64)>,
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
                    })
                })
                .collect();
            LogRow {
                node: n.id().0,
                role,
                crashed: n.raft().is_none(),
                commit_index: commit,
                last_index: log.last_index().0,
                cells,
            }
        })
        .collect();
    let leader = sim.leader().and_then(|id| {
        sim.node(id)
            .and_then(SimNode::raft)
            .map(|r| (id.0, r.commit_index().0))
    });
    LogGrid {
        first,
        last,
        rows,
        leader,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::sim::{Action, SimConfig};

    fn sim_with_leader() -> Simulation {
        let mut sim = Simulation::new(SimConfig::default()).expect("default config is valid");
        assert!(sim.run_until(120_000, |s| s.leader().is_some()));
        sim
    }

    #[test]
    fn fresh_cluster_views() {
        let sim = Simulation::new(SimConfig::default()).expect("valid");
        let nodes = node_views(&sim, Some(NodeId(2)), 5.0);
        assert_eq!(nodes.len(), 5);
        assert_eq!(
            nodes.iter().map(|n| n.id).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        for n in &nodes {
            assert_eq!(n.role, RoleKind::Follower);
            assert_eq!(n.status, NodeStatus::Up);
            assert_eq!(n.election_left, Some(1.0));
            assert_eq!(n.heartbeat_left, None);
        }
        assert!(nodes[1].selected && !nodes[0].selected);
        let grid = log_grid(&sim, 20);
        assert_eq!((grid.first, grid.last, grid.leader), (1, 0, None));
        assert!(grid.rows.iter().all(|r| r.cells.is_empty()));
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
    fn messages_are_between_their_endpoints() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        assert!(sim.run_until(120_000, |s| s.in_flight().count() > 0));
        sim.run_for(300);
        let mut lanes = LaneMap::default();
        lanes.sync(&sim);
        let msgs = message_views(&sim, &lanes);
        assert!(!msgs.is_empty());
        for m in &msgs {
            assert!(m.at.x > 0.0 && m.at.x < geometry::VIEW_W);
            assert!(m.at.y > 0.0 && m.at.y < geometry::VIEW_H);
            assert!(m.title.contains("Node"));
        }
    }

    #[test]
    fn command_texts() {
        assert_eq!(command_short(&Command::Noop), "no-op");
        assert_eq!(command_short(&Command::Add { a: 5, b: 3 }), "5+3");
        assert_eq!(command_short(&Command::Add { a: 5, b: -3 }), "5\u{2212}3");
        assert_eq!(
            command_short(&Command::Add { a: 0, b: i64::MIN }),
            "0\u{2212}9223372036854775808"
        );
    }
}
