//! Embedding raftlab in another page: the URL options of embed mode and the postMessage API.
//!
//! Everything here that decides something is a pure function, tested natively: reading the
//! options ([`parse_options`]), reading a message from the host page ([`parse_host_message`],
//! [`parse_action`]), deriving the events the host is told about from the trace
//! ([`EventCursor`]) and writing them ([`HostEvent::to_value`]). Messages are read and events
//! written through two small traits ([`Source`], [`Sink`]) that the browser side
//! ([`bridge`]) implements for `JsValue`: postMessage carries structured values, so no JSON
//! text is parsed or printed (and no JSON library is in the download).
//!
//! # URL options
//!
//! | option | meaning |
//! |---|---|
//! | `embed=1` | embed mode: no page header or big toolbars; a compact bar with play/pause |
//! | `panels=cluster,log,events,client,timeline,scenario` | which panels show (embed mode) |
//! | `paused=1` | start paused |
//! | `scenario=<id>` | start a guided scenario (also outside embed mode) |
//! | `speed=<x>` | speed factor, 0.1 to 100 (e.g. `2` or `0.5`) |
//! | `origin=<https://host.example>` | post events only to that origin, and take messages only from it |
//!
//! A malformed option is reported on the page and its default is used.
//!
//! # Messages from the host page
//!
//! An object `{raftlab: 1, type, ...}`; anything without `raftlab` is not for us and ignored.
//! `type` is `play`, `pause`, `seek` (with `t_ms`), `load-scenario` (with `id`), `next-step`,
//! `previous-step`, `action` (with `action`, see [`parse_action`]: `{crash: 2}`) or
//! `get-state`. A message that cannot be done is answered with an `error` event saying why.
//!
//! # Events to the host page
//!
//! Posted to `window.parent` when the app runs in a frame: `ready`, `leader-elected`,
//! `entry-committed` (at most one per animation frame, with the number of entries it covers),
//! `node-crashed`, `node-restarted`, `state` (in reply to `get-state`, and whenever the run
//! jumps back in time or is replaced) and `error`. Each is an object with `raftlab: 1` and
//! `type`; see [`HostEvent`] for the fields.

use crate::actions::{NODE_ACTIONS, NodeActionKind};
use crate::scenario_view::{ScenarioRun, unknown_scenario};
use crate::speed::{SPEED_MAX, SPEED_MIN};
use raft_core::sim::scenario::find;
use raft_core::sim::{Action, Simulation, TraceEvent, TraceKind};
use raft_core::{Command, NodeId};
use raft_core::{NodeEvent, RoleKind};
use std::collections::BTreeSet;
use std::collections::VecDeque;
use std::rc::Rc;

/// The panels that can be shown in embed mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Panels {
    /// The cluster drawing (with its status line).
    pub cluster: bool,
    /// The log grid.
    pub log: bool,
    /// The event log.
    pub events: bool,
    /// The client panel (send requests, history).
    pub client: bool,
    /// The time-travel scrubber.
    pub timeline: bool,
    /// The guided scenario's narration (shown when a scenario is loaded).
    pub scenario: bool,
}

/// The panel names `panels=` takes, in the order they are documented.
pub const PANEL_NAMES: [&str; 6] = ["cluster", "log", "events", "client", "timeline", "scenario"];

impl Panels {
    /// Every panel (the full app).
    pub const ALL: Panels = Panels {
        cluster: true,
        log: true,
        events: true,
        client: true,
        timeline: true,
        scenario: true,
    };
    /// Embed mode's default: what fits an 800×600 frame.
    pub const EMBED_DEFAULT: Panels = Panels {
        cluster: true,
        log: true,
        events: true,
        client: false,
        timeline: true,
        scenario: true,
    };
    const NONE: Panels = Panels {
        cluster: false,
        log: false,
        events: false,
        client: false,
        timeline: false,
        scenario: false,
    };

    fn set(&mut self, name: &str) -> bool {
        let slot = match name {
            "cluster" => &mut self.cluster,
            "log" => &mut self.log,
            "events" => &mut self.events,
            "client" => &mut self.client,
            "timeline" => &mut self.timeline,
            "scenario" => &mut self.scenario,
            _ => return false,
        };
        *slot = true;
        true
    }
}

