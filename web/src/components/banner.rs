//! Dismissable messages: bad URL parameters and refused actions. They sit in the page header's
//! band, one line each (the full text is the title, and the banner unfolds while hovered or
//! focused), so showing or dismissing one never moves the rest of the page.

use yew::prelude::*;

/// Properties of [`Banner`].
#[derive(Properties, PartialEq)]
pub struct BannerProps {
    /// The lines of the message.
    pub lines: Vec<String>,
    /// `data-testid` of the banner.
    pub testid: AttrValue,
    /// The close button was pressed.
    pub ondismiss: Callback<()>,
}

/// A warning banner with a close button. Renders nothing when there are no lines.
#[function_component(Banner)]
pub fn banner(props: &BannerProps) -> Html {
    if props.lines.is_empty() {
        return html! {};
    }
    let onclick = {
        let cb = props.ondismiss.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let full = props.lines.join(" ");
    html! {
        <div class="banner" role="alert" data-testid={props.testid.clone()} title={full}>
            <div class="banner-text" tabindex="0">
                { for props.lines.iter().map(|l| html! { <p>{ l.clone() }</p> }) }
            </div>
            <button type="button" class="close" aria-label="Dismiss" title="Dismiss" {onclick}>
                { "\u{00d7}" }
            </button>
        </div>
    }
}
