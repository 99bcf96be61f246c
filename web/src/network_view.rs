//! Plain-data views of the network's faults: the links between nodes and their state, messages
//! fading out where they were dropped, the fields of one message, and the fault presets.
//! Pure and tested natively, like [`crate::views`].

use crate::geometry::{self, Point};
use crate::num::Fixed;
use crate::views::endpoint_anchor;
use raft_core::sim::{
    Action, DropReason, Endpoint, Envelope, LinkState, NodeStatus, Payload, Simulation,
};
use raft_core::{AppendResult, MessageBody, MessageKind, NodeId, RoleKind};

/// How long a dropped message stays visible while it fades, in wall-clock ms.
pub const DROP_FADE_WALL_MS: f64 = 1_400.0;

/// How one undirected link is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkView {
    /// The smaller node id.
    pub a: u64,
    /// The larger node id.
    pub b: u64,
    /// Centre of node `a`.
    pub pa: Point,
    /// Centre of node `b`.
    pub pb: Point,
    /// Its state (`data-link-state`).
    pub state: LinkState,
    /// Whether the user is inspecting it.
    pub selected: bool,
}

impl LinkView {
    /// `A-B`, the `data-link` attribute.
    pub fn key(&self) -> String {
        format!("{}-{}", self.a, self.b)
    }

    /// Hover text: what the state means for messages.
    pub fn title(&self) -> String {
        let (a, b) = (self.a, self.b);
        let state = match self.state {
            LinkState::Up => format!("Node {a} and Node {b} reach each other"),
            LinkState::Cut => format!("cut both ways: Node {a} and Node {b} cannot talk"),
            LinkState::CutAToB => {
                format!(
                    "cut one way: Node {a} cannot reach Node {b}, but Node {b} reaches Node {a}"
                )
            }
            LinkState::CutBToA => {
                format!(
                    "cut one way: Node {b} cannot reach Node {a}, but Node {a} reaches Node {b}"
                )
            }
            LinkState::Lossy => {
                format!("lossy: some messages between Node {a} and Node {b} are lost or duplicated")
            }
        };
        format!("Link {a}\u{2013}{b}: {state}. Click to change it.")
    }
}

/// Every link between two nodes, `a < b`, in order.
pub fn link_views(sim: &Simulation, selected: Option<(NodeId, NodeId)>) -> Vec<LinkView> {
    let ids: Vec<NodeId> = sim.nodes().map(|n| n.id()).collect();
    let ring = crate::views::ring(sim);
    let count = ids.len();
    let net = sim.network();
    let mut out = Vec::with_capacity(count * count.saturating_sub(1) / 2);
    for (i, &a) in ids.iter().enumerate() {
        for &b in &ids[i + 1..] {
            out.push(LinkView {
                a: a.0,
                b: b.0,
                pa: endpoint_anchor(Endpoint::Node(a), &ring).0,
                pb: endpoint_anchor(Endpoint::Node(b), &ring).0,
                state: net.link_state(a, b),
                selected: selected == Some((a, b)),
            });
        }
    }
    out
}

/// A dropped message, drawn fading out where it vanished.
#[derive(Clone, Debug, PartialEq)]
pub struct DropView {
    /// Message id.
    pub id: u64,
    /// Its kind.
    pub kind: MessageKind,
    /// Log entries it carried.
    pub entries: usize,
    /// Where it vanished.
    pub at: Point,
    /// 1 just dropped, falling to 0.
    pub opacity: f64,
    /// Hover text.
    pub title: String,
}

/// Why a message was dropped, in a few words.
pub fn drop_reason_text(reason: DropReason) -> &'static str {
    match reason {
        DropReason::RecipientCrashed => "its recipient is down",
        DropReason::LinkCut => "the link is cut",
        DropReason::Lost => "the network lost it",
        DropReason::ByUser => "you dropped it",
    }
}

