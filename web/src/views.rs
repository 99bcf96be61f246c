//! Plain-data views of the simulation, derived once per rendered frame.
//!
//! Components take these (they derive `PartialEq`), never the simulation itself, so a
//! component whose view did not change skips re-rendering. Everything here is pure and tested
//! natively.

use crate::geometry::{self, MESSAGE_ANCHOR_RADIUS, Point};
use crate::lanes::LaneMap;
use crate::layout::{self, CLIENT_ANCHOR_RADIUS, Ring};
use crate::log_grid::{log_size_text, snapshot_fields};
use raft_core::sim::{Endpoint, Envelope, MemberKind, NodeStatus, SimNode, Simulation};
use raft_core::{Membership, MessageKind, NodeId, RoleKind};
use yew::AttrValue;

/// How a node is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    /// Node id (ids have gaps once nodes are dismissed).
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
    /// Whether the user shift-clicked it into the group to partition.
    pub grouped: bool,
    /// Paused: messages waiting for it.
    pub held: usize,
    /// A leader of an older term than the cluster's newest leader: cut off, it has not heard
    /// of the newer term yet and still believes it leads (§5.1).
    pub stale: bool,
    /// Where it stands in the cluster's configuration (voter, learner, joining, removed).
    pub member: MemberKind,
    /// The voters of the configuration this node uses, e.g. `1,2,3` (`data-config`).
    pub config: String,
    /// That configuration as drawn under the node: `{1,2,3}`, `{1,2,3} +4` with a learner.
    pub config_label: String,
    /// The node uses another configuration than the cluster's (a change is on its way).
    pub config_differs: bool,
    /// Learner or joining node: its match_index on the leader and the leader's last index.
    pub catch_up: Option<(u64, u64)>,
    /// The selected node's snapshot (§7) as `(name, value)` rows; empty without one (and for
    /// nodes not selected, whose panel is closed).
    pub snapshot: Vec<(&'static str, String)>,
    /// Whether it applied entries its snapshot does not cover yet (a snapshot would compact
    /// something).
    pub can_compact: bool,
}

/// `1,2,3`: ids joined by commas (they come sorted from the `BTreeSet`).
fn ids_text(ids: &std::collections::BTreeSet<NodeId>) -> String {
    let mut out = String::new();
    for id in ids {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(&id.0.to_string());
    }
    out
}

/// `data-config` and the label under the node for `m`.
pub fn config_texts(m: &Membership) -> (String, String) {
    let voters = ids_text(&m.voters);
    if m.voters.is_empty() {
        // A new server starts with no configuration; it learns one from the leader's log.
        return (voters, "no configuration yet".to_string());
    }
    let mut label = format!("{{{voters}}}");
    if !m.learners.is_empty() {
        label.push_str(" +");
        label.push_str(&ids_text(&m.learners));
    }
    (voters, label)
}

/// The ring of the simulation's nodes.
pub fn ring(sim: &Simulation) -> Ring {
    Ring::new(sim.nodes().map(|n| n.id().0))
}

/// How long (virtual ms) the heartbeat pulse lasts: about 0.6 s of wall time, bounded so it
/// never runs into the next round.
fn pulse_duration_ms(speed: f64, heartbeat_interval_ms: u64) -> u64 {
    let wanted = (600.0 * speed).clamp(150.0, 20_000.0) as u64;
    wanted.min(heartbeat_interval_ms / 2)
}

