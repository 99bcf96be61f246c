//! Plain-data views of the simulation, derived once per rendered frame.
//!
//! Components take these (they derive `PartialEq`), never the simulation itself, so a
//! component whose view did not change skips re-rendering. Everything here is pure and tested
//! natively.

use crate::geometry::{self, MESSAGE_ANCHOR_RADIUS, Point};
use crate::lanes::LaneMap;
use crate::layout::{self, CLIENT_ANCHOR_RADIUS};
use raft_core::sim::{Endpoint, Envelope, NodeStatus, SimNode, Simulation};
use raft_core::{MessageKind, NodeId, RoleKind};

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
    /// The seed's per-node counters: elections started and heartbeat rounds sent.
    pub counters: (u64, u64),
    /// Whether the user shift-clicked it into the group to partition.
    pub grouped: bool,
    /// Paused: messages waiting for it.
    pub held: usize,
    /// A leader of an older term than the cluster's newest leader: cut off, it has not heard
    /// of the newer term yet and still believes it leads (§5.1).
    pub stale: bool,
}

/// `1 log entry`, `3 log entries`.
fn entries_text(n: u64) -> String {
    if n == 1 {
        "1 log entry".to_string()
    } else {
        format!("{n} log entries")
    }
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
        .map(|(i, node)| {
            let mut view = node_view(node, i, count, now, selected, speed);
            view.held = sim.held_messages(node.id()).len();
            view.stale = view.role == RoleKind::Leader && sim.leader() != Some(node.id());
            view
        })
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
        center: layout::ring_position(index, count),
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
        counters: (0, 0),
        grouped: false,
        held: 0,
        stale: false,
    };
    let Some(raft) = node.raft() else {
        view.title = format!(
            "Node {id} is crashed. Saved on disk: term {}, {}. Click to restart it.",
            node.storage().current_term,
            entries_text(node.storage().log.last_index().0)
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
    let counters = raft.counters();
    view.counters = (counters.election_attempts, counters.heartbeats_sent);
    let paused = if node.is_paused() {
        "PAUSED (processes nothing until resumed), "
    } else {
        ""
    };
    view.title = format!(
        "Node {id}: {paused}{} in term {}, voted for {vote}, {}, committed up to {}, \
         applied up to {}; {} elections started, {} heartbeat rounds sent",
        raft.role(),
        raft.current_term(),
        entries_text(raft.log().last_index().0),
        raft.commit_index(),
        raft.last_applied(),
        counters.election_attempts,
        counters.heartbeats_sent
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
    /// Client messages only: the start and end of the track it flies along (drawn faintly,
    /// so that students see where it goes).
    pub track: Option<(Point, Point)>,
}

/// Centre of an endpoint and the radius at which messages leave or reach it.
pub fn endpoint_anchor(ep: Endpoint, count: usize) -> (Point, f64) {
    match ep {
        Endpoint::Node(NodeId(n)) => {
            let index = usize::try_from(n.saturating_sub(1)).unwrap_or(0);
            (layout::ring_position(index, count), MESSAGE_ANCHOR_RADIUS)
        }
        Endpoint::Client => (layout::client_center(), CLIENT_ANCHOR_RADIUS),
    }
}

/// The view of one message in flight at `now_ms`, drawn on `lane`.
pub fn message_view(env: &Envelope, count: usize, now_ms: u64, lane: u8) -> MessageView {
    let (from, from_r) = endpoint_anchor(env.from, count);
    let (to, to_r) = endpoint_anchor(env.to, count);
    let progress = geometry::flight_progress(env.sent_at_ms, env.deliver_at_ms, now_ms);
    let at = |p: f64| geometry::message_position(from, to, from_r, to_r, p, lane);
    let with_client = env.from == Endpoint::Client || env.to == Endpoint::Client;
    MessageView {
        id: env.id.0,
        kind: env.kind(),
        at: at(progress),
        entries: env.entry_count(),
        title: format!("{} \u{2192} {}: {}", env.from, env.to, env.describe()),
        track: with_client.then(|| (at(0.0), at(1.0))),
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use raft_core::Command;
    use raft_core::sim::{Action, SimConfig};

    /// A default simulation run until it has a leader (shared by the view tests).
    pub(crate) fn sim_with_leader() -> Simulation {
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
        let grid = crate::log_grid::log_grid(&sim, 20);
        assert_eq!((grid.first, grid.last, grid.leader), (1, 0, None));
        assert!(grid.rows.iter().all(|r| r.cells.is_empty()));
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
        let vb = layout::view_box(5);
        for m in &msgs {
            assert!(m.at.x > vb.x && m.at.x < vb.x + vb.w);
            assert!(m.at.y > vb.y && m.at.y < vb.y + vb.h);
            assert!(m.title.contains("Node"));
            assert!(m.track.is_none(), "only client messages have a drawn track");
        }
    }

    #[test]
    fn client_messages_have_a_track_from_the_centre() {
        let mut sim = sim_with_leader();
        sim.apply(Action::Submit(Command::Add { a: 1, b: 2 }))
            .expect("submit");
        let mut lanes = LaneMap::default();
        lanes.sync(&sim);
        let msgs = message_views(&sim, &lanes);
        let req = msgs
            .iter()
            .find(|m| m.kind == MessageKind::ClientRequest)
            .expect("the request is in flight");
        let (start, end) = req.track.expect("a client message has a track");
        // It starts just outside the client box (within a lane's offset) and ends near a node.
        let centre = layout::client_center();
        assert!((start.distance(centre) - CLIENT_ANCHOR_RADIUS).abs() < 20.0);
        assert!(end.distance(centre) > layout::RING_RADIUS_MIN - MESSAGE_ANCHOR_RADIUS - 20.0);
        assert!(
            req.at.distance(start) < 1.0,
            "just sent: at the start of its track"
        );
    }
}
