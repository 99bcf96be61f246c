//! The keyboard shortcut help (`?`): a modal dialog listing every global key
//! ([`crate::shortcuts::GLOBAL_SHORTCUTS`]) and every node action key
//! ([`crate::actions::NODE_ACTIONS`]). It takes the focus when it opens (its close button,
//! [`take_focus`]), keeps Tab inside, closes with Escape, `?`, the close button or a click
//! beside it, and gives the focus back to where it was ([`give_focus_back`]). A plain function
//! with the focus handled by the app's effect: a component of its own would cost the download
//! more.

use crate::actions::NODE_ACTIONS;
use crate::shortcuts::GLOBAL_SHORTCUTS;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, SvgElement};
use yew::prelude::*;

/// The `id` of the dialog's close button.
const CLOSE_ID: &str = "help-close";

fn key_row(keys: &str, what: &str) -> Html {
    html! {
        <tr><th scope="row"><kbd>{ keys.to_string() }</kbd></th><td>{ what.to_string() }</td></tr>
    }
}

/// Focuses `el` if it is an HTML or SVG element (a control, or a node of the drawing).
fn focus(el: Element) {
    match el.dyn_into::<HtmlElement>() {
        Ok(html) => drop(html.focus()),
        Err(el) => {
            if let Ok(svg) = el.dyn_into::<SvgElement>() {
                drop(svg.focus());
            }
        }
    }
}

/// Moves the focus to the open dialog's close button; returns the element that had it.
pub fn take_focus() -> Option<Element> {
    let document = gloo::utils::document();
    let before = document.active_element();
    if let Some(close) = document.get_element_by_id(CLOSE_ID) {
        focus(close);
    }
    before
}

/// Gives the focus back to `before` (from [`take_focus`]) once the dialog has closed.
pub fn give_focus_back(before: Option<Element>) {
    if let Some(el) = before {
        focus(el);
    }
}

/// The help dialog; `onclose` asks to close it.
pub fn help_dialog(onclose: &Callback<()>) -> Html {
    let onclick = {
        let cb = onclose.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    // A click on the backdrop (not on the dialog) closes it.
    let onbackdrop = {
        let cb = onclose.clone();
        Callback::from(move |e: MouseEvent| {
            if e.target() == e.current_target() {
                cb.emit(());
            }
        })
    };
    // The close button is the dialog's only control: Tab stays on it.
    let onkeydown = Callback::from(|e: KeyboardEvent| {
        if e.key() == "Tab" {
            e.prevent_default();
            take_focus();
        }
    });
    html! {
        <div class="help-backdrop" onclick={onbackdrop}>
            <div class="help" role="dialog" aria-modal="true" aria-labelledby="help-title"
                 data-testid="help" {onkeydown}>
                <div class="help-head">
                    <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                    <button type="button" class="close" id={CLOSE_ID} data-testid="help-close"
                            aria-label="Close the keyboard shortcuts" title="Close (Esc)"
                            {onclick}>{ "\u{00d7}" }</button>
                </div>
                <div class="help-body">
                    <table class="keys">
                        <caption>{ "Anywhere (not while typing in a field)" }</caption>
                        <tbody>
                            { for GLOBAL_SHORTCUTS.iter().map(|(k, what)| key_row(k, what)) }
                        </tbody>
                    </table>
                    <table class="keys">
                        <caption>{ "On the selected node" }</caption>
                        <tbody>
                            { for NODE_ACTIONS.iter().map(|a| key_row(&a.key.to_string(), a.label)) }
                        </tbody>
                    </table>
                </div>
                <p class="muted help-foot">
                    { "Select a node (click it, Tab to it and press Enter, or press its number) to see its state and actions. Log cells not known to be committed are buttons: press one to see why." }
                </p>
            </div>
        </div>
    }
}