/// The view of every node, in id order.
pub fn node_views(sim: &Simulation, selected: Option<NodeId>, speed: f64) -> Vec<NodeView> {
    let count = sim.nodes().count();
    let now = sim.now_ms();
    let cluster = sim.cluster_membership();
    let leader = sim.leader().and_then(|l| sim.node(l)?.raft());
    sim.nodes()
        .enumerate()
        .map(|(i, node)| {
            let id = node.id();
            let mut view = node_view(node, i, count, now, selected, speed);
            view.held = sim.held_messages(id).len();
            view.stale = view.role == RoleKind::Leader && sim.leader() != Some(id);
            view.member = sim.member_kind(id).unwrap_or(MemberKind::Removed);
            let uses = node.raft().map_or_else(
                || node.storage().effective_membership().1,
                |r| r.membership(),
            );
            (view.config, view.config_label) = config_texts(uses);
            // Removed and joining nodes are drawn as such; the highlight is for members that
            // have not caught up with a change yet (or, on a leader, ran ahead of the others).
            view.config_differs =
                uses != cluster && matches!(view.member, MemberKind::Voter | MemberKind::Learner);
            if matches!(view.member, MemberKind::Learner | MemberKind::Joining)
                && let Some(l) = leader
            {
                let matched = l
                    .progress()
                    .and_then(|p| p.get(&id))
                    .map_or(0, |p| p.match_index.0);
                view.catch_up = Some((matched, l.log().last_index().0));
            }
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
        grouped: false,
        held: 0,
        stale: false,
        member: MemberKind::Voter,
        config: String::new(),
        config_label: String::new(),
        config_differs: false,
        catch_up: None,
        snapshot: Vec::new(),
        can_compact: false,
    };
    let stored = node
        .raft()
        .map_or(node.storage().snapshot.as_ref(), |r| r.snapshot());
    if let (true, Some(snap)) = (view.selected, stored) {
        view.snapshot = snapshot_fields(snap);
    }
    let Some(raft) = node.raft() else {
        view.title = format!(
            "Node {id} is crashed. Saved on disk: term {}, {}. Click to restart it.",
            node.storage().current_term,
            log_size_text(&node.storage().log)
        );
        return view;
    };
    view.role = raft.role();
    view.can_compact = raft.last_applied() > raft.log().snapshot_id().index;
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
        log_size_text(raft.log()),
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
    /// Hover text: sender, recipient and contents (shared, not copied, on its way to the
    /// page).
    pub title: AttrValue,
    /// Client messages only: the start and end of the track it flies along (drawn faintly,
    /// so that students see where it goes).
    pub track: Option<(Point, Point)>,
}

/// Centre of an endpoint and the radius at which messages leave or reach it. A node no longer
/// on the ring (dismissed while a message to it was on its way) is taken to be the centre.
pub fn endpoint_anchor(ep: Endpoint, ring: &Ring) -> (Point, f64) {
    let node = match ep {
        Endpoint::Node(NodeId(n)) => ring.position(n),
        Endpoint::Client => None,
    };
    match node {
        Some(p) => (p, MESSAGE_ANCHOR_RADIUS),
        None => (layout::client_center(), CLIENT_ANCHOR_RADIUS),
    }
}

/// A message's hover text: sender, recipient and contents.
pub fn message_title(env: &Envelope) -> AttrValue {
    format!("{} \u{2192} {}: {}", env.from, env.to, env.describe()).into()
}

/// The view of one message in flight at `now_ms`, drawn on `lane` with hover text `title`.
pub fn message_view(
    env: &Envelope,
    ring: &Ring,
    now_ms: u64,
    lane: u8,
    title: AttrValue,
) -> MessageView {
    let (from, from_r) = endpoint_anchor(env.from, ring);
    let (to, to_r) = endpoint_anchor(env.to, ring);
    let progress = geometry::flight_progress(env.sent_at_ms, env.deliver_at_ms, now_ms);
    let at = |p: f64| geometry::message_position(from, to, from_r, to_r, p, lane);
    let with_client = env.from == Endpoint::Client || env.to == Endpoint::Client;
    MessageView {
        id: env.id.0,
        kind: env.kind(),
        at: at(progress),
        entries: env.entry_count(),
        title,
        track: with_client.then(|| (at(0.0), at(1.0))),
    }
}

/// Sorts `items` by `id` with an insertion sort: the lists it sorts (messages by id, given in
/// delivery order) are nearly sorted already, and it spares the download a monomorphised std
/// sort per element type.
pub fn sort_by_id<T>(items: &mut [T], id: impl Fn(&T) -> u64) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && id(&items[j - 1]) > id(&items[j]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Every message in flight, in delivery order, each on the lane `lanes` gave it.
pub fn message_views(sim: &Simulation, lanes: &LaneMap) -> Vec<MessageView> {
    let ring = ring(sim);
    let now = sim.now_ms();
    sim.in_flight()
        .map(|e| {
            let title = lanes.title(e.id).unwrap_or_else(|| message_title(e));
            message_view(e, &ring, now, lanes.lane(e.id), title)
        })
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
    fn an_added_node_is_a_learner_with_its_catch_up_then_a_voter() {
        let mut sim = sim_with_leader();
        sim.run_for(10_000);
        let leader = sim.leader().expect("leader");
        sim.apply(Action::AddNode(NodeId(6))).expect("add");
        assert!(sim.run_until(60_000, |s| s.cluster_membership().is_learner(NodeId(6))));
        let nodes = node_views(&sim, None, 5.0);
        assert_eq!(nodes.len(), 6);
        let new = &nodes[5];
        assert_eq!((new.id, new.member), (6, MemberKind::Learner));
        let (matched, last) = new.catch_up.expect("a learner shows its catch-up");
        assert!(matched <= last && last >= 2, "{matched}/{last}");
        let l = &nodes[(leader.0 - 1) as usize];
        assert_eq!(l.config, "1,2,3,4,5");
        assert_eq!(l.config_label, "{1,2,3,4,5} +6");
        assert!(!l.config_differs);
        // Six nodes on the ring: the new one is the last, left of the first.
        assert_eq!(new.center, layout::ring_position(5, 6));
        assert!(sim.run_until(120_000, |s| s.cluster_membership().is_voter(NodeId(6))));
        let nodes = node_views(&sim, None, 5.0);
        assert_eq!(nodes[5].member, MemberKind::Voter);
        assert_eq!(nodes[5].catch_up, None);
        assert!(nodes[(leader.0 - 1) as usize].config == "1,2,3,4,5,6");
    }

    #[test]
    fn a_removed_node_keeps_its_last_configuration_and_can_be_dismissed() {
        let mut sim = sim_with_leader();
        sim.run_for(10_000);
        let leader = sim.leader().expect("leader");
        let gone = NodeId(if leader.0 == 2 { 3 } else { 2 });
        sim.apply(Action::RemoveNode(gone)).expect("remove");
        assert!(sim.run_until(60_000, |s| s.member_kind(gone) == Some(MemberKind::Removed)));
        let nodes = node_views(&sim, None, 5.0);
        let v = nodes.iter().find(|n| n.id == gone.0).expect("still drawn");
        assert_eq!(v.member, MemberKind::Removed);
        assert!(
            !v.config_differs,
            "removed nodes are drawn as removed, not highlighted"
        );
        sim.run_for(30_000);
        sim.apply(Action::DismissNode(gone)).expect("dismiss");
        let nodes = node_views(&sim, None, 5.0);
        assert_eq!(nodes.len(), 4);
        // The four left close the ring: messages still run between their anchors.
        let ring = ring(&sim);
        assert_eq!(ring.position(gone.0), None);
        let (p, _) = endpoint_anchor(Endpoint::Node(gone), &ring);
        assert_eq!(p, layout::client_center());
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
