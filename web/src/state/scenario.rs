//! The reducer's part for guided scenarios: loading one (its run replaces the app's run),
//! Next, Back, predictions and Reveal, and where playing stops. The policy is described in
//! [`crate::scenario_view`].

use super::{AppState, LaneMap, new_checker};
use crate::embed::Options;
use crate::history_view::HistoryCache;
use crate::input::RunParams;
use crate::narration::Narrator;
use crate::scenario_view::{self, ScenarioMsg, ScenarioRun};
use crate::trace_cache::TraceCache;
use raft_core::sim::Timeline;
use std::cell::RefCell;
use std::rc::Rc;

impl AppState {
    /// Applies the page's starting options: speed, start paused, a scenario to start. An
    /// unknown scenario was already reported by [`crate::embed::parse_options`]; a scenario
    /// that fails to start is reported with the URL messages.
    pub fn start_with(&mut self, options: &Options) {
        if let Some(speed) = options.speed {
            self.speed = speed;
        }
        if let Some(id) = &options.scenario
            && let Err(e) = self.scenario_msg(ScenarioMsg::Load(id.clone()))
        {
            Rc::make_mut(&mut self.url_errors).push(e);
        }
        if options.paused {
            self.playing = false;
        }
    }

    /// Whether the present run is the scenario's own at its current step (false without a
    /// scenario).
    pub fn scenario_on_script(&self) -> bool {
        match (&self.scenario, self.timeline()) {
            (Some(run), Some(t)) => run.on_script(&t),
            _ => false,
        }
    }

    /// Where a frame must stop playing (virtual ms): the next step of a scenario whose run is
    /// still the scenario's own, if that moment is ahead. (At that moment exactly, Play goes
    /// on past it: the run is then the reader's own.)
    pub(super) fn scenario_stop_ms(&self) -> Option<u64> {
        let run = self.scenario.as_ref()?;
        let t = self.timeline()?;
        run.pause_at_ms(&t).filter(|&at| t.sim().now_ms() < at)
    }

    /// Handles a scenario panel message. Errors are messages for the reader (an unknown
    /// scenario, a broken one); the run is then unchanged.
    pub(super) fn scenario_msg(&mut self, msg: ScenarioMsg) -> Result<(), String> {
        match msg {
            ScenarioMsg::Load(id) => {
                let (run, timeline) = scenario_view::start(&id)?;
                let config = timeline.sim().config();
                self.params = RunParams {
                    seed: config.seed,
                    nodes: config.node_count,
                };
                self.replace_run(timeline);
                self.playing = !run.waits_for_prediction();
                self.scenario = Some(Rc::new(run));
                Ok(())
            }
            ScenarioMsg::Next => {
                self.drive(false, ScenarioRun::next)?;
                if let Some(run) = &self.scenario {
                    self.playing = !run.waits_for_prediction();
                }
                Ok(())
            }
            ScenarioMsg::Back => {
                self.drive(true, ScenarioRun::back)?;
                self.playing = false;
                Ok(())
            }
            ScenarioMsg::Reveal => {
                self.drive(false, ScenarioRun::reveal)?;
                self.playing = false;
                Ok(())
            }
            ScenarioMsg::Choose(choice) => {
                // A new Rc for every change: the panel compares runs by pointer.
                if let Some(run) = &self.scenario {
                    let mut run = (**run).clone();
                    run.choose(choice);
                    self.scenario = Some(Rc::new(run));
                }
                Ok(())
            }
            ScenarioMsg::Exit => {
                self.scenario = None;
                Ok(())
            }
        }
    }

    /// Runs `f` on the scenario and the app's run. `rebuilds` says that `f` replaces the run
    /// (Back always does; Next and Reveal do when the reader had changed the run), so the
    /// caches start again from the new run instead of reading on.
    fn drive(
        &mut self,
        rebuilds: bool,
        f: impl FnOnce(&mut ScenarioRun, &mut Timeline) -> Result<(), String>,
    ) -> Result<(), String> {
        let Some(current) = self.scenario.clone() else {
            return Ok(());
        };
        let mut run = (*current).clone();
        let (rebuilt, result) = {
            let Ok(mut timeline) = self.sim.try_borrow_mut() else {
                return Ok(());
            };
            let rebuilt = rebuilds || !run.on_script(&timeline);
            (rebuilt, f(&mut run, &mut timeline))
        };
        if rebuilt {
            self.reset_caches();
        }
        self.with_sim(|_| ());
        self.last_wall_ms = None;
        if result.is_ok() {
            self.scenario = Some(Rc::new(run));
        }
        result
    }

    /// Makes `timeline` the app's run, as a new run (caches, checker and selection start
    /// again).
    pub(super) fn replace_run(&mut self, mut timeline: Timeline) {
        timeline.set_trace_retention(Some(Timeline::SUGGESTED_TRACE_RETENTION));
        self.sim = Rc::new(RefCell::new(timeline));
        self.reset_caches();
        self.with_sim(|_| ());
        self.last_wall_ms = None;
        self.carry_ms = 0.0;
        self.selected = None;
        self.notice = None;
        self.group.clear();
        self.inspected = None;
    }

    /// Forgets everything read from the run so far (the run was replaced).
    fn reset_caches(&mut self) {
        self.checker = Rc::new(RefCell::new(new_checker()));
        self.violation = None;
        self.trace = TraceCache::default();
        self.history = HistoryCache::default();
        self.lanes = Rc::new(LaneMap::default());
        self.narration = Narrator::default();
        self.explain = None;
    }
}
