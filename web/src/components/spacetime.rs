//! The space-time diagram panel (see [`crate::spacetime`]): lanes per node, messages as arrows
//! across lanes, leader and crashed stretches, elections and commits marked. Collapsible; the
//! diagram is only built while it is open.

use crate::spacetime::{Fate, LANE_H, LEFT, SpaceTime, SpanKind, VIEW_W};
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

fn diagram(d: &SpaceTime) -> Html {
    let right = VIEW_W - crate::spacetime::RIGHT;
    let bottom = d.height - 4;
    html! {
        <svg class="spacetime" viewBox={format!("0 0 {VIEW_W} {}", d.height)} role="img"
             aria-label={format!("Space-time diagram of the last {} seconds: one lane per node, messages as arrows", crate::spacetime::WINDOW_MS / 1000)}>
            <defs>
                <marker id="st-head" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="5"
                        markerHeight="5" orient="auto-start-reverse">
                    <path d="M0,0 L6,3 L0,6 z" class="st-head" />
                </marker>
            </defs>
            { for d.ticks.iter().map(|(x, label)| html! {
                <g class="st-tick">
                    <line x1={x.to_string()} x2={x.to_string()} y1="12" y2={bottom.to_string()} />
                    <text x={x.to_string()} y="9">{ label.clone() }</text>
                </g>
            }) }
            { for d.lanes.iter().map(|l| html! {
                <g class="st-lane" data-lane-node={l.node.to_string()}>
                    <line x1={LEFT.to_string()} x2={right.to_string()}
                          y1={l.y.to_string()} y2={l.y.to_string()} />
                    <text x="4" y={(l.y + 4).to_string()}>{ format!("N{}", l.node) }</text>
                </g>
            }) }
            { for d.spans.iter().map(|s| {
                let y = d.lanes[s.lane].y;
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
            }) }
            { for d.arrows.iter().map(|a| {
                let fate = match a.fate {
                    Fate::Delivered => "delivered",
                    Fate::Dropped => "dropped",
                    Fate::InFlight => "in-flight",
                };
                html! {
                    <line key={a.id} class={classes!("st-arrow", format!("st-{}", a.kind.as_str()), format!("st-{fate}"))}
                          x1={a.x1.to_string()} y1={a.y1.to_string()}
                          x2={a.x2.to_string()} y2={a.y2.to_string()}
                          marker-end={(a.fate == Fate::Delivered).then_some("url(#st-head)")}
                          data-message-kind={a.kind.as_str()} />
                }
            }) }
            { for d.marks.iter().map(|m| {
                let y = d.lanes[m.lane].y;
                html! {
                    <g class={format!("st-mark st-mark-{}", m.kind.as_str())}
                       transform={format!("translate({} {y})", m.x)} data-mark={m.kind.as_str()}>
                        <title>{ m.title.clone() }</title>
                        <circle r="3.5" />
                        if !m.label.is_empty() {
                            <text x="4" y="-5">{ m.label.clone() }</text>
                        }
                    </g>
                }
            }) }
            <line class="st-now" x1={crate::spacetime::x_of(d.now_ms, d.start_ms).to_string()}
                  x2={crate::spacetime::x_of(d.now_ms, d.start_ms).to_string()}
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
