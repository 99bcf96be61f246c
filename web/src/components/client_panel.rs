//! The client panel: send `a + b` to the cluster and follow what happens to it.

use crate::client_view::{LatestResult, RequestStatus, RequestView};
use crate::input::parse_operand;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`ClientPanel`].
#[derive(Properties, PartialEq)]
pub struct ClientPanelProps {
    /// Recent requests, newest first.
    pub requests: Vec<RequestView>,
    /// How many requests the run has made (more than `requests` when the list is truncated).
    pub total_requests: usize,
    /// The latest finished request (completed or failed).
    pub latest: Option<LatestResult>,
    /// Valid operands were submitted.
    pub onsubmit: Callback<(i64, i64)>,
}

/// Both operands, or the message about the first bad one.
fn parse_pair(a: &str, b: &str) -> Result<(i64, i64), String> {
    parse_operand("a", a)
        .and_then(|x| parse_operand("b", b).map(|y| (x, y)))
        .map_err(|msg| format!("Not sent: {msg}"))
}

/// Keeps `state` in step with the input. While an error is shown it is re-checked on every
/// keystroke, so the message is always about what is in the fields now.
fn text_input(
    state: &UseStateHandle<String>,
    error: &UseStateHandle<Option<String>>,
    recheck: impl Fn(&str) -> Result<(i64, i64), String> + 'static,
) -> Callback<InputEvent> {
    let (state, error) = (state.clone(), error.clone());
    Callback::from(move |e: InputEvent| {
        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
            let value = input.value();
            if error.is_some() {
                error.set(recheck(&value).err());
            }
            state.set(value);
        }
    })
}

fn request_item(r: &RequestView) -> Html {
    let (class, status) = match &r.status {
        RequestStatus::Pending(t) => ("pending", format!("pending: {t}")),
        RequestStatus::Done(t) => ("done", t.clone()),
        RequestStatus::Failed(t) => ("failed", format!("failed: {t}")),
    };
    html! {
        <li class={classes!("request", class)} key={r.id}>
            <div class="request-head">
                <span class="request-op">{ format!("#{} {}", r.id, r.operation) }</span>
                <span class={classes!("request-state", class)}>{ class }</span>
            </div>
            <div class="request-status">{ status }</div>
            <div class="request-path">
                if !r.path.is_empty() { { format!("Path: {} ", r.path) } }
                <span class="muted">{ format!("({})", r.counts) }</span>
            </div>
        </li>
    }
}

/// The client panel.
#[function_component(ClientPanel)]
pub fn client_panel(props: &ClientPanelProps) -> Html {
    let a = use_state(|| "5".to_string());
    let b = use_state(|| "3".to_string());
    let error = use_state(|| None::<String>);

    let onsubmit = {
        let (a, b, error) = (a.clone(), b.clone(), error.clone());
        let cb = props.onsubmit.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_pair(&a, &b) {
                Ok(pair) => {
                    error.set(None);
                    cb.emit(pair);
                }
                Err(msg) => error.set(Some(msg)),
            }
        })
    };
    let on_a = {
        let b = b.clone();
        text_input(&a, &error, move |v| parse_pair(v, &b))
    };
    let on_b = {
        let a = a.clone();
        text_input(&b, &error, move |v| parse_pair(&a, v))
    };
    let (summary_class, summary) = match &props.latest {
        None => ("empty", "No request finished yet.".to_string()),
        Some(LatestResult::Completed(t)) => ("", t.clone()),
        Some(LatestResult::Failed(t)) => ("failed", t.clone()),
    };
    let shown = props.requests.len();
    let invalid = error.is_some().then_some("true");

    html! {
        <section class="panel client-panel" aria-label="Client">
            <div class="panel-head">
                <h2>{ "Client" }</h2>
                <span class="muted">{ "sends a + b to a random node; only the leader performs it" }</span>
            </div>
            <form class="client-form" onsubmit={onsubmit} novalidate={true}>
                <input type="text" inputmode="numeric" data-testid="client-a" aria-label="a"
                       autocomplete="off" spellcheck="false" aria-invalid={invalid}
                       value={(*a).clone()} oninput={on_a} />
                <span class="op">{ "+" }</span>
                <input type="text" inputmode="numeric" data-testid="client-b" aria-label="b"
                       autocomplete="off" spellcheck="false" aria-invalid={invalid}
                       value={(*b).clone()} oninput={on_b} />
                <button type="submit" class="primary" data-testid="client-submit">{ "Send" }</button>
            </form>
            if let Some(msg) = &*error {
                <p class="inline-error" role="alert">{ msg.clone() }</p>
            }
            <div class={classes!("summary", summary_class)}>
                <span class="muted">{ "Latest result" }</span>
                <div data-testid="client-summary" title={summary.clone()}>{ summary }</div>
            </div>
            if shown > 0 {
                if props.total_requests > shown {
                    <p class="muted list-note">
                        { format!("showing the {shown} most recent of {} requests", props.total_requests) }
                    </p>
                }
                <ol class="requests">{ for props.requests.iter().map(request_item) }</ol>
            }
        </section>
    }
}
