//! Scenes in and out of the app: scene links, exported run files and the saved session.
//!
//! A run is a pure function of its settings and the user's actions (see
//! [`raft_core::sim::Timeline`]), so all three carry the same thing: a [`Scene`] (the settings
//! the run started with and every recorded action with its position), the moment shown and
//! the end of the recording. Everything here is a pure function, tested natively; reading the
//! URL, the clipboard, files and `localStorage` is done by the callers.
//!
//! # Formats (version [`FORMAT_VERSION`])
//!
//! - **Link**: `?scene=<base64url of compact JSON>&t=<moment in virtual ms>`. The JSON is
//!   `{"v":1,"c":{…},"a":[[events,at_ms,action],…],"e":end_ms}`: `c` holds only the settings
//!   that differ from the app's defaults (a JSON merge patch on them), `a` the recorded
//!   actions, `e` the end of the recording when it is after `t`. Today's `?seed=N&nodes=K`
//!   links are unchanged.
//! - **File** (export/import): pretty-printed JSON
//!   `{"format":"raftlab-scene","version":1,"moment_ms":…,"end_ms":…,"scene":{"config":{…},"script":[{"events":…,"at_ms":…,"action":…},…]}}`
//!   with the full settings (an imported file may leave settings out: they take the app's
//!   defaults).
//! - **Session** (`localStorage`): the file's fields with `"format":"raftlab-session"`, the
//!   speed, whether the run was playing, and `origin`, the page's query string when it was
//!   saved (a page opened with other URL parameters starts what they say instead).
//!
//! Whatever comes in is checked before the current run is touched: the format name, the
//! version (a newer one is refused with the version it has), every setting's type and name,
//! no deliberately broken driver or protocol (those are for tests), the cluster size the app
//! shows, client commands the client can send, a recording no longer than [`MAX_SCENE_MS`],
//! and finally the replay itself ([`build`]): an action that fails, or sits at a position
//! the run does not reach, is named with its number and time.

use crate::input::{MAX_APP_NODES, MIN_NODES, RunParams};
use crate::speed::{SLIDER_STEPS, SPEED_DEFAULT, slider_from_speed, speed_from_slider};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use raft_core::Command;
use raft_core::sim::{Action, Recorded, Scene, SimConfig, SimError, Timeline};
use serde_json::{Map, Value, json};
use std::cell::RefCell;
use std::rc::Rc;

/// The `format` of an exported run file.
pub const SCENE_FORMAT: &str = "raftlab-scene";
/// The `format` of the saved session.
pub const SESSION_FORMAT: &str = "raftlab-session";
/// The version written into links, files and sessions; higher versions are refused.
pub const FORMAT_VERSION: u64 = 1;
/// Longest recording a link, file or session may replay (virtual ms, 6 hours): loading
/// replays the whole recording, about 60 ms per virtual hour in the browser plus the trace it
/// keeps (tens of MB per hour), so a hand-made link cannot freeze the page.
pub const MAX_SCENE_MS: u64 = 6 * 60 * 60 * 1000;
/// Largest file [`import_json`] is given (megabytes); the caller checks the size first.
pub const MAX_FILE_MB: u32 = 20;

/// A run to show: its scene, the moment to land on and the end of the recording (both
/// virtual ms, `moment_ms <= end_ms`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SceneAt {
    /// Settings and recorded actions.
    pub scene: Scene,
    /// The moment shown (virtual ms).
    pub moment_ms: u64,
    /// The end of the recording (virtual ms): the scrubber's right end.
    pub end_ms: u64,
}

/// A saved session: the run and how it was being watched.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// The run.
    pub at: SceneAt,
    /// Speed factor (virtual ms per wall ms).
    pub speed: f64,
    /// Whether the run was playing.
    pub playing: bool,
    /// The page's query string (`location.search`) when it was saved.
    pub origin: String,
}

