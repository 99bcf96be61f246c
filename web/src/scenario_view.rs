//! The guided scenario being played in the app: which scenario, which step, the reader's
//! prediction and, once revealed, what the run says about it.
//!
//! The scenario drives the app's own run (`raft_core::sim::scenario::ScenarioPlayer` takes the
//! app's `Timeline`), so between steps the reader plays, pauses and scrubs as usual. What
//! happens when the reader acts in the middle of a scenario is decided here and said in the
//! panel:
//!
//! - While the run is the scenario's own ([`ScenarioRun::on_script`]), playing stops by itself
//!   at the next step's moment ([`ScenarioRun::pause_at_ms`]): the next step's actions belong to
//!   Next, and a question's answer to Reveal.
//! - A step with a question pauses the run when it is shown: predict first.
//! - Once the reader changes the run (acts on a node, sends a request, changes the network,
//!   scrubs before the step or plays past the next one), the run is theirs: it no longer pauses
//!   at steps, and the panel says so. Next, Back and Reveal then rebuild the scenario's own run
//!   first (exactly, from its settings and actions), so the predictions are checked against the
//!   run the scenario describes.

use raft_core::sim::Timeline;
use raft_core::sim::scenario::{Question, Scenario, ScenarioPlayer, bundled, find};

/// What the reader does in the scenario panel (and what the host page of an embed can ask).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioMsg {
    /// Start the bundled scenario with this id (its run replaces the current one).
    Load(String),
    /// Go to the next step.
    Next,
    /// Go back to the previous step, exactly as it was shown.
    Back,
    /// The reader picks a prediction (index of the choice, from 0).
    Choose(usize),
    /// Run to the moment the question is answered and show what happened.
    Reveal,
    /// Leave the scenario; the run stays as it is, to explore further.
    Exit,
}

/// A scenario being played: the player (scenario + step) and the reader's prediction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioRun {
    /// The scenario and the step shown.
    pub player: ScenarioPlayer,
    /// The reader's prediction for the current step's question.
    pub choice: Option<usize>,
    /// After Reveal: which choices held in the run at the next step's moment
    /// ([`ScenarioPlayer::evaluate`]).
    pub revealed: Option<Vec<bool>>,
}

/// The outcome of a revealed prediction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the reader's choice held in the run (false if they made none).
    pub correct: bool,
    /// The choices that held (exactly one for a well-made question).
    pub held: Vec<usize>,
}

impl ScenarioRun {
    /// A run shown at the player's current step, with no prediction yet.
    pub fn new(player: ScenarioPlayer) -> Self {
        ScenarioRun {
            player,
            choice: None,
            revealed: None,
        }
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        self.player.scenario()
    }

    /// The current step's question, if it has one.
    pub fn question(&self) -> Option<&Question> {
        self.player.current().question.as_ref()
    }

    /// Whether `timeline` is still the scenario's own run at this step.
    pub fn on_script(&self, timeline: &Timeline) -> bool {
        self.player.on_script(timeline)
    }

    /// Where playing must stop (virtual ms): the next step's moment, while the run is the
    /// scenario's own. `None` once the reader changed the run, or at the last step.
    pub fn pause_at_ms(&self, timeline: &Timeline) -> Option<u64> {
        self.player
            .next_at_ms()
            .filter(|_| self.on_script(timeline))
    }

    /// Whether the step just shown should pause the run: it asks a question not yet revealed.
    pub fn waits_for_prediction(&self) -> bool {
        self.question().is_some() && self.revealed.is_none()
    }

    /// The verdict, once revealed.
    pub fn verdict(&self) -> Option<Verdict> {
        let held = self.revealed.as_ref()?;
        Some(Verdict {
            correct: self.choice.is_some_and(|c| held.get(c) == Some(&true)),
            held: (0..held.len()).filter(|&i| held[i]).collect(),
        })
    }

    /// Moves to the next step (rebuilding the scenario's run first if the reader changed it).
    ///
    /// # Errors
    /// A broken scenario: the message for the reader.
    pub fn next(&mut self, timeline: &mut Timeline) -> Result<(), String> {
        self.back_on_script(timeline)?;
        self.player.next_step(timeline).map_err(broken)?;
        self.choice = None;
        self.revealed = None;
        Ok(())
    }

    /// Moves back to the previous step, as it was shown.
    ///
    /// # Errors
    /// A broken scenario: the message for the reader.
    pub fn back(&mut self, timeline: &mut Timeline) -> Result<(), String> {
        self.player.previous_step(timeline).map_err(broken)?;
        self.choice = None;
        self.revealed = None;
        Ok(())
    }

