//! A message in flight: a small shape whose colour, form and label tell its kind. Requests
//! are rounded boxes, replies circles; labels and sizes come from [`crate::glyph`].

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

/// Properties of [`Message`].
#[derive(Properties, PartialEq)]
pub struct MessageProps {
    /// The message.
    pub view: MessageView,
    /// Clicked (with the message id).
    pub onclick: Callback<u64>,
}

/// One message in flight, placed by interpolation between its send and delivery times.
#[function_component(Message)]
pub fn message(props: &MessageProps) -> Html {
    let v = &props.view;
    let kind = v.kind.as_str();
    let onclick = {
        let cb = props.onclick.clone();
        let id = v.id;
        Callback::from(move |_: MouseEvent| cb.emit(id))
    };
    html! {
        <g class={classes!("msg", format!("msg-{kind}"))}
           data-message-kind={kind} data-message-id={v.id.to_string()} {onclick}
           transform={format!("translate({} {})", Fixed(v.at.x, 1), Fixed(v.at.y, 1))}>
            <title>{ v.title.clone() }</title>
            { glyph(v.kind, v.entries) }
        </g>
    }
}
