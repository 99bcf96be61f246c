//! The page URL: `?seed=N&nodes=K` chooses the run, `?scene=…&t=…` a scene link. Reading goes
//! through the browser's `URLSearchParams` (web-sys); validation is pure
//! ([`crate::input::parse_url_params`], [`crate::scene_io::decode_link`]).

use crate::input::RunParams;
use crate::startup::Query;

/// Reads the page URL's run parameters (`seed`, `nodes`, and a scene link's `scene` and `t`);
/// [`crate::startup`] decides what they start. Anything unexpected (no window, an unparsable
/// query) reads as no parameters.
pub fn read_query() -> Query {
    let Ok(search) = gloo::utils::window().location().search() else {
        return Query::default();
    };
    let Ok(q) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Query::default();
    };
    Query {
        seed: q.get("seed"),
        nodes: q.get("nodes"),
        scene: q.get("scene"),
        t: q.get("t"),
        search,
    }
}

/// Puts the current run into the address bar (without reloading or adding a history entry),
/// so the URL always reproduces what is on screen. Failures are ignored: the URL is a
/// convenience, not state.
pub fn write_run_params(params: &RunParams) {
    let window = gloo::utils::window();
    let Ok(history) = window.history() else {
        return;
    };
    let Ok(query) = web_sys::UrlSearchParams::new() else {
        return;
    };
    query.set("seed", &params.seed.to_string());
    query.set("nodes", &params.nodes.to_string());
    let url = format!("?{}", String::from(query.to_string()));
    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
}
