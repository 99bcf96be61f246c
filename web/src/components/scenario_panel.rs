//! The guided scenarios: a menu of the bundled scenarios ([`ScenarioPicker`]), and the
//! narration of the one being played ([`ScenarioPanel`]), with its step count, its prediction question and the verdict, and Back /
//! Reveal / Next in a bar pinned to the bottom of a panel of fixed height, so they never move
//! whatever the length of the text (the text scrolls instead).
//!
//! Keyboard: every control is a button or a radio button in document order (choices, Back,
//! Reveal, Next, Exit), so Tab, Enter and Space are enough. Starting a scenario from the menu
//! moves the focus to the panel; revealing moves it to the verdict, which is also announced
//! (`aria-live`).

use crate::scenario_view::{ScenarioMsg, ScenarioRun};
use std::rc::Rc;
use web_sys::HtmlElement;
use yew::prelude::*;

/// Properties of [`ScenarioPanel`].
#[derive(Properties)]
pub struct ScenarioPanelProps {
    /// The scenario being played, if any.
    pub run: Option<Rc<ScenarioRun>>,
    /// Whether the run is still the scenario's own (false once the reader changed it).
    pub on_script: bool,
    /// Whether the run stopped by itself at the next step's moment (waiting for Next).
    pub at_next_step: bool,
    /// Take the focus when a scenario starts or changes step and nothing else has it (the
    /// focused menu item went away with the menu, or the focused button was disabled). Not in embed mode: a frame must not take the focus from the
    /// page around it.
    #[prop_or(true)]
    pub autofocus: bool,
    /// What the reader did.
    pub onmsg: Callback<ScenarioMsg>,
}

/// The run is compared by pointer: the reducer puts every change of a scenario run in a new
/// `Rc` (so this is exact, and cheaper than comparing whole scenarios on every frame).
impl PartialEq for ScenarioPanelProps {
    fn eq(&self, other: &Self) -> bool {
        let same_run = match (&self.run, &other.run) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_run
            && self.on_script == other.on_script
            && self.at_next_step == other.at_next_step
            && self.autofocus == other.autofocus
            && self.onmsg == other.onmsg
    }
}

/// Properties of [`ScenarioPicker`].
#[derive(Properties, PartialEq)]
pub struct ScenarioPickerProps {
    /// `(id, title)` of every bundled scenario.
    pub menu: Rc<Vec<(String, String)>>,
    /// The scenario being played, if any (marked in the menu).
    pub current: Option<String>,
    /// A scenario was chosen.
    pub onmsg: Callback<ScenarioMsg>,
}

