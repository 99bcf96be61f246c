//! Time travel over a simulation: checkpoints plus deterministic replay.
//!
//! A [`Timeline`] owns the present [`Simulation`] and the *script* of every user action with
//! its position (events processed and virtual time). Because a run is a pure function of its
//! settings and its script, any earlier moment can be rebuilt by starting from a checkpoint
//! before it and replaying; seeking forward again replays the recorded actions at their
//! positions, so the future comes back exactly as it was. Acting anywhere but at the end of
//! the recorded run forks it: the recorded actions after that point are dropped.
//!
//! # Memory
//!
//! What a timeline holds, and how each part is bounded:
//!
//! - **Checkpoints**: at most [`Timeline::MAX_CHECKPOINTS`]. They start
//!   [`Timeline::CHECKPOINT_EVERY_MS`] apart; when the list is full every other one is dropped
//!   and the spacing doubles, so an hour of virtual time keeps 16 to 32 of them and replays at
//!   most one spacing (a few virtual minutes) to reach any moment.
//! - **Sharing**: a checkpoint is a clone of the simulation *without its trace*, and the parts
//!   of a simulation that grow with the run are append-mostly histories kept in shared chunks
//!   ([`crate::chunked`]): every node's log (its running log and its stable storage's log also
//!   share their chunks), the client's requests and the operation history. A clone copies one
//!   pointer per full chunk of 64 elements plus the short unshared tail, so a checkpoint costs
//!   about 100 KB whatever the length of the run, instead of a full copy of every log. A change
//!   to a shared chunk (a log truncated by a conflict, a request answered) copies that chunk
//!   only, so checkpoints never see later changes.
//! - **Trace**: the trace is append-only and deterministic, so a checkpoint keeps only a
//!   [`TraceMark`] (length and digest) and a restored checkpoint takes the present trace cut
//!   back to it. By default the present trace keeps every event; for long interactive runs
//!   [`Timeline::set_trace_retention`] keeps only the newest events in memory (e.g.
//!   [`Timeline::SUGGESTED_TRACE_RETENTION`]) while the digest still covers every event.
//!   Seeking back to a moment before the retained events restarts the trace at the checkpoint
//!   the seek replays from: the trace then holds the events from that checkpoint on, at their
//!   positions ([`super::Trace::first_position`]), with the exact digest of the whole run.
//! - **Script**: one [`Recorded`] action per user action (about 80 bytes).
//!
//! Measured natively (`cargo run --profile bench -p raftlab-bench --bin memory`: the default
//! 5-node simulation with a client operation every 500 ms, one virtual hour, 241 545 trace
//! events, 7 200 operations, 23 checkpoints, heap bytes in use from a counting allocator):
//!
//! | | full copies, whole trace (before) | shared chunks, whole trace | shared chunks, retention 10 000 |
//! |---|---|---|---|
//! | checkpoints | 136.6 MB | 2.2 MB | 2.2 MB |
//! | present: logs, requests, history | 12.1 MB | 7.5 MB | 7.5 MB |
//! | present: trace | 34.2 MB | 34.2 MB | 1.6 MB |
//! | **total** | **187.5 MB** | **48.0 MB** | **13.4 MB** |
//!
//! (The wasm build's pointers and `usize` are half as wide, so the app's figures are smaller.)

use super::{Action, ActionOutcome, SimConfig, SimError, Simulation, TraceMark};
use serde::{Deserialize, Serialize};

/// One user action with the position at which it was applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// Events the simulation had processed when the action was applied.
    pub events: u64,
    /// Virtual time of the action (ms).
    pub at_ms: u64,
    /// The action.
    pub action: Action,
}

/// Everything needed to rebuild a run exactly: its settings and its script. A scene link or
/// an exported run is this value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scene {
    /// The run's settings (seed included).
    pub config: SimConfig,
    /// The user's actions, in order.
    pub script: Vec<Recorded>,
}

#[derive(Clone, Debug)]
struct Checkpoint {
    events: u64,
    now_ms: u64,
    /// Script actions already applied.
    applied: usize,
    /// The trace's length and digest at the checkpoint.
    trace: TraceMark,
    /// The simulation, with an empty trace.
    sim: Simulation,
}

