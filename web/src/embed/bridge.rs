//! The browser side of the postMessage API (see [`super`]): a `message` listener on the
//! window that hands the host's commands to the reducer, and the [`Bridge`] that posts events
//! to the parent page after each render.

use super::{EventCursor, HostEvent, Sink, Source, parse_host_message, state_event};
use crate::state::{AppState, Msg};
use gloo::events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Window};
use yew::UseReducerDispatcher;

/// The parent page, if the app runs in a frame (`window.parent !== window`).
fn parent() -> Option<Window> {
    let window = gloo::utils::window();
    let parent = window.parent().ok().flatten()?;
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

/// Posts one event to the parent page (nothing outside a frame). `origin` is the
/// `targetOrigin`: `"*"` or the host's origin from `?origin=`.
pub fn post(event: &HostEvent, origin: &str) {
    let Some(parent) = parent() else {
        return;
    };
    // A structured-clonable object, not a string, so hosts read `event.data.type` directly.
    let _ = parent.post_message(&event.to_value::<JsValue>(), origin);
}

impl Source for JsValue {
    fn field(&self, key: &str) -> Option<JsValue> {
        if !self.is_object() {
            return None;
        }
        let v = js_sys::Reflect::get(self, &JsValue::from_str(key)).ok()?;
        (!v.is_undefined()).then_some(v)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn text(&self) -> Option<String> {
        self.as_string()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<JsValue>> {
        js_sys::Array::is_array(self).then(|| js_sys::Array::from(self).iter().collect())
    }
    fn keys(&self) -> Vec<String> {
        match self.dyn_ref::<js_sys::Object>() {
            Some(o) if !js_sys::Array::is_array(self) => js_sys::Object::keys(o)
                .iter()
                .filter_map(|k| k.as_string())
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl Sink for JsValue {
    fn object(fields: Vec<(&'static str, JsValue)>) -> JsValue {
        let o = js_sys::Object::new();
        for (k, v) in fields {
            let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
        }
        o.into()
    }
    fn number(n: u64) -> JsValue {
        JsValue::from_f64(n as f64)
    }
    fn text(s: &str) -> JsValue {
        JsValue::from_str(s)
    }
    fn boolean(b: bool) -> JsValue {
        JsValue::from_bool(b)
    }
    fn null() -> JsValue {
        JsValue::NULL
    }
    fn list(items: Vec<JsValue>) -> JsValue {
        items.into_iter().collect::<js_sys::Array>().into()
    }
}

/// Listens for the host page's messages until the returned listener is dropped. Messages not
/// from the parent window, not from `origin` (unless it is `"*"`), or without a `raftlab`
/// field are ignored; malformed ones are answered with an `error` event; the others go to the
/// reducer as [`Msg::Host`].
pub fn listen(origin: String, dispatch: UseReducerDispatcher<AppState>) -> EventListener {
    let window = gloo::utils::window();
    EventListener::new(&window, "message", move |e| {
        let Some(e) = e.dyn_ref::<MessageEvent>() else {
            return;
        };
        let window = gloo::utils::window();
        let from_parent = match (e.source(), window.parent().ok().flatten()) {
            (Some(source), Some(parent)) => js_sys::Object::is(&source, &parent),
            _ => false,
        };
        if !from_parent || (origin != "*" && e.origin() != origin) {
            return;
        }
        match parse_host_message(&e.data()) {
            None => {}
            Some(Ok(command)) => dispatch.dispatch(Msg::Host(command)),
            Some(Err(reason)) => post(&HostEvent::Error { reason }, &origin),
        }
    })
}

/// Posts, after each render, what the host page should hear: replies the reducer queued
/// (`state`, `error`), then the events the run produced since the last render.
#[derive(Debug)]
pub struct Bridge {
    origin: String,
    framed: bool,
    cursor: Option<EventCursor>,
    /// Sequence number of the next reply to post.
    next_reply: u64,
}

impl Bridge {
    /// A bridge posting to `origin` (`"*"` or one origin).
    pub fn new(origin: String) -> Self {
        Bridge {
            origin,
            framed: parent().is_some(),
            cursor: None,
            next_reply: 0,
        }
    }

    /// Posts `ready` and the present `state` (once, when the app has mounted and listens).
    pub fn ready(&mut self, state: &AppState) {
        if !self.framed {
            return;
        }
        let Some(sim) = state.sim() else {
            return;
        };
        let scenario = state.scenario.as_deref();
        post(
            &HostEvent::Ready {
                t_ms: sim.now_ms(),
                scenario: scenario.map(|s| s.scenario().id.clone()),
            },
            &self.origin,
        );
        post(&state_event(&sim, state.playing, scenario), &self.origin);
        self.cursor = Some(EventCursor::at_end(&sim));
        self.next_reply = state.host_out.next_seq();
    }

    /// Posts what happened since the last call.
    pub fn flush(&mut self, state: &AppState) {
        if !self.framed {
            return;
        }
        let Some(cursor) = self.cursor.as_mut() else {
            return;
        };
        for event in state.host_out.since(self.next_reply) {
            post(event, &self.origin);
        }
        self.next_reply = state.host_out.next_seq();
        let Some(sim) = state.sim() else {
            return;
        };
        let mut events = Vec::new();
        if cursor.scan(&sim, &mut events) {
            events.push(state_event(&sim, state.playing, state.scenario.as_deref()));
        }
        for event in &events {
            post(event, &self.origin);
        }
    }
}