/// Messages dropped within the last [`DROP_FADE_WALL_MS`] of wall time at `speed`.
pub fn drop_views(sim: &Simulation, speed: f64) -> Vec<DropView> {
    let ring = crate::views::ring(sim);
    let now = sim.now_ms();
    let fade_ms = (DROP_FADE_WALL_MS * speed.max(0.01)).max(1.0);
    sim.recent_drops()
        .rev()
        .take_while(|d| ((now.saturating_sub(d.dropped_at_ms)) as f64) < fade_ms)
        .map(|d| {
            let (from, from_r) = endpoint_anchor(d.from, &ring);
            let (to, to_r) = endpoint_anchor(d.to, &ring);
            let p = geometry::flight_progress(d.sent_at_ms, d.deliver_at_ms, d.dropped_at_ms);
            let age = now.saturating_sub(d.dropped_at_ms) as f64;
            DropView {
                id: d.id.0,
                kind: d.kind,
                entries: d.entries,
                at: geometry::message_position(from, to, from_r, to_r, p, 0),
                opacity: (1.0 - age / fade_ms).clamp(0.0, 1.0),
                title: format!(
                    "{} from {} to {} dropped: {}",
                    d.kind.label(),
                    d.from,
                    d.to,
                    drop_reason_text(d.reason)
                ),
            }
        })
        .collect()
}

/// The fields of a message, as `(name, value)` rows for the message inspector, in the names
/// of Figure 2.
pub fn message_fields(env: &Envelope) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("from", env.from.to_string()),
        ("to", env.to.to_string()),
        (
            "sent at",
            format!("{} s", Fixed(env.sent_at_ms as f64 / 1000.0, 1)),
        ),
        (
            "arrives at",
            format!("{} s", Fixed(env.deliver_at_ms as f64 / 1000.0, 1)),
        ),
    ];
    match &env.payload {
        Payload::Raft(m) => {
            rows.push(("term", m.term.to_string()));
            match &m.body {
                MessageBody::RequestVote {
                    last_log_index,
                    last_log_term,
                    leader_transfer,
                } => {
                    rows.push(("lastLogIndex", last_log_index.to_string()));
                    rows.push(("lastLogTerm", last_log_term.to_string()));
                    if *leader_transfer {
                        rows.push(("leader transfer", "yes: ignore the leader lease".into()));
                    }
                }
                MessageBody::RequestVoteReply { vote_granted } => {
                    rows.push(("voteGranted", vote_granted.to_string()));
                }
                MessageBody::PreVote {
                    last_log_index,
                    last_log_term,
                } => {
                    rows.push(("lastLogIndex", last_log_index.to_string()));
                    rows.push(("lastLogTerm", last_log_term.to_string()));
                    rows.push(("note", "the sender's own term is still one lower".into()));
                }
                MessageBody::PreVoteReply { granted } => {
                    rows.push(("granted", granted.to_string()));
                }
                MessageBody::TimeoutNow => {
                    rows.push(("meaning", "start an election now (leader transfer)".into()));
                }
                MessageBody::JoinCluster => {
                    rows.push(("meaning", "a new server asks to join the cluster".into()));
                }
                MessageBody::InstallSnapshot { snapshot } => {
                    rows.extend(crate::log_grid::snapshot_fields(snapshot));
                }
                MessageBody::JoinClusterReply { result } => {
                    rows.push(("result", result.to_string()));
                }
                MessageBody::AppendEntries {
                    prev_log_index,
                    prev_log_term,
                    entries,
                    leader_commit,
                } => {
                    rows.push(("prevLogIndex", prev_log_index.to_string()));
                    rows.push(("prevLogTerm", prev_log_term.to_string()));
                    let list: Vec<String> = entries
                        .iter()
                        .map(|e| format!("{}:t{} {}", e.index, e.term, e.command))
                        .collect();
                    rows.push((
                        "entries",
                        if list.is_empty() {
                            "none (heartbeat)".to_string()
                        } else {
                            list.join(", ")
                        },
                    ));
                    rows.push(("leaderCommit", leader_commit.to_string()));
                }
                MessageBody::AppendEntriesReply { result } => match result {
                    AppendResult::Success { match_index } => {
                        rows.push(("success", "true".to_string()));
                        rows.push(("matchIndex", match_index.to_string()));
                    }
                    AppendResult::Conflict {
                        rejected_index,
                        conflict_term,
                        conflict_index,
                    } => {
                        rows.push(("success", "false".to_string()));
                        rows.push(("rejected prevLogIndex", rejected_index.to_string()));
                        rows.push((
                            "conflict hint",
                            match conflict_term {
                                Some(t) => format!("term {t} starts at index {conflict_index}"),
                                None => format!("log ends before index {conflict_index}"),
                            },
                        ));
                    }
                },
            }
        }
        Payload::ClientRequest { request, command } => {
            rows.push(("request", format!("#{}", request.0)));
            rows.push(("command", command.to_string()));
        }
        Payload::ClientReply { .. } => rows.push(("reply", env.describe())),
    }
    if env.duplicate {
        rows.push(("copy", "made by the network".to_string()));
    }
    rows
}