impl SceneAt {
    /// The present of a timeline: its scene, now, and the end of its recording.
    pub fn of(timeline: &Timeline) -> SceneAt {
        SceneAt {
            scene: timeline.scene(),
            moment_ms: timeline.sim().now_ms(),
            end_ms: timeline.horizon_ms(),
        }
    }

    /// The seed and cluster size shown in the toolbar for this scene.
    pub fn params(&self) -> RunParams {
        RunParams {
            seed: self.scene.config.seed,
            nodes: self.scene.config.node_count,
        }
    }
}

/// A handle on the app's run, for reading its scene when the user asks for a link or a file
/// (not on every frame). Two handles are equal when they are the same run, so a component
/// holding one re-renders only when the run is replaced.
#[derive(Clone)]
pub struct RunHandle(Rc<RefCell<Timeline>>);

impl PartialEq for RunHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl RunHandle {
    /// A handle on this run.
    pub fn new(run: Rc<RefCell<Timeline>>) -> RunHandle {
        RunHandle(run)
    }

    /// The run's scene, moment and end now (`None` if the run is being changed).
    pub fn scene_at(&self) -> Option<SceneAt> {
        self.0.try_borrow().ok().map(|t| SceneAt::of(&t))
    }
}

/// The app's settings for a run with this seed and size (every other setting at its default;
/// the app has three clients).
pub fn app_config(params: &RunParams) -> SimConfig {
    let mut config = SimConfig {
        seed: params.seed,
        node_count: params.nodes,
        ..SimConfig::default()
    };
    config.client.clients = crate::state::CLIENTS;
    config
}

/// The settings links and files are compared with: the app's default run.
fn default_config_value() -> Value {
    serde_json::to_value(app_config(&RunParams::default())).unwrap_or(Value::Null)
}

/// Rebuilds the run: replays the scene to the end of its recording, then goes to the moment.
///
/// # Errors
/// Why the scene cannot be replayed, for the user.
pub fn build(at: &SceneAt) -> Result<Timeline, String> {
    let keep = Some(Timeline::SUGGESTED_TRACE_RETENTION);
    let mut t =
        Timeline::from_scene_retaining(at.scene.clone(), at.end_ms, keep).map_err(|e| match e {
            SimError::Replay { .. } | SimError::ScriptOutOfOrder => e.to_string(),
            other => format!("its settings are not valid: {other}"),
        })?;
    t.seek(at.moment_ms);
    Ok(t)
}

// ---------------------------------------------------------------------------------------
// Writing

/// The recorded actions as `[events, at_ms, action]` triples (the link's compact form).
fn compact_script(script: &[Recorded]) -> Value {
    Value::Array(
        script
            .iter()
            .map(|r| {
                json!([
                    r.events,
                    r.at_ms,
                    serde_json::to_value(&r.action).unwrap_or(Value::Null)
                ])
            })
            .collect(),
    )
}

/// The settings that differ from `base`, as a JSON merge patch (`None`: nothing differs).
fn diff(value: Value, base: &Value) -> Option<Value> {
    match (value, base) {
        (Value::Object(map), Value::Object(base)) => {
            let out: Map<String, Value> = map
                .into_iter()
                .filter_map(|(k, v)| match base.get(&k) {
                    Some(b) => diff(v, b).map(|d| (k, d)),
                    None => Some((k, v)),
                })
                .collect();
            (!out.is_empty()).then_some(Value::Object(out))
        }
        (v, b) => (v != *b).then_some(v),
    }
}

/// The query string of a link to this moment (without the leading `?`):
/// `scene=<base64url>&t=<ms>`.
pub fn link_query(at: &SceneAt) -> String {
    let config = serde_json::to_value(&at.scene.config).unwrap_or(Value::Null);
    let mut obj = Map::new();
    obj.insert("v".into(), FORMAT_VERSION.into());
    if let Some(c) = diff(config, &default_config_value()) {
        obj.insert("c".into(), c);
    }
    if !at.scene.script.is_empty() {
        obj.insert("a".into(), compact_script(&at.scene.script));
    }
    if at.end_ms > at.moment_ms {
        obj.insert("e".into(), at.end_ms.into());
    }
    let text = Value::Object(obj).to_string();
    format!(
        "scene={}&t={}",
        URL_SAFE_NO_PAD.encode(text.as_bytes()),
        at.moment_ms
    )
}

