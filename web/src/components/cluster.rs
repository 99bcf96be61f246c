//! The cluster drawing: one SVG with fixed layers, bottom to top: links, the tracks of client
//! messages in flight, the client box (at the centre of the ring), messages in flight, nodes.
//! Messages travel from node edge to node edge, and nodes are on top, so a click on a node
//! always reaches it.

use super::message::Message;
use super::node::Node;
use crate::geometry::Point;
use crate::layout::{self, CLIENT_H, CLIENT_W};
use crate::num::{Fixed, Short};
use crate::views::{MessageView, NodeView};
use raft_core::NodeId;
use yew::prelude::*;

/// Properties of [`Cluster`].
#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    /// Nodes, in id order.
    pub nodes: Vec<NodeView>,
    /// Messages in flight.
    pub messages: Vec<MessageView>,
    /// A node was clicked.
    pub onselect: Callback<NodeId>,
}

/// Properties of [`Links`].
#[derive(Properties, PartialEq)]
struct LinksProps {
    count: usize,
}

/// Faint lines between every pair of nodes: the paths messages take. Re-rendered only when the
/// cluster size changes.
#[function_component(Links)]
fn links(props: &LinksProps) -> Html {
    let n = props.count;
    let lines = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .map(|(i, j)| {
            let a = layout::ring_position(i, n);
            let b = layout::ring_position(j, n);
            html! {
                <line class="link" x1={Fixed(a.x, 1).to_string()} y1={Fixed(a.y, 1).to_string()}
                      x2={Fixed(b.x, 1).to_string()} y2={Fixed(b.y, 1).to_string()} />
            }
        });
    html! { <g class="links">{ for lines }</g> }
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
    html! {
        <svg class="cluster" viewBox={view.attr()}
             role="img" aria-label="The cluster: servers on a ring, the client in the middle, and the messages between them">
            <defs>
                <marker id="client-arrow" viewBox="0 0 10 10" refX="9" refY="5"
                        markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 1 L 9 5 L 0 9 z" />
                </marker>
            </defs>
            <Links count={props.nodes.len()} />
            <g class="client-tracks">
                { for props.messages.iter().filter_map(|m| m.track.map(|t| track(m.id, t))) }
            </g>
            <ClientBox />
            <g class="messages">
                { for props.messages.iter().map(|m| html! { <Message key={m.id} view={m.clone()} /> }) }
            </g>
            <g class="nodes">
                { for props.nodes.iter().map(|n| html! {
                    <Node key={n.id} view={n.clone()} onselect={props.onselect.clone()} />
                }) }
            </g>
        </svg>
    }
}
