//! The toolbar: play/pause, single step, speed, virtual time, and a new run (seed + size).

use crate::input::{MAX_APP_NODES, MIN_NODES, RunParams, parse_seed};
use crate::speed::{SLIDER_STEPS, format_speed, slider_from_speed, speed_from_slider};
use raft_core::sim::format_timestamp;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// Whether the simulation is running.
    pub playing: bool,
    /// Speed factor.
    pub speed: f64,
    /// Virtual time (ms).
    pub now_ms: u64,
    /// The current run.
    pub params: RunParams,
    /// Play/pause pressed.
    pub ontoggle: Callback<()>,
    /// Step pressed.
    pub onstep: Callback<()>,
    /// Speed slider moved.
    pub onspeed: Callback<f64>,
    /// Reset pressed with valid parameters.
    pub onreset: Callback<RunParams>,
}

/// The message shown when Reset is refused.
fn not_reset(msg: String) -> String {
    format!("Not reset: {msg}.")
}

/// The toolbar.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let seed_text = use_state(|| props.params.seed.to_string());
    let nodes = use_state(|| props.params.nodes);
    let error = use_state(|| None::<String>);

    let ontoggle = {
        let cb = props.ontoggle.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let onstep = {
        let cb = props.onstep.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let onspeed = {
        let cb = props.onspeed.clone();
        // A range input's value is always a valid number: the browser's `valueAsNumber` reads
        // it (the same f64 as parsing `value()` in Rust, without core's float parser).
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                cb.emit(speed_from_slider(input.value_as_number()));
            }
        })
    };
    // While an error is shown it is re-checked on every keystroke, so the message is always
    // about what is in the field now (and goes away once the seed is fine).
    let onseed = {
        let (seed_text, error) = (seed_text.clone(), error.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let value = input.value();
                if error.is_some() {
                    error.set(parse_seed(&value).err().map(not_reset));
                }
                seed_text.set(value);
            }
        })
    };
    let onnodes = {
        let nodes = nodes.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>()
                && let Ok(n) = select.value().parse::<u64>()
                && (MIN_NODES..=MAX_APP_NODES).contains(&n)
            {
                nodes.set(n);
            }
        })
    };
    let onreset = {
        let (seed_text, nodes, error) = (seed_text.clone(), nodes.clone(), error.clone());
        let cb = props.onreset.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_seed(&seed_text) {
                Ok(seed) => {
                    error.set(None);
                    // Show the seed as the run uses it (" +42 " becomes "42").
                    seed_text.set(seed.to_string());
                    cb.emit(RunParams {
                        seed,
                        nodes: *nodes,
                    });
                }
                Err(msg) => error.set(Some(not_reset(msg))),
            }
        })
    };

    let (play_label, play_title) = if props.playing {
        (
            "\u{275A}\u{275A} Pause",
            "Pause the simulation (Space or K)",
        )
    } else {
        ("\u{25B6} Play", "Let virtual time run (Space or K)")
    };
    html! {
        <section class="toolbar" aria-label="Simulation controls">
            <div class="group">
                <button type="button" class="primary" data-testid="play-pause" title={play_title}
                        aria-keyshortcuts="Space k"
                        onclick={ontoggle}>{ play_label }</button>
                <button type="button" data-testid="step" onclick={onstep} aria-keyshortcuts="."
                        title="Pause and run to the next event (a message arriving or a timer firing); key: .">
                    { "Step \u{2192}" }
                </button>
            </div>
            <label class="group speed" title="Virtual time per real time, 0.1\u{00d7} to 100\u{00d7}">
                <span>{ "Speed" }</span>
                <input type="range" data-testid="speed" min="0" max={SLIDER_STEPS.to_string()}
                       step="1" value={slider_from_speed(props.speed).to_string()}
                       aria-valuetext={format_speed(props.speed)} oninput={onspeed} />
                <output class="speed-value">{ format_speed(props.speed) }</output>
            </label>
            <div class="group clock" title="Virtual time of the simulation (it starts at 2026-01-01 00:00:00)">
                <span class="muted">{ "Virtual time" }</span>
                <time data-testid="virtual-time">{ format_timestamp(props.now_ms) }</time>
            </div>
            <form class="group reset" onsubmit={onreset} novalidate={true}>
                <label title={format!("Any whole number from 0 to {}: the same seed always gives the same run", u64::MAX)}>
                    <span>{ "Seed" }</span>
                    <input type="text" inputmode="numeric" data-testid="seed"
                           autocomplete="off" spellcheck="false"
                           aria-invalid={error.is_some().then_some("true")}
                           value={(*seed_text).clone()} oninput={onseed} />
                </label>
                <label>
                    <span>{ "Nodes" }</span>
                    <select data-testid="nodes" onchange={onnodes}>
                        { for (MIN_NODES..=MAX_APP_NODES).map(|n| html! {
                            <option value={n.to_string()} selected={n == *nodes}>{ n }</option>
                        }) }
                    </select>
                </label>
                <button type="submit" data-testid="reset"
                        title="Start a new run with this seed and cluster size">{ "Reset" }</button>
            </form>
            if let Some(msg) = &*error {
                <p class="inline-error toolbar-error" role="alert">{ msg.clone() }</p>
            }
        </section>
    }
}
