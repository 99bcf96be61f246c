//! The saved session in the browser's `localStorage`: the run (its scene, the moment shown and
//! the end of the recording), the speed and whether it was playing, written as
//! [`crate::scene_io::session_json`].
//!
//! The app saves it shortly after every change worth keeping ([`SAVE_DEBOUNCE_MS`] after the
//! last of a burst, so dragging the scrubber saves once, not per movement), every
//! [`SAVE_EVERY_MS`] of wall time while playing, and when the page is left (`pagehide`), never
//! per frame. [`crate::startup`] resumes
//! it after a reload. Storage is reached through web-sys rather than `gloo::storage`, whose
//! `LocalStorage` throws when the browser refuses storage (private modes, disabled cookies):
//! here an unavailable or full storage only means the session is not kept.

use crate::scene_io::{Session, session_json};
use crate::state::AppState;
use std::cell::Cell;

/// The `localStorage` key.
pub const KEY: &str = "raftlab.session";
/// Quiet time after the last change before the session is written (wall ms).
pub const SAVE_DEBOUNCE_MS: u32 = 250;
/// While playing, the session is written this often (wall ms).
pub const SAVE_EVERY_MS: u32 = 3_000;

thread_local! {
    /// Set by [`start_fresh`]: the page is reloading, so nothing may be saved any more.
    static STOPPED: Cell<bool> = const { Cell::new(false) };
}

/// The browser's `localStorage`, or `None` if it is refused, or if the app runs inside a
/// frame: several embedded copies on one page would share (and overwrite) one session, so an
/// embedded app neither saves nor resumes one.
fn storage() -> Option<web_sys::Storage> {
    let window = web_sys::window()?;
    let top = window.top().ok().flatten()?;
    if wasm_bindgen::JsValue::from(top) != wasm_bindgen::JsValue::from(window.clone()) {
        return None;
    }
    window.local_storage().ok().flatten()
}

/// The saved session's text, if there is one.
pub fn load_text() -> Option<String> {
    storage()?.get_item(KEY).ok().flatten()
}

/// Removes the saved session.
pub fn clear() {
    if let Some(s) = storage() {
        let _ = s.remove_item(KEY);
    }
}

/// Saves the app's run, moment, speed and play state, with the page's query string as the
/// session's origin. Failures (no storage, quota exceeded) are ignored: the session is a
/// convenience, the run on screen is unaffected.
pub fn save(state: &AppState) {
    if STOPPED.with(Cell::get) {
        return;
    }
    let (Some(at), Some(storage)) = (state.run().scene_at(), storage()) else {
        return;
    };
    let origin = gloo::utils::window()
        .location()
        .search()
        .unwrap_or_default();
    let text = session_json(&Session {
        at,
        speed: state.speed,
        playing: state.playing,
        origin,
    });
    let _ = storage.set_item(KEY, &text);
}

/// "Start fresh": forgets the saved session and reloads the page, which then starts the run
/// its URL asks for (or the default run).
pub fn start_fresh() {
    STOPPED.with(|s| s.set(true));
    clear();
    let _ = gloo::utils::window().location().reload();
}