/// The page's options (see the module documentation), after validation.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Embed mode.
    pub embed: bool,
    /// The panels shown ([`Panels::ALL`] outside embed mode).
    pub panels: Panels,
    /// Start paused.
    pub paused: bool,
    /// Starting speed factor, if given.
    pub speed: Option<f64>,
    /// The scenario to start, if given (a bundled id).
    pub scenario: Option<String>,
    /// Where events may be posted and messages come from: `"*"` (any) or one origin.
    pub origin: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            embed: false,
            panels: Panels::ALL,
            paused: false,
            speed: None,
            scenario: None,
            origin: "*".to_string(),
        }
    }
}

fn flag(name: &str, value: &str, errors: &mut Vec<String>) -> bool {
    match value {
        "1" | "true" => true,
        "0" | "false" | "" => false,
        _ => {
            errors.push(format!(
                "{name}=\u{201c}{value}\u{201d} should be 1 or 0; using 0."
            ));
            false
        }
    }
}

/// A speed like `2`, `0.5` or `12.25`: digits with at most one decimal point, read with
/// integer arithmetic (the app leaves core's float parser out of its download, see
/// [`crate::decimal`]).
pub fn parse_speed(text: &str) -> Result<f64, String> {
    let bad = || {
        format!(
            "speed=\u{201c}{text}\u{201d} is not a speed from 0.1 to 100 (e.g. 2 or 0.5); using the default."
        )
    };
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty()
        || !digits(whole)
        || !digits(frac)
        || whole.len() > 6
        || frac.len() > 6
    {
        return Err(bad());
    }
    let number = |s: &str| s.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    let scale = 10u64.pow(frac.len() as u32);
    let speed = number(whole) as f64 + number(frac) as f64 / scale as f64;
    if (SPEED_MIN..=SPEED_MAX).contains(&speed) {
        Ok(speed)
    } else {
        Err(bad())
    }
}

/// Whether `text` is a web origin: `http://` or `https://`, a host, an optional port, no
/// path.
fn is_origin(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    })
}

/// Reads the options from the URL's parameters (`get(name)` is the value of a parameter).
/// Returns the options and one message per malformed option (whose default is then used).
pub fn parse_options(get: impl Fn(&str) -> Option<String>) -> (Options, Vec<String>) {
    let mut errors = Vec::new();
    let mut o = Options::default();
    if let Some(v) = get("embed") {
        o.embed = flag("embed", &v, &mut errors);
    }
    if o.embed {
        o.panels = Panels::EMBED_DEFAULT;
        if let Some(v) = get("panels") {
            let mut chosen = Panels::NONE;
            let mut unknown = Vec::new();
            for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                if !chosen.set(name) {
                    unknown.push(name);
                }
            }
            if !unknown.is_empty() {
                errors.push(format!(
                    "panels: unknown {} \u{201c}{}\u{201d} ignored; the panels are {}.",
                    if unknown.len() == 1 { "name" } else { "names" },
                    unknown.join(", "),
                    PANEL_NAMES.join(", ")
                ));
            }
            if chosen == Panels::NONE {
                errors.push("panels: no panel named; showing the default panels.".to_string());
            } else {
                o.panels = chosen;
            }
        }
    }
    if let Some(v) = get("paused") {
        o.paused = flag("paused", &v, &mut errors);
    }
    if let Some(v) = get("speed") {
        match parse_speed(&v) {
            Ok(s) => o.speed = Some(s),
            Err(e) => errors.push(e),
        }
    }
    if let Some(id) = get("scenario").filter(|id| !id.is_empty()) {
        if find(&id).is_some() {
            o.scenario = Some(id);
        } else {
            errors.push(unknown_scenario(&id));
        }
    }
    if let Some(v) = get("origin") {
        if v == "*" || is_origin(&v) {
            o.origin = v;
        } else {
            errors.push(format!(
                "origin=\u{201c}{v}\u{201d} is not an origin such as https://example.org; posting to any origin (*)."
            ));
        }
    }
    (o, errors)
}

/// Reads the options from the page URL (see [`parse_options`]).
pub fn read_options() -> (Options, Vec<String>) {
    let search = gloo::utils::window()
        .location()
        .search()
        .unwrap_or_default();
    match web_sys::UrlSearchParams::new_with_str(&search) {
        Ok(query) => parse_options(|name| query.get(name)),
        Err(_) => (Options::default(), Vec::new()),
    }
}

