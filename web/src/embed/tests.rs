//! Tests of the embed options, the host messages and the events (all pure).

use super::*;
use raft_core::sim::{SimConfig, Timeline};
use serde_json::{Value, json};

fn options(query: &[(&str, &str)]) -> (Options, Vec<String>) {
    parse_options(|name| {
        query
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    })
}

#[test]
fn no_options_is_the_full_app() {
    let (o, errors) = options(&[]);
    assert_eq!(o, Options::default());
    assert!(errors.is_empty());
    assert!(!o.embed && o.panels == Panels::ALL && o.origin == "*");
}

#[test]
fn embed_options_are_read() {
    let (o, errors) = options(&[
        ("embed", "1"),
        ("panels", "cluster, log,events"),
        ("paused", "1"),
        ("scenario", "figure-8"),
        ("speed", "2.5"),
        ("origin", "https://course.example.org:8443"),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(o.embed && o.paused);
    assert_eq!(
        o.panels,
        Panels {
            cluster: true,
            log: true,
            events: true,
            client: false,
            timeline: false,
            scenario: false,
        }
    );
    assert_eq!(o.scenario.as_deref(), Some("figure-8"));
    assert_eq!(o.speed, Some(2.5));
    assert_eq!(o.origin, "https://course.example.org:8443");
    // The default panels of embed mode, and panels= ignored outside it.
    assert_eq!(options(&[("embed", "1")]).0.panels, Panels::EMBED_DEFAULT);
    assert_eq!(options(&[("panels", "log")]).0.panels, Panels::ALL);
    // scenario, paused and speed work without embed too.
    let (o, errors) = options(&[("scenario", "split-vote"), ("paused", "true")]);
    assert!(errors.is_empty() && !o.embed && o.paused);
    assert_eq!(o.scenario.as_deref(), Some("split-vote"));
}

#[test]
fn malformed_options_say_why_and_use_the_defaults() {
    let (o, errors) = options(&[
        ("embed", "yes"),
        ("paused", "2"),
        ("speed", "fast"),
        ("scenario", "no-such"),
        ("origin", "javascript:alert(1)"),
    ]);
    assert_eq!(o, Options::default());
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert!(errors[0].starts_with("embed=\u{201c}yes\u{201d}"));
    assert!(errors[1].starts_with("paused=\u{201c}2\u{201d}"));
    assert!(errors[2].starts_with("speed=\u{201c}fast\u{201d}"));
    assert!(errors[3].contains("no-such") && errors[3].contains("first-election"));
    assert!(errors[4].starts_with("origin="));

    let (o, errors) = options(&[("embed", "1"), ("panels", "cluster,chart,,log,Foo")]);
    assert!(o.panels.cluster && o.panels.log && !o.panels.events);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("\u{201c}chart, Foo\u{201d}") && errors[0].contains("timeline"),
        "{}",
        errors[0]
    );
    let (o, errors) = options(&[("embed", "1"), ("panels", "nothing")]);
    assert_eq!(
        o.panels,
        Panels::EMBED_DEFAULT,
        "no valid panel: the defaults"
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
}

#[test]
fn speeds_are_read_exactly_and_bounded() {
    assert_eq!(parse_speed("2"), Ok(2.0));
    assert_eq!(parse_speed("0.5"), Ok(0.5));
    assert_eq!(parse_speed("0.1"), Ok(0.1));
    assert_eq!(parse_speed("100"), Ok(100.0));
    assert_eq!(parse_speed("12.25"), Ok(12.25));
    assert_eq!(parse_speed(".5"), Ok(0.5));
    assert_eq!(parse_speed("7."), Ok(7.0));
    for bad in [
        "", ".", "0", "0.09", "100.5", "1e2", "-2", "+2", "2x", "1.2.3", " 2", "NaN", "inf",
        "99999999",
    ] {
        assert!(parse_speed(bad).is_err(), "{bad:?} is refused");
    }
}

// serde_json's values stand in for the JsValues the browser hands over.
impl Source for Value {
    fn field(&self, key: &str) -> Option<Value> {
        self.as_object()?.get(key).cloned()
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_string)
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Value>> {
        self.as_array().cloned()
    }
    fn keys(&self) -> Vec<String> {
        self.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }
}

impl Sink for Value {
    fn object(fields: Vec<(&'static str, Value)>) -> Value {
        Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }
    fn number(n: u64) -> Value {
        json!(n)
    }
    fn text(s: &str) -> Value {
        json!(s)
    }
    fn boolean(b: bool) -> Value {
        json!(b)
    }
    fn null() -> Value {
        Value::Null
    }
    fn list(items: Vec<Value>) -> Value {
        Value::Array(items)
    }
}

fn cmd(json: &str) -> Option<Result<HostCommand, String>> {
    let value: Value = serde_json::from_str(json).unwrap_or(Value::Null);
    parse_host_message(&value)
}

#[test]
fn host_messages_are_read() {
    assert_eq!(
        cmd(r#"{"raftlab":1,"type":"play"}"#),
        Some(Ok(HostCommand::Play))
    );
    assert_eq!(
        cmd(r#"{"raftlab":1,"type":"pause"}"#),
        Some(Ok(HostCommand::Pause))
    );
    assert_eq!(
        cmd(r#"{"raftlab":1,"type":"seek","t_ms":42000}"#),
        Some(Ok(HostCommand::Seek(42_000)))
    );
    assert_eq!(
        cmd(r#"{"raftlab":1,"type":"seek","t_ms":42000.0}"#),
        Some(Ok(HostCommand::Seek(42_000))),
        "JavaScript has one kind of number"
    );
    assert_eq!(
        cmd(r#"{"type":"load-scenario","id":"figure-8","raftlab":1}"#),
        Some(Ok(HostCommand::LoadScenario("figure-8".into())))
    );
    assert_eq!(
        cmd(r#"{"raftlab":1,"type":"next-step"}"#),
        Some(Ok(HostCommand::NextStep))
    );
    assert_eq!(
        cmd(r#"{"raftlab":1,"type":"previous-step"}"#),
        Some(Ok(HostCommand::PreviousStep))
    );
    assert_eq!(
        cmd(r#"{"raftlab":1,"type":"get-state","extra":[1,2]}"#),
        Some(Ok(HostCommand::GetState)),
        "unknown fields are ignored"
    );
}

#[test]
fn actions_are_read_in_the_documented_form() {
    let node = NodeId;
    for (json, action) in [
        (r#"{"crash":2}"#, Action::Crash(node(2))),
        (r#"{"restart":2}"#, Action::Restart(node(2))),
        (r#"{"timeout":3}"#, Action::Timeout(node(3))),
        (r#"{"pause":1}"#, Action::Pause(node(1))),
        (r#"{"resume":1}"#, Action::Resume(node(1))),
        (
            r#"{"transfer-leader":4}"#,
            Action::TransferLeadership(node(4)),
        ),
        (r#"{"remove":5}"#, Action::RemoveNode(node(5))),
        (r#"{"dismiss":5}"#, Action::DismissNode(node(5))),
        (r#"{"snapshot":2}"#, Action::Snapshot(node(2))),
        (r#"{"partition":1}"#, Action::Partition(vec![vec![node(1)]])),
        (
            r#"{"partition":[[1,2],[3,4,5]]}"#,
            Action::Partition(vec![
                vec![node(1), node(2)],
                vec![node(3), node(4), node(5)],
            ]),
        ),
        (r#"{"heal-all":true}"#, Action::HealAll),
        (r#""heal-all""#, Action::HealAll),
        (r#"{"add-node":6}"#, Action::AddNode(node(6))),
        (
            r#"{"cut":[1,2]}"#,
            Action::CutLink {
                from: node(1),
                to: node(2),
            },
        ),
        (
            r#"{"restore":[2,1]}"#,
            Action::RestoreLink {
                from: node(2),
                to: node(1),
            },
        ),
        (
            r#"{"submit":{"a":5,"b":-3}}"#,
            Action::Submit(Command::Add { a: 5, b: -3 }),
        ),
        (
            r#"{"guards":{"pre_vote":true,"check_quorum":false}}"#,
            Action::SetGuards {
                pre_vote: true,
                check_quorum: false,
            },
        ),
    ] {
        let message = format!(r#"{{"raftlab":1,"type":"action","action":{json}}}"#);
        assert_eq!(
            cmd(&message),
            Some(Ok(HostCommand::Action(action))),
            "{message}"
        );
    }
}

#[test]
fn messages_that_are_not_raftlabs_are_ignored() {
    for json in [
        "null",
        "42",
        r#""play""#,
        "[1,2]",
        "{}",
        r#"{"type":"play"}"#,
        r#"{"source":"react-devtools","payload":{}}"#,
    ] {
        assert_eq!(cmd(json), None, "{json}");
    }
}

#[test]
fn malformed_host_messages_say_why() {
    let err = |json: &str| match cmd(json) {
        Some(Err(e)) => e,
        other => panic!("{json}: expected an error, got {other:?}"),
    };
    assert!(err(r#"{"raftlab":2,"type":"play"}"#).contains("raftlab must be 1"));
    assert!(err(r#"{"raftlab":"1","type":"play"}"#).contains("raftlab must be 1"));
    assert!(err(r#"{"raftlab":1}"#).contains("type is missing"));
    assert!(err(r#"{"raftlab":1,"type":7}"#).contains("type is missing"));
    let e = err(r#"{"raftlab":1,"type":"jump"}"#);
    assert!(
        e.contains("\u{201c}jump\u{201d}") && e.contains("get-state"),
        "{e}"
    );
    assert!(err(r#"{"raftlab":1,"type":"seek"}"#).contains("t_ms"));
    for bad in ["-5", "1.5", "\"10\"", "1e99", "null", "9007199254740993"] {
        let e = err(&format!(r#"{{"raftlab":1,"type":"seek","t_ms":{bad}}}"#));
        assert!(e.starts_with("seek needs t_ms"), "{bad}: {e}");
    }
    assert!(err(r#"{"raftlab":1,"type":"load-scenario"}"#).contains("needs id"));
    assert!(err(r#"{"raftlab":1,"type":"load-scenario","id":3}"#).contains("needs id"));
    let e = err(r#"{"raftlab":1,"type":"load-scenario","id":"nope"}"#);
    assert!(
        e.contains("\u{201c}nope\u{201d}") && e.contains("figure-8"),
        "{e}"
    );
    assert!(err(r#"{"raftlab":1,"type":"action"}"#).contains("needs action"));
    let action = |a: &str| err(&format!(r#"{{"raftlab":1,"type":"action","action":{a}}}"#));
    let e = action(r#"{"crsh":2}"#);
    assert!(
        e.contains("\u{201c}crsh\u{201d}") && e.contains("crash"),
        "{e}"
    );
    for bad in [
        r#"{"crash":0}"#,
        r#"{"crash":-1}"#,
        r#"{"crash":"2"}"#,
        r#"{"crash":2.5}"#,
        r#"{"crash":null}"#,
    ] {
        assert!(action(bad).contains("takes a node id"), "{bad}");
    }
    assert!(action(r#"{"crash":2,"restart":2}"#).contains("one field"));
    assert!(action("{}").contains("one field"));
    assert!(action("[1]").contains("one field"));
    assert!(action(r#""crash""#).contains("needs a value"));
    assert!(action(r#"{"partition":[1,2]}"#).contains("groups"));
    assert!(action(r#"{"partition":[[1,"x"]]}"#).contains("node id"));
    assert!(action(r#"{"cut":[1]}"#).contains("[from, to]"));
    assert!(action(r#"{"cut":[1,"b"]}"#).contains("[from, to]"));
    assert!(action(r#"{"submit":{"a":5}}"#).contains("b is missing"));
    assert!(action(r#"{"submit":{"a":5,"b":0.5}}"#).contains("whole number"));
    assert!(action(r#"{"guards":{"pre_vote":1,"check_quorum":true}}"#).contains("pre_vote"));
}

#[test]
fn events_are_objects_marked_raftlab() {
    let v: Value = HostEvent::LeaderElected {
        node: 2,
        term: 1,
        t_ms: 25_492,
    }
    .to_value();
    assert_eq!(
        v,
        json!({"raftlab": 1, "type": "leader-elected", "node": 2, "term": 1, "t_ms": 25492})
    );
    let v: Value = HostEvent::EntryCommitted {
        index: 7,
        term: 2,
        t_ms: 90_000,
        count: 3,
    }
    .to_value();
    assert_eq!(
        v,
        json!({"raftlab": 1, "type": "entry-committed", "index": 7, "term": 2, "t_ms": 90000, "count": 3})
    );
    let v: Value = HostEvent::Error {
        reason: "a \"quoted\" reason".into(),
    }
    .to_value();
    assert_eq!(
        v,
        json!({"raftlab": 1, "type": "error", "reason": "a \"quoted\" reason"})
    );
    let v: Value = HostEvent::Ready {
        t_ms: 0,
        scenario: Some("split-vote".into()),
    }
    .to_value();
    assert_eq!(
        v,
        json!({"raftlab": 1, "type": "ready", "t_ms": 0, "scenario": "split-vote"})
    );
    let mut t = Timeline::new(SimConfig {
        node_count: 3,
        ..SimConfig::default()
    })
    .expect("valid");
    t.advance_to(40_000);
    t.apply(Action::Crash(NodeId(3))).expect("crash");
    let v: Value = state_event(t.sim(), true, None).to_value();
    assert_eq!(
        v,
        json!({
            "raftlab": 1, "type": "state", "t_ms": 40000, "leader": 2, "term": 1,
            "playing": true, "scenario": null,
            "nodes": [
                {"id": 1, "role": "follower", "status": "up", "term": 1, "commit_index": 1, "last_index": 1},
                {"id": 2, "role": "leader", "status": "up", "term": 1, "commit_index": 1, "last_index": 1},
                {"id": 3, "role": "down", "status": "crashed", "term": 1, "commit_index": 0, "last_index": 1}
            ]
        })
    );
    let (run, t) = crate::scenario_view::start("split-vote").expect("bundled");
    let v: Value = state_event(t.sim(), false, Some(&run)).to_value();
    assert_eq!(
        v["scenario"],
        json!({"id": "split-vote", "step": 1, "steps": 3})
    );
}

#[test]
fn the_cursor_reports_elections_commits_and_crashes_once() {
    let mut t = Timeline::new(SimConfig::default()).expect("valid");
    let mut cursor = EventCursor::at_end(t.sim());
    let mut out = Vec::new();
    // Frame by frame: the first election (Node 2 wins term 1 at 25.5 s with seed 1).
    for ms in (0..=40_000).step_by(100) {
        t.advance_to(ms);
        assert!(!cursor.scan(t.sim(), &mut out));
    }
    let elected: Vec<&HostEvent> = out
        .iter()
        .filter(|e| matches!(e, HostEvent::LeaderElected { .. }))
        .collect();
    assert_eq!(
        elected,
        vec![&HostEvent::LeaderElected {
            node: 2,
            term: 1,
            t_ms: 25_492
        }]
    );
    // The leader's no-op is entry 1.
    let commits: Vec<(u64, u64)> = out
        .iter()
        .filter_map(|e| match e {
            HostEvent::EntryCommitted { index, count, .. } => Some((*index, *count)),
            _ => None,
        })
        .collect();
    assert_eq!(commits, vec![(1, 1)], "each entry once, not once per node");

    // Ten operations within one frame: one coalesced event.
    out.clear();
    for i in 0..10 {
        t.apply(Action::Submit(Command::Add { a: i, b: 1 }))
            .expect("submit");
    }
    t.advance_to(100_000);
    t.apply(Action::Crash(NodeId(4))).expect("crash");
    t.advance_to(110_000);
    t.apply(Action::Restart(NodeId(4))).expect("restart");
    t.advance_to(200_000);
    assert!(!cursor.scan(t.sim(), &mut out));
    let commits: Vec<&HostEvent> = out
        .iter()
        .filter(|e| matches!(e, HostEvent::EntryCommitted { .. }))
        .collect();
    assert_eq!(commits.len(), 1, "{out:?}");
    assert!(
        matches!(
            commits[0],
            HostEvent::EntryCommitted {
                index: 11,
                term: 1,
                count: 10,
                ..
            }
        ),
        "{commits:?}"
    );
    assert!(out.contains(&HostEvent::NodeCrashed {
        node: 4,
        t_ms: 100_000
    }));
    assert!(out.contains(&HostEvent::NodeRestarted {
        node: 4,
        t_ms: 110_000
    }));
    // Node 4 applies everything again after its restart: not reported twice.
    out.clear();
    t.advance_to(260_000);
    assert!(!cursor.scan(t.sim(), &mut out));
    assert!(out.is_empty(), "{out:?}");

    // Back in time: no events, the caller reports the state; then events again from there.
    t.seek(20_000);
    assert!(cursor.scan(t.sim(), &mut out));
    assert!(out.is_empty());
    t.advance_to(30_000);
    assert!(!cursor.scan(t.sim(), &mut out));
    assert!(
        out.iter()
            .any(|e| matches!(e, HostEvent::LeaderElected { node: 2, .. }))
    );

    // A different run replacing this one (same length of trace or not) is noticed.
    let mut other = Simulation::new(SimConfig {
        seed: 9,
        ..SimConfig::default()
    })
    .expect("valid");
    other.advance_to(t.sim().now_ms() + 60_000);
    assert!(cursor.scan(&other, &mut out));
}

#[test]
fn the_outbox_numbers_replies_and_keeps_the_latest() {
    let mut outbox = HostOutbox::default();
    assert_eq!(outbox.since(0).count(), 0);
    let error = |i: usize| HostEvent::Error {
        reason: i.to_string(),
    };
    outbox.push(error(0));
    outbox.push(error(1));
    assert_eq!(outbox.next_seq(), 2);
    assert_eq!(outbox.since(1).collect::<Vec<_>>(), vec![&error(1)]);
    for i in 2..100 {
        outbox.push(error(i));
    }
    assert_eq!(outbox.since(0).count(), HostOutbox::KEEP);
    assert_eq!(outbox.since(0).next(), Some(&error(100 - HostOutbox::KEEP)));
}