/// A ready-made fault situation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// Cut the leader off from everyone.
    IsolateLeader,
    /// The leader and one follower on one side, the rest on the other.
    SplitMinority,
    /// A follower that can send but not receive.
    DeafFollower,
    /// Each node reaches only its nearest ring neighbours, just enough of them for a
    /// majority (a chain for three nodes).
    PartialRing,
}

/// Every preset: `(preset, value attribute, label, what it shows)`.
pub const PRESETS: [(Preset, &str, &str, &str); 4] = [
    (
        Preset::IsolateLeader,
        "isolate-leader",
        "Isolate the leader",
        "The old leader keeps thinking it leads; the others elect a new one in a higher term",
    ),
    (
        Preset::SplitMinority,
        "split-minority",
        "Split: leader in the minority",
        "The leader's side cannot commit; the majority side elects a leader and goes on",
    ),
    (
        Preset::DeafFollower,
        "deaf-follower",
        "A node that can send but not receive",
        "It never hears the leader, times out again and again, and its higher terms depose the leader (unless PreVote and CheckQuorum are on)",
    ),
    (
        Preset::PartialRing,
        "partial-ring",
        "Partial partition (each node reaches only its neighbours)",
        "Each node reaches only its nearest neighbours on the ring (enough for a majority). Plain Raft never keeps a stable leader: the nodes that cannot hear the leader keep raising terms and depose it. Turn on PreVote and CheckQuorum to fix it (with 3 nodes this is a chain, which can settle on the middle node)",
    ),
];

