//! Sharing a run: "Copy link" (a scene link to the moment shown, see [`crate::scene_io`]),
//! "Export" (the run as a JSON file) and "Import" (load such a file).
//!
//! The link goes to the clipboard; if the browser refuses (no permission, an insecure page),
//! it is shown in a text field, selected, to copy by hand. Import is a `<label>` around a
//! visually hidden `<input type="file">`: clicking the label opens the file chooser, the input
//! itself takes the keyboard focus (the label shows it), and Playwright's `setInputFiles` on
//! `data-testid="import"` (the label) reaches the input. A file that is not a valid run is
//! refused with a notice saying why, and the run on screen stays as it is.

use crate::scene_io::{self, MAX_FILE_MB, RunHandle, SceneAt};
use gloo::file::callbacks::FileReader;
use gloo::file::{Blob, ObjectUrl};
use gloo::timers::callback::Timeout;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

/// How long "Link copied" stays (wall ms).
const COPIED_FOR_MS: u32 = 4_000;

/// Properties of [`SceneTools`].
#[derive(Properties, PartialEq)]
pub struct SceneToolsProps {
    /// The run (read when a button is pressed).
    pub run: RunHandle,
    /// A valid run file was read: load it.
    pub onload: Callback<SceneAt>,
    /// Something went wrong (a bad file): show this message.
    pub onerror: Callback<String>,
}

/// What the copy button last did.
#[derive(Clone, PartialEq)]
enum Copied {
    /// The link is in the clipboard.
    Done(String),
    /// The clipboard was refused: the link to copy by hand.
    Manual(String),
}

/// The page's address with `query`: `https://host/path?query`.
fn page_link(query: &str) -> String {
    let location = gloo::utils::window().location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    format!("{origin}{path}?{query}")
}