/// Puts `?scenario=<id>` in the address bar (or takes it out), without reloading, so the
/// page can be reloaded or shared at the same scenario. Failures are ignored: the URL is a
/// convenience, not state.
pub fn write_scenario_param(id: Option<&str>) {
    let window = gloo::utils::window();
    let (Ok(history), Ok(search)) = (window.history(), window.location().search()) else {
        return;
    };
    let Ok(query) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return;
    };
    match id {
        Some(id) => {
            query.set("scenario", id);
            query.delete("seed");
            query.delete("nodes");
        }
        None => query.delete("scenario"),
    }
    let url = format!("?{}", String::from(query.to_string()));
    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
}

// ----- messages from the host page -----

/// The furthest a host may seek beyond the end of the recorded run (virtual ms): running
/// further at once would freeze the page for too long.
pub const MAX_SEEK_AHEAD_MS: u64 = 600_000;

/// What the host page asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostCommand {
    /// Let virtual time run.
    Play,
    /// Stop virtual time.
    Pause,
    /// Move to this virtual time (ms): back within the recorded run, or forward, running the
    /// simulation (at most [`MAX_SEEK_AHEAD_MS`] past the recorded run).
    Seek(u64),
    /// Start the bundled scenario with this id.
    LoadScenario(String),
    /// The scenario's next step.
    NextStep,
    /// The scenario's previous step.
    PreviousStep,
    /// Apply a simulator action now.
    Action(Action),
    /// Reply with a `state` event.
    GetState,
}

/// Read access to a structured value sent by the host page: a `JsValue` in the browser (see
/// [`bridge`]), a `serde_json::Value` in the tests. The host's message arrives already parsed
/// (postMessage's structured clone), so reading it needs no JSON parser.
pub trait Source: Sized {
    /// The value of field `key` of an object (`None` if absent or undefined, or not an
    /// object).
    fn field(&self, key: &str) -> Option<Self>;
    /// The value as a number.
    fn number(&self) -> Option<f64>;
    /// The value as a string.
    fn text(&self) -> Option<String>;
    /// The value as a boolean.
    fn boolean(&self) -> Option<bool>;
    /// The items of an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// The field names of an object (empty for anything else).
    fn keys(&self) -> Vec<String>;
}

/// Largest whole number a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A whole number from −2^53 to 2^53 (JavaScript's exact integers).
fn whole(x: f64) -> Option<i64> {
    (x.is_finite() && x.abs() <= MAX_SAFE && x == (x as i64) as f64).then_some(x as i64)
}

fn whole_field<S: Source>(v: &S, what: &str) -> Result<i64, String> {
    v.number()
        .and_then(whole)
        .ok_or_else(|| format!("{what} must be a whole number"))
}

fn node_id<S: Source>(v: &S, what: &str) -> Result<NodeId, String> {
    match v.number().and_then(whole) {
        Some(n) if n >= 1 => Ok(NodeId(n as u64)),
        _ => Err(format!("{what} takes a node id (a whole number from 1)")),
    }
}

fn pair<S: Source>(v: &S, what: &str) -> Result<(NodeId, NodeId), String> {
    let bad = || format!("{what} takes [from, to]: two node ids");
    match v.items().as_deref() {
        Some([a, b]) => Ok((
            node_id(a, what).map_err(|_| bad())?,
            node_id(b, what).map_err(|_| bad())?,
        )),
        _ => Err(bad()),
    }
}

/// The action names of the postMessage API: the node actions' `data-action` names (see
/// [`crate::actions::NODE_ACTIONS`]) plus the host-only ones.
pub const ACTION_NAMES: &str = "crash, restart, timeout, pause, resume, partition, heal-all, transfer-leader, remove, dismiss, snapshot, add-node, cut, restore, submit, guards";

