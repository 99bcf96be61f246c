//! The space-time diagram panel (see [`crate::spacetime`]): lanes per node, messages as arrows
//! across lanes, leader and crashed stretches, elections and commits marked. Collapsible; the
//! diagram is only built while it is open.
//!
//! Everything in the window is drawn in run coordinates inside one group that slides left as
//! time passes, clipped to the window (see the model's module comment). Arrows and marks are
//! drawn in chunks (components keyed by message id or position), so a frame re-renders only
//! the chunks with something new: the newest, and the oldest as it leaves the window.
//!
//! Each keyed list sits in its own fragment (`<>{ for … }</>`): `html!` splices a bare
//! `{ for … }` into its parent's children, and a list mixed with unkeyed siblings is diffed by
//! position, so one arrow leaving the window re-created every element after it.

use super::chunk::{Chunk, ChunkItems, chunks};
use crate::spacetime::{LANE_H, LEFT, SpaceTime, SpanKind, VIEW_W};
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`SpaceTimePanel`].
#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    /// The diagram (`None` while the panel is closed).
    pub diagram: Option<Rc<SpaceTime>>,
    /// Open or close the panel.
    pub ontoggle: Callback<()>,
}

/// Messages per chunk of arrows (by id).
const ARROW_CHUNK: u64 = 64;
/// Width of a chunk of marks, in run coordinates (about 4 s of virtual time).
const MARK_CHUNK: i64 = 128;

fn diagram(d: &SpaceTime) -> Html {
    let right = VIEW_W - crate::spacetime::RIGHT;
    let bottom = d.height - 4;
    let now_x = d.now_x();
    let slide = format!("translate({} 0)", d.shift);
    let lane_y = Rc::new(d.lanes.iter().map(|l| l.y).collect::<Vec<_>>());
    html! {
        <svg class="spacetime" viewBox={format!("0 0 {VIEW_W} {}", d.height)} role="img"
             aria-label={format!("Space-time diagram of the last {} seconds: one lane per node, messages as arrows", crate::spacetime::WINDOW_MS / 1000)}>
            <defs>
                <marker id="st-head" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="5"
                        markerHeight="5" orient="auto-start-reverse">
                    <path d="M0,0 L6,3 L0,6 z" class="st-head" />
                </marker>
                // The window: from its left edge to the present moment.
                <clipPath id="st-window">
                    <rect x={LEFT.to_string()} y="0" width={(now_x - LEFT).max(0).to_string()}
                          height={d.height.to_string()} />
                </clipPath>
            </defs>
            { for d.lanes.iter().map(|l| html! {
                <g class="st-lane" data-lane-node={l.node.to_string()}>
                    <line x1={LEFT.to_string()} x2={right.to_string()}
                          y1={l.y.to_string()} y2={l.y.to_string()} />
                    <text x="4" y={(l.y + 4).to_string()}>{ format!("N{}", l.node) }</text>
                </g>
            }) }
            <g clip-path="url(#st-window)">
                <g class="st-slide" transform={slide}>
                    <>{ for d.ticks.iter().map(|(t, x, label)| html! {
                        <g class="st-tick" key={*t}>
                            <line x1={x.to_string()} x2={x.to_string()} y1="12" y2={bottom.to_string()} />
                            <text x={x.to_string()} y="9">{ label.clone() }</text>
                        </g>
                    }) }</>
                    <>{ for d.spans.iter().map(|s| {
                        let y = lane_y.get(s.lane).copied().unwrap_or_default();
                        let class = match s.kind {
                            SpanKind::Leader => "st-span st-span-leader",
                            SpanKind::Crashed => "st-span st-span-crashed",
                        };
                        html! {
                            <rect {class} x={s.x1.to_string()} y={(y - LANE_H / 2 + 3).to_string()}
                                  width={(s.x2 - s.x1).to_string()} height={(LANE_H - 6).to_string()}
                                  data-span={if s.kind == SpanKind::Leader { "leader" } else { "crashed" }}>
                                <title>{ s.title.clone() }</title>
                            </rect>
                        }
                    }) }</>
                    <>{ for chunks(&d.arrows, |a| a.id / ARROW_CHUNK).into_iter().map(|(k, arrows)| html! {
                        <Chunk key={k} items={ChunkItems::Arrows(arrows)} />
                    }) }</>
                    <>{ for chunks(&d.marks, |m| m.x.div_euclid(MARK_CHUNK)).into_iter().map(|(k, marks)| html! {
                        <Chunk key={k} items={ChunkItems::Marks(marks, lane_y.clone())} />
                    }) }</>
                </g>
            </g>
            <line class="st-now" x1={now_x.to_string()} x2={now_x.to_string()}
                  y1="12" y2={bottom.to_string()} />
        </svg>
    }
}

/// The collapsible panel.
#[function_component(SpaceTimePanel)]
pub fn space_time_panel(props: &SpaceTimeProps) -> Html {
    let ontoggle = {
        let cb = props.ontoggle.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let open = props.diagram.is_some();
    html! {
        <section class="panel spacetime-panel" aria-label="Space-time diagram" data-testid="spacetime">
            <div class="panel-head">
                <h2>{ "Space-time diagram" }</h2>
                <button type="button" class="link-button" onclick={ontoggle}
                        aria-expanded={open.to_string()}>
                    { if open { "Hide" } else { "Show" } }
                </button>
                if open {
                    <span class="muted st-legend">
                        { "Last 20 s: each node is a lane, time runs right; arrows are messages (colours as in the legend), gold bars a leader's term, grey bars a crash, dots elections (orange), wins (gold) and commits (green)." }
                    </span>
                }
            </div>
            if let Some(d) = &props.diagram {
                { diagram(d) }
            }
        </section>
    }
}