/// The file/session envelope of a run.
fn envelope(format: &str, at: &SceneAt) -> Map<String, Value> {
    let mut obj = Map::new();
    obj.insert("format".into(), format.into());
    obj.insert("version".into(), FORMAT_VERSION.into());
    obj.insert("moment_ms".into(), at.moment_ms.into());
    obj.insert("end_ms".into(), at.end_ms.into());
    obj.insert(
        "scene".into(),
        serde_json::to_value(&at.scene).unwrap_or(Value::Null),
    );
    obj
}

/// The exported file of a run: pretty-printed JSON (see the module documentation).
pub fn export_json(at: &SceneAt) -> String {
    serde_json::to_string_pretty(&Value::Object(envelope(SCENE_FORMAT, at))).unwrap_or_default()
}

/// The saved session (compact JSON).
pub fn session_json(s: &Session) -> String {
    let mut obj = envelope(SESSION_FORMAT, &s.at);
    // The speed slider's position (an integer), not the factor: writing floats would bring
    // float formatting into the download.
    obj.insert("speed_step".into(), slider_from_speed(s.speed).into());
    obj.insert("playing".into(), s.playing.into());
    obj.insert("origin".into(), s.origin.clone().into());
    Value::Object(obj).to_string()
}

/// A file name for an export: `raftlab-seed7-5nodes-at-61.2s.json`.
pub fn export_file_name(at: &SceneAt) -> String {
    format!(
        "raftlab-seed{}-{}nodes-at-{}.{}s.json",
        at.scene.config.seed,
        at.scene.config.node_count,
        at.moment_ms / 1000,
        at.moment_ms % 1000 / 100
    )
}

// ---------------------------------------------------------------------------------------
// Reading

/// How a JSON value is called in messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(n) if n.is_u64() => "a whole number",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Checks that `given` has the shape of `default` (the same JSON kinds, known names only),
/// naming the first field that does not. `null` defaults (optional settings) accept anything
/// here; deserializing checks them.
fn check_shape(path: &str, given: &Value, default: &Value) -> Result<(), String> {
    match (default, given) {
        (Value::Null, _) => Ok(()),
        (Value::Object(d), Value::Object(g)) => {
            for (k, v) in g {
                let p = format!("{path}.{k}");
                match d.get(k) {
                    Some(dv) => check_shape(&p, v, dv)?,
                    None => return Err(format!("{p} is not a setting this version knows")),
                }
            }
            Ok(())
        }
        (Value::Number(n), Value::Number(g)) if n.is_u64() && !g.is_u64() => {
            Err(format!("{path} must be a whole number of at least 0"))
        }
        (d, g) if std::mem::discriminant(d) == std::mem::discriminant(g) => Ok(()),
        (d, g) => Err(format!("{path} must be {}, not {}", kind(d), kind(g))),
    }
}

/// Merges a JSON merge patch into `base`.
fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(&k) {
                    Some(bv) if bv.is_object() && v.is_object() => merge(bv, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, p) => *b = p,
    }
}

/// Reads settings given as a patch on the app's defaults; `path` names them in messages.
fn read_config(path: &str, patch: Option<Value>) -> Result<SimConfig, String> {
    let mut config = default_config_value();
    if let Some(patch) = patch {
        if !patch.is_object() {
            return Err(format!("{path} must be an object, not {}", kind(&patch)));
        }
        check_shape(path, &patch, &config)?;
        merge(&mut config, patch);
    }
    let config: SimConfig = serde_json::from_value(config).map_err(|e| format!("{path}: {e}"))?;
    if config.driver_bug.is_some() {
        return Err(format!(
            "{path}.driver_bug: deliberately broken drivers are for tests only"
        ));
    }
    if config.raft.bug.is_some() {
        return Err(format!(
            "{path}.raft.bug: deliberately broken protocols are for tests only"
        ));
    }
    if !(MIN_NODES..=MAX_APP_NODES).contains(&config.node_count) {
        return Err(format!(
            "{path}.node_count is {}: the app shows clusters of {MIN_NODES} to {MAX_APP_NODES} nodes",
            config.node_count
        ));
    }
    Ok(config)
}

