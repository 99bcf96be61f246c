//! The time-travel bar under the toolbar: step back one event, a scrubber over the recorded
//! run, step forward one event, and the present moment against the end of the recording.
//!
//! Moving the scrubber or stepping pauses the run. Going back restores the latest checkpoint
//! before the chosen moment and replays from it (see `raft_core::sim::Timeline`), so the
//! picture is exactly the one the run showed then; acting while in the past forks the run
//! there (the recorded future is dropped).

use raft_core::sim::format_timestamp;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`TimelineBar`].
#[derive(Properties, PartialEq)]
pub struct TimelineBarProps {
    /// The present virtual time (ms).
    pub now_ms: u64,
    /// The end of the recorded run (virtual ms): the scrubber's right end.
    pub horizon_ms: u64,
    /// Whether the present is the very start (nothing to step back to).
    pub at_start: bool,
    /// Go back one event.
    pub onback: Callback<()>,
    /// Go forward one event.
    pub onforward: Callback<()>,
    /// Move to a virtual time (ms).
    pub onseek: Callback<u64>,
    /// More controls at the bar's end (sharing the run).
    #[prop_or_default]
    pub children: Html,
}

/// `mm:ss.s` (or `h:mm:ss` past an hour) of a virtual duration: the scrubber's short labels.
pub fn short_time(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}.{}", s / 60, s % 60, ms % 1000 / 100)
    }
}

/// The time-travel bar.
#[function_component(TimelineBar)]
pub fn timeline_bar(props: &TimelineBarProps) -> Html {
    let onback = {
        let cb = props.onback.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let onforward = {
        let cb = props.onforward.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let onseek = {
        let cb = props.onseek.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let v = input.value_as_number();
                if v.is_finite() && v >= 0.0 {
                    cb.emit(v as u64);
                }
            }
        })
    };
    let in_past = props.now_ms < props.horizon_ms;
    html! {
        <section class="timeline-bar" aria-label="Time travel">
            <button type="button" data-testid="step-back" onclick={onback} disabled={props.at_start}
                    title="Pause and go back one event (key ,)" aria-label="Back one event">
                { "\u{25C0} Back" }
            </button>
            <input type="range" data-testid="timeline" class="scrubber" min="0"
                   max={props.horizon_ms.to_string()} step="1" value={props.now_ms.to_string()}
                   aria-label="Virtual time"
                   aria-valuetext={format!("{} of {}", short_time(props.now_ms), short_time(props.horizon_ms))}
                   title="Drag to any earlier moment of the run and back again"
                   oninput={onseek} />
            <button type="button" data-testid="step-forward" onclick={onforward}
                    title="Pause and go forward one event (key .)" aria-label="Forward one event">
                { "Forward \u{25B6}" }
            </button>
            <span class="scrub-time" data-testid="scrub-time">
                { format!("{} / {}", short_time(props.now_ms), short_time(props.horizon_ms)) }
            </span>
            if in_past {
                <span class="past-note" data-testid="in-past"
                      title={format!("Replaying the past: acting now replaces what came after. Recorded up to {}", format_timestamp(props.horizon_ms))}>
                    { "Replaying the past: acting now replaces what came after." }
                </span>
            }
            { props.children.clone() }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::short_time;

    #[test]
    fn short_times() {
        assert_eq!(short_time(0), "0:00.0");
        assert_eq!(short_time(61_250), "1:01.2");
        assert_eq!(short_time(3_600_000), "1:00:00");
        assert_eq!(short_time(3_725_000), "1:02:05");
    }
}
