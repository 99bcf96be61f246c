//! Which run the page starts with: the URL's, or the session saved in the browser.
//!
//! - A URL with parameters (`?seed=N&nodes=K`, a scene link `?scene=…&t=…`, or any other)
//!   wins over the saved session, unless the session was saved on this very URL (the app writes the
//!   URL itself on Reset, and a scene link stays in the address bar): then reloading the page
//!   resumes the session instead of throwing away what the user did.
//! - Otherwise the saved session is resumed, paused or playing as it was, with a notice that
//!   offers to start fresh.
//! - A saved session that cannot be read or replayed is ignored with a message and cleared; a
//!   scene link that cannot be shown is reported in the URL error banner and the default run
//!   starts. Nothing here panics on what the URL or the storage hold.
//!
//! [`plan`] makes the choice as a pure function (tested natively); [`initial_state`] reads
//! the browser and builds the state.

use crate::input::{RunParams, parse_url_params};
use crate::scene_io::{self, SceneAt, Session};
use crate::session;
use crate::state::AppState;

/// The run parameters of the page URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// The whole query string (`location.search`, with its `?`), compared with the session's
    /// origin.
    pub search: String,
    /// `seed`.
    pub seed: Option<String>,
    /// `nodes`.
    pub nodes: Option<String>,
    /// `scene` (base64url JSON).
    pub scene: Option<String>,
    /// `t`, the moment of a scene link (virtual ms).
    pub t: Option<String>,
}

impl Query {
    /// Whether the URL has any parameter at all. Any parameter counts, not only the run's:
    /// a page opened with options of its own (an embed, say) must not pick up the session
    /// another page saved.
    pub fn has_params(&self) -> bool {
        !self.search.trim_start_matches('?').is_empty()
    }
}

/// The run to start.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// A new run with these parameters.
    Params(RunParams),
    /// A scene link.
    Scene(Box<SceneAt>),
    /// The saved session.
    Resume(Box<Session>),
}

/// What [`plan`] decided.
#[derive(Clone, Debug, PartialEq)]
pub struct Start {
    /// The run.
    pub plan: Plan,
    /// Messages about the URL's parameters.
    pub url_errors: Vec<String>,
    /// A message about the saved session (it could not be read).
    pub notice: Option<String>,
    /// Whether the saved session must be removed from storage.
    pub clear_saved: bool,
}

/// The message shown when a saved session cannot be resumed.
fn not_resumed(why: &str) -> String {
    format!("Your saved session could not be resumed ({why}); it was cleared.")
}

/// The run the URL asks for, ignoring any saved session (also what "Start fresh" starts).
pub fn from_url(query: &Query) -> (Plan, Vec<String>) {
    if let Some(scene) = &query.scene {
        return match scene_io::decode_link(scene, query.t.as_deref()) {
            Ok(at) => (Plan::Scene(Box::new(at)), Vec::new()),
            Err(e) => (
                Plan::Params(RunParams::default()),
                vec![format!("{e}. Showing the default run instead.")],
            ),
        };
    }
    let (params, errors) = parse_url_params(query.seed.as_deref(), query.nodes.as_deref());
    (Plan::Params(params), errors)
}

/// Chooses the run to start from the URL and the saved session's text (see the module
/// documentation).
pub fn plan(query: &Query, saved: Option<&str>) -> Start {
    let mut notice = None;
    let mut clear_saved = false;
    let session = match saved.map(scene_io::parse_session) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            notice = Some(not_resumed(&e));
            clear_saved = true;
            None
        }
    };
    let resume = session.filter(|s| !query.has_params() || s.origin == query.search);
    let (plan, url_errors) = match resume {
        Some(s) => (Plan::Resume(Box::new(s)), Vec::new()),
        None => from_url(query),
    };
    Start {
        plan,
        url_errors,
        notice,
        clear_saved,
    }
}

/// The app's first state: the URL's run or the saved session (see the module documentation).
pub fn initial_state() -> AppState {
    let query = crate::url::read_query();
    let start = plan(&query, session::load_text().as_deref());
    if start.clear_saved {
        session::clear();
    }
    if let Plan::Resume(s) = &start.plan {
        match scene_io::build(&s.at) {
            Ok(t) => {
                let mut state =
                    AppState::with_timeline(t, s.at.params(), start.notice, start.url_errors);
                state.playing = s.playing;
                state.speed = s.speed;
                state.resumed = true;
                return state;
            }
            Err(e) => {
                session::clear();
                let (plan, errors) = from_url(&query);
                return new_run(plan, errors, Some(not_resumed(&e)));
            }
        }
    }
    new_run(start.plan, start.url_errors, start.notice)
}

