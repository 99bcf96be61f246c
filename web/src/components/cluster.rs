//! The cluster drawing: one SVG with fixed layers, bottom to top: links (with their fault
//! state), the tracks of client messages in flight, the client box (at the centre of the
//! ring), dropped messages fading out, messages in flight, nodes. Messages travel from node
//! edge to node edge, and nodes are on top, so a click on a node always reaches it.

use super::chunk::{Chunk, ChunkItems, chunks};
use super::message::{CHUNK, glyph, look, message_id_of, place};
use super::node::Node;
use crate::geometry::Point;
use crate::layout::{self, CLIENT_H, CLIENT_W};
use crate::network_view::{DropView, LinkView};
use crate::num::{Fixed, Short};
use crate::views::{MessageView, NodeView};
use raft_core::NodeId;
use raft_core::sim::LinkState;
use yew::prelude::*;

/// Properties of [`Cluster`].
#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    /// Nodes, in id order.
    pub nodes: Vec<NodeView>,
    /// Messages in flight.
    pub messages: Vec<MessageView>,
    /// The links between nodes.
    pub links: Vec<LinkView>,
    /// Messages recently dropped, fading out.
    pub drops: Vec<DropView>,
    /// A node was clicked; `true` if with Shift (add it to the group instead).
    pub onselect: Callback<(NodeId, bool)>,
    /// A link was clicked.
    pub onlink: Callback<(NodeId, NodeId)>,
    /// A message in flight was clicked.
    pub onmessage: Callback<u64>,
}

/// A line from `a` to `b`, shifted sideways by `offset` (positive: to the left of a → b).
fn line(class: &'static str, a: Point, b: Point, offset: f64, marker: Option<&str>) -> Html {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = crate::math::hypot(dx, dy).max(1.0);
    let (ox, oy) = (-dy / len * offset, dx / len * offset);
    html! {
        <line class={class} marker-end={marker.map(str::to_string)}
              x1={Fixed(a.x + ox, 1).to_string()} y1={Fixed(a.y + oy, 1).to_string()}
              x2={Fixed(b.x + ox, 1).to_string()} y2={Fixed(b.y + oy, 1).to_string()} />
    }
}

/// One link: a faint line when up, dotted amber when lossy, red dashed with a cross when cut
/// both ways, and two arrows side by side when cut one way (the cut direction red and dashed).
/// A wide invisible line takes clicks.
pub fn link(v: &LinkView, onlink: &Callback<(NodeId, NodeId)>) -> Html {
    let (a, b) = (NodeId(v.a), NodeId(v.b));
    let onclick = {
        let onlink = onlink.clone();
        Callback::from(move |_: MouseEvent| onlink.emit((a, b)))
    };
    // Arrows stop short of the nodes so their heads stay visible.
    let inset = |from: Point, to: Point| {
        let d = from.distance(to).max(1.0);
        let k = (crate::geometry::MESSAGE_ANCHOR_RADIUS / d).min(0.45);
        (from.lerp(to, k), to.lerp(from, k))
    };
    let mid = v.pa.lerp(v.pb, 0.5);
    let cross = html! {
        <text class="link-cross" x={Fixed(mid.x, 1).to_string()} y={Fixed(mid.y, 1).to_string()}>{ "\u{2715}" }</text>
    };
    let body = match v.state {
        LinkState::Up => line("link", v.pa, v.pb, 0.0, None),
        LinkState::Lossy => line("link lossy", v.pa, v.pb, 0.0, None),
        LinkState::Cut => html! { <>{ line("link cut", v.pa, v.pb, 0.0, None) }{ cross }</> },
        LinkState::CutAToB | LinkState::CutBToA => {
            let (ab_from, ab_to) = inset(v.pa, v.pb);
            let (ba_from, ba_to) = inset(v.pb, v.pa);
            let ab_cut = v.state == LinkState::CutAToB;
            let (ab_class, ba_class) = if ab_cut {
                ("link cut", "link one-way")
            } else {
                ("link one-way", "link cut")
            };
            let marker = |cut: bool| {
                Some(if cut {
                    "url(#cut-arrow)"
                } else {
                    "url(#link-arrow)"
                })
            };
            html! {
                <>
                    { line(ab_class, ab_from, ab_to, 5.0, marker(ab_cut)) }
                    { line(ba_class, ba_from, ba_to, 5.0, marker(!ab_cut)) }
                </>
            }
        }
    };
    html! {
        <g class={classes!("link-group", v.selected.then_some("selected"))}
           data-link={v.key()} data-link-state={v.state.as_str()} {onclick}>
            <title>{ v.title() }</title>
            { line("link-hit", v.pa, v.pb, 0.0, None) }
            { body }
        </g>
    }
}

