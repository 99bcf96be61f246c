//! Guided scenarios: a seed, settings, and timed actions with narration, some of which ask the
//! reader to predict what happens next before the run reveals it.
//!
//! A scenario is plain data ([`Scenario`]); [`ScenarioPlayer`] plays it on a [`Timeline`] the
//! caller owns, so the run between two steps can be played and scrubbed like any other, and
//! Back rebuilds the run exactly as it was at the previous step. A [`Question`] is asked when
//! its step is shown and answered by the state of the run when the *next* step starts: exactly
//! one of its choices' [`Fact`]s holds then (the bundled scenarios are checked natively, in
//! `tests/tests/scenarios.rs`).

use super::{Action, MemberKind, SimConfig, SimError, Simulation, Timeline, TraceKind};
use crate::node::{NodeEvent, RoleKind};
use crate::types::{LogIndex, NodeId, Term};
use serde::{Deserialize, Serialize};

/// A guided scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// Short stable name (used in links: `?scenario=first-election`).
    pub id: String,
    /// Title shown to the reader.
    pub title: String,
    /// The run's settings.
    pub config: SimConfig,
    /// The steps, in time order (`at_ms` never decreases).
    pub steps: Vec<ScenarioStep>,
}

/// One step: the run goes on to `at_ms`, then `actions` are applied and `text` is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioStep {
    /// Virtual time of the step (ms).
    pub at_ms: u64,
    /// Actions applied at that time, in order.
    pub actions: Vec<Action>,
    /// The narration.
    pub text: String,
    /// A prediction to make before going on, answered when the next step starts.
    pub question: Option<Question>,
}

/// A prediction question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// What to predict.
    pub prompt: String,
    /// The possible answers.
    pub choices: Vec<Choice>,
    /// Index of the right choice.
    pub answer: usize,
    /// Why, shown after the reveal.
    pub explanation: String,
}

/// One possible answer and the fact that makes it true.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The answer as shown.
    pub label: String,
    /// What must hold when the answer is revealed.
    pub fact: Fact,
}

/// Something that holds or not in a simulation at a given moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fact {
    /// This node is the leader of the highest term ([`Simulation::leader`]).
    LeaderIs(NodeId),
    /// No running node believes it leads.
    NoLeader,
    /// Some node other than this one leads.
    LeaderOtherThan(NodeId),
    /// This node believes it leads (even in an old term).
    BelievesItLeads(NodeId),
    /// The node's commit index is at least this.
    CommittedAtLeast(NodeId, LogIndex),
    /// The node's commit index is below this.
    CommittedBelow(NodeId, LogIndex),
    /// The highest term of any node is exactly this.
    HighestTerm(Term),
    /// The node installed a snapshot from a leader at some point.
    InstalledSnapshot(NodeId),
    /// The node is a voter of the cluster's configuration.
    IsVoter(NodeId),
    /// The node is a learner of the cluster's configuration (or still asking to join).
    IsLearner(NodeId),
    /// The entry at this index on this node has this term.
    EntryTerm(NodeId, LogIndex, Term),
    /// The most recently completed client request was performed by this node with this
    /// result.
    ClientAnswered {
        /// The node that performed it (the leader, after any redirects).
        performed_on: NodeId,
        /// Its result.
        sum: i64,
    },
    /// The opposite of a fact.
    Not(Box<Fact>),
}