/// Reads an action of the postMessage API: an object with one field, named after the action.
///
/// | action | value | simulator action |
/// |---|---|---|
/// | `crash`, `restart`, `timeout`, `pause`, `resume`, `transfer-leader`, `remove`, `dismiss`, `snapshot` | a node id | that node action (as in a node's menu) |
/// | `partition` | a node id, or groups `[[1, 2], [3, 4, 5]]` | cut that node off, or split the cluster |
/// | `heal-all` | anything (`true`) | restore every link |
/// | `add-node` | a new node id | start a node that asks to join |
/// | `cut`, `restore` | `[from, to]` | cut or restore one direction of a link |
/// | `submit` | `{a, b}` | the client sends `a + b` |
/// | `guards` | `{pre_vote, check_quorum}` (booleans) | turn PreVote and CheckQuorum on or off |
///
/// A bare string (`"heal-all"`) is read as `{"heal-all": true}`.
pub fn parse_action<S: Source>(v: &S) -> Result<Action, String> {
    if let Some(name) = v.text() {
        return if name == "heal-all" {
            Ok(Action::HealAll)
        } else {
            Err(format!(
                "action \u{201c}{name}\u{201d} needs a value, as in {{\"{name}\": 2}}; the actions are {ACTION_NAMES}"
            ))
        };
    }
    let keys = v.keys();
    let [name] = keys.as_slice() else {
        return Err(format!(
            "action must be an object with one field naming the action, as in {{\"crash\": 2}}; the actions are {ACTION_NAMES}"
        ));
    };
    let Some(value) = v.field(name) else {
        return Err(format!("action {name} has no value"));
    };
    if let Some(spec) = NODE_ACTIONS.iter().find(|s| s.data_action == name) {
        if spec.kind == NodeActionKind::HealAll {
            return Ok(Action::HealAll);
        }
        if spec.kind == NodeActionKind::Partition && value.items().is_some() {
            let groups = value.items().unwrap_or_default();
            let mut out = Vec::with_capacity(groups.len());
            for g in &groups {
                let ids = g.items().ok_or_else(|| {
                    "partition takes a node id or groups such as [[1, 2], [3, 4, 5]]".to_string()
                })?;
                out.push(
                    ids.iter()
                        .map(|i| node_id(i, "partition"))
                        .collect::<Result<Vec<_>, _>>()?,
                );
            }
            return Ok(Action::Partition(out));
        }
        return Ok(spec
            .kind
            .to_action(node_id(&value, name)?, &BTreeSet::new()));
    }
    match name.as_str() {
        "add-node" => Ok(Action::AddNode(node_id(&value, name)?)),
        "cut" => pair(&value, name).map(|(from, to)| Action::CutLink { from, to }),
        "restore" => pair(&value, name).map(|(from, to)| Action::RestoreLink { from, to }),
        "submit" => {
            let operand = |k: &str| {
                value
                    .field(k)
                    .ok_or_else(|| format!("submit takes {{\"a\": 5, \"b\": 3}}: {k} is missing"))
                    .and_then(|x| whole_field(&x, &format!("submit: {k}")))
            };
            Ok(Action::Submit(Command::Add {
                a: operand("a")?,
                b: operand("b")?,
            }))
        }
        "guards" => {
            let flag = |k: &str| {
                value.field(k).and_then(|x| x.boolean()).ok_or_else(|| {
                    format!("guards takes {{\"pre_vote\": true, \"check_quorum\": false}}: {k} must be true or false")
                })
            };
            Ok(Action::SetGuards {
                pre_vote: flag("pre_vote")?,
                check_quorum: flag("check_quorum")?,
            })
        }
        _ => Err(format!(
            "unknown action \u{201c}{name}\u{201d}; the actions are {ACTION_NAMES}"
        )),
    }
}

/// The message types, as listed to a host that sent an unknown one.
pub const MESSAGE_TYPES: &str =
    "play, pause, seek, load-scenario, next-step, previous-step, action, get-state";

