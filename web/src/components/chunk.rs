//! One component for the parts of the page that change less often than the frames (or than
//! the client form, which re-renders on every Send): the messages in flight and the
//! space-time diagram's arrows and marks, in chunks, the cluster's links, and the client's
//! history chart and request list. A chunk re-renders only when its own items change, so a frame re-renders
//! the few chunks where something was added or removed instead of the whole list (issue 8's
//! frame budget). One component type for all of them (rather than one each) because every
//! Yew component adds its own copy of the component machinery to the download.

use super::message::glyph;
use crate::client_view::RequestView;
use crate::history_view::HistoryChart;
use crate::network_view::LinkView;
use crate::spacetime::{Arrow, Fate, Mark};
use raft_core::{MessageKind, NodeId};
use std::rc::Rc;
use yew::prelude::*;

/// What a message in flight looks like, which does not change while it flies (where it is,
/// which does, is written by the cluster drawing straight to its group).
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

/// The items of a chunk, all of one kind.
#[derive(Clone, Debug)]
pub enum ChunkItems {
    /// Messages in flight, in id order.
    Messages(Vec<MessageLook>),
    /// Space-time arrows, in id order.
    Arrows(Vec<Arrow>),
    /// Space-time marks, in trace order, with the centre line of each lane.
    Marks(Vec<Mark>, Rc<Vec<i64>>),
    /// The cluster's links, and what a click on one does.
    Links(Vec<LinkView>, Callback<(NodeId, NodeId)>),
    /// The client history chart, whether it is linearizable, and the verdict.
    History(Rc<HistoryChart>, bool, Rc<String>),
    /// The client's recent requests, newest first.
    Requests(Rc<Vec<RequestView>>),
}

impl PartialEq for ChunkItems {
    /// Equal items draw the same. The links' callback is left out: the app makes a new one on
    /// every render, and every one of them does the same (open the inspector on the link), so
    /// comparing it would redraw the links on every frame.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ChunkItems::Messages(a), ChunkItems::Messages(b)) => a == b,
            (ChunkItems::Arrows(a), ChunkItems::Arrows(b)) => a == b,
            (ChunkItems::Marks(a, y), ChunkItems::Marks(b, z)) => a == b && y == z,
            (ChunkItems::Links(a, _), ChunkItems::Links(b, _)) => a == b,
            (ChunkItems::History(a, x, v), ChunkItems::History(b, y, w)) => {
                a == b && x == y && v == w
            }
            (ChunkItems::Requests(a), ChunkItems::Requests(b)) => a == b,
            _ => false,
        }
    }
}

/// Properties of [`Chunk`].
#[derive(Properties, PartialEq)]
pub struct ChunkProps {
    /// What to draw.
    pub items: ChunkItems,
}

fn message(m: &MessageLook) -> Html {
    let kind = m.kind.as_str();
    html! {
        <g key={m.id} class={format!("msg msg-{kind}")}
           data-message-kind={kind} data-message-id={m.id.to_string()}>
            <title>{ m.title.clone() }</title>
            { glyph(m.kind, m.entries) }
        </g>
    }
}

fn arrow(a: &Arrow) -> Html {
    let fate = match a.fate {
        Fate::Delivered => "delivered",
        Fate::Dropped => "dropped",
        Fate::InFlight => "in-flight",
    };
    let kind = a.kind.as_str();
    html! {
        <line key={a.id} class={format!("st-arrow st-{kind} st-{fate}")}
              x1={a.x1.to_string()} y1={a.y1.to_string()}
              x2={a.x2.to_string()} y2={a.y2.to_string()}
              marker-end={(a.fate == Fate::Delivered).then_some("url(#st-head)")}
              data-message-kind={kind} />
    }
}

fn mark(m: &Mark, lane_y: &[i64]) -> Html {
    let y = lane_y.get(m.lane).copied().unwrap_or_default();
    html! {
        <g key={m.seq} class={format!("st-mark st-mark-{}", m.kind.as_str())}
           transform={format!("translate({} {y})", m.x)} data-mark={m.kind.as_str()}>
            <title>{ m.title.clone() }</title>
            <circle r="3.5" />
            if !m.label.is_empty() {
                <text x="4" y="-5">{ m.label.clone() }</text>
            }
        </g>
    }
}

/// A chunk of a long list (see the module comment): a fragment of keyed items.
#[function_component(Chunk)]
pub fn chunk(props: &ChunkProps) -> Html {
    match &props.items {
        ChunkItems::Messages(looks) => html! { <>{ for looks.iter().map(message) }</> },
        ChunkItems::Arrows(arrows) => html! { <>{ for arrows.iter().map(arrow) }</> },
        ChunkItems::Marks(marks, lane_y) => {
            html! { <>{ for marks.iter().map(|m| mark(m, lane_y)) }</> }
        }
        ChunkItems::Links(links, onlink) => html! {
            <g class="links">{ for links.iter().map(|l| super::cluster::link(l, onlink)) }</g>
        },
        ChunkItems::History(chart, ok, verdict) => {
            super::client_panel::history_chart(chart, *ok, verdict)
        }
        ChunkItems::Requests(requests) => html! {
            <ol class="requests">{ for requests.iter().map(super::client_panel::request_item) }</ol>
        },
    }
}

/// Splits `items` (sorted by `key`) into runs of equal keys, each with its key.
pub fn chunks<T: Clone, K: PartialEq>(items: &[T], key: impl Fn(&T) -> K) -> Vec<(K, Vec<T>)> {
    let mut out: Vec<(K, Vec<T>)> = Vec::new();
    for item in items {
        let k = key(item);
        match out.last_mut() {
            Some((last, run)) if *last == k => run.push(item.clone()),
            _ => out.push((k, vec![item.clone()])),
        }
    }
    out
}