/// A simulation with its recorded history, which can be moved back and forth in time. See the
/// module documentation.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// The settings the run started with (actions such as `SetGuards` change the present
    /// simulation's settings; a scene must start from the original ones).
    config: SimConfig,
    sim: Simulation,
    script: Vec<Recorded>,
    /// How many script actions the present simulation has applied.
    applied: usize,
    checkpoints: Vec<Checkpoint>,
    spacing_ms: u64,
    /// The furthest virtual time the recorded run reached.
    horizon_ms: u64,
}

impl Timeline {
    /// At most this many checkpoints are kept.
    pub const MAX_CHECKPOINTS: usize = 32;
    /// Initial spacing of checkpoints (virtual ms); it doubles whenever the list fills up.
    pub const CHECKPOINT_EVERY_MS: u64 = 10_000;

    /// A trace retention for interactive use ([`Timeline::set_trace_retention`]): about two
    /// and a half virtual minutes of a busy five-node cluster (an hour of the benchmark's load
    /// pushes 241 545 events, a fifth of them INFO), so an event log of the last 500 lines of
    /// either level stays full, in at most 12 500 events of memory (about 1.6 MB natively).
    pub const SUGGESTED_TRACE_RETENTION: usize = 10_000;

    /// A new run with these settings, at virtual time 0.
    ///
    /// # Errors
    /// As [`Simulation::new`].
    pub fn new(config: SimConfig) -> Result<Timeline, SimError> {
        let sim = Simulation::new(config.clone())?;
        let mut t = Timeline {
            config,
            sim,
            script: Vec::new(),
            applied: 0,
            checkpoints: Vec::new(),
            spacing_ms: Self::CHECKPOINT_EVERY_MS,
            horizon_ms: 0,
        };
        t.checkpoint();
        Ok(t)
    }

    /// Rebuilds a scene and runs it to virtual time `until_ms` (replaying every recorded action
    /// on the way).
    ///
    /// # Errors
    /// As [`Simulation::new`] for the settings; [`SimError::ScriptOutOfOrder`] if the actions
    /// are not in the order of their positions; [`SimError::Replay`] for the first recorded
    /// action that fails or whose position the run does not reach at its time (a scene that
    /// was not recorded from a real run with these settings, e.g. edited by hand). The cost is
    /// bounded by `until_ms`: only actions up to that time are replayed.
    pub fn from_scene(scene: Scene, until_ms: u64) -> Result<Timeline, SimError> {
        Timeline::from_scene_retaining(scene, until_ms, None)
    }

    /// As [`Timeline::from_scene`], keeping at most about `keep` trace events in memory from
    /// the start (see [`Timeline::set_trace_retention`]), so rebuilding a long scene never
    /// holds its whole trace at once.
    ///
    /// # Errors
    /// As [`Timeline::from_scene`].
    pub fn from_scene_retaining(
        scene: Scene,
        until_ms: u64,
        keep: Option<usize>,
    ) -> Result<Timeline, SimError> {
        let mut t = Timeline::new(scene.config)?;
        t.set_trace_retention(keep);
        let mut last = (0, 0);
        for r in &scene.script {
            if (r.events, r.at_ms) < last {
                return Err(SimError::ScriptOutOfOrder);
            }
            last = (r.events, r.at_ms);
        }
        t.script = scene.script;
        t.horizon_ms = until_ms;
        t.run_forward(until_ms, true)?;
        Ok(t)
    }

    /// The scene: settings and every recorded action (including those after the present
    /// moment, until something forks them away).
    pub fn scene(&self) -> Scene {
        Scene {
            config: self.config.clone(),
            script: self.script.clone(),
        }
    }

    /// The simulation at the present moment.
    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    /// The recorded actions.
    pub fn script(&self) -> &[Recorded] {
        &self.script
    }

    /// The furthest virtual time the recorded run has reached (ms): the end of the scrubber.
    pub fn horizon_ms(&self) -> u64 {
        self.horizon_ms.max(self.sim.now_ms())
    }

