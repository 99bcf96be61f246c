//! Tests of scene links, run files and sessions: round trips rebuild the same run, and every
//! kind of bad input is refused with a message that says what is wrong.

use super::*;
use raft_core::sim::{LinkSettings, Ratio, Simulation};
use raft_core::{ClientId, NodeId, RegisterOp};

/// What the screen shows of a moment: time, events, trace digest, and each node's role, term
/// and log end.
fn picture(sim: &Simulation) -> String {
    let mut out = format!(
        "t={} events={} digest={:x}",
        sim.now_ms(),
        sim.events_processed(),
        sim.trace().digest()
    );
    for n in sim.nodes() {
        out += &format!(
            " {}:{:?}/{}/{:?}",
            n.id(),
            n.role(),
            n.current_term(),
            n.raft().map(|r| r.log().last_id())
        );
    }
    out
}

/// A run with the kinds of actions the app records: settings toggles, a crash, client
/// requests, a link setting, a snapshot threshold; then a seek back into the middle.
fn recorded_run() -> Timeline {
    let mut t = Timeline::new(app_config(&RunParams { seed: 7, nodes: 5 })).unwrap();
    t.advance_to(40_000);
    t.apply(Action::SetGuards {
        pre_vote: true,
        check_quorum: false,
    })
    .unwrap();
    t.apply(Action::SubmitFrom {
        client: ClientId(2),
        command: Command::Add { a: 5, b: 3 },
    })
    .unwrap();
    t.advance_to(70_000);
    let leader = t.sim().leader().unwrap();
    t.apply(Action::Crash(leader)).unwrap();
    t.apply(Action::SetSnapshotThreshold(Some(10))).unwrap();
    t.apply(Action::SetLink {
        from: NodeId(1),
        to: NodeId(2),
        settings: Some(LinkSettings {
            latency_ms_min: 100,
            latency_ms_max: 300,
            loss: Ratio { num: 1, den: 4 },
            duplicate: Ratio::NEVER,
        }),
    })
    .unwrap();
    t.advance_to(110_000);
    t.apply(Action::SubmitFrom {
        client: ClientId(1),
        command: Command::Register(RegisterOp::Set(4)),
    })
    .unwrap();
    t.advance_to(150_000);
    t.seek(95_000);
    t
}

/// The JSON inside a link's `scene` parameter.
fn link_json(query: &str) -> Value {
    let b64 = query
        .strip_prefix("scene=")
        .and_then(|q| q.split('&').next())
        .unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(b64).unwrap()).unwrap()
}

/// A query's parameters.
fn params(query: &str) -> (String, Option<String>) {
    let mut scene = String::new();
    let mut t = None;
    for kv in query.split('&') {
        match kv.split_once('=') {
            Some(("scene", v)) => scene = v.to_string(),
            Some(("t", v)) => t = Some(v.to_string()),
            _ => {}
        }
    }
    (scene, t)
}

#[test]
fn a_link_rebuilds_the_same_run_at_the_same_moment() {
    let run = recorded_run();
    let at = SceneAt::of(&run);
    assert_eq!((at.moment_ms, at.end_ms), (95_000, 150_000));
    let query = link_query(&at);
    let (scene, t) = params(&query);
    assert_eq!(t.as_deref(), Some("95000"));
    let back = decode_link(&scene, t.as_deref()).unwrap();
    assert_eq!(back, at);
    let rebuilt = build(&back).unwrap();
    assert_eq!(picture(rebuilt.sim()), picture(run.sim()));
    assert_eq!(
        rebuilt.horizon_ms(),
        150_000,
        "the recording's end comes along"
    );
    // Forward to the end: the recorded future replays the same way.
    let (mut a, mut b) = (rebuilt, run);
    a.seek(150_000);
    b.seek(150_000);
    assert_eq!(picture(a.sim()), picture(b.sim()));
}

#[test]
fn a_link_holds_only_the_settings_that_differ_from_the_defaults() {
    let t = Timeline::new(app_config(&RunParams { seed: 42, nodes: 3 })).unwrap();
    let query = link_query(&SceneAt::of(&t));
    let json = link_json(&query);
    assert_eq!(json, json!({"v": 1, "c": {"seed": 42, "node_count": 3}}));
    // The default run's link is just a version and a moment.
    let t = Timeline::new(app_config(&RunParams::default())).unwrap();
    let query = link_query(&SceneAt::of(&t));
    assert_eq!(link_json(&query), json!({"v": 1}));
    assert!(query.len() < 30, "{query}");
    // Typical lengths, for the record (`cargo test -- --nocapture`).
    let at = SceneAt::of(&recorded_run());
    println!(
        "link lengths: default run {} chars; 7 actions {} chars",
        query.len(),
        link_query(&at).len()
    );
}

