//! The app's single reducer: it owns the simulation, and every control, click, key press and
//! animation frame reaches it as a [`Msg`].
//!
//! # Why the simulation lives in an `Rc<RefCell<_>>`
//!
//! Yew's `Reducible::reduce` receives `self: Rc<Self>` and must return a new `Rc` for the
//! page to re-render. Yew keeps the previous `Rc` alive (in the hook and in every handle that
//! was dereferenced), so `Rc::make_mut` on a state holding the `Simulation` by value would
//! deep-copy the whole simulation — trace included, which grows all run long — on every
//! animation frame. Instead [`AppState`] is a small struct of flags and `Rc`s: the reducer
//! clones that (a few pointer copies), advances the one shared simulation in place, and returns
//! the new struct. Older snapshots therefore see the simulation's current contents; nothing
//! reads them, and the components get plain-data views ([`crate::views`]) made from the newest
//! state. The reducer stays pure in the sense that matters for testing and replay: its result
//! depends only on the state and the message (the frame's timestamp arrives in
//! [`Msg::Frame`]; it never reads a clock).

use crate::actions::NodeActionKind;
use crate::embed::{HostCommand, HostOutbox};
use crate::history_view::HistoryCache;
use crate::input::RunParams;
use crate::lanes::LaneMap;
use crate::narration::Narrator;
use crate::network_view::{PRESETS, Preset, preset_actions};
use crate::scenario_view::{ScenarioMsg, ScenarioRun};
use crate::scene_io::{self, RunHandle, SceneAt};
use crate::shortcuts::{GlobalKey, global_key, speed_step};
use crate::speed::{SPEED_DEFAULT, SPEED_MAX, SPEED_MIN};
use crate::trace_cache::TraceCache;
use raft_core::sim::{Action, MessageId, SafetyChecker, Simulation, Timeline, Violation};
use raft_core::{Command, LogIndex, NodeId, RoleKind};
use std::cell::{Ref, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::Reducible;

/// Longest wall-clock gap (ms) one frame may turn into virtual time, so that a tab that was in
/// the background for a minute does not jump a minute × speed ahead.
pub const MAX_FRAME_WALL_MS: f64 = 250.0;

/// Everything that can happen to the app.
#[derive(Debug, PartialEq)]
pub enum Msg {
    /// An animation frame at wall time `wall_ms` (the `requestAnimationFrame` timestamp).
    Frame {
        /// Milliseconds since page load, from the browser.
        wall_ms: f64,
    },
    /// Play or pause.
    TogglePlay,
    /// Pause and process exactly the next event (replaying the recorded run if the present
    /// moment is in the past).
    Step,
    /// Pause and go back one event (time travel: the state right after the previous event).
    StepBack,
    /// Pause and move to a virtual time (ms), backwards or forwards within the recorded run.
    Seek(u64),
    /// Set the speed factor (virtual ms per wall ms).
    SetSpeed(f64),
    /// Start a new run.
    Reset(RunParams),
    /// The user clicked a node: select it and open its menu.
    Select(NodeId),
    /// Close the node menu and clear the selection.
    CloseMenu,
    /// Apply a node action (from the menu or a shortcut).
    NodeAction(NodeId, NodeActionKind),
    /// A key was pressed outside text fields (`KeyboardEvent.key`).
    Key(String),
    /// A client (1..=[`CLIENTS`]) submits a command: `a + b` or a register operation.
    SubmitFrom {
        /// The client.
        client: u64,
        /// The command.
        command: Command,
    },
    /// Show or hide DEBUG (per-message) lines in the event log.
    SetShowDebug(bool),
    /// Hide the action error message.
    DismissNotice,
    /// Hide the URL parameter message.
    DismissUrlErrors,
    /// Shift-click on a node: add it to the group, or take it out.
    ToggleGroup(NodeId),
    /// Empty the group.
    ClearGroup,
    /// Partition the group away from the rest of the cluster.
    PartitionGroup,
    /// Open the inspector on a link or a message (a message also pauses the run, so it stays
    /// put while the user reads it).
    Inspect(Inspected),
    /// Close the inspector.
    CloseInspector,
    /// Apply simulator actions in order, stopping at the first refused; `what` completes
    /// "Cannot …" if one is refused.
    Apply {
        /// The actions.
        actions: Vec<Action>,
        /// What they do, e.g. "cut the link".
        what: String,
    },
    /// Show a message (bad input caught before it reached the simulator).
    Notice(String),
    /// Set up a fault preset.
    Preset(Preset),
    /// Add a node to the cluster (it joins as a learner, then becomes a voter).
    AddNode,
    /// Show or hide the space-time diagram.
    ToggleDiagram,
    /// Replace the run with a scene (an imported file, a scene link, the saved session),
    /// paused at its moment. If it cannot be replayed, a notice says why and the current run
    /// stays.
    LoadScene(Box<SceneAt>),
    /// A few seconds of wall time went by while playing: time to save the session again.
    SessionTick,
    /// Hide the "resumed your last session" notice.
    DismissResumed,
    /// Show (`true`) or hide the keyboard shortcut help.
    ShowHelp(bool),
    /// Explain why the entry at this index of this node's log is not committed (the log
    /// panel shows it until closed).
    ExplainCommit(NodeId, LogIndex),
    /// Close the commit explanation.
    CloseExplanation,
    /// Show or hide the one-line explanation of every field in the node inspector.
    ToggleExplainFields,
    /// The guided scenario panel (see [`crate::scenario_view`]).
    Scenario(ScenarioMsg),
    /// A command from the page around an embedded app (see [`crate::embed`]).
    Host(HostCommand),
}

/// What the inspector shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inspected {
    /// The link between two nodes, smaller id first.
    Link(NodeId, NodeId),
    /// A message in flight.
    Message(MessageId),
}

