//! The actions of a clicked node, in the panel beside the drawing (so it never covers the
//! cluster, however many actions there are). Its buttons come from the actions table
//! ([`crate::actions::NODE_ACTIONS`]), which also drives the keyboard shortcuts.

use crate::actions::{NODE_ACTIONS, NOTHING_TO_COMPACT, NodeActionKind};
use crate::components::inspector::fields_table;
use crate::components::node_inspector::node_inspector;
use crate::node_fields::NodeFields;
use crate::views::NodeView;
use raft_core::NodeId;
use raft_core::sim::{MemberKind, NodeStatus};
use yew::prelude::*;

/// Properties of [`NodeMenu`].
#[derive(Properties, PartialEq)]
pub struct NodeMenuProps {
    /// The node the menu is for (its buttons follow its state live).
    pub node: NodeView,
    /// An action was chosen.
    pub onaction: Callback<NodeActionKind>,
    /// The close button was pressed.
    pub onclose: Callback<()>,
    /// The node's state for the inspector under the actions.
    pub fields: Option<NodeFields>,
    /// Whether the inspector shows every field's explanation.
    pub explain: bool,
    /// "Explain fields" was pressed.
    pub onexplain: Callback<()>,
    /// A link button of the inspector was pressed.
    pub onlink: Callback<(NodeId, NodeId)>,
}

/// The node's action menu.
#[function_component(NodeMenu)]
pub fn node_menu(props: &NodeMenuProps) -> Html {
    let v = &props.node;
    let mut state = match v.status {
        NodeStatus::Crashed => "crashed".to_string(),
        NodeStatus::Paused => format!("paused {}, term {}", v.role, v.term),
        NodeStatus::Up => format!("{}, term {}", v.role, v.term),
    };
    if v.member != MemberKind::Voter {
        state.push_str(", ");
        state.push_str(v.member.as_str());
    }
    let buttons = NODE_ACTIONS.iter().map(|spec| {
        let mut why = spec.kind.unavailable_because(v.status, v.role, v.member);
        if spec.kind == NodeActionKind::Snapshot && why.is_none() && !v.can_compact {
            why = Some(NOTHING_TO_COMPACT);
        }
        let enabled = why.is_none();
        let onclick = {
            let onaction = props.onaction.clone();
            let kind = spec.kind;
            Callback::from(move |_: MouseEvent| onaction.emit(kind))
        };
        html! {
            <button type="button" data-action={spec.data_action} disabled={!enabled}
                    title={spec.kind.title_because(why)} {onclick}>
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
        <>
        <section class="node-menu" aria-label={format!("Actions for Node {}", v.id)}>
            <div class="node-menu-head">
                <strong>{ format!("Node {}", v.id) }</strong>
                <span class="muted">{ state }</span>
                <button type="button" class="close" title="Close (Esc)" aria-label="Close"
                        onclick={onclose}>{ "\u{00d7}" }</button>
            </div>
            <div class="node-menu-buttons">{ for buttons }</div>
            if !v.snapshot.is_empty() {
                <div class="snapshot-fields" data-testid="node-snapshot"
                     title="What this node's snapshot holds (\u{a7}7, Figure 13): it stands for the log entries it replaced">
                    <strong>{ "Snapshot" }</strong>
                    { fields_table(&v.snapshot) }
                </div>
            }
        </section>
        if let Some(f) = &props.fields {
            { node_inspector(f, props.explain, &props.onexplain, &props.onlink) }
        }
        </>
    }
}
