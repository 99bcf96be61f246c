//! The inspector beside the drawing: the settings of a clicked link, or the fields of a
//! clicked message with Drop and Duplicate buttons. It takes the legend's place while open.

use crate::network_view::LinkView;
use raft_core::sim::{Action, LinkSettings, LinkState, MessageId, Ratio};
use raft_core::{MessageKind, NodeId};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// What the inspector shows, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub enum InspectorView {
    /// A link, with each direction's own settings (`None`: the network defaults).
    Link {
        /// The link.
        link: LinkView,
        /// Settings of `a → b`, if overridden.
        ab: Option<LinkSettings>,
        /// Settings of `b → a`, if overridden.
        ba: Option<LinkSettings>,
        /// The network defaults.
        defaults: LinkSettings,
    },
    /// A message in flight (`fields` empty once it has been delivered or dropped).
    Message {
        /// Its id.
        id: u64,
        /// Its kind.
        kind: MessageKind,
        /// `(name, value)` rows.
        fields: Vec<(&'static str, String)>,
        /// Whether it travels between two nodes (only those can be duplicated).
        between_nodes: bool,
        /// Once it is no longer in flight: what became of it.
        gone: String,
    },
}

/// Properties of [`Inspector`].
#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// What to show.
    pub view: InspectorView,
    /// Apply actions; the string completes "Cannot …".
    pub onapply: Callback<(Vec<Action>, String)>,
    /// Close pressed.
    pub onclose: Callback<()>,
}

/// Loss choices for one link: `(select value, ratio)`; "default" means no override.
const LINK_LOSS: [(&str, Option<u32>); 6] = [
    ("default", None),
    ("0", Some(0)),
    ("10", Some(10)),
    ("25", Some(25)),
    ("50", Some(50)),
    ("100", Some(100)),
];

fn button(
    action: &'static str,
    label: String,
    title: &'static str,
    actions: Vec<Action>,
    what: &'static str,
    active: bool,
    onapply: &Callback<(Vec<Action>, String)>,
) -> Html {
    let onapply = onapply.clone();
    let onclick = Callback::from(move |_: MouseEvent| onapply.emit((actions.clone(), what.into())));
    html! {
        <button type="button" data-action={action} class={classes!(active.then_some("active"))}
                aria-pressed={active.to_string()} {title} {onclick}>{ label }</button>
    }
}

fn link_body(
    link: &LinkView,
    ab: Option<LinkSettings>,
    ba: Option<LinkSettings>,
    defaults: LinkSettings,
    onapply: &Callback<(Vec<Action>, String)>,
) -> Html {
    let (a, b) = (NodeId(link.a), NodeId(link.b));
    let cut = |from, to| Action::CutLink { from, to };
    let restore = |from, to| Action::RestoreLink { from, to };
    let s = link.state;
    let state_buttons = [
        button(
            "link-up",
            "Connected".into(),
            "Both directions deliver",
            vec![restore(a, b), restore(b, a)],
            "restore the link",
            matches!(s, LinkState::Up | LinkState::Lossy),
            onapply,
        ),
        button(
            "link-cut",
            "Cut both ways".into(),
            "Nothing gets through in either direction; messages in flight on it are lost",
            vec![cut(a, b), cut(b, a)],
            "cut the link",
            s == LinkState::Cut,
            onapply,
        ),
        button(
            "link-cut-a-b",
            format!("Cut {a}\u{2192}{b} only"),
            "One-way cut: the first node's messages to the second are lost; replies the other way still arrive",
            vec![restore(b, a), cut(a, b)],
            "cut the link one way",
            s == LinkState::CutAToB,
            onapply,
        ),
        button(
            "link-cut-b-a",
            format!("Cut {b}\u{2192}{a} only"),
            "One-way cut in the other direction",
            vec![restore(a, b), cut(b, a)],
            "cut the link one way",
            s == LinkState::CutBToA,
            onapply,
        ),
    ];
    // Both directions share one loss choice here; the current one is a→b's.
    let current = ab.map(|l| (l.loss.per_mille() / 10).to_string());
    let onloss = {
        let onapply = onapply.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let value = sel.value();
            let Some((_, pct)) = LINK_LOSS.iter().find(|(v, _)| *v == value) else {
                return;
            };
            let settings = match pct.map(Ratio::percent) {
                None => None,
                Some(Ok(loss)) => Some(LinkSettings { loss, ..defaults }),
                Some(Err(_)) => return,
            };
            onapply.emit((
                vec![
                    Action::SetLink {
                        from: a,
                        to: b,
                        settings,
                    },
                    Action::SetLink {
                        from: b,
                        to: a,
                        settings,
                    },
                ],
                "change the link's loss".into(),
            ));
        })
    };
    let own = |l: Option<LinkSettings>| {
        l.map_or_else(
            || "network defaults".to_string(),
            |l| {
                format!(
                    "loss {}, {}\u{2013}{} ms",
                    l.loss, l.latency_ms_min, l.latency_ms_max
                )
            },
        )
    };
    html! {
        <>
            <p class="muted inspector-sub">{ link.title().trim_end_matches(" Click to change it.").to_string() }</p>
            <div class="link-buttons">{ for state_buttons }</div>
            <label class="link-loss">
                { "loss on this link " }
                <select data-testid="link-loss" onchange={onloss}>
                    { for LINK_LOSS.iter().map(|(v, pct)| {
                        let label = pct.map_or("network default".to_string(), |p| format!("{p}%"));
                        let selected = current.as_deref() == Some(*v) || (current.is_none() && pct.is_none());
                        html! { <option value={*v} {selected}>{ label }</option> }
                    }) }
                </select>
            </label>
            <p class="muted inspector-sub">
                { format!("{a}\u{2192}{b}: {} \u{00b7} {b}\u{2192}{a}: {}", own(ab), own(ba)) }
            </p>
        </>
    }
}