/// The app state (see the module comment for why it is cheap to clone).
#[derive(Clone, Debug)]
pub struct AppState {
    /// The run with its recorded history (checkpoints + the user's actions), so the app can go
    /// back and forth in time; see [`Timeline`].
    sim: Rc<RefCell<Timeline>>,
    /// The run's seed and size.
    pub params: RunParams,
    /// Whether virtual time follows wall time.
    pub playing: bool,
    /// Virtual ms per wall ms.
    pub speed: f64,
    /// Wall time of the previous frame while playing.
    last_wall_ms: Option<f64>,
    /// Fraction of a virtual ms not yet applied (so slow speeds do not lose time to rounding).
    carry_ms: f64,
    /// Number of frames handled; the animation effect re-arms on each change.
    pub frame: u64,
    /// The selected node: its menu is open and the keyboard shortcuts act on it.
    pub selected: Option<NodeId>,
    /// Last error of a user action, shown until dismissed.
    pub notice: Option<String>,
    /// Messages about bad URL parameters, shown until dismissed.
    pub url_errors: Rc<Vec<String>>,
    /// Whether the event log includes DEBUG lines.
    pub show_debug: bool,
    /// Formatted tail of the trace.
    pub trace: TraceCache,
    /// The lane of each message in flight (shared until it changes).
    pub lanes: Rc<LaneMap>,
    /// The safety checker watching the run (shared, advanced in place like the simulation).
    checker: Rc<RefCell<SafetyChecker>>,
    /// The safety verdict shown in the badge: `None` while every property holds.
    pub violation: Option<Rc<Violation>>,
    /// Nodes the user shift-clicked into a group (to partition them away together).
    pub group: BTreeSet<NodeId>,
    /// The link or message the inspector shows.
    pub inspected: Option<Inspected>,
    /// The kind of the inspected message, remembered for when it is no longer in flight.
    pub inspected_kind: Option<raft_core::MessageKind>,
    /// The linearizability verdict on the client history.
    pub history: HistoryCache,
    /// Whether the space-time diagram is shown (it is only built while shown).
    pub diagram_open: bool,
    /// Bumped by every change worth saving in the session (user actions, moves in time,
    /// speed, play/pause, a new run, and [`Msg::SessionTick`]), never by frames.
    pub revision: u64,
    /// Whether this run is the saved session, resumed after a reload (a notice offers to
    /// start fresh).
    pub resumed: bool,
    /// Whether the keyboard shortcut help is open.
    pub help: bool,
    /// Whether the node inspector shows every field's explanation.
    pub explain_fields: bool,
    /// The log entry (node, index) whose commit explanation is open.
    pub explain: Option<(NodeId, LogIndex)>,
    /// What the screen-reader live region says.
    pub narration: Narrator,
    /// The guided scenario being played, if any. Every change to it is a new `Rc` (the panel
    /// compares it by pointer).
    pub scenario: Option<Rc<ScenarioRun>>,
    /// Replies to the host page of an embed, posted after the next render.
    pub host_out: HostOutbox,
}

