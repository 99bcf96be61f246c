//! The bundled guided scenarios (`sim::scenario`): every one plays to its end, and every
//! prediction question has exactly one true answer when it is revealed, the one the scenario
//! says. Back returns to the previous step exactly, and a run the reader changed is told apart
//! from the scenario's own.

use raft_core::sim::scenario::{
    Question, Scenario, ScenarioError, ScenarioPlayer, ScenarioStep, bundled, find,
};
use raft_core::sim::{Action, SimConfig, Timeline};
use raft_core::{Command, NodeId};

/// The truth of a question's choices at the moment it is revealed, as indexes of true choices.
fn true_choices(q: &Question, t: &Timeline) -> Vec<usize> {
    let truth = ScenarioPlayer::evaluate(q, t.sim());
    (0..truth.len()).filter(|&i| truth[i]).collect()
}

#[test]
fn every_bundled_scenario_plays_and_its_predictions_match_what_happens() {
    let all = bundled();
    assert!(all.len() >= 12);
    for s in all {
        let (mut p, mut t) =
            ScenarioPlayer::start(s.clone()).unwrap_or_else(|e| panic!("{}: {e}", s.id));
        let mut last = 0;
        loop {
            let step = &s.steps[p.step()];
            assert!(step.at_ms >= last, "{}: steps in time order", s.id);
            last = step.at_ms;
            assert!(p.on_script(&t), "{} step {}: on script", s.id, p.step());
            if let Some(q) = &step.question {
                assert!(q.choices.len() >= 2, "{}: a question has choices", s.id);
                assert!(
                    p.run_to_next(&mut t),
                    "{}: a question needs a next step",
                    s.id
                );
                assert!(p.on_script(&t), "{}: revealing stays on script", s.id);
                let right = true_choices(q, &t);
                assert_eq!(
                    right,
                    vec![q.answer],
                    "{} step {}: '{}' — true choices {right:?}, expected {}",
                    s.id,
                    p.step(),
                    q.prompt,
                    q.answer
                );
            }
            if !p
                .next_step(&mut t)
                .unwrap_or_else(|e| panic!("{}: {e}", s.id))
            {
                break;
            }
        }
        assert_eq!(p.step(), s.steps.len() - 1);
        assert!(p.at_last() && p.next_at_ms().is_none());
        // Back returns to the same moment, and Next from there to the same run.
        if p.step() > 0 {
            let digest = t.sim().trace().digest();
            let now = t.sim().now_ms();
            assert!(p.previous_step(&mut t).unwrap());
            assert_eq!(p.step(), s.steps.len() - 2);
            assert_eq!(t.sim().now_ms(), s.steps[p.step()].at_ms, "{}", s.id);
            assert!(p.on_script(&t), "{}: Back is on script", s.id);
            assert!(p.next_step(&mut t).unwrap());
            assert_eq!(t.sim().now_ms(), now, "{}", s.id);
            assert_eq!(t.sim().trace().digest(), digest, "{}", s.id);
        }
    }
}

#[test]
fn the_seeds_four_test_cases_are_bundled_scenarios() {
    for (id, case) in [
        ("first-election", "case 1"),
        ("new-node", "case 2"),
        ("catch-up", "case 3"),
        ("client", "case 4"),
    ] {
        let s = find(id).unwrap_or_else(|| panic!("{id} is bundled"));
        assert!(
            s.title.contains(case),
            "{id}: '{}' names the {case}",
            s.title
        );
        assert!(
            s.steps.iter().any(|step| step.question.is_some()),
            "{id} asks the reader to predict"
        );
    }
    // The list of topics.
    for id in [
        "split-vote",
        "leader-crash",
        "replication",
        "figure-8",
        "stale-leader",
        "check-quorum",
        "install-snapshot",
    ] {
        assert!(find(id).is_some(), "{id} is bundled");
    }
}

#[test]
fn a_changed_run_is_off_script_until_the_player_rebuilds_it() {
    let s = find("leader-crash").expect("bundled");
    let (mut p, mut t) = ScenarioPlayer::start(s.clone()).unwrap();
    assert!(p.on_script(&t));
    let digest_at_step = t.sim().trace().digest();

    // Playing on within the step stays on script; past the next step's time it does not.
    t.advance_to(s.steps[0].at_ms + 500);
    assert!(p.on_script(&t));
    t.advance_to(p.next_at_ms().unwrap() + 1);
    assert!(!p.on_script(&t), "played past the next step");

    // Acting on the run leaves the script, even at the step's own moment.
    p.go_to(0, &mut t).unwrap();
    assert!(p.on_script(&t));
    t.apply(Action::Crash(NodeId(1))).unwrap();
    assert!(!p.on_script(&t), "an action of the reader");

    // Going back before the step (the scenario's first action is then not applied yet).
    p.go_to(0, &mut t).unwrap();
    t.seek(s.steps[0].at_ms - 1_000);
    assert!(!p.on_script(&t), "before the step");
    t.seek(s.steps[0].at_ms);
    assert!(
        p.on_script(&t),
        "scrubbing back to the step is the same run"
    );

    // Rebuilding gives the scenario's run exactly.
    t.apply(Action::Submit(Command::Add { a: 1, b: 2 }))
        .unwrap();
    p.go_to(0, &mut t).unwrap();
    assert!(p.on_script(&t));
    assert_eq!(t.sim().trace().digest(), digest_at_step);
    // go_to clamps to the last step.
    p.go_to(99, &mut t).unwrap();
    assert_eq!(p.step(), s.steps.len() - 1);
}

#[test]
fn broken_scenarios_are_typed_errors() {
    let step = |at_ms, actions: Vec<Action>| ScenarioStep {
        at_ms,
        actions,
        text: String::new(),
        question: None,
    };
    let scenario = |steps| Scenario {
        id: "broken".into(),
        title: "Broken".into(),
        config: SimConfig::default(),
        steps,
    };
    assert_eq!(
        ScenarioPlayer::start(scenario(vec![])).err(),
        Some(ScenarioError::NoSteps)
    );
    assert_eq!(
        ScenarioPlayer::start(scenario(vec![step(5_000, vec![]), step(1_000, vec![])])).err(),
        Some(ScenarioError::OutOfOrder { step: 1 })
    );
    let bad = ScenarioPlayer::start(scenario(vec![step(0, vec![Action::Crash(NodeId(42))])]));
    assert!(
        matches!(bad, Err(ScenarioError::Action { step: 0, .. })),
        "{bad:?}"
    );
    let bad_settings = Scenario {
        config: SimConfig {
            node_count: 0,
            ..SimConfig::default()
        },
        ..scenario(vec![step(0, vec![])])
    };
    assert!(matches!(
        ScenarioPlayer::start(bad_settings),
        Err(ScenarioError::Settings(_))
    ));
    // A refused action of a later step is reported with its step.
    let (mut p, mut t) = ScenarioPlayer::start(scenario(vec![
        step(0, vec![]),
        step(1_000, vec![Action::Restart(NodeId(1))]),
    ]))
    .unwrap();
    let e = p.next_step(&mut t).unwrap_err();
    assert!(matches!(e, ScenarioError::Action { step: 1, .. }), "{e:?}");
    assert_eq!(
        e.to_string().split(':').next(),
        Some("an action of step 2 was refused")
    );
}

#[test]
fn scenarios_are_found_by_id_and_survive_json() {
    let s = find("first-election").expect("bundled");
    let json = serde_json::to_string(&s).unwrap();
    let back: Scenario = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    assert!(find("no-such-scenario").is_none());
    // Ids are unique.
    let all = bundled();
    let mut ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len());
}