#[test]
fn a_file_round_trips_and_is_pretty() {
    let at = SceneAt::of(&recorded_run());
    let text = export_json(&at);
    assert!(text.contains("\n  \"format\": \"raftlab-scene\""), "{text}");
    assert!(text.contains("\"version\": 1"));
    assert_eq!(import_json(&text).unwrap(), at);
    assert_eq!(export_file_name(&at), "raftlab-seed7-5nodes-at-95.0s.json");
}

#[test]
fn a_file_may_leave_settings_out() {
    let text = r#"{"format":"raftlab-scene","version":1,"moment_ms":30000,
        "scene":{"config":{"seed":9,"raft":{"pre_vote":true}},"script":[]}}"#;
    let at = import_json(text).unwrap();
    assert_eq!(at.scene.config.seed, 9);
    assert!(at.scene.config.raft.pre_vote);
    assert_eq!(at.scene.config.node_count, 5);
    assert_eq!(at.scene.config.client.clients, crate::state::CLIENTS);
    assert_eq!((at.moment_ms, at.end_ms), (30_000, 30_000));
    assert_eq!(build(&at).unwrap().sim().now_ms(), 30_000);
}

#[test]
fn a_session_round_trips() {
    let s = Session {
        at: SceneAt::of(&recorded_run()),
        speed: speed_from_slider(700.0),
        playing: true,
        origin: "?seed=7&nodes=5".into(),
    };
    assert_eq!(parse_session(&session_json(&s)).unwrap(), s);
    // A speed out of range falls back to the default; a scene file is not a session.
    let text = session_json(&s).replace("\"speed_step\":700", "\"speed_step\":7000");
    assert_ne!(text, session_json(&s));
    assert_eq!(parse_session(&text).unwrap().speed, SPEED_DEFAULT);
    let err = parse_session(&export_json(&s.at)).unwrap_err();
    assert!(
        err.contains("format is \u{201c}raftlab-scene\u{201d}"),
        "{err}"
    );
}

/// An exported file edited by `edit`, then imported: the error.
fn import_edited(edit: impl FnOnce(&mut Value)) -> String {
    let at = SceneAt::of(&recorded_run());
    let mut v: Value = serde_json::from_str(&export_json(&at)).unwrap();
    edit(&mut v);
    match import_json(&v.to_string()).and_then(|at| build(&at).map(|_| ())) {
        Ok(()) => panic!("the edited file was accepted"),
        Err(e) => e,
    }
}

#[test]
fn bad_files_are_refused_with_the_reason() {
    let e = import_json("{not json").unwrap_err();
    assert!(e.starts_with("it is not valid JSON"), "{e}");
    let e = import_json("[1,2]").unwrap_err();
    assert!(e.contains("holds a list"), "{e}");
    let e = import_edited(|v| v["format"] = json!("something-else"));
    assert!(
        e.contains("its format is \u{201c}something-else\u{201d}"),
        "{e}"
    );
    let e = import_edited(|v| v["version"] = json!(2));
    assert_eq!(
        e,
        "it was made by a newer raftlab (format version 2; this page reads version 1)"
    );
    let e = import_edited(|v| v["version"] = json!("one"));
    assert!(e.contains("version is \"one\""), "{e}");
    let e = import_edited(|v| {
        v.as_object_mut().unwrap().remove("version");
    });
    assert!(e.contains("no version"), "{e}");
    let e = import_edited(|v| v["scene"]["config"]["latency_ms_min"] = json!("fast"));
    assert_eq!(
        e,
        "scene.config.latency_ms_min must be a whole number, not text"
    );
    let e = import_edited(|v| v["scene"]["config"]["raft"]["heartbeat_interval_ms"] = json!(-5));
    assert!(
        e.starts_with("scene.config.raft.heartbeat_interval_ms must be a whole number"),
        "{e}"
    );
    let e = import_edited(|v| v["scene"]["config"]["colour"] = json!("blue"));
    assert_eq!(e, "scene.config.colour is not a setting this version knows");
    let e = import_edited(|v| v["scene"]["config"]["latency_ms_min"] = json!(9_000));
    assert!(
        e.starts_with("its settings are not valid: the minimum latency (9000 ms)"),
        "{e}"
    );
    let e = import_edited(|v| v["scene"]["config"]["driver_bug"] = json!("SendBeforeSync"));
    assert!(e.contains("driver_bug: deliberately broken"), "{e}");
    let e = import_edited(|v| v["scene"]["config"]["raft"]["bug"] = json!("ForgetToPersistVote"));
    assert!(e.contains("raft.bug: deliberately broken"), "{e}");
    let e = import_edited(|v| v["scene"]["config"]["node_count"] = json!(1));
    assert!(
        e.contains("node_count is 1: the app shows clusters of 3 to 9"),
        "{e}"
    );
    let e = import_edited(|v| v["scene"]["script"][1]["action"] = json!({"Explode": 3}));
    assert!(
        e.starts_with("scene.script[1] (action 2): unknown variant `Explode`"),
        "{e}"
    );
    let e = import_edited(|v| v["scene"]["script"][0]["action"] = json!({"Submit": "Noop"}));
    assert_eq!(
        e,
        "action 1: a client can only send a + b or a register operation"
    );
    let e = import_edited(|v| v["moment_ms"] = json!(7 * 3_600_000u64));
    assert!(e.contains("the app replays at most 6 h"), "{e}");
    // An action that fails on replay: restart a node that is running.
    let e = import_edited(|v| v["scene"]["script"][2]["action"] = json!({"Restart": 1}));
    assert!(
        e.starts_with("action 3 of the scene (at 2026-01-01 00:01:10,000) cannot be replayed: Node 1 is already running"),
        "{e}"
    );
    // Out of order.
    let e = import_edited(|v| {
        let script = v["scene"]["script"].as_array_mut().unwrap();
        script.reverse();
    });
    assert!(e.contains("out of order"), "{e}");
}