/// The notice when a step finds nothing to do.
const NOTHING_LEFT: &str =
    "Nothing left to happen: every node is crashed and no message is in flight. Restart a node.";

/// Clients in the app's runs (each with its own session and row in the history).
pub const CLIENTS: u64 = 3;

/// Turns a frame's wall-clock delta into whole virtual milliseconds: capped at
/// [`MAX_FRAME_WALL_MS`], negative deltas ignored, the fraction carried to the next frame.
/// Returns `(virtual ms to run, new carry)`.
pub fn virtual_delta(wall_delta_ms: f64, speed: f64, carry_ms: f64) -> (u64, f64) {
    let wall = if wall_delta_ms.is_finite() {
        wall_delta_ms.clamp(0.0, MAX_FRAME_WALL_MS)
    } else {
        0.0
    };
    let total = wall * speed + carry_ms;
    let whole = total.floor().max(0.0);
    (whole as u64, total - whole)
}

/// The app's safety checker: the cheap checks after every frame, Log Matching (which compares
/// every pair of logs) on every 30th.
fn new_checker() -> SafetyChecker {
    SafetyChecker::new().log_matching_every(30)
}

fn build_sim(params: &RunParams) -> Result<Timeline, String> {
    let mut t = Timeline::new(scene_io::app_config(params))
        .map_err(|e| format!("Could not start the run: {e}"))?;
    // The app shows the newest events only (event log, space-time diagram): keeping a bounded
    // tail of the trace keeps memory flat over long runs (the digest still covers every event).
    t.set_trace_retention(Some(Timeline::SUGGESTED_TRACE_RETENTION));
    Ok(t)
}

impl AppState {
    /// A fresh app running `params`, with `url_errors` to show. A run that cannot be built
    /// (it cannot happen with validated parameters) falls back to the defaults, with a notice.
    pub fn new(params: RunParams, url_errors: Vec<String>) -> Self {
        let (sim, params, notice) = match build_sim(&params) {
            Ok(sim) => (sim, params, None),
            Err(e) => {
                let defaults = RunParams::default();
                match build_sim(&defaults) {
                    Ok(sim) => (sim, defaults, Some(e)),
                    // The default configuration is valid by construction (raft-core tests it).
                    Err(e2) => unreachable!("default simulation must build: {e2}"),
                }
            }
        };
        Self::with_timeline(sim, params, notice, url_errors)
    }

