//! The client panel: send `a + b` or a register operation to the cluster from one of the
//! clients, follow what happens to it, and see the clients' history with its linearizability
//! verdict.

use super::chunk::{Chunk, ChunkItems};
use crate::client_view::{LatestResult, RequestStatus, RequestView};
use crate::history_view::{CHART_W, HistoryChart, ROW_H};
use crate::input::parse_operand;
use crate::state::CLIENTS;
use raft_core::{Command, RegisterOp};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The operations of the form: `(value, label)`; `sum` is the seed's `a + b`, the others act
/// on the replicated register `r` with operand `b`.
const OPS: [(&str, &str); 7] = [
    ("sum", "a + b"),
    ("set", "r := b"),
    ("add", "r + b"),
    ("sub", "r - b"),
    ("mul", "r * b"),
    ("div", "r / b"),
    ("get", "read r"),
];

/// The command for operation `kind` with operand `b` (`a` for the sum only).
fn command(kind: &str, a: i64, b: i64) -> Command {
    match kind {
        "set" => Command::Register(RegisterOp::Set(b)),
        "add" => Command::Register(RegisterOp::Add(b)),
        "sub" => Command::Register(RegisterOp::Sub(b)),
        "mul" => Command::Register(RegisterOp::Mul(b)),
        "div" => Command::Register(RegisterOp::Div(b)),
        "get" => Command::Register(RegisterOp::Get),
        _ => Command::Add { a, b },
    }
}

/// Properties of [`ClientPanel`].
#[derive(Properties, PartialEq)]
pub struct ClientPanelProps {
    /// Recent requests, newest first.
    pub requests: Rc<Vec<RequestView>>,
    /// How many requests the run has made (more than `requests` when the list is truncated).
    pub total_requests: usize,
    /// The latest finished request (completed or failed).
    pub latest: Option<LatestResult>,
    /// A valid command was submitted by a client (1..=[`CLIENTS`]).
    pub onsubmit: Callback<(u64, Command)>,
    /// The recent history, one row per client.
    pub history: Rc<HistoryChart>,
    /// Whether the whole history is linearizable.
    pub linearizable: bool,
    /// `linearizable`, or why not.
    pub verdict: Rc<String>,
}

/// Both operands, or the message about the first bad one. Only the sum reads `a`, and a read
/// needs no operand.
fn parse_pair(kind: &str, a: &str, b: &str) -> Result<(i64, i64), String> {
    let x = if kind == "sum" {
        parse_operand("a", a)
    } else {
        Ok(0)
    };
    let y = if kind == "get" {
        Ok(0)
    } else {
        parse_operand("b", b)
    };
    x.and_then(|x| y.map(|y| (x, y)))
        .map_err(|msg| format!("Not sent: {msg}"))
}

/// A `<select>`'s value on change.
fn select_value(e: &Event) -> Option<String> {
    e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value())
}