/// Checks what the app could not have recorded: clients send only `a + b` or register
/// operations.
fn check_action(n: usize, action: &Action) -> Result<(), String> {
    let command = match action {
        Action::Submit(c) | Action::SubmitFrom { command: c, .. } => c,
        _ => return Ok(()),
    };
    match command {
        Command::Add { .. } | Command::Register(_) => Ok(()),
        _ => Err(format!(
            "action {n}: a client can only send a + b or a register operation"
        )),
    }
}

/// A whole number field of an object (`None` if absent).
fn opt_u64(obj: &Map<String, Value>, key: &str, path: &str) -> Result<Option<u64>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            format!(
                "{path}{key} must be a whole number of milliseconds, not {}",
                kind(v)
            )
        }),
    }
}

/// Completes a scene with its moment and end, checking both against the recording and
/// [`MAX_SCENE_MS`]. `moment_ms` `None`: the end of the recording.
fn finish(scene: Scene, moment_ms: Option<u64>, end_ms: Option<u64>) -> Result<SceneAt, String> {
    for (i, r) in scene.script.iter().enumerate() {
        check_action(i + 1, &r.action)?;
    }
    let last_action = scene.script.last().map_or(0, |r| r.at_ms);
    let end_ms = end_ms
        .unwrap_or(0)
        .max(last_action)
        .max(moment_ms.unwrap_or(0));
    let moment_ms = moment_ms.unwrap_or(end_ms);
    if end_ms > MAX_SCENE_MS {
        return Err(format!(
            "it reaches {} h of virtual time: the app replays at most {} h",
            end_ms / 3_600_000,
            MAX_SCENE_MS / 3_600_000
        ));
    }
    Ok(SceneAt {
        scene,
        moment_ms,
        end_ms,
    })
}

/// Checks the `version` field (`path` names it in messages).
fn check_version(v: Option<&Value>, path: &str) -> Result<(), String> {
    match v.map(|v| (v, v.as_u64())) {
        None => Err(format!("it has no {path} (format version)")),
        Some((_, Some(v))) if v > FORMAT_VERSION => Err(format!(
            "it was made by a newer raftlab (format version {v}; this page reads version {FORMAT_VERSION})"
        )),
        Some((_, Some(v))) if v >= 1 => Ok(()),
        Some((v, _)) => Err(format!(
            "its {path} is {v}: it must be a whole number from 1 to {FORMAT_VERSION}"
        )),
    }
}

