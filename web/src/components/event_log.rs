//! The event log: the simulation's trace in the seed's log format, newest at the bottom.
//!
//! It sticks to the bottom: while the user is at the end it follows new lines. Once they
//! scroll up to read, it shows a frozen copy of the lines (so nothing moves under them, not
//! even when old lines are dropped from the top) and a "jump to latest" button.

use crate::trace_cache::{LOG_LINES, LogLine};
use std::collections::VecDeque;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`EventLog`].
#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// The lines to show (already capped; compared by pointer first, so cheap when unchanged).
    pub lines: Rc<VecDeque<LogLine>>,
    /// How many lines of this kind the run has produced (more than `lines` once old ones were
    /// dropped).
    pub total: usize,
    /// Whether DEBUG lines are included.
    pub show_debug: bool,
    /// The DEBUG checkbox changed.
    pub ontoggledebug: Callback<bool>,
}

/// Distance from the bottom (px) within which the log counts as "scrolled to the end".
const STICK_PX: i32 = 24;

/// How many lines of `live` are newer than the newest line of `frozen`.
fn newer_than(live: &VecDeque<LogLine>, frozen: &VecDeque<LogLine>) -> usize {
    let Some(last) = frozen.back().map(|l| l.seq) else {
        return live.len();
    };
    live.iter().rev().take_while(|l| l.seq > last).count()
}

/// The label of the "jump to latest" button, with the number of lines that arrived since
/// the log was frozen (all the kept lines may be new: then there may be more).
fn jump_label(unseen: usize) -> String {
    match unseen {
        0 => "\u{2193} jump to latest".to_string(),
        n if n >= LOG_LINES => format!("\u{2193} jump to latest ({LOG_LINES}+ new)"),
        n => format!("\u{2193} jump to latest ({n} new)"),
    }
}

/// The event log panel.
#[function_component(EventLog)]
pub fn event_log(props: &EventLogProps) -> Html {
    let scroller = use_node_ref();
    // The lines shown while the user reads older ones; `None` while following the end.
    let frozen = use_state(|| None::<Rc<VecDeque<LogLine>>>);
    // A new list (DEBUG on or off) starts at the end again.
    {
        let frozen = frozen.clone();
        use_effect_with(props.show_debug, move |_| {
            if frozen.is_some() {
                frozen.set(None);
            }
        });
    }
    // Following the end: scroll down whenever a line arrives.
    let newest = props.lines.back().map(|l| l.seq);
    {
        let scroller = scroller.clone();
        let following = frozen.is_none();
        use_effect_with(
            (newest, following, props.show_debug),
            move |&(_, following, _)| {
                if following && let Some(el) = scroller.cast::<web_sys::Element>() {
                    el.set_scroll_top(el.scroll_height());
                }
            },
        );
    }
    let onscroll = {
        let (scroller, frozen, lines) = (scroller.clone(), frozen.clone(), props.lines.clone());
        Callback::from(move |_: Event| {
            let Some(el) = scroller.cast::<web_sys::Element>() else {
                return;
            };
            let at_end = el.scroll_top() + el.client_height() >= el.scroll_height() - STICK_PX;
            match (at_end, frozen.is_some()) {
                (false, false) => frozen.set(Some(lines.clone())),
                (true, true) => frozen.set(None),
                _ => {}
            }
        })
    };
    let onjump = {
        let frozen = frozen.clone();
        Callback::from(move |_: MouseEvent| frozen.set(None))
    };
    let ontoggle = {
        let cb = props.ontoggledebug.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                cb.emit(input.checked());
            }
        })
    };
    let shown = (*frozen).clone().unwrap_or_else(|| props.lines.clone());
    let unseen = frozen.as_ref().map_or(0, |f| newer_than(&props.lines, f));
    let dropped = props.total.saturating_sub(props.lines.len());
    html! {
        <section class="panel event-log" aria-label="Event log">
            <div class="panel-head">
                <h2>{ "Event log" }</h2>
                if dropped > 0 {
                    <span class="muted log-count"
                          title={format!("The log keeps the last {LOG_LINES} lines; {dropped} older ones were dropped.")}>
                        { format!("showing the last {} lines", props.lines.len()) }
                    </span>
                }
                <label class="muted debug-toggle"
                       title="Also show every message sent, received or lost (DEBUG lines)">
                    <input type="checkbox" checked={props.show_debug} onchange={ontoggle} />
                    { " messages (DEBUG)" }
                </label>
            </div>
            <div class="log-box">
                <div class="log-lines" data-testid="event-log" ref={scroller} {onscroll}
                     role="log" aria-live="off" aria-label="Event log lines" tabindex="0">
                    if shown.is_empty() {
                        <div class="line muted">{ "Nothing has happened yet: every node waits for its election timeout." }</div>
                    }
                    // A fragment of its own keeps the list keyed: `html!` would otherwise
                    // splice the lines in beside the `if` above, and a list with an unkeyed
                    // sibling is diffed by position, re-creating every line when one arrives.
                    <>{ for shown.iter().map(|l| html! {
                        <div class={l.tone.class()} key={l.seq}>{ l.text.clone() }</div>
                    }) }</>
                </div>
                if frozen.is_some() {
                    <button type="button" class="jump-latest" onclick={onjump}
                            title="The log stays still while you read; this goes back to the newest lines">
                        { jump_label(unseen) }
                    </button>
                }
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace_cache::Tone;
    use yew::AttrValue;

    fn lines(seqs: &[usize]) -> VecDeque<LogLine> {
        seqs.iter()
            .map(|&seq| LogLine {
                seq,
                tone: Tone::Plain,
                text: AttrValue::from("x"),
            })
            .collect()
    }

    #[test]
    fn counts_lines_newer_than_the_frozen_copy() {
        assert_eq!(newer_than(&lines(&[3, 4, 7, 9]), &lines(&[1, 3, 4])), 2);
        assert_eq!(newer_than(&lines(&[3, 4]), &lines(&[3, 4])), 0);
        assert_eq!(newer_than(&lines(&[3, 4]), &lines(&[])), 2);
        assert_eq!(jump_label(0), "\u{2193} jump to latest");
        assert_eq!(jump_label(3), "\u{2193} jump to latest (3 new)");
        assert!(jump_label(LOG_LINES).ends_with("(500+ new)"));
    }
}