/// The actions that set up `preset` on `sim`, or why it cannot be set up now.
pub fn preset_actions(sim: &Simulation, preset: Preset) -> Result<Vec<Action>, String> {
    let ids: Vec<NodeId> = sim.nodes().map(|n| n.id()).collect();
    let n = ids.len();
    if n < 3 {
        return Err("the presets need at least 3 nodes".to_string());
    }
    let leader = sim.leader();
    let followers: Vec<NodeId> = sim
        .nodes()
        .filter(|s| s.status() == NodeStatus::Up && s.role() != Some(RoleKind::Leader))
        .map(|s| s.id())
        .collect();
    let mut actions = vec![Action::HealAll];
    match preset {
        Preset::IsolateLeader => {
            let l = leader.ok_or("there is no leader to isolate yet")?;
            actions.push(Action::Isolate(l));
        }
        Preset::SplitMinority => {
            let l = leader.ok_or("there is no leader yet")?;
            // The largest minority, (n - 1) / 2 nodes: the leader and the first followers.
            let mut minority = vec![l];
            minority.extend(followers.iter().copied().take((n - 1) / 2 - 1));
            actions = vec![Action::Partition(vec![minority])];
        }
        Preset::DeafFollower => {
            let f = *followers.first().ok_or("there is no running follower")?;
            for &other in ids.iter().filter(|&&o| o != f) {
                actions.push(Action::CutLink { from: other, to: f });
            }
        }
        Preset::PartialRing => {
            // Each node keeps the k nearest nodes on each side of the ring: with itself that is
            // 2k + 1 nodes, the smallest such group holding a majority (k = 1 for 4–5 nodes,
            // 2 for 6–9). Three nodes become a chain 1–2–3.
            let k = (n / 2).div_ceil(2).max(1);
            for (i, &a) in ids.iter().enumerate() {
                for (j, &b) in ids.iter().enumerate().skip(i + 1) {
                    let distance = (j - i).min(n - (j - i));
                    let neighbours = if n == 3 { j == i + 1 } else { distance <= k };
                    if !neighbours {
                        actions.push(Action::CutLink { from: a, to: b });
                        actions.push(Action::CutLink { from: b, to: a });
                    }
                }
            }
        }
    }
    Ok(actions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::tests::sim_with_leader;
    use raft_core::sim::{Ratio, SimConfig};

    #[test]
    fn links_cover_every_pair_and_show_cuts() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        let links = link_views(&sim, None);
        assert_eq!(links.len(), 10);
        assert!(links.iter().all(|l| l.a < l.b && l.state == LinkState::Up));
        sim.apply(Action::CutLink {
            from: NodeId(3),
            to: NodeId(1),
        })
        .expect("cut");
        let links = link_views(&sim, Some((NodeId(1), NodeId(3))));
        let l13 = links.iter().find(|l| l.key() == "1-3").expect("1-3");
        assert_eq!(l13.state.as_str(), "cut-b-a");
        assert!(l13.selected);
        assert!(l13.title().contains("Node 3 cannot reach Node 1"));
        assert_eq!(links.iter().filter(|l| l.selected).count(), 1);
    }

    #[test]
    fn drops_fade_out() {
        let mut sim = sim_with_leader();
        sim.apply(Action::SetNetwork(raft_core::sim::LinkSettings {
            loss: Ratio::ALWAYS,
            ..*sim.network().defaults()
        }))
        .expect("loss");
        assert!(sim.run_until(60_000, |s| s.recent_drops().next().is_some()));
        let views = drop_views(&sim, 6.0);
        assert!(!views.is_empty());
        assert!(views.iter().all(|d| d.opacity > 0.9));
        assert!(views[0].title.contains("the network lost it"));
        // Long after, with no new sends (everyone crashed), nothing is left to draw.
        let ids: Vec<NodeId> = sim.nodes().map(|n| n.id()).collect();
        for id in ids {
            sim.apply(Action::Crash(id)).expect("crash");
        }
        sim.run_for(60_000);
        assert!(drop_views(&sim, 6.0).is_empty());
    }

    #[test]
    fn append_entries_fields_use_figure_2_names() {
        let mut sim = sim_with_leader();
        assert!(sim.run_until(60_000, |s| {
            s.in_flight().any(|e| e.kind() == MessageKind::Heartbeat)
        }));
        let env = sim
            .in_flight()
            .find(|e| e.kind() == MessageKind::Heartbeat)
            .expect("heartbeat");
        let fields = message_fields(env);
        let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
        for n in [
            "term",
            "prevLogIndex",
            "prevLogTerm",
            "entries",
            "leaderCommit",
        ] {
            assert!(names.contains(&n), "{n} missing from {names:?}");
        }
        assert!(fields.iter().any(|(_, v)| v == "none (heartbeat)"));
    }

    #[test]
    fn presets_need_what_they_act_on() {
        let fresh = Simulation::new(SimConfig::default()).expect("valid");
        assert!(preset_actions(&fresh, Preset::IsolateLeader).is_err());
        let sim = sim_with_leader();
        let leader = sim.leader().expect("leader");
        assert_eq!(
            preset_actions(&sim, Preset::IsolateLeader),
            Ok(vec![Action::HealAll, Action::Isolate(leader)])
        );
        let split = preset_actions(&sim, Preset::SplitMinority).expect("split");
        match &split[..] {
            [Action::Partition(groups)] => {
                assert_eq!(groups.len(), 1);
                assert_eq!(groups[0].len(), 2, "a 2|3 split of five nodes");
                assert_eq!(groups[0][0], leader);
            }
            other => panic!("unexpected {other:?}"),
        }
        // The ring of five cuts the five non-neighbour pairs both ways.
        let ring = preset_actions(&sim, Preset::PartialRing).expect("ring");
        assert_eq!(ring.len(), 1 + 10);
        // Nine nodes keep two neighbours on each side (5 of 9, a majority): each node loses
        // four links, 18 pairs in all, cut both ways.
        let mut nine = Simulation::new(SimConfig {
            node_count: 9,
            ..SimConfig::default()
        })
        .expect("valid");
        assert!(nine.run_until(300_000, |s| s.leader().is_some()));
        let ring = preset_actions(&nine, Preset::PartialRing).expect("ring");
        assert_eq!(ring.len(), 1 + 2 * 18);
        let deaf = preset_actions(&sim, Preset::DeafFollower).expect("deaf");
        assert_eq!(deaf.len(), 1 + 4);
    }
}
