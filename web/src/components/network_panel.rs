//! The network bar under the cluster drawing: fault presets, heal, the group of shift-clicked
//! nodes to partition away, and sliders for the network's default loss, duplication and
//! latency.

use crate::network_view::{PRESETS, Preset};
use raft_core::NodeId;
use raft_core::sim::{Action, LinkSettings, Ratio};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`NetworkPanel`].
#[derive(Properties, PartialEq)]
pub struct NetworkPanelProps {
    /// The network's default link settings.
    pub defaults: LinkSettings,
    /// The shift-clicked group, in id order.
    pub group: Vec<NodeId>,
    /// Whether any link is cut or has its own settings.
    pub faulty: bool,
    /// PreVote is on.
    pub pre_vote: bool,
    /// CheckQuorum is on.
    pub check_quorum: bool,
    /// The shortest election timeout, in virtual ms (to warn about latencies near it).
    pub election_timeout_ms: u64,
    /// Log compaction: a node snapshots once its log holds more entries than this (§7).
    pub snapshot_threshold: Option<u64>,
    /// Apply actions in order; the string completes "Cannot …".
    pub onapply: Callback<(Vec<Action>, String)>,
    /// Show a message about bad input.
    pub onerror: Callback<String>,
    /// Set up a preset.
    pub onpreset: Callback<Preset>,
    /// Partition the group away.
    pub onpartition: Callback<()>,
    /// Empty the group.
    pub onclear: Callback<()>,
}

/// A whole percentage from a slider's value (0 if it does not parse).
fn percent_of(input: &HtmlInputElement) -> u32 {
    input.value().parse::<u32>().unwrap_or(0).min(100)
}

/// A ratio as the whole percentage a slider shows (rounded up, so any loss shows).
fn percent_shown(r: Ratio) -> String {
    r.per_mille().div_ceil(10).to_string()
}

/// Largest latency the inputs accept, in virtual ms (a minute: far beyond any useful value,
/// since Raft needs latency well below the election timeout).
const MAX_LATENCY_MS: u64 = 60_000;

/// A latency in whole virtual milliseconds, or why the text is not one.
fn parse_ms(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("the latency is empty: enter a whole number of milliseconds".to_string());
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "\u{201c}{t}\u{201d} is not a whole number of milliseconds"
        ));
    }
    match t.parse::<u64>() {
        Ok(ms) if ms <= MAX_LATENCY_MS => Ok(ms),
        _ => Err(format!(
            "{t} ms is too long: the latency can be at most {MAX_LATENCY_MS} ms"
        )),
    }
}

/// Choices of the "compact logs after N entries" control (`off`: no automatic snapshots).
const SNAPSHOT_THRESHOLDS: [&str; 5] = ["off", "10", "20", "50", "100"];