    /// Checkpoints kept now (at most [`Timeline::MAX_CHECKPOINTS`]).
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// Keeps at least the newest `keep` trace events of the present in memory (`None`: all,
    /// the default). See [`Simulation::set_trace_retention`]; seeking back to a moment before
    /// the retained events restarts the trace there (see the module documentation).
    pub fn set_trace_retention(&mut self, keep: Option<usize>) {
        self.sim.set_trace_retention(keep);
    }

    /// The simulations saved at the checkpoints (each without its trace), oldest first: what
    /// the timeline holds besides the present, e.g. for memory accounting.
    pub fn checkpoint_sims(&self) -> impl DoubleEndedIterator<Item = &Simulation> {
        self.checkpoints.iter().map(|c| &c.sim)
    }

    /// Applies a user action now and records it. If recorded actions follow this moment, they
    /// are dropped first (history forks here). A failed action changes nothing and is not
    /// recorded.
    ///
    /// # Errors
    /// As [`Simulation::apply`].
    pub fn apply(&mut self, action: Action) -> Result<ActionOutcome, SimError> {
        let outcome = self.sim.apply(action.clone())?;
        let events = self.sim.events_processed();
        // Anything recorded beyond this moment (later actions, checkpoints, the furthest time
        // reached) belongs to the run without this action: the history forks here, even if
        // no recorded action follows.
        let in_past = self.applied < self.script.len()
            || self.horizon_ms > self.sim.now_ms()
            || self.checkpoints.last().is_some_and(|c| c.events > events);
        if in_past {
            self.script.truncate(self.applied);
            let now = self.sim.now_ms();
            // A checkpoint taken later on the clock, even with no event in between, was taken
            // without this action.
            self.checkpoints
                .retain(|c| c.events <= events && c.now_ms <= now && c.applied <= self.applied);
            self.horizon_ms = now;
        }
        self.script.push(Recorded {
            events,
            at_ms: self.sim.now_ms(),
            action,
        });
        self.applied = self.script.len();
        Ok(outcome)
    }

    /// Runs forward to virtual time `t_ms`, applying recorded actions at their positions.
    pub fn advance_to(&mut self, t_ms: u64) {
        // Recorded actions succeeded when they were recorded and the run is deterministic,
        // so replaying them cannot fail.
        let _ = self.run_forward(t_ms, false);
        self.horizon_ms = self.horizon_ms.max(self.sim.now_ms());
    }

    /// Processes the next event (or the next recorded action, if one is due first). Returns
    /// false if nothing is scheduled.
    pub fn step_forward(&mut self) -> bool {
        let events = self.sim.events_processed();
        if let Some(r) = self.script.get(self.applied)
            && r.events == events
        {
            self.apply_recorded();
            return true;
        }
        let stepped = self.sim.step().is_some();
        self.maybe_checkpoint();
        self.horizon_ms = self.horizon_ms.max(self.sim.now_ms());
        stepped
    }

    /// Goes back one event: the state right after the previous event (and any recorded
    /// actions applied at it), with the clock at that event's time. Returns false at the very
    /// start.
    pub fn step_back(&mut self) -> bool {
        let events = self.sim.events_processed();
        if events == 0 {
            return false;
        }
        // A checkpoint taken between events has its clock past the last event, so restore one
        // strictly before the target and step: the clock then reads the event's time.
        let target = events - 1;
        self.restore_at_or_before(|c| c.events < target || c.events == 0);
        while self.sim.events_processed() < target {
            if !self.step_forward() {
                break;
            }
        }
        // Actions recorded at that point belong to it.
        while let Some(r) = self.script.get(self.applied)
            && r.events == target
        {
            self.apply_recorded();
        }
        true
    }

    /// Moves to virtual time `t_ms`, backwards (from the latest checkpoint before it) or
    /// forwards (replaying the recorded actions).
    pub fn seek(&mut self, t_ms: u64) {
        if t_ms < self.sim.now_ms() {
            self.restore_at_or_before(|c| c.now_ms <= t_ms);
        }
        self.advance_to(t_ms);
    }