    /// A fresh app showing `sim` (playing, at the default speed), with `notice` and
    /// `url_errors` to show.
    pub fn with_timeline(
        sim: Timeline,
        params: RunParams,
        notice: Option<String>,
        url_errors: Vec<String>,
    ) -> Self {
        let mut trace = TraceCache::default();
        trace.sync(sim.sim());
        let mut lanes = LaneMap::default();
        lanes.sync(sim.sim());
        let mut history = HistoryCache::default();
        history.sync(sim.sim());
        let mut narration = Narrator::default();
        narration.sync(sim.sim(), None);
        AppState {
            sim: Rc::new(RefCell::new(sim)),
            params,
            playing: true,
            speed: SPEED_DEFAULT,
            last_wall_ms: None,
            carry_ms: 0.0,
            frame: 0,
            selected: None,
            notice,
            url_errors: Rc::new(url_errors),
            show_debug: false,
            trace,
            lanes: Rc::new(lanes),
            group: BTreeSet::new(),
            inspected: None,
            inspected_kind: None,
            checker: Rc::new(RefCell::new(new_checker())),
            violation: None,
            history,
            diagram_open: true,
            revision: 0,
            resumed: false,
            help: false,
            explain_fields: false,
            explain: None,
            narration,
            scenario: None,
            host_out: HostOutbox::default(),
        }
    }

    /// A handle on the run, for reading its scene when the user asks for a link or a file.
    pub fn run(&self) -> RunHandle {
        RunHandle::new(self.sim.clone())
    }

