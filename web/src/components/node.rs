//! One server on the ring. Its role shows three ways at once: colour, outline (plain,
//! dashed, thick gold, grey with a cross) and a text label, plus a crown on the leader.
//! Under it, always, the configuration it uses (highlighted while it differs from the
//! cluster's), and for a learner its catch-up progress. Everything is drawn within
//! [`HIT_RADIUS`] of the centre or in that band below it, so the group's box is stable.
//!
//! For keyboard and screen-reader users the node is a button (Tab to it, Enter or Space
//! selects it) named in words, e.g. "Node 3, leader, term 4" ([`aria_label`]). The button
//! holds the shapes; the drawn texts sit beside it, hidden from assistive technology, since
//! the name already says what they show.

use crate::geometry::{ARC_RADIUS, HIT_RADIUS, NODE_RADIUS, Point, arc_path};
use crate::layout::UNDER_MAX_W;
use crate::num::{Fixed, Short};
use crate::views::NodeView;
use raft_core::sim::{MemberKind, NodeStatus};
use raft_core::{NodeId, RoleKind};
use yew::prelude::*;

/// Properties of [`Node`].
#[derive(Properties, PartialEq)]
pub struct NodeProps {
    /// What to draw.
    pub view: NodeView,
    /// The node was clicked; `true` with Shift held (group selection).
    pub onselect: Callback<(NodeId, bool)>,
}

/// The role label inside the node.
fn role_label(v: &NodeView) -> &'static str {
    let crashed = v.status == NodeStatus::Crashed;
    match v.member {
        // A leader that removed itself leads until the change commits (§4.2.2).
        MemberKind::Removed if !crashed && v.role == RoleKind::Leader => return "LEAVING",
        MemberKind::Removed => return "REMOVED",
        _ if crashed => return "CRASHED",
        MemberKind::Joining => return "JOINING",
        MemberKind::Learner => return "LEARNER",
        MemberKind::Voter => {}
    }
    match v.role {
        RoleKind::Leader if v.stale => "OLD LEADER",
        RoleKind::Leader => "LEADER",
        RoleKind::PreCandidate => "PRE-VOTE",
        RoleKind::Candidate => "CANDIDATE",
        RoleKind::Follower => "FOLLOWER",
    }
}

/// The node's accessible name: `Node 3, leader, term 4`, then what else the drawing shows in
/// shapes or small print (paused, votes, catch-up, a configuration change on its way).
pub fn aria_label(v: &NodeView) -> String {
    let mut s = format!(
        "Node {}, {}, term {}",
        v.id,
        role_label(v).to_ascii_lowercase(),
        v.term
    );
    if v.status == NodeStatus::Paused {
        s.push_str(", paused");
    }
    if let (NodeStatus::Up, Some((got, need))) = (v.status, v.votes) {
        s.push_str(&format!(", {got} of {need} votes"));
    }
    if let Some((matched, last)) = v.catch_up {
        s.push_str(&format!(", caught up {matched} of {last}"));
    }
    if v.config_differs {
        s.push_str(&format!(", uses configuration {}", v.config_label));
    }
    s
}

/// A candidate's votes as pips: filled for each vote granted, hollow for each still needed.
fn vote_pips(got: usize, need: usize) -> Html {
    const GAP: f64 = 9.0;
    let shown = need.max(got);
    let x0 = -GAP * (shown as f64 - 1.0) / 2.0;
    html! {
        <g class="pips">
            <title>{ format!("{got} of the {need} votes needed to win") }</title>
            { for (0..shown).map(|i| html! {
                <circle class={if i < got { "pip won" } else { "pip" }}
                        cx={Fixed(x0 + GAP * i as f64, 1).to_string()} cy="30" r="2.8" />
            }) }
        </g>
    }
}

// The places under a node, written out (a test checks them against the layout constants), so
// that the download carries no float formatting for them.
/// Where the configuration label sits: [`crate::layout::CONFIG_LABEL_Y`] below the centre.
const CONFIG_AT: &str = "translate(0 60)";
/// Where the catch-up bar sits: [`crate::layout::CATCH_UP_Y`] below the centre.
const CATCH_UP_AT: &str = "translate(0 75)";
/// Width of the catch-up bar (its rects are 2 × [`crate::layout::UNDER_HALF_H`] high, centred).
const CATCH_UP_W: f64 = UNDER_MAX_W - 8.0;