/// Reads a message from the host page. `None` if it is not raftlab's (no `raftlab` field):
/// such messages are ignored. Otherwise the command, or why it cannot be done.
pub fn parse_host_message<S: Source>(message: &S) -> Option<Result<HostCommand, String>> {
    let version = message.field("raftlab")?;
    if version.number() != Some(1.0) {
        return Some(Err(
            "raftlab must be 1 (the version of this API)".to_string()
        ));
    }
    let Some(kind) = message.field("type").and_then(|t| t.text()) else {
        return Some(Err(format!(
            "type is missing or not a string; the types are {MESSAGE_TYPES}"
        )));
    };
    let command = match kind.as_str() {
        "play" => Ok(HostCommand::Play),
        "pause" => Ok(HostCommand::Pause),
        "seek" => match message.field("t_ms").and_then(|t| t.number()).and_then(whole) {
            Some(t) if t >= 0 => Ok(HostCommand::Seek(t as u64)),
            _ => Err(
                "seek needs t_ms: the virtual time to go to, in milliseconds (a whole number from 0)"
                    .to_string(),
            ),
        },
        "load-scenario" => match message.field("id").and_then(|i| i.text()) {
            Some(id) if find(&id).is_some() => Ok(HostCommand::LoadScenario(id)),
            Some(id) => Err(unknown_scenario(&id)),
            None => Err("load-scenario needs id: the scenario's id (a string)".to_string()),
        },
        "next-step" => Ok(HostCommand::NextStep),
        "previous-step" => Ok(HostCommand::PreviousStep),
        "action" => match message.field("action") {
            Some(a) => parse_action(&a).map(HostCommand::Action),
            None => Err(format!(
                "action needs action: a simulator action such as {{\"crash\": 2}}; the actions are {ACTION_NAMES}"
            )),
        },
        "get-state" => Ok(HostCommand::GetState),
        other => Err(format!(
            "unknown type \u{201c}{other}\u{201d}; the types are {MESSAGE_TYPES}"
        )),
    };
    Some(command)
}

// ----- events to the host page -----

/// Write access to a structured value posted to the host page: a `JsValue` in the browser (see
/// [`bridge`]), a `serde_json::Value` in the tests.
pub trait Sink: Sized {
    /// An object with these fields, in this order.
    fn object(fields: Vec<(&'static str, Self)>) -> Self;
    /// A number (ids, terms, indexes and times are whole numbers below 2^53).
    fn number(n: u64) -> Self;
    /// A string.
    fn text(s: &str) -> Self;
    /// A boolean.
    fn boolean(b: bool) -> Self;
    /// `null`.
    fn null() -> Self;
    /// An array.
    fn list(items: Vec<Self>) -> Self;
}

/// One node in a `state` event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeReport {
    /// Node id.
    pub id: u64,
    /// `follower`, `pre-candidate`, `candidate`, `leader`, or `down` (crashed).
    pub role: &'static str,
    /// `up`, `paused` or `crashed`.
    pub status: &'static str,
    /// current_term.
    pub term: u64,
    /// commit_index (0 while crashed).
    pub commit_index: u64,
    /// Index of the last entry in its log.
    pub last_index: u64,
}

/// The scenario in a `state` event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioReport {
    /// Its id.
    pub id: String,
    /// The step shown, from 1.
    pub step: usize,
    /// How many steps it has.
    pub steps: usize,
}

/// An event posted to the host page: an object with `raftlab: 1`, `type` (the variant's name
/// in kebab case: `leader-elected`) and the variant's fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostEvent {
    /// The app is running and listening.
    Ready {
        /// Virtual time (ms).
        t_ms: u64,
        /// The scenario loaded, if any.
        scenario: Option<String>,
    },
    /// A node won an election (§5.2).
    LeaderElected {
        /// The new leader.
        node: u64,
        /// Its term.
        term: u64,
        /// Virtual time (ms).
        t_ms: u64,
    },
    /// The cluster's commit index advanced (the first time any node applied these entries).
    EntryCommitted {
        /// The highest index committed now.
        index: u64,
        /// That entry's term.
        term: u64,
        /// Virtual time (ms) it was first applied.
        t_ms: u64,
        /// How many entries this event covers (several may commit within one frame).
        count: u64,
    },
    /// A node crashed.
    NodeCrashed {
        /// The node.
        node: u64,
        /// Virtual time (ms).
        t_ms: u64,
    },
    /// A crashed node restarted.
    NodeRestarted {
        /// The node.
        node: u64,
        /// Virtual time (ms).
        t_ms: u64,
    },
    /// The present state.
    State {
        /// Virtual time (ms).
        t_ms: u64,
        /// The leader of the highest term, if any.
        leader: Option<u64>,
        /// The highest current_term of any node.
        term: u64,
        /// Whether virtual time is running.
        playing: bool,
        /// The scenario being played, if any.
        scenario: Option<ScenarioReport>,
        /// Every node.
        nodes: Vec<NodeReport>,
    },
    /// A message from the host could not be done.
    Error {
        /// Why.
        reason: String,
    },
}

