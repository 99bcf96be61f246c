//! The bundled guided scenarios (`sim::scenario`): every one plays to its end, and every
//! prediction question has exactly one true answer when it is revealed, the one the scenario
//! says.

use raft_core::sim::scenario::{ScenarioPlayer, bundled, find};

#[test]
fn every_bundled_scenario_plays_and_its_predictions_match_what_happens() {
    let all = bundled();
    assert!(all.len() >= 6);
    for s in all {
        let mut p = ScenarioPlayer::new(s.clone()).unwrap_or_else(|e| panic!("{}: {e}", s.id));
        let mut last = 0;
        loop {
            let step = &s.steps[p.step()];
            assert!(step.at_ms >= last, "{}: steps in time order", s.id);
            last = step.at_ms;
            if let Some(q) = &step.question {
                assert!(p.run_to_next(), "{}: a question needs a next step", s.id);
                let truth = ScenarioPlayer::evaluate(q, p.timeline().sim());
                let right: Vec<usize> = (0..truth.len()).filter(|&i| truth[i]).collect();
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
            if !p.next_step().unwrap_or_else(|e| panic!("{}: {e}", s.id)) {
                break;
            }
        }
        assert_eq!(p.step(), s.steps.len() - 1);
        // Back returns to the same moment.
        if p.step() > 0 {
            let before = p.timeline().sim().trace().events().len();
            assert!(p.previous_step());
            assert!(p.next_step().unwrap());
            assert_eq!(
                p.timeline().sim().trace().events().len(),
                before,
                "{}",
                s.id
            );
        }
    }
}

#[test]
fn scenarios_are_found_by_id_and_survive_json() {
    let s = find("first-election").expect("bundled");
    let json = serde_json::to_string(&s).unwrap();
    let back: raft_core::sim::scenario::Scenario = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    assert!(find("no-such-scenario").is_none());
}
