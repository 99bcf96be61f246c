//! The views of the panels around the cluster drawing (log grid, client panel, event log,
//! space-time diagram), refreshed in turn while the run plays.
//!
//! The drawing of the cluster follows every animation frame. The panels change as fast under
//! heavy client load (new log entries, requests, lines and arrows every frame), and rebuilding
//! and re-drawing all of them in every frame is what made frames miss issue 8's budget. While
//! the run plays, each frame therefore rebuilds the view of one panel only, in turn: at 60
//! frames a second each panel is redrawn 15 times a second (12 with the diagram hidden: 20),
//! which reads the same, and the cost of a frame is the drawing plus one panel. Whenever the
//! render is not an animation frame (a click, a key, a pause, a step, a seek, a new run) or
//! time went backwards, every panel is rebuilt at once, so what the user did shows
//! immediately; opening the diagram or switching the DEBUG lines rebuilds that panel at once.

use crate::client_view::{LatestResult, RequestView, latest_result, request_count, request_views};
use crate::history_view::{HistoryChart, history_chart};
use crate::log_grid::{LogGrid, log_grid};
use crate::spacetime::{SpaceTime, space_time};
use crate::state::AppState;
use crate::trace_cache::LogLine;
use raft_core::sim::Simulation;
use std::collections::VecDeque;
use std::rc::Rc;

/// Log indexes shown in the log grid (older ones are summarised as hidden).
pub const LOG_COLUMNS: u64 = 20;

/// The panels refreshed in turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Panel {
    Logs,
    Client,
    EventLog,
    Diagram,
}

/// The turn order.
const ORDER: [Panel; 4] = [Panel::Logs, Panel::Client, Panel::EventLog, Panel::Diagram];

/// The panels' views (cheap to clone: `Rc`s and a few numbers).
#[derive(Clone, Debug)]
pub struct PanelViews {
    /// The log grid.
    pub grid: Rc<LogGrid>,
    /// The client's recent requests, newest first.
    pub requests: Rc<Vec<RequestView>>,
    /// How many requests the run has made.
    pub total_requests: usize,
    /// The latest finished request.
    pub latest: Option<LatestResult>,
    /// The client history chart.
    pub history: Rc<HistoryChart>,
    /// The event log's lines (INFO, or every level with DEBUG on).
    pub lines: Rc<VecDeque<LogLine>>,
    /// How many lines of that kind the run has produced.
    pub total_lines: usize,
    /// The space-time diagram, while it is open.
    pub diagram: Option<Rc<SpaceTime>>,
}

/// What the refresh decision looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Seen {
    frame: u64,
    playing: bool,
    events: u64,
    now_ms: u64,
    show_debug: bool,
    diagram_open: bool,
}

impl Seen {
    fn of(state: &AppState, sim: &Simulation) -> Seen {
        Seen {
            frame: state.frame,
            playing: state.playing,
            events: sim.events_processed(),
            now_ms: sim.now_ms(),
            show_debug: state.show_debug,
            diagram_open: state.diagram_open,
        }
    }
}

/// The panels' views between renders (kept by the app in a `use_mut_ref`).
#[derive(Debug, Default)]
pub struct PanelCache {
    views: Option<PanelViews>,
    seen: Seen,
    /// The next panel's place in [`ORDER`].
    turn: usize,
}

impl PanelCache {
    /// Which panels to rebuild for a render that sees `now` (and remembers it).
    fn plan(&mut self, now: Seen) -> [bool; 4] {
        let before = std::mem::replace(&mut self.seen, now);
        let frame_while_playing = now.playing && before.playing && now.frame != before.frame;
        let went_back = now.events < before.events || now.now_ms < before.now_ms;
        if self.views.is_none() || !frame_while_playing || went_back {
            return [true; 4];
        }
        let mut plan = [false; 4];
        // The next open panel in turn.
        for _ in 0..ORDER.len() {
            let panel = ORDER[self.turn];
            self.turn = (self.turn + 1) % ORDER.len();
            if panel != Panel::Diagram || now.diagram_open {
                plan[panel as usize] = true;
                break;
            }
        }
        plan[Panel::EventLog as usize] |= now.show_debug != before.show_debug;
        plan[Panel::Diagram as usize] |= now.diagram_open != before.diagram_open;
        plan
    }