    /// Runs to the next step's moment (rebuilding the scenario's run first if the reader
    /// changed it) and records which choices hold there. Nothing happens without a question.
    ///
    /// # Errors
    /// A broken scenario: the message for the reader.
    pub fn reveal(&mut self, timeline: &mut Timeline) -> Result<(), String> {
        if self.question().is_none() {
            return Ok(());
        }
        self.back_on_script(timeline)?;
        self.player.run_to_next(timeline);
        self.revealed = self
            .question()
            .map(|q| ScenarioPlayer::evaluate(q, timeline.sim()));
        Ok(())
    }

    /// Records the reader's prediction (ignored once revealed, or out of range).
    pub fn choose(&mut self, choice: usize) {
        let valid = self.question().is_some_and(|q| choice < q.choices.len());
        if valid && self.revealed.is_none() {
            self.choice = Some(choice);
        }
    }

    fn back_on_script(&mut self, timeline: &mut Timeline) -> Result<(), String> {
        if self.on_script(timeline) {
            return Ok(());
        }
        self.player
            .go_to(self.player.step(), timeline)
            .map_err(broken)
    }
}

fn broken(e: impl std::fmt::Display) -> String {
    format!("This scenario cannot go on: {e}.")
}

/// Starts a bundled scenario: its player at the first step and its run.
///
/// # Errors
/// An unknown id (the message lists the known ones) or a broken scenario.
pub fn start(id: &str) -> Result<(ScenarioRun, Timeline), String> {
    let scenario = find(id).ok_or_else(|| unknown_scenario(id))?;
    let (player, timeline) = ScenarioPlayer::start(scenario).map_err(broken)?;
    Ok((ScenarioRun::new(player), timeline))
}

/// The message for a scenario id that is not bundled.
pub fn unknown_scenario(id: &str) -> String {
    let ids: Vec<String> = bundled().into_iter().map(|s| s.id).collect();
    format!(
        "There is no scenario \u{201c}{id}\u{201d}; the scenarios are {}.",
        ids.join(", ")
    )
}

/// `(id, title)` of every bundled scenario, in teaching order: the scenario menu.
pub fn menu() -> Vec<(String, String)> {
    bundled().into_iter().map(|s| (s.id, s.title)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::NodeId;
    use raft_core::sim::Action;

    #[test]
    fn a_question_is_predicted_revealed_from_the_run_and_judged() {
        let (mut run, mut t) = start("first-election").expect("bundled");
        assert_eq!(run.player.step(), 0);
        assert!(run.waits_for_prediction());
        assert_eq!(run.pause_at_ms(&t), Some(40_000));
        assert_eq!(run.verdict(), None);
        run.choose(99);
        assert_eq!(run.choice, None, "out of range");
        run.choose(0);
        run.reveal(&mut t).unwrap();
        assert_eq!(
            t.sim().now_ms(),
            40_000,
            "revealed at the next step's moment"
        );
        let v = run.verdict().expect("revealed");
        assert_eq!(v.held, vec![1], "Node 2 won, in the run");
        assert!(!v.correct);
        run.choose(1);
        assert_eq!(run.choice, Some(0), "the prediction is fixed once revealed");
        run.next(&mut t).unwrap();
        assert_eq!(run.player.step(), 1);
        assert_eq!((run.choice, run.revealed.clone()), (None, None));
        run.back(&mut t).unwrap();
        assert_eq!(run.player.step(), 0);
        assert_eq!(t.sim().now_ms(), 0);
        run.choose(1);
        run.reveal(&mut t).unwrap();
        assert_eq!(run.verdict().map(|v| v.correct), Some(true));
    }

    #[test]
    fn a_run_the_reader_changed_is_rebuilt_before_revealing() {
        let (mut run, mut t) = start("leader-crash").expect("bundled");
        // leader-crash: step 0 crashes Node 2; step 1 asks whether a new leader is elected.
        run.next(&mut t).unwrap();
        assert!(run.question().is_some());
        // The reader restarts Node 2 at once: the run is no longer the scenario's.
        t.apply(Action::Restart(NodeId(2))).unwrap();
        assert!(!run.on_script(&t));
        assert_eq!(
            run.pause_at_ms(&t),
            None,
            "a changed run does not pause at steps"
        );
        run.choose(0);
        run.reveal(&mut t).unwrap();
        assert!(run.on_script(&t), "Reveal went back to the scenario's run");
        let v = run.verdict().expect("revealed");
        assert_eq!(v.held, vec![0]);
        assert!(v.correct);
    }

    #[test]
    fn unknown_ids_are_explained() {
        let e = start("nope").expect_err("unknown");
        assert!(e.contains("\u{201c}nope\u{201d}") && e.contains("first-election"));
        let ids: Vec<String> = menu().into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids.first().map(String::as_str), Some("first-election"));
    }
}
