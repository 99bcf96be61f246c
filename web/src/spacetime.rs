//! The space-time diagram as plain data: one horizontal lane per node, virtual time running
//! left to right over the last [`WINDOW_MS`] up to the present moment, every message between
//! two nodes as an arrow from its sender's lane at the moment it was sent to its recipient's
//! lane at the moment it arrived (or was lost), and each lane marked with its node's role
//! changes (elections started, terms led, crashes) and the leader's commits.
//!
//! It is rebuilt from the trace's recent events whenever it is shown, so it always matches the
//! ring and the scrubber: after a seek it shows the window before the new present. Roles at the
//! window's left edge are worked out backwards from the present roles (see [`space_time`]).
//! Coordinates are whole numbers (no float formatting; see `num.rs`).
//!
//! # Run coordinates
//!
//! The x of everything drawn in the window (arrows, marks, spans, ticks) is the run's own
//! [`run_x`] of its virtual time, not its place in the window: the drawing slides left as one
//! group ([`SpaceTime::shift`]), clipped to the window, so an arrow or a mark keeps the same
//! coordinates from frame to frame and the page only updates what is new (issue 8's frame
//! budget: moving every element every frame cost more than everything else on the page).
//! A message in flight is drawn all the way to its delivery and the clip ends it at the
//! present, exactly where it is now.

use raft_core::sim::{Endpoint, NodeStatus, Simulation, TraceKind};
use raft_core::{MessageKind, NodeEvent, NodeId, RoleKind};

/// The virtual time the diagram spans (ms).
pub const WINDOW_MS: u64 = 20_000;
/// Width of the viewBox.
pub const VIEW_W: i64 = 640;
/// Room for the lane labels on the left.
pub const LEFT: i64 = 44;
/// Margin on the right (the present moment's line).
pub const RIGHT: i64 = 10;
/// Height of one lane.
pub const LANE_H: i64 = 26;
/// Room for the time ticks at the top.
pub const TOP: i64 = 16;

/// Spacing of the time ticks (virtual ms).
const TICK_MS: u64 = 5_000;
/// Closest two commit labels may be (viewBox units) before the second goes unlabelled.
const LABEL_GAP: i64 = 26;

/// What a lane is doing over a stretch of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanKind {
    /// The node was the leader.
    Leader,
    /// The node was crashed.
    Crashed,
}

/// A stretch of a lane in one state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// Lane (from 0, top first).
    pub lane: usize,
    /// Left end (run coordinates).
    pub x1: i64,
    /// Right end (run coordinates).
    pub x2: i64,
    /// What the node was.
    pub kind: SpanKind,
    /// Hover text, e.g. "Node 2 led term 3".
    pub title: String,
}

/// What kind of point event a [`Mark`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// The election timer fired: the node became a candidate (or started a PreVote).
    Election,
    /// The node won an election.
    Leader,
    /// The leader's commit index advanced.
    Commit,
    /// The node crashed.
    Crash,
    /// The node restarted from its persistent state.
    Restart,
}

impl SpaceTime {
    /// Where run coordinate `x` is in the viewBox.
    pub fn screen_x(&self, x: i64) -> i64 {
        x + self.shift
    }

    /// Where the present moment is in the viewBox (the right edge once the run is longer than
    /// the window).
    pub fn now_x(&self) -> i64 {
        self.screen_x(run_x(self.now_ms))
    }
}

impl MarkKind {
    /// CSS class suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkKind::Election => "election",
            MarkKind::Leader => "leader",
            MarkKind::Commit => "commit",
            MarkKind::Crash => "crash",
            MarkKind::Restart => "restart",
        }
    }
}

/// A marked event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// Position of its event in the trace (a stable key).
    pub seq: usize,
    /// Lane.
    pub lane: usize,
    /// Position (run coordinates).
    pub x: i64,
    /// What happened.
    pub kind: MarkKind,
    /// Short label drawn beside the mark ("" for none), e.g. "T3" or "c12".
    pub label: String,
    /// Hover text.
    pub title: String,
}

/// What became of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// It arrived.
    Delivered,
    /// It was lost (the arrow ends where it was dropped).
    Dropped,
    /// Still travelling: the arrow runs to its delivery, and the window's clip ends it where
    /// it is now.
    InFlight,
}

