//! The client panel: send `a + b` to the cluster and follow what happens to it.

use crate::client_view::{RequestStatus, RequestView};
use crate::input::parse_operand;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`ClientPanel`].
#[derive(Properties, PartialEq)]
pub struct ClientPanelProps {
    /// Recent requests, newest first.
    pub requests: Vec<RequestView>,
    /// Summary of the latest completed request.
    pub latest_summary: Option<String>,
    /// Valid operands were submitted.
    pub onsubmit: Callback<(i64, i64)>,
}

fn text_input(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| {
        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
            state.set(input.value());
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
            let parsed =
                parse_operand("a", &a).and_then(|x| parse_operand("b", &b).map(|y| (x, y)));
            match parsed {
                Ok(pair) => {
                    error.set(None);
                    cb.emit(pair);
                }
                Err(msg) => error.set(Some(format!("Not sent: {msg}"))),
            }
        })
    };

    html! {
        <section class="panel client-panel" aria-label="Client">
            <div class="panel-head">
                <h2>{ "Client" }</h2>
                <span class="muted">{ "sends a + b to a random node; only the leader performs it" }</span>
            </div>
            <form class="client-form" onsubmit={onsubmit}>
                <input type="number" data-testid="client-a" aria-label="a" step="1"
                       value={(*a).clone()} oninput={text_input(&a)} />
                <span class="op">{ "+" }</span>
                <input type="number" data-testid="client-b" aria-label="b" step="1"
                       value={(*b).clone()} oninput={text_input(&b)} />
                <button type="submit" class="primary" data-testid="client-submit">{ "Send" }</button>
            </form>
            if let Some(msg) = &*error {
                <p class="inline-error" role="alert">{ msg.clone() }</p>
            }
            <div class={classes!("summary", props.latest_summary.is_none().then_some("empty"))}>
                <span class="muted">{ "Latest result" }</span>
                <div data-testid="client-summary">
                    { props.latest_summary.clone().unwrap_or_else(|| "No request completed yet.".to_string()) }
                </div>
            </div>
            if !props.requests.is_empty() {
                <ol class="requests">{ for props.requests.iter().map(request_item) }</ol>
            }
        </section>
    }
}
