//! The page URL: `?seed=N&nodes=K` chooses the run. Reading goes through the browser's
//! `URLSearchParams` (web-sys); validation is the pure [`crate::input::parse_url_params`].

use crate::input::{RunParams, parse_url_params};

/// Reads `seed` and `nodes` from the page URL. Returns the run to start and one message per
/// bad parameter. Anything unexpected (no window, unparsable query) gives the defaults.
pub fn read_run_params() -> (RunParams, Vec<String>) {
    let Some(search) = gloo::utils::window().location().search().ok() else {
        return (RunParams::default(), Vec::new());
    };
    let Ok(query) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return (RunParams::default(), Vec::new());
    };
    let seed = query.get("seed");
    let nodes = query.get("nodes");
    parse_url_params(seed.as_deref(), nodes.as_deref())
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
