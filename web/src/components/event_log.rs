//! The event log: the simulation's trace in the seed's log format, newest at the bottom.

use crate::trace_cache::LogLine;
use std::collections::VecDeque;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`EventLog`].
#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// The lines to show (already capped; compared by pointer first, so cheap when unchanged).
    pub lines: Rc<VecDeque<LogLine>>,
    /// Whether DEBUG lines are included.
    pub show_debug: bool,
    /// The DEBUG checkbox changed.
    pub ontoggledebug: Callback<bool>,
}

/// Distance from the bottom (px) within which the log counts as "scrolled to the end".
const STICK_PX: i32 = 40;

/// The event log panel. It follows new lines while scrolled to the end, and stays put while
/// the user reads older ones.
#[function_component(EventLog)]
pub fn event_log(props: &EventLogProps) -> Html {
    let scroller = use_node_ref();
    let stick = use_mut_ref(|| true);
    let newest = props.lines.back().map(|l| l.seq);
    {
        let (scroller, stick) = (scroller.clone(), stick.clone());
        use_effect_with((newest, props.show_debug), move |_| {
            if *stick.borrow()
                && let Some(el) = scroller.cast::<web_sys::Element>()
            {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let onscroll = {
        let (scroller, stick) = (scroller.clone(), stick.clone());
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                let at_end = el.scroll_top() + el.client_height() >= el.scroll_height() - STICK_PX;
                *stick.borrow_mut() = at_end;
            }
        })
    };
    let ontoggle = {
        let cb = props.ontoggledebug.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                cb.emit(input.checked());
            }
        })
    };
    html! {
        <section class="panel event-log" aria-label="Event log">
            <div class="panel-head">
                <h2>{ "Event log" }</h2>
                <label class="muted debug-toggle"
                       title="Also show every message sent, received or lost (DEBUG lines)">
                    <input type="checkbox" checked={props.show_debug} onchange={ontoggle} />
                    { " include messages (DEBUG)" }
                </label>
            </div>
            <div class="log-lines" data-testid="event-log" ref={scroller} {onscroll}
                 role="log" aria-live="off">
                if props.lines.is_empty() {
                    <div class="line muted">{ "Nothing has happened yet: every node waits for its election timeout." }</div>
                }
                { for props.lines.iter().map(|l| html! {
                    <div class={l.tone.class()} key={l.seq}>{ l.text.clone() }</div>
                }) }
            </div>
        </section>
    }
}