/// A dropped message: its glyph, faded, with a red cross over it.
fn dropped(v: &DropView) -> Html {
    html! {
        <g key={v.id} class={classes!("msg", "dropped", format!("msg-{}", v.kind.as_str()))}
           data-message-kind={v.kind.as_str()} data-message-fate="dropped"
           opacity={Fixed(v.opacity, 2).to_string()}
           transform={format!("translate({} {})", Fixed(v.at.x, 1), Fixed(v.at.y, 1))}>
            <title>{ v.title.clone() }</title>
            { glyph(v.kind, v.entries) }
            <path class="drop-cross" d="M -7 -7 L 7 7 M 7 -7 L -7 7" />
        </g>
    }
}

/// The simulated client, in a small box at the centre of the ring: its path to any node is a
/// radius, which passes over no other node.
#[function_component(ClientBox)]
fn client_box() -> Html {
    let c = layout::client_center();
    html! {
        <g class="client-box">
            <title>{ "The client: it sends your requests to a random node, follows redirects to the leader and retries" }</title>
            <rect x={Short(c.x - CLIENT_W / 2.0).to_string()} y={Short(c.y - CLIENT_H / 2.0).to_string()}
                  width={Short(CLIENT_W).to_string()} height={Short(CLIENT_H).to_string()} rx="6" />
            <text x={Short(c.x).to_string()} y={Short(c.y + 1.0).to_string()}>{ "Client" }</text>
        </g>
    }
}

/// The faint dashed track, with an arrowhead, of a client message in flight.
fn track(id: u64, (a, b): (Point, Point)) -> Html {
    html! {
        <line key={id} class="client-track" marker-end="url(#client-arrow)"
              x1={Fixed(a.x, 1).to_string()} y1={Fixed(a.y, 1).to_string()}
              x2={Fixed(b.x, 1).to_string()} y2={Fixed(b.y, 1).to_string()} />
    }
}

/// The SVG cluster view.
#[function_component(Cluster)]
pub fn cluster(props: &ClusterProps) -> Html {
    let view = layout::view_box(props.nodes.len());
    // Messages in id order (the order they were sent), so that the layer's chunks stay put.
    let mut by_id: Vec<&MessageView> = props.messages.iter().collect();
    crate::views::sort_by_id(&mut by_id, |m| m.id);
    // Where they are changes every frame and bypasses the virtual DOM: written to each
    // message's group after the render.
    let layer = use_node_ref();
    {
        let layer = layer.clone();
        let at: Vec<(u64, Point)> = by_id.iter().map(|m| (m.id, m.at)).collect();
        use_effect(move || place(&layer, &at));
    }
    let onmessage = {
        let cb = props.onmessage.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(id) = message_id_of(&e) {
                cb.emit(id);
            }
        })
    };
    html! {
        <svg class="cluster" viewBox={view.attr()}
             role="group" aria-label="The cluster: servers on a ring, the client in the middle, and the messages between them">
            <defs>
                <marker id="client-arrow" viewBox="0 0 10 10" refX="9" refY="5"
                        markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 1 L 9 5 L 0 9 z" />
                </marker>
                <marker id="link-arrow" viewBox="0 0 10 10" refX="9" refY="5"
                        markerWidth="6" markerHeight="6" orient="auto">
                    <path d="M 0 1 L 9 5 L 0 9 z" />
                </marker>
                <marker id="cut-arrow" viewBox="0 0 10 10" refX="9" refY="5"
                        markerWidth="6" markerHeight="6" orient="auto">
                    <path d="M 0 1 L 9 5 L 0 9 z" />
                </marker>
            </defs>
            // A component that skips the frames in which no link changed (nearly all).
            <Chunk items={ChunkItems::Links(props.links.clone(), props.onlink.clone())} />
            <g class="client-tracks">
                { for props.messages.iter().filter_map(|m| m.track.map(|t| track(m.id, t))) }
            </g>
            <ClientBox />
            <g class="drops">
                { for props.drops.iter().map(dropped) }
            </g>
            // The messages in flight: drawn in chunks by id, placed by `place` after each
            // render (see `message.rs`); the layer takes their clicks.
            <g class="messages" ref={layer} onclick={onmessage}>
                { for chunks(&by_id, |m| m.id / CHUNK).into_iter().map(|(k, ms)| html! {
                    <Chunk key={k} items={ChunkItems::Messages(ms.iter().map(|m| look(m)).collect())} />
                }) }
            </g>
            <g class="nodes">
                { for props.nodes.iter().map(|n| html! {
                    <Node key={n.id} view={n.clone()} onselect={props.onselect.clone()} />
                }) }
            </g>
        </svg>
    }
}