/// A message as an arrow between lanes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrow {
    /// Message id (a stable key).
    pub id: u64,
    /// Kind (its colour).
    pub kind: MessageKind,
    /// Start (run coordinates: sent).
    pub x1: i64,
    /// Start (the sender's lane).
    pub y1: i64,
    /// End (run coordinates: delivered, dropped, or to be delivered).
    pub x2: i64,
    /// End (the recipient's lane).
    pub y2: i64,
    /// Delivered, dropped or in flight.
    pub fate: Fate,
}

/// One node's lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// The node.
    pub node: u64,
    /// Centre line.
    pub y: i64,
}

/// The whole diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpaceTime {
    /// Lanes, by node id.
    pub lanes: Vec<Lane>,
    /// Leader and crashed stretches.
    pub spans: Vec<Span>,
    /// Point events, in trace order.
    pub marks: Vec<Mark>,
    /// Messages, in id order (the order they were sent).
    pub arrows: Vec<Arrow>,
    /// Time ticks: virtual time (ms, a stable key), position (run coordinates) and label
    /// ("15 s").
    pub ticks: Vec<(u64, i64, String)>,
    /// What to add to run coordinates for the place in the viewBox: the window's left edge
    /// ([`LEFT`]) minus the run coordinate of its start.
    pub shift: i64,
    /// Height of the viewBox.
    pub height: i64,
    /// Left edge's virtual time (ms).
    pub start_ms: u64,
    /// The present (ms), at the right edge once the run is longer than the window.
    pub now_ms: u64,
}

/// Width of the window in the viewBox.
const SPAN: i64 = VIEW_W - LEFT - RIGHT;

/// Position of virtual time `t_ms` in a window starting at `start_ms` (what
/// [`SpaceTime::screen_x`] of its [`run_x`] is, within one unit of rounding).
#[cfg(test)]
pub fn x_of(t_ms: u64, start_ms: u64) -> i64 {
    let dt = t_ms.saturating_sub(start_ms).min(WINDOW_MS) as i64;
    LEFT + dt * SPAN / WINDOW_MS as i64
}

/// The run coordinate of virtual time `t_ms` (see the module comment): the scale of the
/// window, from the start of the run. On screen it is at `run_x(t_ms) + shift`.
pub fn run_x(t_ms: u64) -> i64 {
    // Exact in i64 for any run shorter than about 500 years.
    (t_ms.min(i64::MAX as u64 / SPAN as u64) as i64) * SPAN / WINDOW_MS as i64
}

/// A lane's state for the spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Leader,
    Crashed,
    Other,
}

/// The state right before a trace event, given the state right after it (for working back
/// from the present to the window's left edge).
fn state_before(kind: &TraceKind, after: State) -> State {
    match kind {
        TraceKind::Node {
            event: NodeEvent::BecameLeader { .. },
            ..
        } => State::Other,
        TraceKind::Node {
            event: NodeEvent::BecameFollower { from_role, .. },
            ..
        } => {
            if *from_role == RoleKind::Leader {
                State::Leader
            } else {
                State::Other
            }
        }
        TraceKind::Crashed { role, .. } => {
            if *role == Some(RoleKind::Leader) {
                State::Leader
            } else {
                State::Other
            }
        }
        TraceKind::Restarted { .. } | TraceKind::NodeAdded { .. } => State::Crashed,
        _ => after,
    }
}

/// The node a lane-state event is about.
fn subject(kind: &TraceKind) -> Option<NodeId> {
    match kind {
        TraceKind::Node { node, .. } => Some(*node),
        TraceKind::Crashed { node, .. }
        | TraceKind::Restarted { node, .. }
        | TraceKind::NodeAdded { node, .. } => Some(*node),
        _ => None,
    }
}

fn node_of(e: Endpoint) -> Option<NodeId> {
    match e {
        Endpoint::Node(n) => Some(n),
        _ => None,
    }
}

