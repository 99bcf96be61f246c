//! The root component: owns the reducer, the animation loop and the document-wide listeners,
//! derives the plain-data views once per frame and lays out the page.

use crate::actions::{NodeActionKind, shortcut_help};
use crate::components::banner::Banner;
use crate::components::client_panel::ClientPanel;
use crate::components::cluster::Cluster;
use crate::components::controls::Controls;
use crate::components::event_log::EventLog;
use crate::components::inspector::{Inspector, InspectorView};
use crate::components::legend::Legend;
use crate::components::log_view::LogView;
use crate::components::network_panel::NetworkPanel;
use crate::components::node_menu::NodeMenu;
use crate::components::spacetime::SpaceTimePanel;
use crate::components::timeline_bar::TimelineBar;
use crate::input::RunParams;
use crate::network_view::{self, Preset};
use crate::panels::PanelCache;
use crate::state::{AppState, Inspected, Msg};
use crate::views::{self, NodeView};
use crate::{layout, status, url};
use gloo::events::EventListener;
use gloo::render::request_animation_frame;
use raft_core::NodeId;
use raft_core::sim::{Action, Endpoint, MessageId};
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

/// Whether a keyboard event comes from a text field (where letters are typing, not commands).
fn from_text_field(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
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
    let state = use_reducer(|| {
        let (params, errors) = url::read_run_params();
        AppState::new(params, errors)
    });
    let dispatch = state.dispatcher();
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
            let keys = EventListener::new(&document, "keydown", move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if e.ctrl_key() || e.meta_key() || e.alt_key() || from_text_field(e) {
                    return;
                }
                dispatch.dispatch(Msg::Key(e.key()));
            });
            move || drop(keys)
        });
    }

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
    let panels = panel_cache.borrow_mut().views(&state, &sim);
    let status = status::status_line(&sim);
    let now_ms = sim.now_ms();
    let at_start = sim.events_processed() == 0;
    drop(sim);
    let horizon_ms = state.timeline().map_or(now_ms, |t| t.horizon_ms());
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
            Some(html! { <NodeMenu {node} {onaction} {onclose} /> })
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
    let onlink = {
        let d = dispatch.clone();
        Callback::from(move |(a, b): (NodeId, NodeId)| {
            d.dispatch(Msg::Inspect(Inspected::Link(a, b)))
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

    let has_banner = !state.url_errors.is_empty() || state.notice.is_some();

    html! {
        <div class="app" data-virtual-time-ms={now_ms.to_string()}>
            <header class={classes!("app-header", has_banner.then_some("has-banner"))}>
                <h1>{ "raftlab" }</h1>
                <p>
                    { "Servers running Raft elect a leader, which copies each client request into every log. Watch the messages, crash a node, send a request." }
                </p>
            </header>
            <Controls playing={state.playing} speed={state.speed} {now_ms}
                      params={state.params.clone()}
                      ontoggle={cb(|| Msg::TogglePlay)} onstep={cb(|| Msg::Step)}
                      {onspeed} {onreset} />
            <TimelineBar {now_ms} {horizon_ms} {at_start} onback={cb(|| Msg::StepBack)}
                         onforward={cb(|| Msg::Step)} {onseek} />
            // Messages sit in the header band (see style.css) instead of pushing the page down.
            <div class="banners">
                <Banner lines={(*state.url_errors).clone()} testid="url-error"
                        ondismiss={cb(|| Msg::DismissUrlErrors)} />
                <Banner lines={state.notice.iter().cloned().collect::<Vec<_>>()} testid="notice"
                        ondismiss={cb(|| Msg::DismissNotice)} />
            </div>
            <main class="layout">
                <div class="column main-column">
                    <section class="panel cluster-panel" aria-label="Cluster">
                        <div class="panel-head">
                            <h2>{ "Cluster" }</h2>
                            <button type="button" class="add-node" data-action="add-node" onclick={onadd}
                                    title="Start a new server: it asks the cluster to join (JoinCluster), the leader adds it as a learner and copies its log to it, then makes it a voter (dissertation \u{a7}4.1, \u{a7}4.2.1)">
                                { "+ Add node" }
                            </button>
                            <span class="status-line" data-testid="status-line" title={status.clone()}>{ status }</span>
                            { safety_badge(state.violation.as_deref()) }
                        </div>
                        if let Some(v) = state.violation.as_deref() {
                            <p class="safety-detail" role="alert" data-testid="safety-detail">
                                { format!("{v}. A correct Raft never does this: the run is kept as it is so you can inspect it.") }
                            </p>
                        }
                        <div class="cluster-body">
                            <div class="cluster-wrap" style={layout::wrapper_style(count)}>
                                <Cluster {nodes} {messages} {links} {drops} {onselect} {onlink} {onmessage} />
                            </div>
                            <div class="cluster-side">
                                if let Some(menu) = menu {
                                    { menu }
                                } else if let Some(view) = inspector {
                                    <Inspector {view} onapply={onapply.clone()} onclose={cb(|| Msg::CloseInspector)} />
                                } else {
                                    <Legend />
                                }
                                <p class="hint muted" title={format!("Keys for the selected node: {}; Esc closes the menu", shortcut_help())}>
                                    { "Click a node for actions, a link to cut it, a message to inspect it; shift-click nodes to group them." }
                                </p>
                            </div>
                        </div>
                        <NetworkPanel {defaults} group={state.group.iter().copied().collect::<Vec<_>>()}
                                      {faulty} {pre_vote} {check_quorum} {election_timeout_ms} {snapshot_threshold} {onapply} {onpreset} {onerror} {onpartition} {onclear} />
                    </section>
                    <LogView grid={panels.grid} />
                    <SpaceTimePanel diagram={panels.diagram} ontoggle={cb(|| Msg::ToggleDiagram)} />
                </div>
                <div class="column side-column">
                    <ClientPanel requests={panels.requests} total_requests={panels.total_requests}
                                 latest={panels.latest} {onsubmit} history={panels.history}
                                 linearizable={state.history.ok} verdict={state.history.text.clone()} />
                    <EventLog lines={panels.lines} total={panels.total_lines} show_debug={state.show_debug} {ontoggledebug} />
                </div>
            </main>
        </div>
    }
}
