//! The cluster drawing: one SVG with fixed layers, bottom to top: links, the client box,
//! messages in flight, nodes. Messages travel from node edge to node edge, so they never cover
//! a node (a click on a node always reaches it).

use super::message::Message;
use super::node::Node;
use crate::geometry::{self, CLIENT_BOX, VIEW_H, VIEW_W};
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
            let a = geometry::ring_position(i, n);
            let b = geometry::ring_position(j, n);
            html! {
                <line class="link" x1={format!("{:.1}", a.x)} y1={format!("{:.1}", a.y)}
                      x2={format!("{:.1}", b.x)} y2={format!("{:.1}", b.y)} />
            }
        });
    html! { <g class="links">{ for lines }</g> }
}

/// The simulated client, bottom left.
#[function_component(ClientBox)]
fn client_box() -> Html {
    let (corner, w, h) = CLIENT_BOX;
    html! {
        <g class="client-box">
            <title>{ "The client: it sends your requests to a random node, follows redirects to the leader and retries" }</title>
            <rect x={corner.x.to_string()} y={corner.y.to_string()} width={w.to_string()}
                  height={h.to_string()} rx="6" />
            <text x={(corner.x + w / 2.0).to_string()} y={(corner.y + h / 2.0 + 1.0).to_string()}>
                { "Client" }
            </text>
        </g>
    }
}

/// The SVG cluster view.
#[function_component(Cluster)]
pub fn cluster(props: &ClusterProps) -> Html {
    html! {
        <svg class="cluster" viewBox={format!("0 0 {VIEW_W} {VIEW_H}")}
             role="img" aria-label="The cluster: servers on a ring and the messages between them">
            <Links count={props.nodes.len()} />
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