/// Builds the diagram of the last [`WINDOW_MS`] before the present moment of `sim`.
///
/// Roles at the window's left edge are found by walking the window's events backwards from
/// the nodes' present roles (a crash records the role it ended), so a leader elected before
/// the window still shows its leader stretch. Messages sent before the window and delivered
/// in it are left out (their start is unknown); messages still in flight end at their present
/// position.
pub fn space_time(sim: &Simulation) -> SpaceTime {
    let now = sim.now_ms();
    let start = now.saturating_sub(WINDOW_MS);
    let ids: Vec<NodeId> = sim.nodes().map(|n| n.id()).collect();
    let lane_of = |id: NodeId| ids.binary_search(&id).ok();
    let lanes: Vec<Lane> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| Lane {
            node: id.0,
            y: TOP + LANE_H / 2 + i as i64 * LANE_H,
        })
        .collect();
    let y = |lane: usize| lanes[lane].y;
    let events = sim.trace().events();
    let first = events.partition_point(|e| e.time_ms < start);
    let window = &events[first..];

    // Present state of every lane, then back to the window's start.
    let mut state: Vec<State> = sim
        .nodes()
        .map(|n| {
            if n.status() == NodeStatus::Crashed {
                State::Crashed
            } else if n.role() == Some(RoleKind::Leader) {
                State::Leader
            } else {
                State::Other
            }
        })
        .collect();
    for e in window.iter().rev() {
        if let Some(lane) = subject(&e.kind).and_then(lane_of) {
            state[lane] = state_before(&e.kind, state[lane]);
        }
    }

    let mut out = SpaceTime {
        height: TOP + LANE_H * lanes.len() as i64 + 4,
        start_ms: start,
        now_ms: now,
        shift: LEFT - run_x(start),
        ..SpaceTime::default()
    };
    // Where each lane's current stretch began (x), and the term it leads.
    let mut since: Vec<i64> = vec![run_x(start); lanes.len()];
    let mut term_led: Vec<u64> = vec![0; lanes.len()];
    let mut last_label: Vec<i64> = vec![i64::MIN; lanes.len()];
    // Messages sent in the window, in id order (ids grow as messages are sent).
    let mut sent: Vec<(u64, u64, usize, usize)> = Vec::new();
    let close = |out: &mut SpaceTime, lane: usize, from: i64, to: i64, st: State, term: u64| {
        let node = lanes[lane].node;
        let (kind, title) = match st {
            State::Leader => (
                SpanKind::Leader,
                format!("Node {node} was the leader of term {term}"),
            ),
            State::Crashed => (SpanKind::Crashed, format!("Node {node} was crashed")),
            State::Other => return,
        };
        if to > from {
            out.spans.push(Span {
                lane,
                x1: from,
                x2: to,
                kind,
                title,
            });
        }
    };
    for (lane, st) in state.iter().enumerate() {
        if *st == State::Leader {
            term_led[lane] = sim
                .node(NodeId(lanes[lane].node))
                .map_or(0, |n| n.current_term().0);
        }
    }
    for (i, e) in window.iter().enumerate() {
        let x = run_x(e.time_ms);
        match &e.kind {
            TraceKind::Sent { id, from, to, kind } => {
                if let (Some(a), Some(b)) = (
                    node_of(*from).and_then(lane_of),
                    node_of(*to).and_then(lane_of),
                ) {
                    sent.push((id.0, e.time_ms, a, b));
                }
                let _ = kind;
            }
            TraceKind::Delivered { id, kind, .. } | TraceKind::Dropped { id, kind, .. } => {
                if let Ok(i) = sent.binary_search_by(|s| s.0.cmp(&id.0)) {
                    let (_, t, a, b) = sent[i];
                    let fate = if matches!(e.kind, TraceKind::Dropped { .. }) {
                        Fate::Dropped
                    } else {
                        Fate::Delivered
                    };
                    out.arrows.push(Arrow {
                        id: id.0,
                        kind: *kind,
                        x1: run_x(t),
                        y1: y(a),
                        x2: x,
                        y2: y(b),
                        fate,
                    });
                }
            }
            _ => {}
        }
        let Some(lane) = subject(&e.kind).and_then(lane_of) else {
            continue;
        };
        let node = lanes[lane].node;
        let mut mark = |kind: MarkKind, label: String, title: String| {
            out.marks.push(Mark {
                seq: first + i,
                lane,
                x,
                kind,
                label,
                title,
            })
        };
        let next = match &e.kind {
            TraceKind::Node { event, .. } => match event {
                NodeEvent::ElectionTimeout { term, .. } => {
                    mark(
                        MarkKind::Election,
                        String::new(),
                        format!(
                            "Node {node}'s election timer fired: it asks for votes in term {term}"
                        ),
                    );
                    state[lane]
                }
                NodeEvent::BecameLeader { term, .. } => {
                    mark(
                        MarkKind::Leader,
                        format!("T{term}"),
                        format!("Node {node} won the election of term {term}"),
                    );
                    term_led[lane] = term.0;
                    State::Leader
                }
                NodeEvent::BecameFollower { .. } => State::Other,
                NodeEvent::CommitAdvanced { commit_index } if state[lane] == State::Leader => {
                    let label = if x.saturating_sub(last_label[lane]) >= LABEL_GAP {
                        last_label[lane] = x;
                        format!("c{commit_index}")
                    } else {
                        String::new()
                    };
                    mark(
                        MarkKind::Commit,
                        label,
                        format!("Leader {node} committed up to entry {commit_index}"),
                    );
                    state[lane]
                }
                _ => state[lane],
            },
            TraceKind::Crashed { .. } => {
                mark(
                    MarkKind::Crash,
                    String::new(),
                    format!("Node {node} crashed"),
                );
                State::Crashed
            }
            TraceKind::Restarted { .. } => {
                mark(
                    MarkKind::Restart,
                    String::new(),
                    format!("Node {node} restarted from its persistent state"),
                );
                State::Other
            }
            TraceKind::NodeAdded { .. } => State::Other,
            _ => state[lane],
        };
        if next != state[lane] {
            close(&mut out, lane, since[lane], x, state[lane], term_led[lane]);
            since[lane] = x;
            state[lane] = next;
        }
    }
    let right = run_x(now);
    for (lane, st) in state.iter().enumerate() {
        close(&mut out, lane, since[lane], right, *st, term_led[lane]);
    }
    // Messages in flight run to their delivery; the clip ends them where they are now.
    for env in sim.in_flight() {
        let (Some(a), Some(b)) = (
            node_of(env.from).and_then(lane_of),
            node_of(env.to).and_then(lane_of),
        ) else {
            continue;
        };
        out.arrows.push(Arrow {
            id: env.id.0,
            kind: env.kind(),
            x1: run_x(env.sent_at_ms),
            y1: y(a),
            x2: run_x(env.deliver_at_ms),
            y2: y(b),
            fate: Fate::InFlight,
        });
    }
    // Sent order: a new message goes at the end and an old one leaves from the front, so the
    // page's keyed list of arrows never reorders.
    crate::views::sort_by_id(&mut out.arrows, |a| a.id);
    let mut t = start.div_ceil(TICK_MS) * TICK_MS;
    while t <= now {
        out.ticks.push((t, run_x(t), format!("{} s", t / 1000)));
        t += TICK_MS;
    }
    out.lanes = lanes;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::sim::{Action, MessageId, SimConfig};

    fn sim(seed: u64) -> Simulation {
        Simulation::new(SimConfig {
            seed,
            node_count: 3,
            ..SimConfig::default()
        })
        .expect("valid settings")
    }

    #[test]
    fn positions_scale_over_the_window() {
        assert_eq!(x_of(0, 0), LEFT);
        assert_eq!(x_of(WINDOW_MS, 0), VIEW_W - RIGHT);
        assert_eq!(x_of(WINDOW_MS * 5, 0), VIEW_W - RIGHT, "clamped");
        assert_eq!(x_of(10, 20), LEFT, "before the window");
    }

    #[test]
    fn an_election_shows_a_leader_stretch_and_vote_arrows() {
        let mut s = sim(1);
        assert!(s.run_until(120_000, |x| x.leader().is_some()));
        s.run_for(3_000);
        let leader = s.leader().expect("a leader");
        let d = space_time(&s);
        assert_eq!(d.lanes.len(), 3);
        let lane = d
            .lanes
            .iter()
            .position(|l| l.node == leader.0)
            .expect("lane");
        let span = d
            .spans
            .iter()
            .find(|sp| sp.kind == SpanKind::Leader)
            .expect("a leader stretch");
        assert_eq!(span.lane, lane);
        assert_eq!(span.x2, run_x(s.now_ms()), "it lasts to the present");
        assert_eq!(d.now_x(), d.screen_x(span.x2));
        assert!(
            d.marks
                .iter()
                .any(|m| m.kind == MarkKind::Leader && m.lane == lane)
        );
        assert!(
            d.arrows
                .iter()
                .any(|a| a.kind == MessageKind::RequestVote && a.fate == Fate::Delivered),
            "vote requests are drawn"
        );
        for a in &d.arrows {
            assert!(a.x1 <= a.x2, "arrows go forward in time: {a:?}");
            assert!((LEFT..=VIEW_W - RIGHT).contains(&d.screen_x(a.x1)));
        }
    }

    #[test]
    fn a_leader_elected_before_the_window_still_leads_at_its_left_edge() {
        let mut s = sim(2);
        assert!(s.run_until(120_000, |x| x.leader().is_some()));
        let leader = s.leader().expect("a leader");
        s.run_for(WINDOW_MS * 3);
        assert_eq!(s.leader(), Some(leader), "stable leadership in this run");
        let lane = |d: &SpaceTime| d.lanes.iter().position(|l| l.node == leader.0);
        let d = space_time(&s);
        let span = d.spans.iter().find(|sp| sp.kind == SpanKind::Leader);
        assert_eq!(
            span.map(|sp| (sp.lane, d.screen_x(sp.x1))),
            lane(&d).map(|l| (l, LEFT))
        );
        // Crash it: the stretch ends at the crash, and a crashed stretch follows.
        s.apply(Action::Crash(leader)).expect("crash");
        s.run_for(2_000);
        let d = space_time(&s);
        let crash_x = run_x(s.now_ms() - 2_000);
        let l = lane(&d).expect("lane");
        assert_eq!(d.screen_x(run_x(d.start_ms)), LEFT);
        assert!(d.spans.contains(&Span {
            lane: l,
            x1: run_x(d.start_ms),
            x2: crash_x,
            kind: SpanKind::Leader,
            title: format!(
                "Node {leader} was the leader of term {}",
                s.node(leader).map_or(0, |n| n.current_term().0)
            ),
        }));
        assert!(
            d.spans
                .iter()
                .any(|sp| sp.lane == l && sp.kind == SpanKind::Crashed && sp.x1 == crash_x)
        );
    }

    #[test]
    fn messages_in_flight_run_to_their_delivery_and_are_cut_at_the_present() {
        let mut s = sim(3);
        assert!(s.run_until(120_000, |x| x.in_flight().count() > 0));
        let d = space_time(&s);
        let now = run_x(s.now_ms());
        let flying: Vec<&Arrow> = d
            .arrows
            .iter()
            .filter(|a| a.fate == Fate::InFlight)
            .collect();
        assert!(!flying.is_empty());
        for a in flying {
            let env = s.network().get(MessageId(a.id)).expect("in flight");
            assert_eq!(
                (a.x1, a.x2),
                (run_x(env.sent_at_ms), run_x(env.deliver_at_ms))
            );
            assert!(a.x1 <= now && now <= a.x2, "{a:?} spans the present");
        }
        // The drawing's clip ends where the present is.
        assert_eq!(d.now_x(), x_of(s.now_ms(), d.start_ms));
    }

    #[test]
    fn arrows_keep_their_coordinates_as_the_window_slides() {
        let mut s = sim(4);
        assert!(s.run_until(120_000, |x| x.leader().is_some()));
        s.run_for(WINDOW_MS);
        let before = space_time(&s);
        s.run_for(1_000);
        let after = space_time(&s);
        assert!(after.shift < before.shift, "the drawing slid left");
        let delivered = |d: &SpaceTime| -> Vec<Arrow> {
            d.arrows
                .iter()
                .filter(|a| a.fate != Fate::InFlight)
                .cloned()
                .collect()
        };
        let (old, new) = (delivered(&before), delivered(&after));
        let kept: Vec<&Arrow> = old.iter().filter(|a| new.contains(a)).collect();
        assert!(
            kept.len() * 2 > old.len(),
            "most arrows are unchanged: {} of {}",
            kept.len(),
            old.len()
        );
        assert!(
            after.arrows.windows(2).all(|w| w[0].id < w[1].id),
            "id order"
        );
    }

    #[test]
    fn a_leader_commits_are_labelled() {
        let mut s = sim(5);
        assert!(s.run_until(120_000, |x| x.leader().is_some()));
        s.apply(Action::Submit(raft_core::Command::Noop))
            .expect("submit");
        assert!(s.run_until(s.now_ms() + 10_000, |x| {
            space_time(x)
                .marks
                .iter()
                .any(|m| m.kind == MarkKind::Commit)
        }));
        let d = space_time(&s);
        let commit = d.marks.iter().find(|m| m.kind == MarkKind::Commit);
        assert!(
            commit.is_some_and(|m| m.label.starts_with('c')),
            "the first commit in a lane is labelled: {commit:?}"
        );
    }
}