    /// Read access to the simulation, or `None` if it is being changed (cannot happen on the
    /// single UI thread; callers then just skip a frame instead of panicking).
    pub fn sim(&self) -> Option<Ref<'_, Simulation>> {
        let timeline = self.sim.try_borrow().ok()?;
        Some(Ref::map(timeline, Timeline::sim))
    }

    /// Read access to the timeline (the run's recorded history), `None` as for
    /// [`AppState::sim`].
    pub fn timeline(&self) -> Option<Ref<'_, Timeline>> {
        self.sim.try_borrow().ok()
    }

    /// Runs `f` on the timeline, then brings the trace cache, the narration, the safety
    /// checker and the message lanes up to date. If `f` moved the run back in time, the caches and the checker
    /// start again from the new present (they only ever read forward). `None` if the
    /// simulation is borrowed elsewhere.
    fn with_sim<R>(&mut self, f: impl FnOnce(&mut Timeline) -> R) -> Option<R> {
        self.with_sim_at(None, f)
    }

    /// [`AppState::with_sim`] for an animation frame at wall time `wall_ms` (the narration
    /// then throttles commit announcements); `None` for a user action.
    fn with_sim_at<R>(
        &mut self,
        wall_ms: Option<f64>,
        f: impl FnOnce(&mut Timeline) -> R,
    ) -> Option<R> {
        let mut timeline = self.sim.try_borrow_mut().ok()?;
        let before = timeline.sim().events_processed();
        let trace_before = timeline.sim().trace().events().len();
        let r = f(&mut timeline);
        let sim = timeline.sim();
        // Back in time: fewer events, or the same events without the trace of a later action
        // (seeking to just before an action recorded between two events). The caches only
        // read forward, so they must not keep lines of a future that may now be replaced.
        if sim.events_processed() < before || sim.trace().events().len() < trace_before {
            self.trace = TraceCache::default();
            self.history = HistoryCache::default();
            self.checker = Rc::new(RefCell::new(new_checker()));
            self.violation = None;
            self.lanes = Rc::new(LaneMap::default());
            self.narration = Narrator::default();
        }
        self.trace.sync(sim);
        self.narration.sync(sim, wall_ms);
        if self.violation.is_none()
            && let Ok(mut checker) = self.checker.try_borrow_mut()
            && let Err(v) = checker.observe(sim)
        {
            self.violation = Some(Rc::new(v));
        }
        self.history.sync(sim);
        if self.lanes.is_stale(sim) {
            let mut lanes = (*self.lanes).clone();
            lanes.sync(sim);
            self.lanes = Rc::new(lanes);
        }
        Some(r)
    }

    fn apply(&mut self, action: Action, what: &str) {
        match self.with_sim(|s| s.apply(action)) {
            Some(Ok(_)) => self.notice = None,
            Some(Err(e)) => self.notice = Some(format!("Cannot {what}: {e}.")),
            None => {}
        }
    }

    /// Applies a node action from the menu or a shortcut. The node stays selected (its menu
    /// stays open and shows the new state), so the next shortcut acts on it too. An action the
    /// actions table rules out for the node's state is not sent; a notice says why.
    fn node_action(&mut self, id: NodeId, kind: NodeActionKind) {
        let state = self.sim().and_then(|sim| {
            let n = sim.node(id)?;
            let member = sim.member_kind(id)?;
            Some((n.status(), n.role().unwrap_or(RoleKind::Follower), member))
        });
        if let Some((status, role, member)) = state
            && let Some(why) = kind.unavailable_because(status, role, member)
        {
            self.notice = Some(format!(
                "Node {id}: \u{201c}{}\u{201d} is not available: {why}.",
                kind.spec().label
            ));
            return;
        }
        let what = format!("{} on Node {id}", kind.spec().label.to_ascii_lowercase());
        self.apply(kind.to_action(id, &self.group), &what);
        if kind == NodeActionKind::Partition && self.notice.is_none() {
            self.group.clear();
        }
        if kind == NodeActionKind::Dismiss && self.notice.is_none() {
            self.selected = None;
            self.group.remove(&id);
        }
    }

    /// Starts a new node with the next free id (one above the highest): it asks the cluster
    /// to join, catches up as a learner and becomes a voter (dissertation §4.2.1).
    fn add_node(&mut self) {
        let next = self
            .sim()
            .map(|sim| sim.nodes().map(|n| n.id().0).max().unwrap_or(0) + 1);
        if let Some(id) = next {
            self.apply(Action::AddNode(NodeId(id)), &format!("add Node {id}"));
        }
    }

    /// Handles a global shortcut; `false` if it changes nothing (the page need not re-render).
    fn global_key(&mut self, key: GlobalKey) -> bool {
        match key {
            GlobalKey::TogglePlay => {
                self.playing = !self.playing;
                self.last_wall_ms = None;
            }
            GlobalKey::Faster | GlobalKey::Slower => {
                self.speed = speed_step(self.speed, key == GlobalKey::Faster);
            }
            GlobalKey::StepForward => {
                self.playing = false;
                self.last_wall_ms = None;
                if self.with_sim(Timeline::step_forward) == Some(false) {
                    self.notice = Some(NOTHING_LEFT.to_string());
                }
            }
            GlobalKey::StepBack => {
                self.playing = false;
                self.last_wall_ms = None;
                if self.with_sim(Timeline::step_back) == Some(false) {
                    self.notice =
                        Some("This is the start of the run: nothing happened before.".to_string());
                }
            }
            GlobalKey::SelectNode(n) => {
                let id = NodeId(n);
                if self.sim().is_none_or(|s| s.node(id).is_none()) {
                    return false;
                }
                self.selected = Some(id);
                self.inspected = None;
            }
            GlobalKey::Help => self.help = true,
        }
        true
    }

    /// Applies the actions of a preset, in order; stops at the first refusal.
    fn preset(&mut self, preset: Preset) {
        let label = PRESETS
            .iter()
            .find(|p| p.0 == preset)
            .map_or("preset", |p| p.2);
        let actions = match self.sim().map(|sim| preset_actions(&sim, preset)) {
            Some(Ok(actions)) => actions,
            Some(Err(why)) => {
                self.notice = Some(format!("Cannot set up \u{201c}{label}\u{201d}: {why}."));
                return;
            }
            None => return,
        };
        self.apply_all(actions, &format!("set up \u{201c}{label}\u{201d}"));
    }

    /// Replaces the run with `sim` (a new run or a loaded scene): the caches, the checker and
    /// the selection start over.
    fn install(&mut self, sim: Timeline, params: RunParams) {
        self.replace_run(sim);
        self.params = params;
        self.resumed = false;
        self.scenario = None;
    }

    /// Applies actions in order and stops at the first refusal (its notice stays).
    fn apply_all(&mut self, actions: Vec<Action>, what: &str) {
        for action in actions {
            self.apply(action, what);
            if self.notice.is_some() {
                return;
            }
        }
    }
}

