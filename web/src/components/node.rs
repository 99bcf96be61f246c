//! One server on the ring. Its role shows three ways at once: colour, outline (plain,
//! dashed, thick gold, grey with a cross) and a text label, plus a crown on the leader.
//! Everything is drawn within [`HIT_RADIUS`] of the centre, so the group's box is stable.

use crate::geometry::{ARC_RADIUS, HIT_RADIUS, NODE_RADIUS, Point, arc_path};
use crate::num::{Fixed, Short};
use crate::views::NodeView;
use raft_core::sim::NodeStatus;
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
    if v.status == NodeStatus::Crashed {
        return "CRASHED";
    }
    match v.role {
        RoleKind::Leader if v.stale => "OLD LEADER",
        RoleKind::Leader => "LEADER",
        RoleKind::PreCandidate => "PRE-VOTE",
        RoleKind::Candidate => "CANDIDATE",
        RoleKind::Follower => "FOLLOWER",
    }
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
    // Keyboard users reach nodes with Tab and open the menu with Enter or Space.
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

    html! {
        <g class={classes!("node", role_class, v.selected.then_some("selected"), paused.then_some("paused"), v.stale.then_some("stale"))}
           data-node-id={v.id.to_string()}
           data-role={v.role.as_str()}
           data-status={v.status.as_str()}
           data-term={v.term.to_string()}
           transform={format!("translate({} {})", Fixed(v.center.x, 1), Fixed(v.center.y, 1))}
           tabindex="0" role="button"
           aria-label={format!("Node {}, {}, term {}: open actions", v.id, role_label(v).to_ascii_lowercase(), v.term)}
           {onclick} {onkeydown}>
            <title>{ v.title.clone() }</title>
            // Invisible, and larger than anything else drawn for the node: it takes clicks
            // near the node and keeps the group's bounding box the same on every frame.
            <circle class="hit" r={Short(HIT_RADIUS).to_string()} />
            { pulse }
            { selected }
            { grouped }
            { arc }
            <circle class="body" r={Short(NODE_RADIUS).to_string()} />
            { cross }
            { crown }
            <text class="name" y="-9">{ format!("Node {}", v.id) }</text>
            <text class="role-label" y="5">{ role_label(v) }</text>
            <text class="term" y="18">{ format!("term {}", v.term) }</text>
            { pips }
            { pause_badge }
        </g>
    }
}
