//! The keyboard shortcut help (`?`): a modal dialog listing every global key
//! ([`crate::shortcuts::GLOBAL_SHORTCUTS`]) and every node action key
//! ([`crate::actions::NODE_ACTIONS`]). It takes the focus when it opens (its close button),
//! keeps Tab inside, closes with Escape, `?`, the close button or a click beside it, and gives
//! the focus back to where it was.

use crate::actions::NODE_ACTIONS;
use crate::shortcuts::GLOBAL_SHORTCUTS;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, SvgElement};
use yew::prelude::*;

/// Properties of [`Help`].
#[derive(Properties, PartialEq)]
pub struct HelpProps {
    /// Close requested.
    pub onclose: Callback<()>,
}

fn key_row(keys: &str, what: &str) -> Html {
    html! {
        <tr><th scope="row"><kbd>{ keys.to_string() }</kbd></th><td>{ what.to_string() }</td></tr>
    }
}

/// The help dialog.
#[function_component(Help)]
pub fn help(props: &HelpProps) -> Html {
    let close_ref = use_node_ref();
    // Focus the close button on open; give the focus back on close.
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            let before: Option<Element> = gloo::utils::document().active_element();
            if let Some(b) = close_ref.cast::<HtmlElement>() {
                let _ = b.focus();
            }
            // The focus was on a control or on a node of the drawing (an SVG element).
            move || match before.map(|el| el.dyn_into::<HtmlElement>()) {
                Some(Ok(html)) => drop(html.focus()),
                Some(Err(el)) => {
                    if let Ok(svg) = el.dyn_into::<SvgElement>() {
                        drop(svg.focus());
                    }
                }
                None => {}
            }
        });
    }
    let onclose = {
        let cb = props.onclose.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    // A click on the backdrop (not on the dialog) closes it.
    let onbackdrop = {
        let cb = props.onclose.clone();
        Callback::from(move |e: MouseEvent| {
            if e.target() == e.current_target() {
                cb.emit(());
            }
        })
    };
    // The close button is the dialog's only control: Tab stays on it.
    let onkeydown = {
        let close_ref = close_ref.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Tab" {
                e.prevent_default();
                if let Some(b) = close_ref.cast::<HtmlElement>() {
                    let _ = b.focus();
                }
            }
        })
    };
    html! {
        <div class="help-backdrop" onclick={onbackdrop}>
            <div class="help" role="dialog" aria-modal="true" aria-labelledby="help-title"
                 data-testid="help" {onkeydown}>
                <div class="help-head">
                    <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                    <button type="button" class="close" ref={close_ref} data-testid="help-close"
                            aria-label="Close the keyboard shortcuts" title="Close (Esc)"
                            onclick={onclose}>{ "\u{00d7}" }</button>
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
