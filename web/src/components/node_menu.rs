//! The small menu that opens next to a clicked node. Its buttons come from the actions table
//! ([`crate::actions::NODE_ACTIONS`]), which also drives the keyboard shortcuts.

use crate::actions::{NODE_ACTIONS, NodeActionKind};
use crate::geometry::{ARC_RADIUS, RING_CENTER, VIEW_H, VIEW_W};
use crate::views::NodeView;
use raft_core::sim::NodeStatus;
use yew::prelude::*;

/// Properties of [`NodeMenu`].
#[derive(Properties, PartialEq)]
pub struct NodeMenuProps {
    /// The node the menu is for.
    pub node: NodeView,
    /// An action was chosen.
    pub onaction: Callback<NodeActionKind>,
    /// The close button was pressed.
    pub onclose: Callback<()>,
}

/// CSS position of the menu: next to the node on the side facing the middle of the ring
/// (beside it for nodes on the left and right, below or above it for nodes at the top and
/// bottom), so it stays inside the drawing and never covers the node. In percent of the
/// drawing, so that it follows the SVG's scaling.
fn placement(node: &NodeView) -> String {
    let gap = ARC_RADIUS + 10.0;
    let (x, y) = (node.center.x, node.center.y);
    let (dx, dy) = (RING_CENTER.x - x, RING_CENTER.y - y);
    let horizontal = dx.abs() >= 0.5 * dx.hypot(dy);
    let pct_x = |v: f64| v / VIEW_W * 100.0;
    let pct_y = |v: f64| v / VIEW_H * 100.0;
    if horizontal {
        // Vertically near the node, kept inside the drawing (the menu is ~150 units tall).
        let top = pct_y((y - 48.0).clamp(4.0, VIEW_H - 150.0));
        if dx > 0.0 {
            format!("left: {:.2}%; top: {top:.2}%;", pct_x(x + gap))
        } else {
            format!("right: {:.2}%; top: {top:.2}%;", pct_x(VIEW_W - (x - gap)))
        }
    } else {
        let left = pct_x(x);
        if dy > 0.0 {
            format!(
                "left: {left:.2}%; top: {:.2}%; transform: translateX(-50%);",
                pct_y(y + gap)
            )
        } else {
            format!(
                "left: {left:.2}%; bottom: {:.2}%; transform: translateX(-50%);",
                pct_y(VIEW_H - (y - gap))
            )
        }
    }
}

/// The node's action menu.
#[function_component(NodeMenu)]
pub fn node_menu(props: &NodeMenuProps) -> Html {
    let v = &props.node;
    let state = if v.status == NodeStatus::Crashed {
        "crashed".to_string()
    } else {
        format!("{}, term {}", v.role, v.term)
    };
    let buttons = NODE_ACTIONS.iter().map(|spec| {
        let enabled = spec.kind.applies_to(v.status);
        let onclick = {
            let onaction = props.onaction.clone();
            let kind = spec.kind;
            Callback::from(move |_: MouseEvent| onaction.emit(kind))
        };
        html! {
            <button type="button" data-action={spec.data_action} disabled={!enabled}
                    title={spec.help} {onclick}>
                <span>{ spec.label }</span>
                <kbd>{ spec.key.to_string() }</kbd>
            </button>
        }
    });
    let onclose = {
        let onclose = props.onclose.clone();
        Callback::from(move |_: MouseEvent| onclose.emit(()))
    };
    html! {
        <div class="node-menu" role="menu" style={placement(v)}
             aria-label={format!("Actions for Node {}", v.id)}>
            <div class="node-menu-head">
                <strong>{ format!("Node {}", v.id) }</strong>
                <span class="muted">{ state }</span>
                <button type="button" class="close" title="Close (Esc)" aria-label="Close"
                        onclick={onclose}>{ "\u{00d7}" }</button>
            </div>
            { for buttons }
        </div>
    }
}