    /// The views for this render of the app: rebuilt as [`PanelCache`]'s module comment says,
    /// the rest as they were last built.
    pub fn views(&mut self, state: &AppState, sim: &Simulation) -> PanelViews {
        let plan = self.plan(Seen::of(state, sim));
        let (lines, total_lines) = if state.show_debug {
            (state.trace.all.clone(), state.trace.all_total)
        } else {
            (state.trace.info.clone(), state.trace.info_total)
        };
        // Each view is built in one place (so the download carries one copy of each builder).
        let mut v = self.views.take().unwrap_or_else(|| PanelViews {
            grid: Rc::default(),
            requests: Rc::default(),
            total_requests: 0,
            latest: None,
            history: Rc::default(),
            lines: Rc::default(),
            total_lines: 0,
            diagram: None,
        });
        if plan[Panel::Logs as usize] {
            v.grid = Rc::new(log_grid(sim, LOG_COLUMNS));
        }
        if plan[Panel::Client as usize] {
            v.requests = Rc::new(request_views(sim, &state.trace.requests));
            v.total_requests = request_count(sim);
            v.latest = latest_result(sim);
            v.history = Rc::new(history_chart(sim));
        }
        if plan[Panel::EventLog as usize] {
            (v.lines, v.total_lines) = (lines, total_lines);
        }
        if plan[Panel::Diagram as usize] {
            v.diagram = state.diagram_open.then(|| Rc::new(space_time(sim)));
        }
        let views = v;
        self.views = Some(views.clone());
        views
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(frame: u64, playing: bool, events: u64) -> Seen {
        Seen {
            frame,
            playing,
            events,
            now_ms: events * 10,
            show_debug: false,
            diagram_open: true,
        }
    }

    /// A cache that has built its views once (the views' contents do not matter to `plan`).
    fn built() -> PanelCache {
        let sim = Simulation::new(raft_core::sim::SimConfig::default()).expect("valid");
        let state = AppState::new(crate::input::RunParams::default(), vec![]);
        let mut cache = PanelCache::default();
        cache.views(&state, &sim);
        cache.seen = seen(1, true, 10);
        cache
    }

    #[test]
    fn frames_while_playing_rebuild_one_panel_in_turn() {
        let mut cache = built();
        let mut counts = [0; 4];
        for f in 2..=9 {
            let plan = cache.plan(seen(f, true, 10 + f));
            assert_eq!(
                plan.iter().filter(|p| **p).count(),
                1,
                "one panel per frame"
            );
            for (c, p) in counts.iter_mut().zip(plan) {
                *c += usize::from(p);
            }
        }
        assert_eq!(counts, [2, 2, 2, 2], "each panel in turn");
        // With the diagram closed, the other three share the frames.
        let mut counts = [0; 4];
        let mut s = seen(20, true, 30);
        s.diagram_open = false;
        cache.plan(s);
        for f in 21..=26 {
            s.frame = f;
            for (c, p) in counts.iter_mut().zip(cache.plan(s)) {
                *c += usize::from(p);
            }
        }
        assert_eq!(counts, [2, 2, 2, 0]);
    }

    #[test]
    fn anything_but_a_frame_while_playing_rebuilds_every_panel() {
        let mut cache = built();
        // A click while playing (no new frame): at once.
        assert_eq!(cache.plan(seen(1, true, 11)), [true; 4]);
        // Paused: every render.
        assert_eq!(cache.plan(seen(1, false, 12)), [true; 4]);
        // The first frame after resuming.
        assert_eq!(cache.plan(seen(2, true, 12)), [true; 4]);
        // Time went back (a seek while playing, or a new run).
        cache.plan(seen(3, true, 13));
        assert_eq!(cache.plan(seen(4, true, 5)), [true; 4]);
        // Opening the diagram or switching DEBUG lines during a frame: that panel too.
        cache.plan(seen(5, true, 14));
        let mut s = seen(6, true, 15);
        s.show_debug = true;
        let plan = cache.plan(s);
        assert!(plan[Panel::EventLog as usize]);
        assert!(plan.iter().filter(|p| **p).count() <= 2);
    }
}
