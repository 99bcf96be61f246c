//! Embed mode's compact bar, in place of the page header and the toolbar: play/pause, the
//! virtual time, and a link that opens the full app in a new tab.

use raft_core::sim::format_timestamp;
use yew::prelude::*;

/// Properties of [`EmbedBar`].
#[derive(Properties, PartialEq)]
pub struct EmbedBarProps {
    /// Whether the simulation is running.
    pub playing: bool,
    /// Virtual time (ms).
    pub now_ms: u64,
    /// Where "open in raftlab" goes (the same scenario in the full app).
    pub full_href: AttrValue,
    /// Play/pause pressed.
    pub ontoggle: Callback<()>,
    /// Extra content (the time-travel bar, when shown).
    #[prop_or_default]
    pub children: Html,
}

/// The compact bar.
#[function_component(EmbedBar)]
pub fn embed_bar(props: &EmbedBarProps) -> Html {
    let ontoggle = {
        let cb = props.ontoggle.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let (label, title) = if props.playing {
        ("\u{275A}\u{275A} Pause", "Pause the simulation")
    } else {
        ("\u{25B6} Play", "Let virtual time run")
    };
    // The time of day only (the date is always 2026-01-01 in the first day of a run).
    let clock = format_timestamp(props.now_ms);
    let clock = clock
        .split_once(' ')
        .map_or(clock.as_str(), |(_, t)| t)
        .to_string();
    html! {
        <header class="embed-bar">
            <button type="button" class="primary" data-testid="play-pause" title={title}
                    onclick={ontoggle}>{ label }</button>
            <time class="embed-clock" data-testid="virtual-time"
                  title="Virtual time of the simulation">{ clock }</time>
            <div class="embed-extra">{ props.children.clone() }</div>
            <a class="embed-open" href={props.full_href.clone()} target="_blank" rel="noopener"
               title="Open this in the full raftlab app, in a new tab">{ "raftlab \u{2197}" }</a>
        </header>
    }
}
