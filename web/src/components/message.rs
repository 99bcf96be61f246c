//! A message in flight: a small shape whose colour, form and label tell its kind. Requests
//! are rounded boxes, replies circles; labels and sizes come from [`crate::glyph`].

use crate::geometry::Point;
use crate::glyph::{GLYPH_HEIGHT, box_width, circle_radius, is_reply, label};
use crate::num::{Fixed, Short};
use crate::views::MessageView;
use raft_core::MessageKind;
use yew::prelude::*;

/// The shape and label of a message kind, centred on (0, 0). Used both in flight and in the
/// legend.
pub fn glyph(kind: MessageKind, entries: usize) -> Html {
    let text = label(kind, entries);
    let chars = text.chars().count();
    let shape = if is_reply(kind) {
        let r = circle_radius(chars);
        html! { <circle class="msg-shape" r={Fixed(r, 1).to_string()} /> }
    } else {
        let w = box_width(chars);
        html! {
            <rect class="msg-shape" x={Fixed(-w / 2.0, 1).to_string()}
                  y={Fixed(-GLYPH_HEIGHT / 2.0, 1).to_string()}
                  width={Fixed(w, 1).to_string()} height={Short(GLYPH_HEIGHT).to_string()} rx="4" />
        }
    };
    html! {
        <>
            { shape }
            <text class="msg-label" y="0.5">{ text }</text>
        </>
    }
}

/// What a message in flight looks like, which does not change while it flies.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageLook {
    /// Message id (`data-message-id`, the key).
    pub id: u64,
    /// Its kind.
    pub kind: MessageKind,
    /// Log entries it carries (AppendEntries).
    pub entries: usize,
    /// Hover text.
    pub title: AttrValue,
}

impl MessageLook {
    /// The look of a message view.
    pub fn of(v: &MessageView) -> MessageLook {
        MessageLook {
            id: v.id,
            kind: v.kind,
            entries: v.entries,
            title: v.title.clone(),
        }
    }
}

/// Messages per chunk of the messages' layer (by id).
const CHUNK: u64 = 32;

/// Properties of [`MessageChunk`].
#[derive(Properties, PartialEq)]
struct MessageChunkProps {
    /// Messages of consecutive ids, in id order.
    looks: Vec<MessageLook>,
}

/// A chunk of messages in flight (their groups, hover texts, shapes and labels), re-rendered
/// only when a message of the chunk is sent or delivered. Where they are is not part of it:
/// see [`MessageLayer`].
#[function_component(MessageChunk)]
fn message_chunk(props: &MessageChunkProps) -> Html {
    html! {
        <>{ for props.looks.iter().map(|m| {
            let kind = m.kind.as_str();
            html! {
                <g key={m.id} class={format!("msg msg-{kind}")}
                   data-message-kind={kind} data-message-id={m.id.to_string()}>
                    <title>{ m.title.clone() }</title>
                    { glyph(m.kind, m.entries) }
                </g>
            }
        }) }</>
    }
}

/// Properties of [`MessageLayer`].
#[derive(Properties, PartialEq)]
pub struct MessageLayerProps {
    /// Messages in flight, in id order.
    pub messages: Vec<MessageView>,
    /// A message was clicked (with its id).
    pub onclick: Callback<u64>,
}

/// The `transform` that puts a message at `p`.
fn translate(p: Point) -> String {
    format!("translate({} {})", Fixed(p.x, 1), Fixed(p.y, 1))
}

/// Puts each message group of `layer` where `at` says. The layer's children are the keyed
/// groups in the order of `at` (id order), so they are walked in step; should their number
/// ever differ, each message is found by its id instead.
fn place(layer: &NodeRef, at: &[(u64, Point)]) {
    let Some(g) = layer.cast::<web_sys::Element>() else {
        return;
    };
    if g.child_element_count() as usize == at.len() {
        let mut child = g.first_element_child();
        for (_, p) in at {
            let Some(el) = child else {
                return;
            };
            let _ = el.set_attribute("transform", &translate(*p));
            child = el.next_element_sibling();
        }
    } else {
        for (id, p) in at {
            if let Ok(Some(el)) = g.query_selector(&format!("[data-message-id=\"{id}\"]")) {
                let _ = el.set_attribute("transform", &translate(*p));
            }
        }
    }
}

/// The messages in flight. Frame after frame only their positions change: the groups are
/// rendered in chunks by id ([`MessageChunk`]), so a frame re-renders only the chunks in which
/// a message was sent or delivered, and the positions are written straight to each group's
/// `transform` after every render, with no virtual DOM built or compared for them (issue 8's
/// frame budget: a component per message re-rendered every frame cost more than the rest of
/// the drawing). Clicks are taken by the layer ([`message_id_of`]), not by each message.
#[function_component(MessageLayer)]
pub fn message_layer(props: &MessageLayerProps) -> Html {
    let layer = use_node_ref();
    {
        let layer = layer.clone();
        let at: Vec<(u64, Point)> = props.messages.iter().map(|m| (m.id, m.at)).collect();
        use_effect(move || place(&layer, &at));
    }
    let onclick = {
        let cb = props.onclick.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(id) = message_id_of(&e) {
                cb.emit(id);
            }
        })
    };
    let mut chunks: Vec<(u64, Vec<MessageLook>)> = Vec::new();
    for m in &props.messages {
        let key = m.id / CHUNK;
        match chunks.last_mut() {
            Some((k, looks)) if *k == key => looks.push(MessageLook::of(m)),
            _ => chunks.push((key, vec![MessageLook::of(m)])),
        }
    }
    html! {
        <g class="messages" ref={layer} {onclick}>
            { for chunks.into_iter().map(|(k, looks)| html! { <MessageChunk key={k} {looks} /> }) }
        </g>
    }
}

/// The id of the message a click landed on (its `data-message-id`), from the click's target:
/// the messages' layer takes the clicks of every message (one listener instead of one per
/// message, re-attached on every frame).
pub fn message_id_of(e: &MouseEvent) -> Option<u64> {
    let target: web_sys::Element = e.target_dyn_into()?;
    let group = target.closest("[data-message-id]").ok()??;
    group.get_attribute("data-message-id")?.parse().ok()
}