/// The scenario menu: a button in the page's header band that unfolds the list of bundled
/// scenarios over the page (it moves nothing).
#[function_component(ScenarioPicker)]
pub fn scenario_picker(props: &ScenarioPickerProps) -> Html {
    let open = use_state(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    html! {
        <div class="scenario-picker">
            <button type="button" class="scenario-menu-toggle" data-testid="scenario-menu"
                    aria-expanded={(*open).to_string()} aria-controls="scenario-list"
                    title="Guided scenarios: Raft step by step; predict what happens, then see"
                    onclick={ontoggle}>
                { if *open { "Guided scenarios \u{25B4}" } else { "Guided scenarios \u{25BE}" } }
            </button>
            if *open {
                <ul class="scenario-list" id="scenario-list" aria-label="Guided scenarios">
                    { for props.menu.iter().map(|(id, title)| {
                        let cb = props.onmsg.clone();
                        let open = open.clone();
                        let load = id.clone();
                        let onclick = Callback::from(move |_: MouseEvent| {
                            open.set(false);
                            cb.emit(ScenarioMsg::Load(load.clone()));
                        });
                        let current = props.current.as_deref() == Some(id.as_str());
                        html! {
                            <li key={id.clone()}>
                                <button type="button" data-scenario-id={id.clone()}
                                        aria-current={current.then_some("true")} {onclick}>
                                    { title.clone() }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}

fn send(cb: &Callback<ScenarioMsg>, msg: fn() -> ScenarioMsg) -> Callback<MouseEvent> {
    let cb = cb.clone();
    Callback::from(move |_: MouseEvent| cb.emit(msg()))
}

/// The scenario panel.
#[function_component(ScenarioPanel)]
pub fn scenario_panel(props: &ScenarioPanelProps) -> Html {
    let panel_ref = use_node_ref();
    let verdict_ref = use_node_ref();

    let id = props.run.as_ref().map(|r| r.scenario().id.clone());
    let step = props.run.as_ref().map(|r| r.player.step());
    {
        let panel_ref = panel_ref.clone();
        let autofocus = props.autofocus;
        // Also on a new step: Next disabled at the last step (or Back at the first) drops the
        // focus, and the panel takes it so that Tab goes on from there.
        use_effect_with((id.clone(), step), move |(id, _)| {
            let unfocused = gloo::utils::document()
                .active_element()
                .is_none_or(|el| el.tag_name() == "BODY");
            if autofocus
                && id.is_some()
                && unfocused
                && let Some(el) = panel_ref.cast::<HtmlElement>()
            {
                let _ = el.focus();
            }
        });
    }
    let revealed = props.run.as_ref().is_some_and(|r| r.revealed.is_some());
    {
        let verdict_ref = verdict_ref.clone();
        use_effect_with((id, step, revealed), move |&(_, _, revealed)| {
            if revealed && let Some(el) = verdict_ref.cast::<HtmlElement>() {
                let _ = el.focus();
            }
        });
    }

    let Some(run) = props.run.as_deref() else {
        return html! {};
    };

    let scenario = run.scenario();
    let k = run.player.step();
    let n = scenario.steps.len();
    let current = run.player.current();
    let verdict = run.verdict();
    let question = current.question.as_ref().map(|q| {
        let name = format!("scenario-{}-{k}", scenario.id);
        let choices = q.choices.iter().enumerate().map(|(i, c)| {
            let cb = props.onmsg.clone();
            let onchange = Callback::from(move |_: Event| cb.emit(ScenarioMsg::Choose(i)));
            let held = verdict.as_ref().map(|v| v.held.contains(&i));
            let mine = run.choice == Some(i);
            let mark = match (held, mine) {
                (Some(true), true) => "\u{2713} what happened \u{00b7} your prediction",
                (Some(true), false) => "\u{2713} what happened",
                (Some(false), true) => "your prediction",
                _ => "",
            };
            html! {
                <label class={classes!("choice", held.map(|h| if h { "held" } else { "not-held" }), mine.then_some("mine"))}
                       data-choice={i.to_string()}
                       data-held={held.map(|h| h.to_string())}>
                    <input type="radio" name={name.clone()} value={i.to_string()}
                           checked={mine} disabled={verdict.is_some()} {onchange} />
                    <span class="choice-label">{ c.label.clone() }</span>
                    if !mark.is_empty() {
                        <span class="choice-mark">{ mark }</span>
                    }
                </label>
            }
        });
        html! {
            <fieldset class="scenario-question" data-testid="scenario-question">
                <legend>{ q.prompt.clone() }</legend>
                { for choices }
            </fieldset>
        }
    });
    let verdict_html = match (&verdict, &current.question) {
        (Some(v), Some(q)) => {
            let happened: Vec<&str> = v
                .held
                .iter()
                .filter_map(|&i| q.choices.get(i).map(|c| c.label.as_str()))
                .collect();
            let happened = if happened.is_empty() {
                "none of the choices".to_string()
            } else {
                format!("\u{201c}{}\u{201d}", happened.join("\u{201d}, \u{201c}"))
            };
            let headline = if v.correct {
                format!("\u{2713} Right: the run shows {happened}.")
            } else {
                format!("\u{2717} Not this time: the run shows {happened}.")
            };
            html! {
                <div class={classes!("verdict", if v.correct { "right" } else { "wrong" })}
                     data-testid="scenario-verdict" data-correct={v.correct.to_string()}
                     tabindex="-1" role="status" aria-live="polite" ref={verdict_ref.clone()}>
                    <p class="verdict-head">{ headline }</p>
                    <p>{ q.explanation.clone() }</p>
                    <p class="muted">{ "Drag the timeline back to watch it happen." }</p>
                </div>
            }
        }
        _ => html! {},
    };

    let status = if !props.on_script {
        Some((
            "off-script",
            "You changed the run, so it is no longer the scenario\u{2019}s and does not stop at steps. Back, Next and Reveal go back to the scenario\u{2019}s own run.",
        ))
    } else if run.waits_for_prediction() && run.choice.is_none() {
        Some(("predict", "Pick your prediction, then Reveal."))
    } else if props.at_next_step {
        Some((
            "at-step",
            "The run stopped where the next step begins: press Next. (Play goes on without the scenario.)",
        ))
    } else {
        None
    };

    let onreveal = send(&props.onmsg, || ScenarioMsg::Reveal);
    let can_reveal = current.question.is_some() && run.choice.is_some() && verdict.is_none();
    html! {
        <section class="panel scenario-panel" data-testid="scenario"
                 data-scenario-id={scenario.id.clone()} data-step={(k + 1).to_string()}
                 data-steps={n.to_string()} data-on-script={props.on_script.to_string()}
                 aria-label={format!("Guided scenario: {}", scenario.title)}
                 tabindex="-1" ref={panel_ref}>
            <p class="scenario-count" data-testid="scenario-count">
                <span class="count-label">{ "Guided scenario \u{00b7} " }</span>
                { format!("step {} of {n}", k + 1) }
            </p>
            <h2 class="scenario-title" title={scenario.title.clone()}>{ scenario.title.clone() }</h2>
            <div class="scenario-body">
                <p class="scenario-text">{ current.text.clone() }</p>
                { for question }
                { verdict_html }
                if let Some((kind, text)) = status {
                    <p class={classes!("scenario-status", kind)} data-testid="scenario-status"
                       data-status={kind}>{ text }</p>
                }
            </div>
            <div class="scenario-nav">
                <button type="button" data-testid="scenario-back" disabled={k == 0}
                        title="The previous step, exactly as it was shown"
                        onclick={send(&props.onmsg, || ScenarioMsg::Back)}>
                    { "\u{25C0} Back" }
                </button>
                if current.question.is_some() {
                    <button type="button" class="primary" data-testid="scenario-reveal"
                            disabled={!can_reveal} onclick={onreveal}
                            title={if verdict.is_some() { "Revealed" } else if run.choice.is_none() { "Pick a prediction first" } else { "Run to the moment of the answer and see what happened" }}>
                        { if verdict.is_some() { "Revealed" } else { "Reveal" } }
                    </button>
                } else {
                    <span class="nav-spacer"></span>
                }
                <button type="button" data-testid="scenario-next" disabled={k + 1 >= n}
                        class={classes!((verdict.is_some() || current.question.is_none()).then_some("primary"))}
                        title="Go on to the next step"
                        onclick={send(&props.onmsg, || ScenarioMsg::Next)}>
                    { "Next \u{25B6}" }
                </button>
            </div>
            <button type="button" class="scenario-exit" data-testid="scenario-exit"
                    title="Leave the scenario; the run stays as it is"
                    onclick={send(&props.onmsg, || ScenarioMsg::Exit)}>
                { "Exit" }
            </button>
        </section>
    }
}
