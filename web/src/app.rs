//! The root component: owns the reducer, the animation loop and the document-wide listeners,
//! derives the plain-data views once per frame and lays out the page.

use crate::actions::{NodeActionKind, shortcut_help};
use crate::components::banner::Banner;
use crate::components::client_panel::ClientPanel;
use crate::components::cluster::Cluster;
use crate::components::controls::Controls;
use crate::components::embed_bar::EmbedBar;
use crate::components::event_log::EventLog;
use crate::components::help::{give_focus_back, help_dialog, take_focus};
use crate::components::inspector::{Inspector, InspectorView};
use crate::components::legend::Legend;
use crate::components::log_view::LogView;
use crate::components::network_panel::NetworkPanel;
use crate::components::node_menu::NodeMenu;
use crate::components::scenario_panel::{ScenarioPanel, ScenarioPicker};
use crate::components::scene_tools::{SceneTools, SessionNotice};
use crate::components::spacetime::SpaceTimePanel;
use crate::components::timeline_bar::TimelineBar;
use crate::embed::bridge::{self, Bridge};
use crate::input::RunParams;
use crate::network_view::{self, Preset};
use crate::panels::PanelCache;
use crate::scenario_view::ScenarioMsg;
use crate::scene_io::SceneAt;
use crate::state::{Inspected, Msg};
use crate::views::{self, NodeView};
use crate::{embed, layout, node_fields, scenario_view, session, startup, status, url, why_commit};
use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::request_animation_frame;
use gloo::timers::callback::{Interval, Timeout};
use raft_core::sim::{Action, Endpoint, MessageId, NodeStatus};
use raft_core::{LogIndex, NodeId};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

/// Whether a keyboard event belongs to the element it comes from rather than to the app's
/// shortcuts: any key in a text field or a select (letters are typing there), and Space or
/// Enter on a button or a checkbox (which they press). A slider only takes arrows and the
/// like, which are no shortcuts, so the shortcuts work there.
fn for_the_target(event: &KeyboardEvent) -> bool {
    let Some(el) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return false;
    };
    let tag = el.tag_name();
    let pressing = matches!(event.key().as_str(), " " | "Enter");
    match tag.as_str() {
        "INPUT" => match el.get_attribute("type").unwrap_or_default().as_str() {
            "checkbox" | "radio" | "button" | "submit" | "reset" => pressing,
            "range" => false,
            _ => true,
        },
        "SELECT" | "TEXTAREA" => true,
        "BUTTON" | "A" | "SUMMARY" => pressing,
        _ => pressing && el.get_attribute("role").as_deref() == Some("button"),
    }
}

/// The live safety verdict: the Figure 3 properties (and the persistence invariants) checked
/// as the run goes by [`raft_core::sim::SafetyChecker`].
fn safety_badge(violation: Option<&raft_core::sim::Violation>) -> Html {
    match violation {
        None => html! {
            <span class="safety ok" data-testid="safety" data-safety="ok"
                  title="Checked after every frame: Election Safety, Leader Append-Only, Log Matching, Leader Completeness, State Machine Safety (Figure 3), terms never decrease, one vote per term, committed entries on a majority">
                { "safety: OK" }
            </span>
        },
        Some(v) => html! {
            <span class="safety bad" data-testid="safety" data-safety="violated" title={v.to_string()}>
                { format!("safety: {} violated", v.property.name()) }
            </span>
        },
    }
}