    fn restore_at_or_before(&mut self, ok: impl Fn(&Checkpoint) -> bool) {
        let Some(cp) = self.checkpoints.iter().rev().find(|c| ok(c)) else {
            return;
        };
        let mut sim = cp.sim.clone();
        let mut trace = self.sim.take_trace();
        trace.rewind(cp.trace);
        sim.put_trace(trace);
        self.sim = sim;
        self.applied = cp.applied;
    }

    fn apply_recorded(&mut self) {
        let Some(r) = self.script.get(self.applied) else {
            return;
        };
        self.sim.set_clock(r.at_ms);
        let _ = self.sim.apply(r.action.clone());
        self.applied += 1;
    }

    fn run_forward(&mut self, t_ms: u64, strict: bool) -> Result<(), SimError> {
        loop {
            let next = self.script.get(self.applied).filter(|r| r.at_ms <= t_ms);
            let Some(r) = next.cloned() else {
                break;
            };
            while self.sim.events_processed() < r.events {
                // A scene that was not recorded from this run (edited by hand, or made with
                // other settings) may place an action at an event the run reaches only later
                // than the action's time, or never: refuse it rather than run on without end.
                if strict
                    && self
                        .sim
                        .next_event_ms()
                        .is_none_or(|next_ms| next_ms > r.at_ms)
                {
                    return Err(self.replay_error(SimError::ScriptPosition { events: r.events }));
                }
                if self.sim.step().is_none() {
                    break;
                }
                self.maybe_checkpoint();
            }
            if strict && self.sim.now_ms() > r.at_ms {
                return Err(self.replay_error(SimError::ScriptPosition { events: r.events }));
            }
            self.sim.set_clock(r.at_ms);
            let result = self.sim.apply(r.action);
            if strict && let Err(e) = result {
                return Err(self.replay_error(e));
            }
            self.applied += 1;
        }
        // Run in slices so that checkpoints land at their spacing.
        while self.sim.now_ms() < t_ms {
            let now = self.sim.now_ms();
            let next_cp = self
                .checkpoints
                .last()
                .map_or(0, |c| c.now_ms.saturating_add(self.spacing_ms));
            // Always make progress: the next checkpoint time if it is ahead, else one spacing.
            let until = if next_cp > now {
                next_cp
            } else {
                now.saturating_add(self.spacing_ms)
            }
            .min(t_ms);
            self.sim.advance_to(until);
            self.maybe_checkpoint();
        }
        Ok(())
    }

    /// Wraps the error of the next script action in [`SimError::Replay`], which says which
    /// action it is.
    fn replay_error(&self, error: SimError) -> SimError {
        let at_ms = self.script.get(self.applied).map_or(0, |r| r.at_ms);
        SimError::Replay {
            index: self.applied as u64,
            at_ms,
            error: Box::new(error),
        }
    }

    fn maybe_checkpoint(&mut self) {
        let due = self
            .checkpoints
            .last()
            .is_none_or(|c| self.sim.now_ms() >= c.now_ms.saturating_add(self.spacing_ms));
        // Only at the edge of the recorded run: earlier checkpoints already exist.
        let newest = self
            .checkpoints
            .last()
            .is_none_or(|c| self.sim.events_processed() > c.events);
        if due && newest {
            self.checkpoint();
        }
    }

    fn checkpoint(&mut self) {
        let mark = self.sim.trace().mark();
        let trace = self.sim.take_trace();
        let copy = self.sim.clone();
        self.sim.put_trace(trace);
        self.checkpoints.push(Checkpoint {
            events: self.sim.events_processed(),
            now_ms: self.sim.now_ms(),
            applied: self.applied,
            trace: mark,
            sim: copy,
        });
        if self.checkpoints.len() > Self::MAX_CHECKPOINTS {
            // Keep the first (time 0) and every other one after it; double the spacing.
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i == 1 || i % 2 == 1
            });
            self.spacing_ms = self.spacing_ms.saturating_mul(2);
        }
    }
}