/// The network bar.
#[function_component(NetworkPanel)]
pub fn network_panel(props: &NetworkPanelProps) -> Html {
    let d = props.defaults;
    let preset = use_state(|| PRESETS[0].1.to_string());

    // Each input sends the whole default settings with its one field changed. The input then
    // shows the current value again: if the simulator accepts the change, the next render
    // shows the new one; if it refuses, the old one stays, next to the notice saying why.
    let setter = |apply: fn(&mut LinkSettings, &HtmlInputElement) -> Result<(), String>,
                  shown: fn(&LinkSettings) -> String| {
        let onapply = props.onapply.clone();
        let onerror = props.onerror.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let mut next = d;
            let result = apply(&mut next, &input);
            input.set_value(&shown(&d));
            match result {
                Ok(()) => onapply.emit((
                    vec![Action::SetNetwork(next)],
                    "change the network settings".to_string(),
                )),
                Err(why) => onerror.emit(format!(
                    "Cannot change the network settings: {why}; they stay as they were."
                )),
            }
        })
    };
    let onloss = setter(
        |s, i| {
            s.loss = Ratio::percent(percent_of(i)).map_err(|e| e.to_string())?;
            Ok(())
        },
        |s| percent_shown(s.loss),
    );
    let ondup = setter(
        |s, i| {
            s.duplicate = Ratio::percent(percent_of(i)).map_err(|e| e.to_string())?;
            Ok(())
        },
        |s| percent_shown(s.duplicate),
    );
    let onmin = setter(
        |s, i| {
            s.latency_ms_min = parse_ms(&i.value())?;
            Ok(())
        },
        |s| s.latency_ms_min.to_string(),
    );
    let onmax = setter(
        |s, i| {
            s.latency_ms_max = parse_ms(&i.value())?;
            Ok(())
        },
        |s| s.latency_ms_max.to_string(),
    );

    let onpresetchange = {
        let preset = preset.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                preset.set(sel.value());
            }
        })
    };
    let onpresetapply = {
        let preset = preset.clone();
        let cb = props.onpreset.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(p) = PRESETS.iter().find(|p| p.1 == preset.as_str()) {
                cb.emit(p.0);
            }
        })
    };
    let onheal = {
        let cb = props.onapply.clone();
        Callback::from(move |_: MouseEvent| {
            cb.emit((vec![Action::HealAll], "heal the network".to_string()))
        })
    };
    let onpartition = {
        let cb = props.onpartition.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let onclear = {
        let cb = props.onclear.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    // The two guard checkboxes: each sends both flags.
    let guard = |flip_pre_vote: bool| {
        let onapply = props.onapply.clone();
        let (pre_vote, check_quorum) = (props.pre_vote, props.check_quorum);
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let on = input.checked();
            let (pre_vote, check_quorum) = if flip_pre_vote {
                (on, check_quorum)
            } else {
                (pre_vote, on)
            };
            onapply.emit((
                vec![Action::SetGuards {
                    pre_vote,
                    check_quorum,
                }],
                "change the liveness guards".to_string(),
            ));
        })
    };
    let onthreshold = {
        let onapply = props.onapply.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                onapply.emit((
                    vec![Action::SetSnapshotThreshold(sel.value().parse().ok())],
                    "change when logs are compacted".to_string(),
                ));
            }
        })
    };
    let threshold = props
        .snapshot_threshold
        .map_or_else(|| "off".to_string(), |n| n.to_string());
    let preset_help = PRESETS
        .iter()
        .find(|p| p.1 == preset.as_str())
        .map_or("", |p| p.3);

    let group = if props.group.is_empty() {
        html! {}
    } else {
        let names: Vec<String> = props.group.iter().map(|n| n.to_string()).collect();
        html! {
            <div class="network-row group-line" data-testid="group">
                { format!("Group: Node {}", names.join(", ")) }
                <button type="button" data-testid="partition-group" onclick={onpartition}
                        title="Cut every link between the group and the other nodes, both ways">
                    { "Partition these" }
                </button>
                <button type="button" class="link-button" onclick={onclear}>{ "clear" }</button>
            </div>
        }
    };

    html! {
        <div class="network-panel" aria-label="Network">
            <div class="network-row">
                <strong class="network-title">{ "Network" }</strong>
                <select data-testid="preset" aria-label="Fault preset" title={preset_help}
                        onchange={onpresetchange}>
                    { for PRESETS.iter().map(|(_, value, label, _)| html! {
                        <option value={*value} selected={*value == preset.as_str()}>{ *label }</option>
                    }) }
                </select>
                <button type="button" data-testid="apply-preset" onclick={onpresetapply}
                        title={preset_help}>{ "Apply" }</button>
                <button type="button" data-testid="heal-all" onclick={onheal} disabled={!props.faulty}
                        title="Restore every cut link and remove per-link settings (the loss, duplication and latency sliders below are separate)">{ "Heal all" }</button>
                <label class="guard" title="PreVote (dissertation \u{a7}9.6): before raising its term, a node asks whether it could win; a node cut off from the majority then never raises its term and cannot disrupt the leader when it comes back">
                    <input type="checkbox" data-testid="pre-vote" checked={props.pre_vote}
                           onchange={guard(true)} />
                    { "PreVote" }
                </label>
                <label class="guard" title="CheckQuorum (\u{a7}6.2): a leader that has not heard from a majority within an election timeout steps down; and a node that heard from its leader that recently ignores vote requests (the leader lease)">
                    <input type="checkbox" data-testid="check-quorum" checked={props.check_quorum}
                           onchange={guard(false)} />
                    { "CheckQuorum" }
                </label>
            </div>
            { group }
            if d.latency_ms_max.saturating_mul(2) >= props.election_timeout_ms {
                <p class="network-warning" data-testid="latency-warning">
                    { format!(
                        "Messages may take up to {} ms, not much less than the {} ms election timeout: followers time out before heartbeats arrive, and elections may never succeed (Raft needs broadcast time \u{226a} election timeout, \u{a7}5.6).",
                        d.latency_ms_max, props.election_timeout_ms
                    ) }
                </p>
            }
            <div class="network-row sliders">
                <label title="Chance that the network loses a message between two nodes (per link, set in the link's panel)">
                    { "loss " }
                    <input type="range" min="0" max="100" step="5" data-testid="loss"
                           value={percent_shown(d.loss)} onchange={onloss} />
                    <output>{ format!("{}%", d.loss.per_mille() / 10) }</output>
                </label>
                <label title="Chance that the network delivers a message between two nodes twice">
                    { "duplication " }
                    <input type="range" min="0" max="100" step="5" data-testid="duplication"
                           value={percent_shown(d.duplicate)} onchange={ondup} />
                    <output>{ format!("{}%", d.duplicate.per_mille() / 10) }</output>
                </label>
                <label title="One-way latency range of a message, in virtual milliseconds: each message draws its own, so messages can overtake each other">
                    { "latency " }
                    <input type="number" min="0" max={MAX_LATENCY_MS.to_string()} step="100" data-testid="latency-min"
                           value={d.latency_ms_min.to_string()} onchange={onmin} />
                    { "\u{2013}" }
                    <input type="number" min="0" max={MAX_LATENCY_MS.to_string()} step="100" data-testid="latency-max"
                           value={d.latency_ms_max.to_string()} onchange={onmax} />
                    { " ms" }
                </label>
                <label title="Log compaction (\u{a7}7): each node replaces the entries it has applied with a snapshot once its log holds more than this many entries after its last snapshot. A follower that needs entries the leader compacted away gets the snapshot (InstallSnapshot)">
                    { "compact logs after " }
                    <select data-testid="snapshot-threshold" onchange={onthreshold}>
                        { for SNAPSHOT_THRESHOLDS.iter().map(|v| html! {
                            <option value={*v} selected={*v == threshold}>{ *v }</option>
                        }) }
                    </select>
                    { " entries" }
                </label>
            </div>
        </div>
    }
}