/// Reads a scene link's parameters: `scene` (base64url of JSON) and `t` (the moment in
/// virtual ms; absent: the end of the recording).
///
/// # Errors
/// What is wrong, for the URL error banner.
pub fn decode_link(scene: &str, t: Option<&str>) -> Result<SceneAt, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(scene.trim().trim_end_matches('='))
        .map_err(|_| {
            "the scene parameter is not valid base64url (was the link cut off when copied?)"
                .to_string()
        })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| "the scene parameter does not hold text".to_string())?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| format!("the scene parameter is not valid JSON ({e})"))?;
    let Value::Object(mut obj) = value else {
        return Err("the scene parameter is not a scene (a JSON object)".to_string());
    };
    check_version(obj.get("v"), "scene.v").map_err(|e| format!("the scene link: {e}"))?;
    let config = read_config("scene.c", obj.remove("c"))?;
    let mut script = Vec::new();
    match obj.remove("a") {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.into_iter().enumerate() {
                let (events, at_ms, action): (u64, u64, Action) = serde_json::from_value(item)
                    .map_err(|e| {
                        format!(
                            "scene.a[{i}] (action {}) is not [events, time in ms, action]: {e}",
                            i + 1
                        )
                    })?;
                script.push(Recorded {
                    events,
                    at_ms,
                    action,
                });
            }
        }
        Some(other) => {
            return Err(format!(
                "scene.a must be a list of actions, not {}",
                kind(&other)
            ));
        }
    }
    let end_ms = opt_u64(&obj, "e", "scene.")?;
    let moment_ms = match t.map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(t.parse::<u64>().map_err(|_| {
            format!("t (the moment to show) must be a whole number of milliseconds, not \u{201c}{t}\u{201d}")
        })?),
    };
    finish(Scene { config, script }, moment_ms, end_ms)
        .map_err(|e| format!("the scene link cannot be shown: {e}"))
}

/// Reads the `scene` object and the moment of a file or session envelope.
fn read_envelope(mut obj: Map<String, Value>) -> Result<SceneAt, String> {
    let Some(scene) = obj.remove("scene") else {
        return Err("it has no scene".to_string());
    };
    let Value::Object(mut scene) = scene else {
        return Err(format!("scene must be an object, not {}", kind(&scene)));
    };
    let config = read_config("scene.config", scene.remove("config"))?;
    let mut script = Vec::new();
    match scene.remove("script") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.into_iter().enumerate() {
                let r: Recorded = serde_json::from_value(item)
                    .map_err(|e| format!("scene.script[{i}] (action {}): {e}", i + 1))?;
                script.push(r);
            }
        }
        Some(other) => {
            return Err(format!(
                "scene.script must be a list of actions, not {}",
                kind(&other)
            ));
        }
    }
    let moment_ms = opt_u64(&obj, "moment_ms", "")?;
    let end_ms = opt_u64(&obj, "end_ms", "")?;
    finish(Scene { config, script }, moment_ms, end_ms)
}

/// Parses JSON text into an object whose `format` is `format`.
fn object_of_format(text: &str, format: &str) -> Result<Map<String, Value>, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
    let Value::Object(obj) = value else {
        return Err(format!(
            "it is not a raftlab file: it holds {}, not an object",
            kind(&value)
        ));
    };
    match obj.get("format") {
        Some(Value::String(f)) if f == format => {}
        Some(Value::String(f)) => {
            return Err(format!(
                "it is not a raftlab run: its format is \u{201c}{f}\u{201d}, not \u{201c}{format}\u{201d}"
            ));
        }
        _ => {
            return Err(format!(
                "it is not a raftlab run: it has no \u{201c}format\u{201d}: \u{201c}{format}\u{201d}"
            ));
        }
    }
    check_version(obj.get("version"), "version")?;
    Ok(obj)
}

/// Reads an exported run file.
///
/// # Errors
/// What is wrong with the file, for the notice.
pub fn import_json(text: &str) -> Result<SceneAt, String> {
    read_envelope(object_of_format(text, SCENE_FORMAT)?)
}

/// Reads a saved session.
///
/// # Errors
/// What is wrong with it.
pub fn parse_session(text: &str) -> Result<Session, String> {
    let obj = object_of_format(text, SESSION_FORMAT)?;
    // A speed out of range (or missing) falls back to the default rather than refusing the
    // whole session.
    let speed = obj
        .get("speed_step")
        .and_then(Value::as_u64)
        .filter(|&s| s <= u64::from(SLIDER_STEPS))
        .map_or(SPEED_DEFAULT, |s| speed_from_slider(s as f64));
    let playing = obj.get("playing").and_then(Value::as_bool).unwrap_or(false);
    let origin = match obj.get("origin") {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    Ok(Session {
        at: read_envelope(obj)?,
        speed,
        playing,
        origin,
    })
}

#[cfg(test)]
mod tests;