impl Fact {
    /// Whether the fact holds in `sim` now.
    pub fn holds(&self, sim: &Simulation) -> bool {
        let raft = |n: &NodeId| sim.node(*n).and_then(|x| x.raft());
        match self {
            Fact::LeaderIs(n) => sim.leader() == Some(*n),
            Fact::NoLeader => sim.leader().is_none(),
            Fact::LeaderOtherThan(n) => sim.leader().is_some_and(|l| l != *n),
            Fact::BelievesItLeads(n) => raft(n).is_some_and(|r| r.role() == RoleKind::Leader),
            Fact::CommittedAtLeast(n, i) => raft(n).is_some_and(|r| r.commit_index() >= *i),
            Fact::CommittedBelow(n, i) => raft(n).is_none_or(|r| r.commit_index() < *i),
            Fact::HighestTerm(t) => sim.nodes().map(|n| n.current_term()).max() == Some(*t),
            Fact::InstalledSnapshot(n) => sim.trace().events().iter().any(|e| {
                matches!(
                    &e.kind,
                    TraceKind::Node {
                        node,
                        event: NodeEvent::SnapshotInstalled { .. },
                    } if node == n
                )
            }),
            Fact::IsVoter(n) => sim.member_kind(*n) == Some(MemberKind::Voter),
            Fact::IsLearner(n) => matches!(
                sim.member_kind(*n),
                Some(MemberKind::Learner | MemberKind::Joining)
            ),
            Fact::Not(f) => !f.holds(sim),
            Fact::ClientAnswered { performed_on, sum } => sim
                .client()
                .requests()
                .filter_map(|r| match &r.state {
                    super::RequestState::Completed(s) => Some(s),
                    _ => None,
                })
                .max_by_key(|s| s.completed_at_ms)
                .is_some_and(|s| s.performed_on == *performed_on && s.sum == *sum),
            Fact::EntryTerm(n, i, t) => sim
                .node(*n)
                .is_some_and(|x| x.storage().log.term_at(*i) == Some(*t)),
        }
    }
}

/// Why a scenario cannot be played.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// The scenario has no step.
    NoSteps,
    /// A step's `at_ms` is before the previous step's.
    OutOfOrder {
        /// The step (from 0).
        step: usize,
    },
    /// The settings are invalid.
    Settings(SimError),
    /// An action of a step was refused (a broken scenario).
    Action {
        /// The step (from 0).
        step: usize,
        /// Why the simulator refused it.
        error: SimError,
    },
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScenarioError::NoSteps => write!(f, "the scenario has no steps"),
            ScenarioError::OutOfOrder { step } => {
                write!(f, "step {} comes before the step it follows", step + 1)
            }
            ScenarioError::Settings(e) => write!(f, "invalid settings: {e}"),
            ScenarioError::Action { step, error } => {
                write!(f, "an action of step {} was refused: {error}", step + 1)
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

/// Where a reader is in a scenario: the scenario and the step shown. It drives a [`Timeline`]
/// that the caller owns (the app's own run, with its scrubber), so between steps the run can
/// be played, paused and scrubbed like any other.
///
/// Entering step `k` runs the timeline to the step's `at_ms` and applies its actions there
/// through [`Timeline::apply`], so they are recorded like user actions. While the timeline's
/// recorded actions are exactly the scenario's ([`ScenarioPlayer::on_script`]), the run is the
/// scenario's own; Back, and any return to the script after the reader changed the run, rebuild
/// it from the start ([`ScenarioPlayer::go_to`]), which is exact because a run is a pure function
/// of its settings and its actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioPlayer {
    scenario: Scenario,
    /// The step shown now (from 0).
    step: usize,
}