/// `(name, value)` rows as a two-column table (a message's fields, a node's snapshot).
pub fn fields_table(fields: &[(&'static str, String)]) -> Html {
    html! {
        <table class="fields">
            { for fields.iter().map(|(name, value)| html! {
                <tr><th>{ *name }</th><td>{ value.clone() }</td></tr>
            }) }
        </table>
    }
}

fn message_body(
    id: u64,
    fields: &[(&'static str, String)],
    between_nodes: bool,
    gone: &str,
    onapply: &Callback<(Vec<Action>, String)>,
) -> Html {
    if fields.is_empty() {
        return html! {
            <p class="muted">{ format!("This message is no longer in flight: {gone}.") }</p>
        };
    }
    let mid = MessageId(id);
    html! {
        <>
            { fields_table(fields) }
            <div class="link-buttons">
                { button("drop-message", "Drop".into(),
                         "Lose this message now, as a faulty network would; Raft must cope (senders retry)",
                         vec![Action::DropMessage(mid)], "drop the message", false, onapply) }
                if between_nodes {
                    { button("duplicate-message", "Duplicate".into(),
                             "Send a second copy now, as a faulty network might; Raft must ignore or survive the copy",
                             vec![Action::DuplicateMessage(mid)], "duplicate the message", false, onapply) }
                }
            </div>
        </>
    }
}

/// The inspector panel.
#[function_component(Inspector)]
pub fn inspector(props: &InspectorProps) -> Html {
    let onclose = {
        let cb = props.onclose.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let (title, body, testid) = match &props.view {
        InspectorView::Link {
            link,
            ab,
            ba,
            defaults,
        } => (
            format!("Link Node {} \u{2194} Node {}", link.a, link.b),
            link_body(link, *ab, *ba, *defaults, &props.onapply),
            "link-inspector",
        ),
        InspectorView::Message {
            id,
            kind,
            fields,
            between_nodes,
            gone,
        } => (
            format!("{} (message {id})", kind.label()),
            message_body(*id, fields, *between_nodes, gone, &props.onapply),
            "message-inspector",
        ),
    };
    html! {
        <div class="inspector" data-testid={testid}>
            <div class="inspector-head">
                <strong>{ title }</strong>
                <button type="button" class="close" title="Close (Esc)" aria-label="Close"
                        onclick={onclose}>{ "\u{00d7}" }</button>
            </div>
            { body }
        </div>
    }
}
