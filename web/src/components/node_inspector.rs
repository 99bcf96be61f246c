//! The node inspector, under the selected node's actions: its persistent and volatile state
//! with Figure 2's names, the leader's next_index and match_index per follower, the seed's
//! counters, and buttons to the node's links. Every field has a one-line explanation: in its
//! tooltip, and on the page for everyone (keyboard and touch included) after "Explain fields".
//! A plain function rendered inside [`super::node_menu::NodeMenu`] (a component of its own
//! would cost the download more, and the menu re-renders with the node anyway).

use crate::node_fields::{FieldRow, MATCH_INDEX_HELP, NEXT_INDEX_HELP, NodeFields, ProgressRow};
use raft_core::NodeId;
use yew::prelude::*;

fn rows(rows: &[FieldRow], explain: bool) -> Html {
    html! {
        <dl class="state-fields">
            { for rows.iter().map(|r| html! {
                <div class="field" data-field={r.key} data-value={r.value.clone()} title={r.help}>
                    <dt>{ r.key }</dt>
                    <dd>{ r.shown.clone() }</dd>
                    if explain {
                        <dd class="field-help">{ r.help }</dd>
                    }
                </div>
            }) }
        </dl>
    }
}

fn progress(rows: &[ProgressRow], explain: bool) -> Html {
    html! {
        <>
            <table class="progress" data-field="progress">
                <thead>
                    <tr>
                        <th scope="col">{ "follower" }</th>
                        <th scope="col" title={NEXT_INDEX_HELP}>{ "next_index" }</th>
                        <th scope="col" title={MATCH_INDEX_HELP}>{ "match_index" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for rows.iter().map(|p| html! {
                        <tr data-peer={p.peer.to_string()} data-next-index={p.next_index.to_string()}
                            data-match-index={p.match_index.to_string()}>
                            <th scope="row">
                                { format!("Node {}", p.peer) }
                                if p.learner {
                                    <span class="muted">{ " (learner)" }</span>
                                }
                            </th>
                            <td>{ p.next_index }</td>
                            <td>{ p.match_index }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if explain {
                <p class="field-help">{ NEXT_INDEX_HELP }</p>
                <p class="field-help">{ MATCH_INDEX_HELP }</p>
            }
        </>
    }
}

/// The selected node's state; `explain` shows every field's explanation, `ontoggle` is the
/// "Explain fields" button, `onlink` opens the inspector of a link (smaller id first).
pub fn node_inspector(
    f: &NodeFields,
    explain: bool,
    ontoggle: &Callback<()>,
    onlink: &Callback<(NodeId, NodeId)>,
) -> Html {
    let ontoggle = {
        let cb = ontoggle.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let id = NodeId(f.id);
    let links = f.peers.iter().map(|&p| {
        let onclick = {
            let onlink = onlink.clone();
            let key = if p < id.0 {
                (NodeId(p), id)
            } else {
                (id, NodeId(p))
            };
            Callback::from(move |_: MouseEvent| onlink.emit(key))
        };
        html! {
            <button type="button" class="link-button" data-link-to={p.to_string()} {onclick}
                    aria-label={format!("Link between Node {} and Node {p}: cut or restore it", f.id)}>
                { format!("\u{2194} {p}") }
            </button>
        }
    });
    html! {
        <section class="node-inspector" data-testid="node-inspector"
                 data-inspected-node={f.id.to_string()}
                 aria-label={format!("State of Node {}", f.id)}>
            <div class="inspector-top">
                <strong>{ format!("Node {} state", f.id) }</strong>
                <button type="button" class="explain-toggle" data-testid="explain-fields"
                        aria-pressed={explain.to_string()} onclick={ontoggle}>
                    { "Explain fields" }
                </button>
            </div>
            <h3>{ "Persistent" }<span class="muted">{ " \u{b7} kept on disk (Figure 2)" }</span></h3>
            { rows(&f.persistent, explain) }
            <h3>
                { "Volatile" }
                <span class="muted">{ if f.crashed { " \u{b7} lost: the node is crashed" } else { " \u{b7} lost in a crash" } }</span>
            </h3>
            { rows(&f.volatile, explain) }
            if let Some(p) = &f.progress {
                <h3>{ "Leader" }<span class="muted">{ " \u{b7} per follower, reset each term" }</span></h3>
                { progress(p, explain) }
            }
            if !f.counters.is_empty() {
                <h3>{ "Counters" }<span class="muted">{ " \u{b7} since it last started" }</span></h3>
                { rows(&f.counters, explain) }
            }
            if !f.peers.is_empty() {
                <div class="link-buttons">
                    <span class="muted">{ "Links:" }</span>
                    { for links }
                </div>
            }
        </section>
    }
}