impl ScenarioPlayer {
    /// Checks a scenario and builds its run at the first step.
    ///
    /// # Errors
    /// No steps, steps out of time order, invalid settings, or an action of the first step
    /// that is refused.
    pub fn start(scenario: Scenario) -> Result<(ScenarioPlayer, Timeline), ScenarioError> {
        if scenario.steps.is_empty() {
            return Err(ScenarioError::NoSteps);
        }
        if let Some(i) = (1..scenario.steps.len())
            .find(|&i| scenario.steps[i].at_ms < scenario.steps[i - 1].at_ms)
        {
            return Err(ScenarioError::OutOfOrder { step: i });
        }
        let player = ScenarioPlayer { scenario, step: 0 };
        let timeline = player.build(0)?;
        Ok((player, timeline))
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The step shown now (from 0).
    pub fn step(&self) -> usize {
        self.step
    }

    /// The step shown now.
    pub fn current(&self) -> &ScenarioStep {
        // `step` is always a valid index: `start` refuses an empty scenario and moves stay in
        // range.
        &self.scenario.steps[self.step]
    }

    /// Whether the step shown is the last one.
    pub fn at_last(&self) -> bool {
        self.step + 1 >= self.scenario.steps.len()
    }

    /// Virtual time of the next step (ms), `None` at the last step: the moment the current
    /// step's question is answered.
    pub fn next_at_ms(&self) -> Option<u64> {
        self.scenario.steps.get(self.step + 1).map(|s| s.at_ms)
    }

    /// Goes to the next step on `timeline`: runs it to the step's time and applies the step's
    /// actions. Returns false at the last step.
    ///
    /// # Errors
    /// An action of the step that is refused (a broken scenario, or a run the reader changed);
    /// the actions before it stay applied.
    pub fn next_step(&mut self, timeline: &mut Timeline) -> Result<bool, ScenarioError> {
        if self.at_last() {
            return Ok(false);
        }
        Self::enter(&self.scenario, self.step + 1, timeline)?;
        self.step += 1;
        Ok(true)
    }

    /// Goes back to the previous step exactly as it was shown: `timeline` is replaced by the
    /// scenario's run rebuilt up to that step. Returns false at the first step.
    ///
    /// # Errors
    /// As [`ScenarioPlayer::go_to`].
    pub fn previous_step(&mut self, timeline: &mut Timeline) -> Result<bool, ScenarioError> {
        if self.step == 0 {
            return Ok(false);
        }
        self.go_to(self.step - 1, timeline)?;
        Ok(true)
    }

    /// Replaces `timeline` with the scenario's own run, rebuilt from the start up to step
    /// `step` (clamped to the last), and shows that step. This is how a reader who changed the
    /// run gets back to the scenario.
    ///
    /// # Errors
    /// Invalid settings or a refused action (a broken scenario); `timeline` is then unchanged.
    pub fn go_to(&mut self, step: usize, timeline: &mut Timeline) -> Result<(), ScenarioError> {
        let step = step.min(self.scenario.steps.len() - 1);
        // The rebuilt run keeps the trace retention the caller chose.
        let keep = timeline.sim().trace().retention();
        let mut rebuilt = self.build(step)?;
        rebuilt.set_trace_retention(keep);
        *timeline = rebuilt;
        self.step = step;
        Ok(())
    }

    /// Runs `timeline` to the start of the next step without entering it (the moment the
    /// current question is answered). Returns false at the last step.
    pub fn run_to_next(&self, timeline: &mut Timeline) -> bool {
        match self.next_at_ms() {
            Some(t) => {
                timeline.advance_to(t);
                true
            }
            None => false,
        }
    }

    /// Whether `timeline` is the scenario's own run at the current step: its recorded actions
    /// are exactly those of the steps so far, at their times, and its present lies between this
    /// step's time and the next one's. False once the reader acted on the run, went back
    /// before the step, or played past the next step.
    pub fn on_script(&self, timeline: &Timeline) -> bool {
        let mut expected = self.scenario.steps[..=self.step]
            .iter()
            .flat_map(|s| s.actions.iter().map(move |a| (s.at_ms, a)));
        let same = timeline
            .script()
            .iter()
            .all(|r| expected.next() == Some((r.at_ms, &r.action)))
            && expected.next().is_none();
        let now = timeline.sim().now_ms();
        same && now >= self.current().at_ms && self.next_at_ms().is_none_or(|t| now <= t)
    }

    /// Which choices of `question` hold in `sim` now (evaluate it at the next step's time:
    /// after [`ScenarioPlayer::run_to_next`]).
    pub fn evaluate(question: &Question, sim: &Simulation) -> Vec<bool> {
        question.choices.iter().map(|c| c.fact.holds(sim)).collect()
    }

    /// The scenario's run from the start up to step `last`.
    fn build(&self, last: usize) -> Result<Timeline, ScenarioError> {
        let mut timeline =
            Timeline::new(self.scenario.config.clone()).map_err(ScenarioError::Settings)?;
        for i in 0..=last {
            Self::enter(&self.scenario, i, &mut timeline)?;
        }
        Ok(timeline)
    }

    fn enter(scenario: &Scenario, i: usize, timeline: &mut Timeline) -> Result<(), ScenarioError> {
        let Some(step) = scenario.steps.get(i) else {
            return Ok(());
        };
        timeline.advance_to(step.at_ms);
        for a in &step.actions {
            timeline
                .apply(a.clone())
                .map_err(|error| ScenarioError::Action { step: i, error })?;
        }
        Ok(())
    }
}

/// Builds a scenario from compact parts (used by the bundled ones).
fn scenario(id: &str, title: &str, config: SimConfig, steps: Vec<ScenarioStep>) -> Scenario {
    Scenario {
        id: id.into(),
        title: title.into(),
        config,
        steps,
    }
}

fn step(at_ms: u64, actions: Vec<Action>, text: &str) -> ScenarioStep {
    ScenarioStep {
        at_ms,
        actions,
        text: text.into(),
        question: None,
    }
}

fn ask(
    mut s: ScenarioStep,
    prompt: &str,
    choices: Vec<(&str, Fact)>,
    answer: usize,
    explanation: &str,
) -> ScenarioStep {
    s.question = Some(Question {
        prompt: prompt.into(),
        choices: choices
            .into_iter()
            .map(|(label, fact)| Choice {
                label: label.into(),
                fact,
            })
            .collect(),
        answer,
        explanation: explanation.into(),
    });
    s
}

fn nodes(n: u64, seed: u64) -> SimConfig {
    SimConfig {
        seed,
        node_count: n,
        ..SimConfig::default()
    }
}

/// Every bundled scenario, in teaching order.
pub fn bundled() -> Vec<Scenario> {
    use crate::command::Command;
    let id = NodeId;
    let add = |a, b| Action::Submit(Command::Add { a, b });
    let who = |n: u64| -> Vec<(&'static str, Fact)> {
        const LABELS: [&str; 5] = ["Node 1", "Node 2", "Node 3", "Node 4", "Node 5"];
        (1..=n)
            .map(|i| (LABELS[(i - 1) as usize], Fact::LeaderIs(NodeId(i))))
            .collect()
    };
    vec![
        scenario(
            "first-election",
            "The first election (the seed's case 1)",
            nodes(5, 1),
            vec![
                ask(
                    step(
                        0,
                        vec![],
                        "Five servers start as followers in term 0. Each waits a random election timeout (20–30 s) for a leader's heartbeat; the arc around a node is the time it has left.",
                    ),
                    "Which node will become the first leader?",
                    who(5),
                    1,
                    "Node 2's timer ran out first: it became a candidate for term 1, voted for itself and asked the others, who had not voted yet in term 1 and granted their votes.",
                ),
                step(
                    40_000,
                    vec![],
                    "The leader now sends heartbeats (empty AppendEntries) every 6 s, which reset every follower's timer: no other election starts while it is alive.",
                ),
            ],
        ),
        scenario(
            "split-vote",
            "A split vote",
            nodes(4, 1),
            vec![
                ask(
                    step(
                        1_000,
                        vec![Action::Timeout(id(1)), Action::Timeout(id(2))],
                        "Four followers. Nodes 1 and 2 time out at the same moment: both become candidates for term 1, vote for themselves and ask Nodes 3 and 4.",
                    ),
                    "Does one of them win term 1?",
                    vec![
                        ("Node 1 wins", Fact::LeaderIs(id(1))),
                        ("Node 2 wins", Fact::LeaderIs(id(2))),
                        ("Neither", Fact::NoLeader),
                    ],
                    2,
                    "Node 3 voted for one candidate and Node 4 for the other (each grants the first request it sees in a term): two votes each, and three are needed. Term 1 has no leader.",
                ),
                ask(
                    step(
                        16_000,
                        vec![],
                        "Each candidate waits for a new random election timeout. Randomness makes a second tie unlikely: whoever times out first starts term 2 alone.",
                    ),
                    "Who leads term 2?",
                    who(4),
                    3,
                    "Node 4's timer ran out first. It was not even a candidate in term 1.",
                ),
                step(
                    56_000,
                    vec![],
                    "One leader, four voters: the split cost one election timeout.",
                ),
            ],
        ),
        scenario(
            "leader-crash",
            "Leader crash and re-election",
            nodes(5, 1),
            vec![
                step(
                    40_000,
                    vec![Action::Crash(id(2))],
                    "Node 2 led term 1. It has just crashed: the heartbeats stop, and the followers' timers run down.",
                ),
                ask(
                    step(
                        41_000,
                        vec![],
                        "Whoever times out first becomes a candidate for term 2. Four servers are left: a majority of five is still three.",
                    ),
                    "Will a new leader be elected?",
                    vec![
                        ("Yes", Fact::LeaderOtherThan(id(2))),
                        ("No: four is not enough", Fact::NoLeader),
                    ],
                    0,
                    "A majority is counted over all five voters, crashed or not: three of the four survivors suffice.",
                ),
                step(
                    120_000,
                    vec![Action::Restart(id(2))],
                    "Node 2 restarts as a follower. It keeps its term, vote and log, which were on stable storage, and hears of the new term from the new leader's next heartbeat.",
                ),
            ],
        ),
        scenario(
            "replication",
            "Log replication and commit",
            nodes(3, 1),
            vec![
                ask(
                    step(
                        40_000,
                        vec![add(5, 3)],
                        "The client sends 5 + 3. Only the leader appends it (at index 2, after its no-op) and sends it to both followers in AppendEntries.",
                    ),
                    "Once both followers have it, is index 2 committed on the leader?",
                    vec![
                        ("Yes", Fact::CommittedAtLeast(id(2), LogIndex(2))),
                        ("No", Fact::CommittedBelow(id(2), LogIndex(2))),
                    ],
                    0,
                    "An entry of the leader's own term stored on a majority (here 2 of 3) is committed; the leader then applies it and answers the client.",
                ),
                step(
                    60_000,
                    vec![],
                    "The followers learn the new commit index from the leader's next AppendEntries and apply the entry too.",
                ),
            ],
        ),
        scenario(
            "client",
            "A client operation (the seed's case 4)",
            nodes(3, 1),
            vec![
                ask(
                    step(
                        40_000,
                        vec![add(5, 3)],
                        "The client sends 5 + 3 to a random server. Only the leader may append it to the log.",
                    ),
                    "Which server performs the operation and answers?",
                    vec![
                        (
                            "Node 1",
                            Fact::ClientAnswered {
                                performed_on: id(1),
                                sum: 8,
                            },
                        ),
                        (
                            "Node 2",
                            Fact::ClientAnswered {
                                performed_on: id(2),
                                sum: 8,
                            },
                        ),
                        (
                            "Node 3",
                            Fact::ClientAnswered {
                                performed_on: id(3),
                                sum: 8,
                            },
                        ),
                    ],
                    1,
                    "Node 2 is the leader: a follower that gets the request answers NotLeader with the leader it knows, and the client follows the hint. The leader appends the entry, commits it on a majority, applies it and answers: 'Leader: Node 2, Operation performed on: Node 2, Result: 5 + 3 = 8'.",
                ),
                ask(
                    step(
                        60_000,
                        vec![Action::Crash(id(2)), add(2, 2)],
                        "Every server applied 5 + 3 and computed 8. Now the leader, Node 2, crashes just as the client sends 2 + 2 to it.",
                    ),
                    "What happens to the request 2 + 2?",
                    vec![
                        (
                            "The client waits, retries, and a new leader performs it",
                            Fact::ClientAnswered {
                                performed_on: id(1),
                                sum: 4,
                            },
                        ),
                        (
                            "It is lost with the crashed leader",
                            Fact::Not(Box::new(Fact::ClientAnswered {
                                performed_on: id(1),
                                sum: 4,
                            })),
                        ),
                    ],
                    0,
                    "Node 2 never answers, so after its timeout (40 s) the client sends the request again, to another server. Meanwhile Nodes 1 and 3 elected Node 1 for term 2; it appends 2 + 2, commits it with Node 3 and answers 4. The client keeps retrying (up to 10 sends) until some leader answers.",
                ),
                step(
                    120_000,
                    vec![],
                    "The client panel shows the path of each request: the redirect of 5 + 3 and the retry of 2 + 2.",
                ),
            ],
        ),
        scenario(
            "catch-up",
            "A follower catches up after downtime (the seed's case 3)",
            nodes(3, 1),
            vec![
                step(
                    40_000,
                    vec![Action::Crash(id(1)), add(1, 1), add(2, 2), add(3, 3)],
                    "Node 1 crashes; the client sends three operations, which Node 2 (leader) and Node 3 commit without it: two of three is a majority.",
                ),
                ask(
                    step(
                        100_000,
                        vec![Action::Restart(id(1))],
                        "Node 1 restarts with its old log: it is missing the three new entries.",
                    ),
                    "How does it get them?",
                    vec![
                        (
                            "The leader's AppendEntries fail the consistency check, back up, and resend them",
                            Fact::CommittedAtLeast(id(1), LogIndex(4)),
                        ),
                        (
                            "It never gets them",
                            Fact::CommittedBelow(id(1), LogIndex(4)),
                        ),
                    ],
                    0,
                    "The leader keeps a nextIndex per follower: the rejected AppendEntries carries a conflict hint, the leader moves nextIndex back and sends the missing entries.",
                ),
                step(160_000, vec![], "All three logs match again."),
            ],
        ),
        scenario(
            "figure-8",
            "Figure 8: why a leader only commits entries of its own term",
            SimConfig {
                raft: crate::config::Config {
                    max_entries_per_append: 1,
                    ..crate::config::Config::default()
                },
                ..nodes(5, 1)
            },
            vec![
                step(
                    40_000,
                    vec![Action::Partition(vec![vec![id(1), id(2)]]), add(1, 1)],
                    "Node 2 leads term 1. A partition leaves it with Node 1 only. A client operation arrives: Node 2 appends it as entry 2 (term 1), and only Node 1 receives it. (Here each AppendEntries carries one entry, so every step is visible.)",
                ),
                step(
                    45_000,
                    vec![Action::Timeout(id(3))],
                    "On the other side, Node 3 times out and asks Nodes 4 and 5 for their votes in term 2.",
                ),
                step(
                    49_500,
                    vec![Action::Isolate(id(3))],
                    "Node 3 won term 2 and appended its own entry 2 (term 2), but it is cut off before its AppendEntries arrive: nobody else has that entry.",
                ),
                step(
                    50_000,
                    vec![Action::Crash(id(3))],
                    "Node 3 crashes, keeping its entry 2 (term 2) on disk.",
                ),
                step(
                    55_000,
                    vec![Action::HealAll],
                    "The network heals. Node 2 learns of term 2 and steps down.",
                ),
                step(
                    62_000,
                    vec![Action::Timeout(id(2))],
                    "Node 2 campaigns for term 3. Its log is the most up to date (entry 2, term 1), so Nodes 1, 4 and 5 vote for it. As leader it appends entry 3 (term 3) and copies entry 2 to Nodes 4 and 5.",
                ),
                ask(
                    step(
                        73_000,
                        vec![Action::Crash(id(2))],
                        "Entry 2 (term 1) is now stored on Nodes 1, 2, 4 and 5: a majority. Node 2 crashes before its term-3 entry reaches a majority.",
                    ),
                    "Is entry 2 committed?",
                    vec![
                        (
                            "Yes: it is on a majority",
                            Fact::CommittedAtLeast(id(1), LogIndex(2)),
                        ),
                        ("No", Fact::CommittedBelow(id(1), LogIndex(2))),
                    ],
                    1,
                    "Figure 2's rule: a leader commits an entry by counting replicas only if it is from the leader's own term (§5.4.2). Entry 2 is from term 1, so Node 2 could only have committed it together with its term-3 entry, which never reached a majority.",
                ),
                step(
                    80_000,
                    vec![Action::Restart(id(3))],
                    "Node 3 restarts, with its entry 2 of term 2.",
                ),
                step(
                    81_000,
                    vec![Action::Timeout(id(3))],
                    "It campaigns in term 3, but every vote of term 3 is already cast.",
                ),
                ask(
                    step(
                        84_000,
                        vec![Action::Timeout(id(3))],
                        "It tries again in term 4. Its last entry is from term 2: newer than the term-1 entry 2 that Nodes 4 and 5 hold.",
                    ),
                    "Can Node 3 become leader and replace entry 2 on the others?",
                    vec![
                        ("Yes", Fact::EntryTerm(id(4), LogIndex(2), Term(2))),
                        ("No", Fact::EntryTerm(id(4), LogIndex(2), Term(1))),
                    ],
                    0,
                    "Nodes 4 and 5 find Node 3's log more up to date (§5.4.1) and vote for it; as leader it overwrites entry 2 with its own. Had Node 2 committed entry 2 just for being on a majority, a committed entry would now be lost: exactly what the current-term rule prevents.",
                ),
                step(
                    120_000,
                    vec![],
                    "Every log now holds Node 3's entry 2. Nothing committed was lost, because entry 2 of term 1 never was.",
                ),
            ],
        ),
        scenario(
            "stale-leader",
            "A partitioned leader that does not know it lost",
            nodes(5, 1),
            vec![
                ask(
                    step(
                        40_000,
                        vec![Action::Isolate(id(2))],
                        "Every link to the leader, Node 2, is cut. It keeps sending heartbeats that nobody receives.",
                    ),
                    "A minute later, does Node 2 still believe it leads?",
                    vec![
                        ("Yes", Fact::BelievesItLeads(id(2))),
                        ("No", Fact::Not(Box::new(Fact::BelievesItLeads(id(2))))),
                    ],
                    0,
                    "Plain Raft has no way for a leader to notice that it lost its majority: it keeps its term and role until it hears a higher term. The other four elect a new leader in the meantime. CheckQuorum (dissertation §6.2) makes it step down.",
                ),
                step(
                    100_000,
                    vec![Action::HealAll],
                    "When the network heals, the old leader sees the higher term and steps down; its uncommitted entries, if any, are overwritten.",
                ),
            ],
        ),
        scenario(
            "check-quorum",
            "CheckQuorum: a cut-off leader steps down",
            nodes(5, 1),
            vec![
                step(
                    0,
                    vec![Action::SetGuards {
                        pre_vote: true,
                        check_quorum: true,
                    }],
                    "This time the liveness guards are on: PreVote (dissertation §9.6) and CheckQuorum (§6.2).",
                ),
                ask(
                    step(
                        40_000,
                        vec![Action::Isolate(id(2))],
                        "The leader, Node 2, is cut off from everyone, as in the stale-leader scenario.",
                    ),
                    "A minute later, does Node 2 still believe it leads?",
                    vec![
                        ("Yes", Fact::BelievesItLeads(id(2))),
                        ("No", Fact::Not(Box::new(Fact::BelievesItLeads(id(2))))),
                    ],
                    1,
                    "With CheckQuorum a leader that has not heard from a majority within an election timeout steps down by itself, so clients stop waiting on it. And thanks to PreVote, it does not raise its term while cut off, so it will not disrupt the new leader when it comes back.",
                ),
                step(
                    100_000,
                    vec![Action::HealAll],
                    "The network heals; Node 2 rejoins as a follower.",
                ),
            ],
        ),
        scenario(
            "install-snapshot",
            "Catching up from a snapshot",
            SimConfig {
                snapshot_threshold_entries: Some(8),
                ..nodes(3, 1)
            },
            vec![
                step(
                    40_000,
                    vec![Action::Crash(id(1))],
                    "Every node compacts its log into a snapshot once it holds more than 8 entries (§7). Node 1 crashes.",
                ),
                step(
                    41_000,
                    (0..20).map(|i| add(i, 1)).collect(),
                    "Twenty operations arrive while it is down. The leader commits them with Node 3 and compacts its log: the early entries exist only inside its snapshot now.",
                ),
                ask(
                    step(
                        160_000,
                        vec![Action::Restart(id(1))],
                        "Node 1 restarts, far behind the leader's log.",
                    ),
                    "How will the leader bring it up to date?",
                    vec![
                        (
                            "It sends its snapshot (InstallSnapshot)",
                            Fact::InstalledSnapshot(id(1)),
                        ),
                        (
                            "It resends every entry from index 2",
                            Fact::Not(Box::new(Fact::InstalledSnapshot(id(1)))),
                        ),
                    ],
                    0,
                    "The entries Node 1 needs are gone from the leader's log, so it sends the snapshot instead: state machine, client sessions and configuration. Node 1 replaces its log with it and takes the newer entries by AppendEntries.",
                ),
                step(240_000, vec![], "All three state machines agree."),
            ],
        ),
        scenario(
            "new-node",
            "A new node joins under load (the seed's case 2)",
            nodes(3, 1),
            vec![
                ask(
                    step(
                        40_000,
                        vec![Action::AddNode(id(4)), add(1, 10), add(2, 10), add(3, 10)],
                        "Three servers, Node 2 leading, and the client keeps sending operations. Node 4 starts with an empty log and sends JoinCluster. The leader adds it as a learner: it receives the log but does not vote yet.",
                    ),
                    "A minute later, is Node 4 a voter?",
                    vec![
                        ("Yes", Fact::IsVoter(id(4))),
                        ("No, still a learner", Fact::IsLearner(id(4))),
                    ],
                    0,
                    "Once it caught up (a round of replication shorter than an election timeout), the leader appended the configuration {1,2,3,4} that makes it a voter (dissertation \u{a7}4.2.1); it was committed like any entry, while the client's operations went on.",
                ),
                ask(
                    step(
                        100_000,
                        vec![Action::Crash(id(1)), add(5, 3)],
                        "Four voters now. Node 1 crashes and the client sends 5 + 3.",
                    ),
                    "Will 5 + 3 be committed and answered?",
                    vec![
                        (
                            "Yes",
                            Fact::ClientAnswered {
                                performed_on: id(2),
                                sum: 8,
                            },
                        ),
                        (
                            "No",
                            Fact::Not(Box::new(Fact::ClientAnswered {
                                performed_on: id(2),
                                sum: 8,
                            })),
                        ),
                    ],
                    0,
                    "A majority of four voters is three: the leader, Node 3 and the new Node 4 store the entry, so it is committed. Node 4's copy counts like any voter's.",
                ),
                ask(
                    step(
                        130_000,
                        vec![Action::Crash(id(3)), add(1, 1)],
                        "Node 3 crashes too, and the client sends 1 + 1. Two of the original three servers are down; the leader still has Node 4.",
                    ),
                    "Will 1 + 1 be committed while Nodes 1 and 3 are down?",
                    vec![
                        (
                            "Yes: the leader and Node 4 have it",
                            Fact::ClientAnswered {
                                performed_on: id(2),
                                sum: 2,
                            },
                        ),
                        (
                            "No",
                            Fact::Not(Box::new(Fact::ClientAnswered {
                                performed_on: id(2),
                                sum: 2,
                            })),
                        ),
                    ],
                    1,
                    "Two of four is not a majority. Adding a node made the majority larger: with three voters, two would have been enough. The entry waits, uncommitted, in the leader's and Node 4's logs; the client keeps retrying.",
                ),
                step(
                    190_000,
                    vec![Action::Restart(id(1)), Action::Restart(id(3))],
                    "Nodes 1 and 3 restart. They catch up from the leader, 1 + 1 reaches a majority and is committed, and the client gets its answer.",
                ),
            ],
        ),
        scenario(
            "pre-vote",
            "PreVote: a node that was cut off does not disrupt the cluster",
            nodes(5, 1),
            vec![
                step(
                    40_000,
                    vec![Action::Isolate(id(5))],
                    "Node 2 leads term 1. Node 5, a follower, is cut off from everyone. Hearing no heartbeat, it times out again and again: each time it becomes a candidate of a new term and votes for itself, and nobody answers.",
                ),
                ask(
                    step(
                        150_000,
                        vec![Action::HealAll],
                        "After almost two minutes alone Node 5 is at term 5; the others are still in term 1. The network heals.",
                    ),
                    "Does Node 2 remain the leader?",
                    vec![
                        ("Yes", Fact::LeaderIs(id(2))),
                        ("No", Fact::LeaderOtherThan(id(2))),
                    ],
                    1,
                    "The leader's next heartbeat reaches Node 5, whose reply carries term 5. Any server that sees a higher term adopts it and becomes a follower (Figure 2), the leader included. The cluster had to hold a new election (Node 5 won it, its log being as up to date as the others'): a server that was merely cut off deposed a healthy leader.",
                ),
                step(
                    200_000,
                    vec![
                        Action::SetGuards {
                            pre_vote: true,
                            check_quorum: false,
                        },
                        Action::Isolate(id(4)),
                    ],
                    "Node 5 now leads term 6. Turn on PreVote (dissertation \u{a7}9.6) and cut off Node 4 the same way. Before starting an election, a node first asks whether it could win, without raising its term.",
                ),
                ask(
                    step(
                        320_000,
                        vec![Action::HealAll],
                        "Node 4 timed out many times, but nobody could answer its pre-votes, so it stayed in term 6. The network heals.",
                    ),
                    "Does Node 5 remain the leader?",
                    vec![
                        ("Yes", Fact::LeaderIs(id(5))),
                        ("No", Fact::LeaderOtherThan(id(5))),
                    ],
                    0,
                    "Node 4 never raised its term: its pre-votes asked whether it could win term 7 while it stayed in term 6, and nobody could answer them while it was cut off. Back on the network it has no higher term to disrupt anyone with, and the leader's next heartbeat simply brings it back as a follower.",
                ),
                step(
                    340_000,
                    vec![],
                    "Term 6 throughout: PreVote kept the cut-off node from disturbing the cluster.",
                ),
            ],
        ),
    ]
}

/// The bundled scenario with this id.
pub fn find(id: &str) -> Option<Scenario> {
    bundled().into_iter().find(|s| s.id == id)
}