/// The state of a new run from the URL: its parameters, or its scene link (paused at the
/// link's moment; the default run, with a message, if the scene cannot be replayed).
fn new_run(plan: Plan, mut url_errors: Vec<String>, notice: Option<String>) -> AppState {
    let mut state = match plan {
        Plan::Scene(at) => match scene_io::build(&at) {
            Ok(t) => {
                let mut state = AppState::with_timeline(t, at.params(), None, url_errors);
                state.playing = false;
                state
            }
            Err(e) => {
                url_errors.push(format!(
                    "The scene link cannot be shown: {e}. Showing the default run instead."
                ));
                AppState::new(RunParams::default(), url_errors)
            }
        },
        Plan::Params(params) => AppState::new(params, url_errors),
        Plan::Resume(_) => AppState::new(RunParams::default(), url_errors),
    };
    if notice.is_some() {
        state.notice = notice;
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene_io::{app_config, link_query, session_json};
    use raft_core::sim::Timeline;

    fn query(search: &str) -> Query {
        let mut q = Query {
            search: search.to_string(),
            ..Query::default()
        };
        for kv in search.trim_start_matches('?').split('&') {
            let Some((k, v)) = kv.split_once('=') else {
                continue;
            };
            let v = Some(v.to_string());
            match k {
                "seed" => q.seed = v,
                "nodes" => q.nodes = v,
                "scene" => q.scene = v,
                "t" => q.t = v,
                _ => {}
            }
        }
        q
    }

    fn saved(origin: &str) -> String {
        let t = Timeline::new(app_config(&RunParams { seed: 4, nodes: 3 })).unwrap();
        session_json(&Session {
            at: SceneAt::of(&t),
            speed: crate::speed::SPEED_MAX,
            playing: false,
            origin: origin.to_string(),
        })
    }

    #[test]
    fn no_parameters_resume_the_saved_session() {
        let start = plan(&query(""), Some(&saved("?seed=9&nodes=5")));
        assert!(matches!(start.plan, Plan::Resume(ref s) if s.speed == crate::speed::SPEED_MAX));
        assert!(start.url_errors.is_empty() && start.notice.is_none() && !start.clear_saved);
        // Nothing saved: the default run.
        let start = plan(&query(""), None);
        assert_eq!(start.plan, Plan::Params(RunParams::default()));
    }

    #[test]
    fn url_parameters_win_unless_the_session_was_saved_on_them() {
        let start = plan(&query("?seed=7&nodes=3"), Some(&saved("")));
        assert_eq!(start.plan, Plan::Params(RunParams { seed: 7, nodes: 3 }));
        let start = plan(&query("?seed=7&nodes=3"), Some(&saved("?seed=7&nodes=3")));
        assert!(matches!(start.plan, Plan::Resume(_)), "a reload resumes");
        // Parameters the run does not know count too (a page with options of its own).
        let start = plan(&query("?embed=1"), Some(&saved("")));
        assert_eq!(start.plan, Plan::Params(RunParams::default()));
        let t = Timeline::new(app_config(&RunParams { seed: 8, nodes: 4 })).unwrap();
        let link = format!("?{}", link_query(&SceneAt::of(&t)));
        let start = plan(&query(&link), Some(&saved("")));
        assert!(matches!(start.plan, Plan::Scene(ref at) if at.scene.config.seed == 8));
    }

    #[test]
    fn a_corrupt_session_is_cleared_with_a_message() {
        let start = plan(
            &query(""),
            Some("{\"format\":\"raftlab-session\",\"version\":"),
        );
        assert_eq!(start.plan, Plan::Params(RunParams::default()));
        assert!(start.clear_saved);
        let notice = start.notice.unwrap();
        assert!(
            notice.starts_with("Your saved session could not be resumed (it is not valid JSON"),
            "{notice}"
        );
        let newer = saved("").replace("\"version\":1", "\"version\":2");
        let start = plan(&query(""), Some(&newer));
        assert!(start.clear_saved);
        assert!(start.notice.unwrap().contains("newer raftlab"));
    }

    #[test]
    fn a_bad_scene_link_falls_back_to_the_default_run_with_a_message() {
        let start = plan(&query("?scene=e30&t=5"), None);
        assert_eq!(start.plan, Plan::Params(RunParams::default()));
        assert_eq!(
            start.url_errors,
            vec![
                "the scene link: it has no scene.v (format version). Showing the default run instead."
            ]
        );
    }
}