/// The configuration this node uses, in a pill under it; amber while it is not the cluster's.
fn config_label(v: &NodeView) -> Html {
    let w = (v.config_label.chars().count() as f64 * 5.8 + 12.0).min(UNDER_MAX_W);
    let title = if v.config_differs {
        "The configuration this node uses is not the cluster\u{2019}s: it has not received (or has lost) the latest configuration entry. A server uses the newest configuration in its log, committed or not (\u{a7}4.1)"
    } else {
        "The configuration this node uses: the voters (and +learners). A server uses the newest configuration in its log, committed or not (\u{a7}4.1)"
    };
    html! {
        <g class={classes!("config", v.config_differs.then_some("differs"))}
           transform={CONFIG_AT}>
            <title>{ title }</title>
            <rect x={Fixed(-w / 2.0, 1).to_string()} y="-6.5"
                  width={Fixed(w, 1).to_string()} height="13" rx="6.5" />
            <text y="0.5">{ v.config_label.clone() }</text>
        </g>
    }
}

/// A learner's catch-up: its match_index on the leader against the leader's last index.
fn catch_up_bar(matched: u64, last: u64) -> Html {
    let done = if last == 0 {
        1.0
    } else {
        (matched as f64 / last as f64).min(1.0)
    };
    let of = format!("{matched}/{last}");
    html! {
        <g class="catch-up" data-catch-up={of.clone()}
           transform={CATCH_UP_AT}>
            <title>{ "Catching up: how much of the leader\u{2019}s log (its match_index out of the leader\u{2019}s last index) it has. It becomes a voter once it keeps up (\u{a7}4.2.1)" }</title>
            <rect class="track" x="-48" y="-6.5" width="96" height="13" rx="3" />
            <rect class="done" x="-48" y="-6.5" width={Fixed(CATCH_UP_W * done, 1).to_string()} height="13" rx="3" />
            <text y="0.5">{ "catching up " }{ of }</text>
        </g>
    }
}

