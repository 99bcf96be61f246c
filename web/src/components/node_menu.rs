//! The small menu that opens next to a clicked node. Its buttons come from the actions table
//! ([`crate::actions::NODE_ACTIONS`]), which also drives the keyboard shortcuts.

use crate::actions::{NODE_ACTIONS, NodeActionKind};
use crate::geometry::{ARC_RADIUS, HIT_RADIUS, Point};
use crate::layout::ViewBox;
use crate::num::{Fixed, clamp};
use crate::views::NodeView;
use raft_core::sim::NodeStatus;
use yew::prelude::*;

/// Properties of [`NodeMenu`].
#[derive(Properties, PartialEq)]
pub struct NodeMenuProps {
    /// The node the menu is for (its buttons follow its state live).
    pub node: NodeView,
    /// The drawing's `viewBox`, to place the menu next to the node.
    pub view: ViewBox,
    /// Centres of all nodes (the menu keeps clear of them).
    pub centers: Vec<Point>,
    /// An action was chosen.
    pub onaction: Callback<NodeActionKind>,
    /// The close button was pressed.
    pub onclose: Callback<()>,
}

/// The menu's size in drawing units, as assumed for placing it (it is about 200 × 140 CSS
/// pixels, and a drawing unit is 0.85 to 1.6 pixels).
const MENU_UNITS: (f64, f64) = (205.0, 140.0);

/// Distance from `p` to the menu box centred on `c`.
fn distance_to_box(p: Point, c: Point) -> f64 {
    let (w, h) = MENU_UNITS;
    let nearest = Point {
        x: clamp(p.x, c.x - w / 2.0, c.x + w / 2.0),
        y: clamp(p.y, c.y - h / 2.0, c.y + h / 2.0),
    };
    p.distance(nearest)
}

/// Where the menu's centre goes, for the node at `node` among `nodes` in the drawing `view`:
/// out of the node's hit circle (the user wants to see its new state), as clear as possible of
/// the other nodes, and as close as possible to the node. A small search over a grid of
/// candidate positions inside the drawing; only run while a menu is open.
pub fn menu_center(node: Point, nodes: &[Point], view: &ViewBox) -> Point {
    const STEP: f64 = 8.0;
    let (w, h) = MENU_UNITS;
    let mut best = (f64::NEG_INFINITY, node);
    let cols = ((view.w - w) / STEP).max(0.0) as usize;
    let rows = ((view.h - h) / STEP).max(0.0) as usize;
    for row in 0..=rows {
        for col in 0..=cols {
            let c = Point {
                x: view.x + w / 2.0 + col as f64 * STEP,
                y: view.y + h / 2.0 + row as f64 * STEP,
            };
            let own = distance_to_box(node, c);
            if own < HIT_RADIUS {
                continue;
            }
            let others = nodes
                .iter()
                .filter(|&&p| p != node)
                .map(|&p| distance_to_box(p, c) - ARC_RADIUS)
                .fold(f64::INFINITY, f64::min);
            // Clearance from the other nodes matters most (up to 12 units), then closeness.
            let score = others.min(12.0) * 10.0 - own;
            if score > best.0 {
                best = (score, c);
            }
        }
    }
    best.1
}

/// CSS position of the menu (see [`menu_center`]), in percent of the drawing (`view`), so that
/// it follows the SVG's scaling.
fn placement(node: Point, nodes: &[Point], view: &ViewBox) -> String {
    let (left, top) = view.percent(menu_center(node, nodes, view));
    format!(
        "left: {}%; top: {}%; transform: translate(-50%, -50%);",
        Fixed(left, 2),
        Fixed(top, 2)
    )
}

/// The node's action menu.
#[function_component(NodeMenu)]
pub fn node_menu(props: &NodeMenuProps) -> Html {
    let v = &props.node;
    // The node does not move: search for the spot once per node (and cluster size).
    let style = {
        let (center, centers, view) = (v.center, props.centers.clone(), props.view);
        use_memo((v.id, props.centers.len()), move |_| {
            placement(center, &centers, &view)
        })
    };
    let state = if v.status == NodeStatus::Crashed {
        "crashed".to_string()
    } else {
        format!("{}, term {}", v.role, v.term)
    };
    let buttons = NODE_ACTIONS.iter().map(|spec| {
        let enabled = spec.kind.applies_to(v.status, v.role);
        let onclick = {
            let onaction = props.onaction.clone();
            let kind = spec.kind;
            Callback::from(move |_: MouseEvent| onaction.emit(kind))
        };
        html! {
            <button type="button" data-action={spec.data_action} disabled={!enabled}
                    title={spec.kind.title(v.status, v.role)} {onclick}>
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
        <div class="node-menu" role="menu" style={(*style).clone()}
             aria-label={format!("Actions for Node {}", v.id)}>
            <div class="node-menu-head">
                <strong>{ format!("Node {}", v.id) }</strong>
                <span class="muted">{ state }</span>
                <button type="button" class="close" title="Close (Esc)" aria-label="Close"
                        onclick={onclose}>{ "\u{00d7}" }</button>
            </div>
            { for buttons }
            if v.status == NodeStatus::Up {
                <p class="node-menu-stats" title="Elections this node started and heartbeat rounds it sent as leader, since it last (re)started">
                    { format!("elections {} \u{00b7} heartbeat rounds {}", v.counters.0, v.counters.1) }
                </p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{ring_position, view_box};

    /// The assumed menu box never covers the node's hit circle, nor any other node's body (at
    /// six nodes it may graze an arc: the ring has no more room inside).
    #[test]
    fn the_menu_covers_no_node() {
        for n in 3..=9 {
            let centers: Vec<Point> = (0..n).map(|i| ring_position(i, n)).collect();
            let view = view_box(n);
            for (i, &node) in centers.iter().enumerate() {
                let c = menu_center(node, &centers, &view);
                assert!(distance_to_box(node, c) >= HIT_RADIUS, "n={n} i={i}");
                assert!(
                    distance_to_box(node, c) < HIT_RADIUS + 80.0,
                    "n={n} i={i}: too far"
                );
                for (j, &p) in centers.iter().enumerate().filter(|&(j, _)| j != i) {
                    assert!(
                        distance_to_box(p, c) >= ARC_RADIUS - 6.0,
                        "n={n}: the menu of node {i} covers node {j}"
                    );
                }
            }
        }
    }
}