/// The raftlab app.
#[function_component(App)]
pub fn app() -> Html {
    // Embed mode and the page's other options (see crate::embed), read once.
    let options = use_memo((), |_| embed::read_options());
    // The URL's run, or the session saved in the browser (see `startup`), then the embed
    // options (a scenario to open, paused, speed).
    let state = {
        let options = options.clone();
        use_reducer(move || {
            let mut state = startup::initial_state();
            if !options.1.is_empty() {
                let mut errors = (*state.url_errors).clone();
                errors.extend(options.1.iter().cloned());
                state.url_errors = Rc::new(errors);
            }
            state.start_with(&options.0);
            state
        })
    };
    let dispatch = state.dispatcher();
    let embedded = options.0.embed;
    let panels = options.0.panels;
    let scenario_menu = use_memo((), |_| scenario_view::menu());

    // The postMessage API: the listener lives as long as the app (dropping it removes it);
    // `ready` goes out once it listens, and after every render the bridge posts what the host
    // should hear.
    let host_bridge = use_mut_ref(|| Bridge::new(options.0.origin.clone()));
    {
        let (dispatch, host_bridge, state) = (dispatch.clone(), host_bridge.clone(), state.clone());
        let origin = options.0.origin.clone();
        use_effect_with((), move |_| {
            let listener = bridge::listen(origin, dispatch);
            host_bridge.borrow_mut().ready(&state);
            move || drop(listener)
        });
    }
    {
        let (host_bridge, state) = (host_bridge.clone(), state.clone());
        use_effect(move || host_bridge.borrow_mut().flush(&state));
    }

    // Save the session shortly after each change worth keeping (a burst, such as dragging the
    // scrubber, saves once), every few seconds while playing, and when the page is left;
    // never per frame. The run itself is shared and read when saving, so the state captured
    // here has the present moment too.
    {
        let state = state.clone();
        use_effect_with(state.revision, move |_| {
            let on_leave = state.clone();
            let save = Timeout::new(session::SAVE_DEBOUNCE_MS, move || session::save(&state));
            // A reload right after a change must not lose it.
            let leave = EventListener::new(&gloo::utils::window(), "pagehide", move |_| {
                session::save(&on_leave)
            });
            move || drop((save, leave))
        });
    }
    {
        let dispatch = dispatch.clone();
        use_effect_with(state.playing, move |&playing| {
            let tick = playing.then(|| {
                Interval::new(session::SAVE_EVERY_MS, move || {
                    dispatch.dispatch(Msg::SessionTick)
                })
            });
            move || drop(tick)
        });
    }

    // The side panels' views, rebuilt in turn while the run plays (see `panels`).
    let panel_cache = use_mut_ref(PanelCache::default);

    // The animation loop: while playing, each frame requests the next one. The pending
    // request's handle belongs to this effect; the cleanup (next frame, pause or unmount)
    // drops it, which cancels it if it has not fired yet.
    {
        let dispatch = dispatch.clone();
        use_effect_with((state.playing, state.frame), move |&(playing, _)| {
            let pending = playing.then(|| {
                request_animation_frame(move |wall_ms| dispatch.dispatch(Msg::Frame { wall_ms }))
            });
            move || drop(pending)
        });
    }

    // Document-wide keys (node shortcuts, Escape); the listener is removed when the app
    // unmounts (dropping an EventListener removes it). The node's actions sit in the side
    // panel, not over the drawing, so a click elsewhere does not close them (closing on
    // pointerdown used to move the network bar under the pointer before the click landed).
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let document = gloo::utils::document();
            // Not passive: Space must not also scroll the page.
            let options = EventListenerOptions::enable_prevent_default();
            let keys = EventListener::new_with_options(&document, "keydown", options, move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if e.ctrl_key() || e.meta_key() || e.alt_key() || for_the_target(e) {
                    return;
                }
                // Space would also scroll the page.
                if e.key() == " " {
                    e.prevent_default();
                }
                dispatch.dispatch(Msg::Key(e.key()));
            });
            move || drop(keys)
        });
    }

    // The help dialog takes the focus while open and gives it back when it closes.
    use_effect_with(state.help, |&open| {
        let before = open.then(take_focus).flatten();
        move || give_focus_back(before)
    });

    // Callbacks of the network bar, made once: with equal props it skips re-rendering, so a
    // value being typed into one of its inputs is not overwritten by the next frame.
    let onapply = use_callback(
        dispatch.clone(),
        |(actions, what): (Vec<Action>, String), d| d.dispatch(Msg::Apply { actions, what }),
    );
    let onpreset = use_callback(dispatch.clone(), |p: Preset, d| d.dispatch(Msg::Preset(p)));
    let onerror = use_callback(dispatch.clone(), |text: String, d| {
        d.dispatch(Msg::Notice(text))
    });
    let onpartition = use_callback(dispatch.clone(), |(), d| d.dispatch(Msg::PartitionGroup));
    let onclear = use_callback(dispatch.clone(), |(), d| d.dispatch(Msg::ClearGroup));
    let onloadscene = use_callback(dispatch.clone(), |at: SceneAt, d| {
        d.dispatch(Msg::LoadScene(Box::new(at)))
    });
    let onexplain = use_callback(dispatch.clone(), |(node, index): (u64, u64), d| {
        d.dispatch(Msg::ExplainCommit(NodeId(node), LogIndex(index)))
    });
    let onclosewhy = use_callback(dispatch.clone(), |(), d| d.dispatch(Msg::CloseExplanation));
    let onlink = use_callback(dispatch.clone(), |(a, b): (NodeId, NodeId), d| {
        d.dispatch(Msg::Inspect(Inspected::Link(a, b)))
    });

    let onscenario = use_callback(dispatch.clone(), move |msg: ScenarioMsg, d| {
        if !embedded {
            match &msg {
                ScenarioMsg::Load(id) => embed::write_scenario_param(Some(id)),
                ScenarioMsg::Exit => embed::write_scenario_param(None),
                _ => {}
            }
        }
        d.dispatch(Msg::Scenario(msg))
    });

    let Some(sim) = state.sim() else {
        return html! {};
    };
    let mut nodes = views::node_views(&sim, state.selected, state.speed);
    for n in &mut nodes {
        n.grouped = state.group.contains(&NodeId(n.id));
    }
    let messages = views::message_views(&sim, &state.lanes);
    let selected_link = match state.inspected {
        Some(Inspected::Link(a, b)) => Some((a, b)),
        _ => None,
    };
    let links = network_view::link_views(&sim, selected_link);
    let drops = network_view::drop_views(&sim, state.speed);
    let net = sim.network();
    let defaults = *net.defaults();
    let faulty = net.has_cuts() || net.has_overrides();
    let (pre_vote, check_quorum) = (sim.config().raft.pre_vote, sim.config().raft.check_quorum);
    let election_timeout_ms = sim.config().raft.election_timeout_ms_min;
    let snapshot_threshold = sim.config().snapshot_threshold_entries;
    let inspector = match state.inspected {
        Some(Inspected::Link(a, b)) => {
            links
                .iter()
                .find(|l| (l.a, l.b) == (a.0, b.0))
                .map(|l| InspectorView::Link {
                    link: l.clone(),
                    ab: net.link_override(a, b).copied(),
                    ba: net.link_override(b, a).copied(),
                    defaults,
                })
        }
        Some(Inspected::Message(id)) => {
            let env = net.get(id);
            let drop = sim.recent_drops().rev().find(|d| d.id == id);
            Some(InspectorView::Message {
                id: id.0,
                kind: env
                    .map(|e| e.kind())
                    .or(drop.map(|d| d.kind))
                    .or(state.inspected_kind)
                    .unwrap_or(raft_core::MessageKind::Heartbeat),
                fields: env.map(network_view::message_fields).unwrap_or_default(),
                between_nodes: env.is_some_and(|e| {
                    matches!((e.from, e.to), (Endpoint::Node(_), Endpoint::Node(_)))
                }),
                gone: match drop {
                    Some(d) => network_view::drop_reason_text(d.reason).to_string(),
                    None => "it was delivered".to_string(),
                },
            })
        }
        None => None,
    };
    let why = state.explain.and_then(|(id, index)| {
        let crashed = sim.node(id)?.status() == NodeStatus::Crashed;
        Some(why_commit::why_view(
            &sim.commit_explanation(id, index)?,
            crashed,
        ))
    });
    let fields = state
        .selected
        .and_then(|id| node_fields::node_fields(&sim, id));
    let side = panel_cache.borrow_mut().views(&state, &sim);
    let status = status::status_line(&sim);
    let now_ms = sim.now_ms();
    let at_start = sim.events_processed() == 0;
    drop(sim);
    let horizon_ms = state.timeline().map_or(now_ms, |t| t.horizon_ms());
    let on_script = state.scenario_on_script();
    let at_next_step = on_script
        && !state.playing
        && state.scenario.as_ref().and_then(|r| r.player.next_at_ms()) == Some(now_ms);
    // The narration sits beside the drawing in the full app, and on top of the side column
    // in embed mode.
    let scenario_panel = (panels.scenario && state.scenario.is_some()).then(|| {
        html! {
            <ScenarioPanel run={state.scenario.clone()} {on_script} {at_next_step}
                           autofocus={!embedded} onmsg={onscenario.clone()} />
        }
    });
    let (beside_drawing, in_side_column) = if embedded {
        (None, scenario_panel)
    } else {
        (scenario_panel, None)
    };
    let count = nodes.len();

    let menu_node: Option<NodeView> = state
        .selected
        .and_then(|id| nodes.iter().find(|n| n.id == id.0).cloned());
    let menu = match menu_node {
        Some(node) => {
            let id = NodeId(node.id);
            let d = dispatch.clone();
            let onaction = Callback::from(move |kind: NodeActionKind| {
                d.dispatch(Msg::NodeAction(id, kind));
            });
            let d = dispatch.clone();
            let onclose = Callback::from(move |()| d.dispatch(Msg::CloseMenu));
            let d = dispatch.clone();
            let onexplain = Callback::from(move |()| d.dispatch(Msg::ToggleExplainFields));
            Some(html! {
                <NodeMenu {node} {onaction} {onclose} {fields} explain={state.explain_fields}
                          {onexplain} onlink={onlink.clone()} />
            })
        }
        None => None,
    };

    // A fn making the message (not a message to clone): `Msg` need not be `Clone`, which
    // keeps a clone of every message payload out of the download.
    let cb = |msg: fn() -> Msg| {
        let d = dispatch.clone();
        Callback::from(move |()| d.dispatch(msg()))
    };
    let onselect = {
        let d = dispatch.clone();
        Callback::from(move |(id, shift): (NodeId, bool)| {
            d.dispatch(if shift {
                Msg::ToggleGroup(id)
            } else {
                Msg::Select(id)
            })
        })
    };
    let onmessage = {
        let d = dispatch.clone();
        Callback::from(move |id: u64| d.dispatch(Msg::Inspect(Inspected::Message(MessageId(id)))))
    };

    let onadd = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Msg::AddNode))
    };
    let onseek = {
        let d = dispatch.clone();
        Callback::from(move |t_ms: u64| d.dispatch(Msg::Seek(t_ms)))
    };
    let onspeed = {
        let d = dispatch.clone();
        Callback::from(move |speed: f64| d.dispatch(Msg::SetSpeed(speed)))
    };
    let onreset = {
        let d = dispatch.clone();
        Callback::from(move |params: RunParams| {
            url::write_run_params(&params);
            d.dispatch(Msg::Reset(params));
        })
    };
    let onsubmit = {
        let d = dispatch.clone();
        Callback::from(move |(client, command)| d.dispatch(Msg::SubmitFrom { client, command }))
    };
    let ontoggledebug = {
        let d = dispatch.clone();
        Callback::from(move |on: bool| d.dispatch(Msg::SetShowDebug(on)))
    };

    let has_banner = !state.url_errors.is_empty() || state.notice.is_some() || state.resumed;
    let timeline_bar = if embedded {
        html! {
            <TimelineBar {now_ms} {horizon_ms} {at_start} onback={cb(|| Msg::StepBack)}
                         onforward={cb(|| Msg::Step)} {onseek} />
        }
    } else {
        html! {
            <TimelineBar {now_ms} {horizon_ms} {at_start} onback={cb(|| Msg::StepBack)}
                         onforward={cb(|| Msg::Step)} {onseek}>
                <SceneTools run={state.run()} onload={onloadscene} onerror={onerror.clone()} />
            </TimelineBar>
        }
    };
    // Embed mode keeps the side panel beside the drawing only while a node's actions or the
    // inspector are open (the legend would not fit an 800×600 frame).
    let side_open = menu.is_some() || inspector.is_some();
    let show_side = !embedded || side_open;
    let side_column = in_side_column.is_some() || panels.client || panels.events;
    let in_scenario = beside_drawing.is_some();
    let full_href = AttrValue::from(match &state.scenario {
        Some(run) => format!("./?scenario={}", run.scenario().id),
        None => format!("./?seed={}&nodes={}", state.params.seed, state.params.nodes),
    });

    html! {
        <div class={classes!("app", embedded.then_some("embed"), (!side_column).then_some("no-side"))}
             data-virtual-time-ms={now_ms.to_string()} data-embed={embedded.then_some("true")}>
            if embedded {
                <EmbedBar playing={state.playing} {now_ms} {full_href} ontoggle={cb(|| Msg::TogglePlay)}>
                    if panels.timeline {
                        { timeline_bar }
                    }
                </EmbedBar>
            } else {
                <header class={classes!("app-header", has_banner.then_some("has-banner"))}>
                    <h1>{ "raftlab" }</h1>
                    <p>
                        { "Servers running Raft elect a leader, which copies each client request into every log. Watch the messages, crash a node, send a request." }
                    </p>
                    <button type="button" class="help-open" data-testid="help-open"
                            aria-haspopup="dialog" aria-keyshortcuts="?"
                            onclick={let d = dispatch.clone(); Callback::from(move |_: MouseEvent| d.dispatch(Msg::ShowHelp(true)))}>
                        { "Keys " }<kbd>{ "?" }</kbd>
                    </button>
                </header>
                <ScenarioPicker menu={scenario_menu.clone()}
                                current={state.scenario.as_ref().map(|r| r.scenario().id.clone())}
                                onmsg={onscenario.clone()} />
                // Keyed on the run's seed and size, so a loaded scene shows its own in the fields.
                <Controls key={format!("{}-{}", state.params.seed, state.params.nodes)}
                          playing={state.playing} speed={state.speed} {now_ms}
                          params={state.params.clone()}
                          ontoggle={cb(|| Msg::TogglePlay)} onstep={cb(|| Msg::Step)}
                          {onspeed} {onreset} />
                { timeline_bar }
            }
            // Messages sit in the header band (see style.css) instead of pushing the page down.
            <div class="banners">
                <Banner lines={(*state.url_errors).clone()} testid="url-error"
                        ondismiss={cb(|| Msg::DismissUrlErrors)} />
                <Banner lines={state.notice.iter().cloned().collect::<Vec<_>>()} testid="notice"
                        ondismiss={cb(|| Msg::DismissNotice)} />
                if state.resumed {
                    <SessionNotice ondismiss={cb(|| Msg::DismissResumed)} />
                }
            </div>
            <main class="layout">
                <div class="column main-column">
                    if panels.cluster {
                    <section class="panel cluster-panel" aria-label="Cluster">
                        <div class="panel-head">
                            <h2>{ "Cluster" }</h2>
                            if !embedded {
                                <button type="button" class="add-node" data-action="add-node" onclick={onadd}
                                        title="Start a new server: it asks the cluster to join (JoinCluster), the leader adds it as a learner and copies its log to it, then makes it a voter (dissertation \u{a7}4.1, \u{a7}4.2.1)">
                                    { "+ Add node" }
                                </button>
                            }
                            <span class="status-line" data-testid="status-line" title={status.clone()}>{ status }</span>
                            { safety_badge(state.violation.as_deref()) }
                        </div>
                        if let Some(v) = state.violation.as_deref() {
                            <p class="safety-detail" role="alert" data-testid="safety-detail">
                                { format!("{v}. A correct Raft never does this: the run is kept as it is so you can inspect it.") }
                            </p>
                        }
                        <div class={classes!("cluster-body", (embedded && side_open).then_some("side-open"))}>
                            <div class="cluster-wrap" style={layout::wrapper_style(count)}>
                                <Cluster {nodes} {messages} {links} {drops} {onselect} {onlink} {onmessage} />
                            </div>
                            if show_side {
                            <div class="cluster-side">
                                { for beside_drawing }
                                if let Some(menu) = menu {
                                    { menu }
                                } else if let Some(view) = inspector {
                                    <Inspector {view} onapply={onapply.clone()} onclose={cb(|| Msg::CloseInspector)} />
                                } else if in_scenario {
                                    // The scenario's narration takes the legend's room; the
                                    // legend stays one click away.
                                    <details class="legend-fold">
                                        <summary>{ "Legend" }</summary>
                                        <Legend />
                                    </details>
                                } else {
                                    <Legend />
                                }
                                if !embedded {
                                <p class="hint muted" title={format!("Keys for the selected node: {}; Esc closes the menu", shortcut_help())}>
                                    { "Click a node for actions, a link to cut it, a message to inspect it; shift-click nodes to group them. Press ? for the keyboard." }
                                </p>
                                }
                            </div>
                            }
                        </div>
                        if !embedded {
                        <NetworkPanel {defaults} group={state.group.iter().copied().collect::<Vec<_>>()}
                                      {faulty} {pre_vote} {check_quorum} {election_timeout_ms} {snapshot_threshold} {onapply} {onpreset} {onerror} {onpartition} {onclear} />
                        }
                    </section>
                    }
                    if panels.log {
                        <LogView grid={side.grid} {onexplain} {why} {onclosewhy} />
                    }
                    if !embedded {
                        <SpaceTimePanel diagram={side.diagram} ontoggle={cb(|| Msg::ToggleDiagram)} />
                    }
                </div>
                if side_column {
                <div class="column side-column">
                    { for in_side_column }
                    if panels.client {
                    <ClientPanel requests={side.requests} total_requests={side.total_requests}
                                 latest={side.latest} {onsubmit} history={side.history}
                                 linearizable={state.history.ok} verdict={state.history.text.clone()} />
                    }
                    if panels.events {
                    <EventLog lines={side.lines} total={side.total_lines} show_debug={state.show_debug} {ontoggledebug} />
                    }
                </div>
                }
            </main>
            // Key events for screen readers (leader elected, crashes, partitions, commits).
            <div class="sr-only" aria-live="polite" aria-atomic="true" data-testid="narration">
                { state.narration.text.clone() }
            </div>
            if state.help {
                { help_dialog(&cb(|| Msg::ShowHelp(false))) }
            }
        </div>
    }
}
