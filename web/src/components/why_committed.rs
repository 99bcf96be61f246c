//! The answer to "Why isn't this committed?" under the log grid, for the entry the user
//! pressed (see [`crate::why_commit`]). It follows the run live: press Play and watch the
//! reason change until the entry commits.

use crate::why_commit::WhyView;
use web_sys::HtmlElement;
use yew::prelude::*;

/// Properties of [`WhyCommitted`].
#[derive(Properties, PartialEq)]
pub struct WhyCommittedProps {
    /// The explanation.
    pub view: WhyView,
    /// Close pressed.
    pub onclose: Callback<()>,
}

/// The explanation box.
#[function_component(WhyCommitted)]
pub fn why_committed(props: &WhyCommittedProps) -> Html {
    let v = &props.view;
    // Take the focus when opened for another entry, so that a screen reader reads it (the
    // pressed cell may turn into a plain committed cell and lose the focus anyway).
    let region = use_node_ref();
    {
        let region = region.clone();
        use_effect_with((v.node, v.index), move |_| {
            if let Some(el) = region.cast::<HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let onclose = {
        let cb = props.onclose.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <div class="why" data-testid="why-not-committed" data-reason={v.reason}
             data-node={v.node.to_string()} data-index={v.index.to_string()}
             role="region" aria-labelledby="why-title" tabindex="-1" ref={region}>
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