/// Writes `text` to the clipboard; false if the browser has no clipboard API here or refuses.
async fn write_clipboard(text: &str) -> bool {
    let navigator = gloo::utils::window().navigator();
    // `navigator.clipboard` is undefined outside secure contexts.
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !has_clipboard {
        return false;
    }
    let promise = navigator.clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Starts a download of `text` as the file `name`. The object URL is kept in `keep` until the
/// next export (revoking it at once could cancel the download).
fn download(text: &str, name: &str, keep: &RefCell<Option<ObjectUrl>>) -> Result<(), JsValue> {
    let url = ObjectUrl::from(Blob::new_with_options(text, Some("application/json")));
    let a = gloo::utils::document().create_element("a")?;
    a.set_attribute("href", &url)?;
    a.set_attribute("download", name)?;
    a.dyn_ref::<HtmlElement>()
        .ok_or_else(|| JsValue::from_str("not an element"))?
        .click();
    *keep.borrow_mut() = Some(url);
    Ok(())
}

/// The Copy link / Export / Import buttons.
#[function_component(SceneTools)]
pub fn scene_tools(props: &SceneToolsProps) -> Html {
    let copied = use_state(|| None::<Copied>);
    let hide_timer = use_mut_ref(|| None::<Timeout>);
    let object_url = use_mut_ref(|| None::<ObjectUrl>);
    let reader = use_mut_ref(|| None::<FileReader>);
    let fallback_ref = use_node_ref();

    let oncopy = {
        let (run, copied, hide_timer) = (props.run.clone(), copied.clone(), hide_timer.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(at) = run.scene_at() else {
                return;
            };
            let link = page_link(&scene_io::link_query(&at));
            let (copied, hide_timer) = (copied.clone(), hide_timer.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if write_clipboard(&link).await {
                    copied.set(Some(Copied::Done(link)));
                    let c = copied.clone();
                    *hide_timer.borrow_mut() =
                        Some(Timeout::new(COPIED_FOR_MS, move || c.set(None)));
                } else {
                    *hide_timer.borrow_mut() = None;
                    copied.set(Some(Copied::Manual(link)));
                }
            });
        })
    };

    // Select the fallback field's text as soon as it shows, ready for Ctrl+C.
    {
        let fallback_ref = fallback_ref.clone();
        use_effect_with((*copied).clone(), move |c| {
            if matches!(c, Some(Copied::Manual(_)))
                && let Some(input) = fallback_ref.cast::<HtmlInputElement>()
            {
                let _ = input.focus();
                input.select();
            }
        });
    }

    let onexport = {
        let (run, onerror) = (props.run.clone(), props.onerror.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(at) = run.scene_at() else {
                return;
            };
            let text = scene_io::export_json(&at);
            if download(&text, &scene_io::export_file_name(&at), &object_url).is_err() {
                onerror.emit(
                    "The run could not be exported: the browser refused the download.".into(),
                );
            }
        })
    };

    let onimport = {
        let (onload, onerror) = (props.onload.clone(), props.onerror.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let file = input.files().and_then(|files| files.get(0));
            // Let the same file be chosen again (after fixing it, say).
            input.set_value("");
            let Some(file) = file else {
                return;
            };
            let name = file.name();
            if file.size() > f64::from(MAX_FILE_MB) * 1e6 {
                onerror.emit(format!(
                    "\u{201c}{name}\u{201d} was not imported: it is larger than {MAX_FILE_MB} MB, too large for a run file. The current run is unchanged."
                ));
                return;
            }
            let (onload, onerror) = (onload.clone(), onerror.clone());
            let blob = gloo::file::Blob::from(file);
            let task = gloo::file::callbacks::read_as_text(&blob, move |result| {
                match result {
                Ok(text) => match scene_io::import_json(&text) {
                    Ok(at) => onload.emit(at),
                    Err(e) => onerror.emit(format!(
                        "\u{201c}{name}\u{201d} was not imported: {e}. The current run is unchanged."
                    )),
                },
                Err(_) => onerror.emit(format!(
                    "\u{201c}{name}\u{201d} could not be read. The current run is unchanged."
                )),
            }
            });
            *reader.borrow_mut() = Some(task);
        })
    };

    let close_fallback = {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| copied.set(None))
    };

    html! {
        <div class="scene-tools" role="group" aria-label="Share this run">
            <button type="button" data-testid="copy-link" onclick={oncopy}
                    title="Copy a link that replays this run (seed, settings and your actions) and opens it at this moment, paused">
                { "Copy link" }
            </button>
            <button type="button" data-testid="export" onclick={onexport}
                    title="Download this run (settings, your actions and the moment shown) as a JSON file">
                { "Export" }
            </button>
            <label class="button import-button" data-testid="import"
                   title="Load a run from a JSON file made with Export">
                <input type="file" class="visually-hidden" accept=".json,application/json"
                       onchange={onimport} />
                { "Import" }
            </label>
            <span class="copy-status" role="status" aria-live="polite">
                if let Some(Copied::Done(link)) = &*copied {
                    <span class="copied" data-testid="link-copied" data-link={link.clone()}>
                        { "Link copied" }
                    </span>
                }
            </span>
            if let Some(Copied::Manual(link)) = &*copied {
                <div class="copy-fallback" role="dialog" aria-label="Copy the link">
                    <label>
                        <span>{ "The browser refused the clipboard: copy this link by hand" }</span>
                        <input type="text" readonly=true value={link.clone()} ref={fallback_ref}
                               data-testid="copy-link-fallback" />
                    </label>
                    <button type="button" class="close" aria-label="Close" title="Close"
                            onclick={close_fallback}>{ "\u{00d7}" }</button>
                </div>
            }
        </div>
    }
}

/// Properties of [`SessionNotice`].
#[derive(Properties, PartialEq)]
pub struct SessionNoticeProps {
    /// Close the notice and keep the resumed run.
    pub ondismiss: Callback<()>,
}

/// "Resumed your last session — Start fresh": shown after a reload brought the saved session
/// back. Start fresh forgets it and reloads the page with the run its URL asks for.
#[function_component(SessionNotice)]
pub fn session_notice(props: &SessionNoticeProps) -> Html {
    let onfresh = Callback::from(|_: MouseEvent| crate::session::start_fresh());
    let ondismiss = {
        let cb = props.ondismiss.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <div class="banner session-notice" role="status" data-testid="session-resumed">
            <div class="banner-text">
                <p>
                    { "Resumed your last session \u{2014} " }
                    <button type="button" class="link-button" data-testid="start-fresh" onclick={onfresh}
                            title="Forget the saved session and start the run this page's address asks for">
                        { "Start fresh" }
                    </button>
                </p>
            </div>
            <button type="button" class="close" aria-label="Dismiss" title="Keep the resumed run"
                    onclick={ondismiss}>{ "\u{00d7}" }</button>
        </div>
    }
}
