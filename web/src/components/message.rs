//! A message in flight: a small shape whose colour, form and label tell its kind. Requests
//! are rounded boxes, replies circles; labels and sizes come from [`crate::glyph`].

use super::chunk::MessageLook;
use crate::geometry::Point;
use crate::glyph::{GLYPH_HEIGHT, box_width, circle_radius, is_reply, label};
use crate::num::{Fixed, Short};
use crate::views::MessageView;
use raft_core::MessageKind;
use yew::prelude::*;

/// The shape and label of a message kind, centred on (0, 0). Used both in flight and in the
/// legend (one copy in the download, not one per caller).
#[inline(never)]
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

/// Messages per chunk of the messages' layer (by id).
pub const CHUNK: u64 = 32;

/// What a message looks like while it flies.
pub fn look(v: &MessageView) -> MessageLook {
    MessageLook {
        id: v.id,
        kind: v.kind,
        entries: v.entries,
        title: v.title.clone(),
    }
}

/// The `transform` that puts a message at `p`.
fn translate(p: Point) -> String {
    format!("translate({} {})", Fixed(p.x, 1), Fixed(p.y, 1))
}

/// Puts each message group of `layer` where `at` says. The layer's children are the keyed
/// groups in the order of `at` (id order), so they are walked in step; should their number
/// ever differ, each message is found by its id instead.
pub fn place(layer: &NodeRef, at: &[(u64, Point)]) {
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

/// The id of the message a click landed on (its `data-message-id`), from the click's target:
/// the messages' layer takes the clicks of every message (one listener instead of one per
/// message, re-attached on every frame).
pub fn message_id_of(e: &MouseEvent) -> Option<u64> {
    let target: web_sys::Element = e.target_dyn_into()?;
    let group = target.closest("[data-message-id]").ok()??;
    group.get_attribute("data-message-id")?.parse().ok()
}