#[test]
fn bad_links_are_refused_with_the_reason() {
    let at = SceneAt::of(&recorded_run());
    let (scene, _) = params(&link_query(&at));
    let e = decode_link("%%%", None).unwrap_err();
    assert!(e.contains("not valid base64url"), "{e}");
    let e = decode_link(&URL_SAFE_NO_PAD.encode("{\"v\":1"), None).unwrap_err();
    assert!(
        e.starts_with("the scene parameter is not valid JSON"),
        "{e}"
    );
    let e = decode_link(&URL_SAFE_NO_PAD.encode("{\"v\":3}"), None).unwrap_err();
    assert!(
        e.contains("made by a newer raftlab (format version 3"),
        "{e}"
    );
    let e = decode_link(&URL_SAFE_NO_PAD.encode("{}"), None).unwrap_err();
    assert!(e.contains("no scene.v"), "{e}");
    let e = decode_link(&scene, Some("soon")).unwrap_err();
    assert!(
        e.contains("t (the moment to show) must be a whole number"),
        "{e}"
    );
    let e = decode_link(&URL_SAFE_NO_PAD.encode("{\"v\":1,\"a\":[[1,2]]}"), None).unwrap_err();
    assert!(
        e.starts_with("scene.a[0] (action 1) is not [events, time in ms, action]"),
        "{e}"
    );
    let e = decode_link(
        &URL_SAFE_NO_PAD.encode("{\"v\":1,\"c\":{\"node_count\":\"five\"}}"),
        None,
    )
    .unwrap_err();
    assert_eq!(e, "scene.c.node_count must be a whole number, not text");
    let e = decode_link(&scene, Some(&(MAX_SCENE_MS + 1).to_string())).unwrap_err();
    assert!(e.contains("at most 6 h"), "{e}");
    // A link cut off in the middle: not base64, or not JSON once decoded.
    let cut = &scene[..scene.len() / 2 + 1];
    assert!(decode_link(cut, Some("95000")).is_err());
    // Without t: the end of the recording.
    let whole = decode_link(&scene, None).unwrap();
    assert_eq!(whole.moment_ms, 150_000);
}

#[test]
fn diff_and_merge_are_inverse() {
    let base = default_config_value();
    let mut config = app_config(&RunParams { seed: 3, nodes: 7 });
    config.raft.check_quorum = true;
    config.snapshot_threshold_entries = Some(20);
    let value = serde_json::to_value(&config).unwrap();
    let patch = diff(value.clone(), &base).unwrap();
    assert_eq!(
        patch,
        json!({"seed": 3, "node_count": 7, "raft": {"check_quorum": true}, "snapshot_threshold_entries": 20})
    );
    let mut merged = base.clone();
    merge(&mut merged, patch);
    assert_eq!(merged, value);
    assert_eq!(diff(base.clone(), &base), None);
}