impl HostEvent {
    /// The event as posted.
    pub fn to_value<S: Sink>(&self) -> S {
        let n = S::number;
        let head = |kind: &str| vec![("raftlab", n(1)), ("type", S::text(kind))];
        let mut fields = match self {
            HostEvent::Ready { .. } => head("ready"),
            HostEvent::LeaderElected { .. } => head("leader-elected"),
            HostEvent::EntryCommitted { .. } => head("entry-committed"),
            HostEvent::NodeCrashed { .. } => head("node-crashed"),
            HostEvent::NodeRestarted { .. } => head("node-restarted"),
            HostEvent::State { .. } => head("state"),
            HostEvent::Error { .. } => head("error"),
        };
        match self {
            HostEvent::Ready { t_ms, scenario } => {
                fields.push(("t_ms", n(*t_ms)));
                fields.push((
                    "scenario",
                    scenario.as_deref().map_or_else(S::null, S::text),
                ));
            }
            HostEvent::LeaderElected { node, term, t_ms } => {
                fields.extend([("node", n(*node)), ("term", n(*term)), ("t_ms", n(*t_ms))]);
            }
            HostEvent::EntryCommitted {
                index,
                term,
                t_ms,
                count,
            } => fields.extend([
                ("index", n(*index)),
                ("term", n(*term)),
                ("t_ms", n(*t_ms)),
                ("count", n(*count)),
            ]),
            HostEvent::NodeCrashed { node, t_ms } | HostEvent::NodeRestarted { node, t_ms } => {
                fields.extend([("node", n(*node)), ("t_ms", n(*t_ms))]);
            }
            HostEvent::State {
                t_ms,
                leader,
                term,
                playing,
                scenario,
                nodes,
            } => {
                fields.push(("t_ms", n(*t_ms)));
                fields.push(("leader", leader.map_or_else(S::null, n)));
                fields.push(("term", n(*term)));
                fields.push(("playing", S::boolean(*playing)));
                fields.push((
                    "scenario",
                    scenario.as_ref().map_or_else(S::null, |s| {
                        S::object(vec![
                            ("id", S::text(&s.id)),
                            ("step", n(s.step as u64)),
                            ("steps", n(s.steps as u64)),
                        ])
                    }),
                ));
                let nodes = nodes
                    .iter()
                    .map(|x| {
                        S::object(vec![
                            ("id", n(x.id)),
                            ("role", S::text(x.role)),
                            ("status", S::text(x.status)),
                            ("term", n(x.term)),
                            ("commit_index", n(x.commit_index)),
                            ("last_index", n(x.last_index)),
                        ])
                    })
                    .collect();
                fields.push(("nodes", S::list(nodes)));
            }
            HostEvent::Error { reason } => fields.push(("reason", S::text(reason))),
        }
        S::object(fields)
    }
}

/// The `state` event for the present moment.
pub fn state_event(sim: &Simulation, playing: bool, scenario: Option<&ScenarioRun>) -> HostEvent {
    let nodes = sim
        .nodes()
        .map(|n| {
            let raft = n.raft();
            NodeReport {
                id: n.id().0,
                role: n.role().map_or("down", RoleKind::as_str),
                status: n.status().as_str(),
                term: n.current_term().0,
                commit_index: raft.map_or(0, |r| r.commit_index().0),
                last_index: n.storage().log.last_index().0,
            }
        })
        .collect::<Vec<_>>();
    HostEvent::State {
        t_ms: sim.now_ms(),
        leader: sim.leader().map(|l| l.0),
        term: nodes.iter().map(|n| n.term).max().unwrap_or(0),
        playing,
        scenario: scenario.map(|run| ScenarioReport {
            id: run.scenario().id.clone(),
            step: run.player.step() + 1,
            steps: run.scenario().steps.len(),
        }),
        nodes,
    }
}

