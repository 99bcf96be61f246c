//! The answer to "Why isn't this committed?" under the log grid, for the entry the user
//! pressed (see [`crate::why_commit`]). It follows the run live: press Play and watch the
//! reason change until the entry commits.

use crate::why_commit::WhyView;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

/// The `id` of the explanation box.
const ID: &str = "why-not-committed";

/// Focuses the explanation box, so that a screen reader reads it (the pressed cell may turn
/// into a plain committed cell and lose the focus anyway). The log view calls it when the
/// box opens for another entry.
pub fn focus_why() {
    if let Some(el) = gloo::utils::document()
        .get_element_by_id(ID)
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        drop(el.focus());
    }
}

/// The explanation box; `onclose` is its close button.
pub fn why_committed(v: &WhyView, onclose: &Callback<()>) -> Html {
    let onclose = {
        let cb = onclose.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <div class="why" id={ID} data-testid="why-not-committed" data-reason={v.reason}
             data-node={v.node.to_string()} data-index={v.index.to_string()}
             role="region" aria-labelledby="why-title" tabindex="-1">
            <div class="why-head">
                <strong id="why-title">
                    { format!("Why isn\u{2019}t it committed? Node {}, entry {}", v.node, v.index) }
                </strong>
                <button type="button" class="close" aria-label="Close the explanation"
                        title="Close (Esc)" onclick={onclose}>{ "\u{00d7}" }</button>
            </div>
            <p class="why-headline">{ v.headline.clone() }</p>
            <ul>
                { for v.lines.iter().map(|l| html! { <li>{ l.clone() }</li> }) }
            </ul>
        </div>
    }
}