/// The history chart and the linearizability verdict (drawn by a [`Chunk`], so that the form's
/// own re-renders, one per Send, do not rebuild it).
pub fn history_chart(chart: &HistoryChart, ok: bool, verdict: &str) -> Html {
    let h = (chart.rows * ROW_H).max(ROW_H);
    html! {
        <div class="history">
            <div class="history-head">
                <span class="muted" title="Each bar is one operation, from the moment its client sent it to the answer; one row per client">
                    { "History (clients 1–3)" }
                </span>
                <span class={classes!("lin", if ok { "ok" } else { "bad" })} data-testid="linearizability" title={verdict.to_string()}>
                    { verdict.to_string() }
                </span>
            </div>
            <svg class="history-chart" data-testid="history" viewBox={format!("0 0 {CHART_W} {h}")} preserveAspectRatio="none">
                { for chart.bars.iter().map(|b| html! {
                    <rect key={b.id} class={b.outcome} data-outcome={b.outcome} x={b.x.to_string()}
                          y={(b.row * ROW_H + 2).to_string()} width={b.w.to_string()} height={(ROW_H - 4).to_string()}>
                        <title>{ b.title.clone() }</title>
                    </rect>
                }) }
            </svg>
            <p class="muted history-key">
                <span class="key ok">{ "ok" }</span>
                <span class="key error">{ "error" }</span>
                <span class="key pending">{ "pending" }</span>
                <span class="key failed">{ "no answer (may or may not have happened)" }</span>
            </p>
        </div>
    }
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

/// One recent request (the list is drawn by a [`Chunk`], like the history chart).
pub fn request_item(r: &RequestView) -> Html {
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
    let kind = use_state(|| "sum".to_string());
    let client = use_state(|| 1u64);
    let error = use_state(|| None::<String>);

    let onsubmit = {
        let (a, b, kind, client, error) = (
            a.clone(),
            b.clone(),
            kind.clone(),
            client.clone(),
            error.clone(),
        );
        let cb = props.onsubmit.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_pair(&kind, &a, &b) {
                Ok((x, y)) => {
                    error.set(None);
                    // The clients take turns, so the history has one row per client.
                    cb.emit((*client, command(&kind, x, y)));
                    client.set(*client % CLIENTS + 1);
                }
                Err(msg) => error.set(Some(msg)),
            }
        })
    };
    let on_a = {
        let (b, kind) = (b.clone(), kind.clone());
        text_input(&a, &error, move |v| parse_pair(&kind, v, &b))
    };
    let on_b = {
        let (a, kind) = (a.clone(), kind.clone());
        text_input(&b, &error, move |v| parse_pair(&kind, &a, v))
    };
    let on_kind = {
        let (kind, error) = (kind.clone(), error.clone());
        Callback::from(move |e: Event| {
            if let Some(v) = select_value(&e) {
                error.set(None);
                kind.set(v);
            }
        })
    };
    let op_label = match kind.as_str() {
        "set" => "r :=",
        "add" => "r +",
        "sub" => "r -",
        "mul" => "r *",
        "div" => "r /",
        "get" => "read r",
        _ => "+",
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
                <span class="muted" title="Each client has a session (dissertation §6.3): a retried operation is applied once. Register operations and reads go through the log.">
                    { "sends a + b, or an operation on the register r, to a random node; only the leader performs it" }
                </span>
            </div>
            <form class="client-form" onsubmit={onsubmit} novalidate={true}>
                <span class="muted" data-testid="client-id" title="The clients take turns">{ format!("C{}", *client) }</span>
                <select data-testid="client-op" aria-label="operation" onchange={on_kind}>
                    { for OPS.iter().map(|(v, label)| html! {
                        <option value={*v} selected={*kind == *v}>{ *label }</option>
                    }) }
                </select>
                if *kind == "sum" {
                    <input type="text" inputmode="numeric" data-testid="client-a" aria-label="a"
                           autocomplete="off" spellcheck="false" aria-invalid={invalid}
                           value={(*a).clone()} oninput={on_a} />
                }
                <span class="op">{ op_label }</span>
                if *kind != "get" {
                    <input type="text" inputmode="numeric" data-testid="client-b" aria-label="b"
                           autocomplete="off" spellcheck="false" aria-invalid={invalid}
                           value={(*b).clone()} oninput={on_b} />
                }
                <button type="submit" class="primary" data-testid="client-submit">{ "Send" }</button>
            </form>
            if let Some(msg) = &*error {
                <p class="inline-error" role="alert">{ msg.clone() }</p>
            }
            <div class={classes!("summary", summary_class)}>
                <span class="muted">{ "Latest result" }</span>
                <div data-testid="client-summary" title={summary.clone()}>{ summary }</div>
            </div>
            <Chunk items={ChunkItems::History(props.history.clone(), props.linearizable, props.verdict.clone())} />
            if shown > 0 {
                if props.total_requests > shown {
                    <p class="muted list-note">
                        { format!("showing the {shown} most recent of {} requests", props.total_requests) }
                    </p>
                }
                <Chunk items={ChunkItems::Requests(props.requests.clone())} />
            }
        </section>
    }
}