/// Reads the trace forward and turns what it adds into events for the host. It looks only at
/// the events added since its last call, so the cost per frame follows what happened in the
/// frame. When the run moved back in time or was replaced, it says so (`true` from
/// [`EventCursor::scan`]) instead of repeating the past.
#[derive(Clone, Debug, Default)]
pub struct EventCursor {
    /// Trace events looked at.
    seen: usize,
    /// Time and kind of the last event looked at, to notice a trace that was replaced (a
    /// replay of the same run is the same trace, and may go on being read).
    last: Option<(u64, std::mem::Discriminant<TraceKind>)>,
    /// Highest log index reported committed.
    committed: u64,
}

impl EventCursor {
    /// A cursor that has already seen everything in `sim` (the past is not reported).
    pub fn at_end(sim: &Simulation) -> Self {
        let mut c = EventCursor::default();
        c.skip_to_end(sim);
        c
    }

    fn skip_to_end(&mut self, sim: &Simulation) {
        let events = sim.trace().events();
        self.seen = events.len();
        self.last = events.last().map(mark);
        self.committed = sim
            .nodes()
            .filter_map(|n| n.raft())
            .map(|r| r.commit_index().0)
            .max()
            .unwrap_or(0);
    }

    /// Appends the events of what happened since the last call to `out`. Returns true if the
    /// run jumped back in time or was replaced instead: then nothing is appended, and the
    /// cursor starts again from the present (the caller reports the state).
    pub fn scan(&mut self, sim: &Simulation, out: &mut Vec<HostEvent>) -> bool {
        let events = sim.trace().events();
        let same_run = events.len() >= self.seen
            && self.seen.checked_sub(1).map(|i| mark(&events[i])) == self.last;
        if !same_run {
            self.skip_to_end(sim);
            return true;
        }
        let mut commit: Option<(u64, u64, u64)> = None;
        let mut count = 0;
        for e in &events[self.seen..] {
            let t_ms = e.time_ms;
            match &e.kind {
                TraceKind::Node {
                    node,
                    event: NodeEvent::BecameLeader { term, .. },
                } => out.push(HostEvent::LeaderElected {
                    node: node.0,
                    term: term.0,
                    t_ms,
                }),
                TraceKind::Crashed { node, .. } => {
                    out.push(HostEvent::NodeCrashed { node: node.0, t_ms })
                }
                TraceKind::Restarted { node, .. } => {
                    out.push(HostEvent::NodeRestarted { node: node.0, t_ms })
                }
                TraceKind::Applied { index, term, .. } if index.0 > self.committed => {
                    count += index.0 - self.committed;
                    self.committed = index.0;
                    commit = Some((index.0, term.0, t_ms));
                }
                _ => {}
            }
        }
        if let Some((index, term, t_ms)) = commit {
            out.push(HostEvent::EntryCommitted {
                index,
                term,
                t_ms,
                count,
            });
        }
        self.seen = events.len();
        self.last = events.last().map(mark);
        false
    }
}

fn mark(e: &TraceEvent) -> (u64, std::mem::Discriminant<TraceKind>) {
    (e.time_ms, std::mem::discriminant(&e.kind))
}

/// Replies the reducer queues for the host page (`state`, `error`), numbered so the
/// [`bridge::Bridge`] posts each once. Only the latest [`HostOutbox::KEEP`] are kept.
#[derive(Clone, Debug, Default)]
pub struct HostOutbox {
    next_seq: u64,
    items: Rc<VecDeque<(u64, HostEvent)>>,
}

impl HostOutbox {
    /// Replies kept (a host that sends more messages than this within one frame loses the
    /// oldest replies).
    pub const KEEP: usize = 32;

    /// Queues a reply.
    pub fn push(&mut self, event: HostEvent) {
        let items = Rc::make_mut(&mut self.items);
        if items.len() == Self::KEEP {
            items.pop_front();
        }
        items.push_back((self.next_seq, event));
        self.next_seq += 1;
    }

    /// The number the next reply will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The replies numbered `seq` and later, oldest first.
    pub fn since(&self, seq: u64) -> impl Iterator<Item = &HostEvent> {
        self.items
            .iter()
            .filter(move |(n, _)| *n >= seq)
            .map(|(_, e)| e)
    }
}

pub mod bridge;

#[cfg(test)]
mod tests;