impl Reducible for AppState {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        // A paused app ignores frames and returns the same Rc: no re-render, so the animation
        // effect is not re-armed and the frame loop stops until play.
        if matches!(msg, Msg::Frame { .. }) && !self.playing {
            return self;
        }
        let mut next = (*self).clone();
        // Changes worth saving in the session (never frames).
        let saved = !matches!(
            msg,
            Msg::Frame { .. }
                | Msg::Select(_)
                | Msg::CloseMenu
                | Msg::SetShowDebug(_)
                | Msg::DismissNotice
                | Msg::DismissUrlErrors
                | Msg::DismissResumed
                | Msg::ToggleGroup(_)
                | Msg::ClearGroup
                | Msg::Inspect(_)
                | Msg::CloseInspector
                | Msg::Notice(_)
        );
        if saved {
            next.revision = next.revision.wrapping_add(1);
        }
        match msg {
            Msg::Frame { wall_ms } => {
                next.frame = next.frame.wrapping_add(1);
                if let Some(last) = self.last_wall_ms {
                    let (run_ms, carry) = virtual_delta(wall_ms - last, self.speed, self.carry_ms);
                    next.carry_ms = carry;
                    if run_ms > 0 {
                        // A scenario's run stops by itself at its next step.
                        let stop_at = next.scenario_stop_ms();
                        let stopped = next.with_sim_at(Some(wall_ms), |t| {
                            let until = t.sim().now_ms().saturating_add(run_ms);
                            t.advance_to(stop_at.map_or(until, |s| until.min(s)));
                            stop_at.is_some_and(|s| t.sim().now_ms() >= s)
                        });
                        if stopped == Some(true) {
                            next.playing = false;
                        }
                    }
                }
                next.last_wall_ms = Some(wall_ms);
            }
            Msg::TogglePlay => {
                next.playing = !self.playing;
                next.last_wall_ms = None;
            }
            Msg::Step => {
                next.global_key(GlobalKey::StepForward);
            }
            Msg::StepBack => {
                next.global_key(GlobalKey::StepBack);
            }
            Msg::Seek(t_ms) => {
                next.playing = false;
                next.last_wall_ms = None;
                next.with_sim(|t| {
                    let to = t_ms.min(t.horizon_ms());
                    t.seek(to)
                });
            }
            Msg::SetSpeed(speed) => {
                if speed.is_finite() {
                    next.speed = speed.clamp(SPEED_MIN, SPEED_MAX);
                }
            }
            Msg::Reset(params) => match build_sim(&params) {
                Ok(sim) => next.install(sim, params),
                Err(e) => next.notice = Some(e),
            },
            Msg::LoadScene(at) => match scene_io::build(&at) {
                Ok(sim) => {
                    next.install(sim, at.params());
                    next.playing = false;
                }
                Err(e) => {
                    next.notice = Some(format!(
                        "The run was not loaded: {e}. The current run is unchanged."
                    ))
                }
            },
            Msg::SessionTick => {}
            Msg::DismissResumed => next.resumed = false,
            Msg::Select(id) => {
                // One panel beside the drawing at a time: the node's actions replace the
                // inspector, and the other way round.
                next.selected = Some(id);
                next.inspected = None;
            }
            Msg::CloseMenu => {
                if self.selected.is_none() {
                    return self;
                }
                next.selected = None;
            }
            Msg::NodeAction(id, kind) => next.node_action(id, kind),
            Msg::Key(key) => {
                if self.help {
                    // The help is a modal dialog: only its own keys work while it is open.
                    if key == "Escape" || key == "?" {
                        next.help = false;
                    } else {
                        return self;
                    }
                } else if key == "Escape" {
                    // Closes one thing at a time: the commit explanation, the menu, then the
                    // inspector, then the group.
                    if self.explain.is_some() {
                        next.explain = None;
                    } else if self.selected.is_some() {
                        next.selected = None;
                    } else if self.inspected.is_some() {
                        next.inspected = None;
                    } else if !self.group.is_empty() {
                        next.group.clear();
                    } else {
                        return self;
                    }
                } else if let Some(global) = global_key(&key) {
                    if !next.global_key(global) {
                        return self;
                    }
                } else {
                    match (self.selected, NodeActionKind::from_key(&key)) {
                        (Some(id), Some(kind)) => next.node_action(id, kind),
                        _ => return self,
                    }
                }
            }
            Msg::SubmitFrom { client, command } => {
                let action = Action::SubmitFrom {
                    client: raft_core::ClientId(client),
                    command,
                };
                if self.playing && self.notice.is_none() {
                    // While the run plays, a request only changes the shared simulation: the
                    // same state is returned, so Yew does not render for it, and the next
                    // animation frame (at most one frame away) brings the trace, the checker
                    // and the history up to date and draws it. A burst of clicks then costs
                    // one render per frame instead of one per click (issue 8's frame budget).
                    // A refusal is shown at once.
                    let refused = match self.sim.try_borrow_mut() {
                        Ok(mut timeline) => timeline.apply(action).err(),
                        Err(_) => None,
                    };
                    match refused {
                        None => return self,
                        Some(e) => next.notice = Some(format!("Cannot submit the request: {e}.")),
                    }
                } else {
                    next.apply(action, "submit the request");
                }
            }
            Msg::SetShowDebug(on) => next.show_debug = on,
            Msg::DismissNotice => next.notice = None,
            Msg::DismissUrlErrors => next.url_errors = Rc::new(Vec::new()),
            Msg::ToggleGroup(id) => {
                if !next.group.remove(&id) {
                    next.group.insert(id);
                }
            }
            Msg::ClearGroup => next.group.clear(),
            Msg::PartitionGroup => {
                let group: Vec<NodeId> = next.group.iter().copied().collect();
                if group.is_empty() {
                    next.notice = Some(
                        "Cannot partition: shift-click the nodes to cut off first.".to_string(),
                    );
                } else {
                    next.apply(Action::Partition(vec![group]), "partition the cluster");
                    if next.notice.is_none() {
                        next.group.clear();
                    }
                }
            }
            Msg::Inspect(what) => {
                if let Inspected::Message(id) = what {
                    next.playing = false;
                    next.last_wall_ms = None;
                    next.inspected_kind = self
                        .sim()
                        .and_then(|sim| sim.network().get(id).map(|e| e.kind()));
                }
                next.inspected = Some(what);
                next.selected = None;
            }
            Msg::CloseInspector => next.inspected = None,
            Msg::Apply { actions, what } => next.apply_all(actions, &what),
            Msg::Notice(text) => next.notice = Some(text),
            Msg::Preset(preset) => next.preset(preset),
            Msg::AddNode => next.add_node(),
            Msg::ToggleDiagram => next.diagram_open = !self.diagram_open,
            Msg::ShowHelp(on) => next.help = on,
            Msg::ExplainCommit(id, index) => next.explain = Some((id, index)),
            Msg::CloseExplanation => next.explain = None,
            Msg::ToggleExplainFields => next.explain_fields = !self.explain_fields,
            Msg::Scenario(msg) => {
                if let Err(e) = next.scenario_msg(msg) {
                    next.notice = Some(e);
                }
            }
            Msg::Host(command) => next.host(command),
        }
        Rc::new(next)
    }
}

mod host;
mod scenario;
#[cfg(test)]
mod tests;