/// A node of the cluster drawing, centred on its ring position.
#[function_component(Node)]
pub fn node(props: &NodeProps) -> Html {
    let v = &props.view;
    let crashed = v.status == NodeStatus::Crashed;
    let role_class = if crashed { "crashed" } else { v.role.as_str() };
    let id = NodeId(v.id);
    let onclick = {
        let onselect = props.onselect.clone();
        Callback::from(move |e: MouseEvent| onselect.emit((id, e.shift_key())))
    };
    // Keyboard users reach nodes with Tab and open the menu with Enter or Space (Shift adds
    // the node to the group, as Shift-click does).
    let onkeydown = {
        let onselect = props.onselect.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                onselect.emit((id, e.shift_key()));
            }
        })
    };
    let origin = Point { x: 0.0, y: 0.0 };

    // Countdown arc (follower/candidate: time left before the election timeout) or the
    // leader's heartbeat timer, over a faint full-circle track.
    let timer = v
        .election_left
        .map(|f| ("timer election", f))
        .or(v.heartbeat_left.map(|f| ("timer heartbeat", f)));
    let arc = match timer {
        Some((class, fraction)) => html! {
            <>
                <circle class="timer-track" r={Short(ARC_RADIUS).to_string()} />
                <path class={class} d={arc_path(origin, ARC_RADIUS, fraction)} />
            </>
        },
        None => html! {},
    };
    let pulse = match v.pulse {
        Some((extra, opacity)) => html! {
            <circle class="pulse" r={Fixed(NODE_RADIUS + extra, 1).to_string()}
                    opacity={Fixed(opacity, 2).to_string()} />
        },
        None => html! {},
    };
    let selected = if v.selected {
        html! { <circle class="selected-ring" r={Short(ARC_RADIUS + 7.0).to_string()} /> }
    } else {
        html! {}
    };
    let grouped = if v.grouped {
        html! { <circle class="group-ring" r={Short(ARC_RADIUS + 3.0).to_string()} /> }
    } else {
        html! {}
    };
    let paused = v.status == NodeStatus::Paused;
    let pause_badge = if paused {
        let text = if v.held > 0 {
            format!("\u{275a}\u{275a} {}", v.held)
        } else {
            "\u{275a}\u{275a}".to_string()
        };
        html! {
            <g class="pause-badge" transform="translate(0 -33)">
                <title>{ format!("Paused: {} message(s) waiting for it", v.held) }</title>
                <rect x="-17" y="-9" width="34" height="18" rx="9" />
                <text y="0.5">{ text }</text>
            </g>
        }
    } else {
        html! {}
    };
    let crown = if !crashed && !paused && v.role == RoleKind::Leader {
        html! { <text class={classes!("crown", v.stale.then_some("stale"))} y="-24">{ "\u{265B}" }</text> }
    } else {
        html! {}
    };
    let pips = match (crashed, v.votes) {
        (false, Some((got, need))) => vote_pips(got, need),
        _ => html! {},
    };
    let cross = if crashed {
        let d = NODE_RADIUS * 0.62;
        html! {
            <path class="cross" d={format!("M {} {} L {d} {d} M {d} {} L {} {d}", Short(-d), Short(-d), Short(-d), Short(-d), d = Short(d))} />
        }
    } else {
        html! {}
    };

    let member_class = (v.member != MemberKind::Voter).then_some(v.member.as_str());
    // Stable attributes for tests: non-voters in the configuration (or joining) are learners,
    // and a removed node's status is "removed" whatever its process does.
    let data_role = match v.member {
        MemberKind::Learner | MemberKind::Joining => "learner",
        _ => v.role.as_str(),
    };
    let data_status = if v.member == MemberKind::Removed {
        "removed"
    } else {
        v.status.as_str()
    };
    let under = match v.catch_up {
        Some((matched, last)) => catch_up_bar(matched, last),
        None => html! {},
    };

    html! {
        <g class={classes!("node", role_class, member_class, v.config_differs.then_some("config-differs"), v.selected.then_some("selected"), paused.then_some("paused"), v.stale.then_some("stale"))}
           data-node-id={v.id.to_string()}
           data-role={data_role}
           data-status={data_status}
           data-member={v.member.as_str()}
           data-config={v.config.clone()}
           data-term={v.term.to_string()}
           // A CSS transform (not the attribute), so that the ring re-lays itself smoothly
           // when a node joins or is dismissed (see style.css).
           style={format!("transform: translate({}px, {}px)", Fixed(v.center.x, 1), Fixed(v.center.y, 1))}
           {onclick}>
            // The hover text, for the whole node (outside the button, whose name is its label).
            <title>{ v.title.clone() }</title>
            <g class="node-button" tabindex="0" role="button" aria-label={aria_label(v)}
               aria-pressed={v.selected.to_string()} {onkeydown}>
                // Invisible, and larger than anything else drawn for the node: it takes clicks
                // near the node and keeps the group's bounding box the same on every frame.
                <circle class="hit" r={Short(HIT_RADIUS).to_string()} />
                { pulse }
                { selected }
                { grouped }
                { arc }
                <circle class="body" r={Short(NODE_RADIUS).to_string()} />
                <circle class="focus-ring" r={Short(ARC_RADIUS + 4.0).to_string()} />
                { cross }
            </g>
            <g class="node-labels" aria-hidden="true">
                { crown }
                <text class="name" y="-9">{ format!("Node {}", v.id) }</text>
                <text class="role-label" y="5">{ role_label(v) }</text>
                <text class="term" y="18">{ format!("term {}", v.term) }</text>
                { pips }
                { pause_badge }
                { config_label(v) }
                { under }
            </g>
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{CATCH_UP_Y, CONFIG_LABEL_Y, UNDER_HALF_H};

    #[test]
    fn the_accessible_name_says_in_words_what_the_drawing_shows() {
        let sim = crate::views::tests::sim_with_leader();
        let nodes = crate::views::node_views(&sim, None, 5.0);
        let leader = sim.leader().expect("leader");
        for v in &nodes {
            let label = aria_label(v);
            let role = if NodeId(v.id) == leader {
                "leader"
            } else {
                "follower"
            };
            assert_eq!(label, format!("Node {}, {role}, term {}", v.id, v.term));
        }
        let mut v = nodes[0].clone();
        v.status = NodeStatus::Paused;
        v.config_differs = true;
        v.config_label = "{1,2,3}".to_string();
        assert!(aria_label(&v).ends_with(", paused, uses configuration {1,2,3}"));
        v.status = NodeStatus::Up;
        v.role = RoleKind::Candidate;
        v.votes = Some((2, 3));
        v.config_differs = false;
        assert_eq!(
            aria_label(&v),
            format!("Node {}, candidate, term {}, 2 of 3 votes", v.id, v.term)
        );
        v.status = NodeStatus::Crashed;
        assert_eq!(
            aria_label(&v),
            format!("Node {}, crashed, term {}", v.id, v.term)
        );
    }

    #[test]
    fn the_written_out_places_match_the_layout() {
        assert_eq!(CONFIG_AT, format!("translate(0 {})", Short(CONFIG_LABEL_Y)));
        assert_eq!(CATCH_UP_AT, format!("translate(0 {})", Short(CATCH_UP_Y)));
        assert_eq!((UNDER_HALF_H, CATCH_UP_W), (6.5, 96.0));
    }
}
