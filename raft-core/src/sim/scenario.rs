//! Guided scenarios: a seed, settings, and timed actions with narration, some of which ask the
//! reader to predict what happens next before the run reveals it.
//!
//! A scenario is plain data ([`Scenario`]); [`ScenarioPlayer`] plays it on a [`Timeline`], so
//! Back is a seek to the previous step and the run is the same every time. A [`Question`] is
//! asked when its step is shown and answered by the state of the run when the *next* step
//! starts: exactly one of its choices' [`Fact`]s holds then (the bundled scenarios are checked
//! natively).

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

/// Plays a scenario step by step on a [`Timeline`].
#[derive(Clone, Debug)]
pub struct ScenarioPlayer {
    scenario: Scenario,
    timeline: Timeline,
    /// The step shown now.
    step: usize,
}

impl ScenarioPlayer {
    /// Starts a scenario at its first step.
    ///
    /// # Errors
    /// Invalid settings, or an action of the first step that fails.
    pub fn new(scenario: Scenario) -> Result<ScenarioPlayer, SimError> {
        let timeline = Timeline::new(scenario.config.clone())?;
        let mut p = ScenarioPlayer {
            scenario,
            timeline,
            step: 0,
        };
        p.enter(0)?;
        Ok(p)
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The step shown now (from 0).
    pub fn step(&self) -> usize {
        self.step
    }

    /// The run.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The run, to play it between steps.
    pub fn timeline_mut(&mut self) -> &mut Timeline {
        &mut self.timeline
    }

    /// Goes to the next step (runs to its time and applies its actions). Returns false at the
    /// last step.
    ///
    /// # Errors
    /// An action of the step that fails (a broken scenario).
    pub fn next_step(&mut self) -> Result<bool, SimError> {
        if self.step + 1 >= self.scenario.steps.len() {
            return Ok(false);
        }
        self.enter(self.step + 1)?;
        Ok(true)
    }

    /// Goes back to the previous step, exactly as it was shown (the run is replayed). Returns
    /// false at the first step.
    pub fn previous_step(&mut self) -> bool {
        if self.step == 0 {
            return false;
        }
        let target = self.step - 1;
        let scenario = self.scenario.clone();
        // Replaying from the start is cheap for a scenario and exact.
        if let Ok(mut p) = ScenarioPlayer::new(scenario) {
            for _ in 0..target {
                if p.next_step().is_err() {
                    break;
                }
            }
            *self = p;
        }
        true
    }

    /// Which choices of the current step's question hold now (call it when the next step is
    /// about to start, or after `next`, on the previous step's question).
    pub fn evaluate(question: &Question, sim: &Simulation) -> Vec<bool> {
        question.choices.iter().map(|c| c.fact.holds(sim)).collect()
    }

    fn enter(&mut self, i: usize) -> Result<(), SimError> {
        let step = &self.scenario.steps[i];
        self.timeline.advance_to(step.at_ms);
        for a in step.actions.clone() {
            self.timeline.apply(a)?;
        }
        self.step = i;
        Ok(())
    }

    /// Runs to the start of the next step without entering it (the moment a question is
    /// answered). Returns false at the last step.
    pub fn run_to_next(&mut self) -> bool {
        match self.scenario.steps.get(self.step + 1) {
            Some(s) => {
                let t = s.at_ms;
                self.timeline.advance_to(t);
                true
            }
            None => false,
        }
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
                step(
                    60_000,
                    vec![],
                    "Every server applies the entry too, in the same order: they all computed 8.",
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
            "A new node joins (the seed's case 2)",
            nodes(3, 1),
            vec![
                ask(
                    step(
                        40_000,
                        vec![Action::AddNode(id(4))],
                        "Node 4 starts with an empty log and sends JoinCluster. The leader adds it as a learner, which receives the log but does not vote.",
                    ),
                    "A minute later, is Node 4 a voter?",
                    vec![
                        ("Yes", Fact::IsVoter(id(4))),
                        ("No, still a learner", Fact::IsLearner(id(4))),
                    ],
                    0,
                    "Once it caught up (a round of replication shorter than an election timeout), the leader appended the configuration that makes it a voter; now a majority is three of four.",
                ),
                step(100_000, vec![], "The cluster has four voters."),
            ],
        ),
    ]
}

/// The bundled scenario with this id.
pub fn find(id: &str) -> Option<Scenario> {
    bundled().into_iter().find(|s| s.id == id)
}
