//! Memory of time travel (issue 8, figure 5): the app's load — the default simulation (5
//! nodes, the seed's timings, seed 1) with a client operation every 500 ms of virtual time —
//! run through a [`Timeline`] (checkpoints for seeking back), as the app runs it.
//!
//! The `memory` binary runs it for one virtual hour under a counting allocator and prints what
//! the heap holds, part by part.

use crate::sim_speed::OP_EVERY_MS;
use raft_core::Command;
use raft_core::sim::{Action, SimConfig, Timeline};

/// Runs a [`Timeline`] of the default simulation for `virtual_ms`, submitting `a + 1` every
/// [`OP_EVERY_MS`] (the first at time 0) as recorded user actions; `setup` runs first (e.g. to
/// set a trace retention).
///
/// # Panics
/// If the default configuration is refused (it cannot be).
pub fn run_timeline(virtual_ms: u64, setup: impl FnOnce(&mut Timeline)) -> Timeline {
    let mut tl = Timeline::new(SimConfig::default()).expect("default config is valid");
    setup(&mut tl);
    let mut submitted = 0i64;
    let mut t = 0;
    while t < virtual_ms {
        let command = Command::Add { a: submitted, b: 1 };
        tl.apply(Action::Submit(command)).expect("submit");
        submitted += 1;
        t = (t + OP_EVERY_MS).min(virtual_ms);
        tl.advance_to(t);
    }
    tl
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim_speed;

    #[test]
    fn the_timeline_runs_the_same_simulation_as_the_speed_benchmark() {
        let tl = run_timeline(120_000, |_| {});
        let plain = sim_speed::run(120_000);
        assert_eq!(tl.sim().now_ms(), 120_000);
        assert_eq!(tl.sim().events_processed(), plain.events);
        assert_eq!(tl.sim().trace().events().len(), plain.trace_events);
        assert_eq!(tl.script().len(), 240);
        assert!(tl.checkpoints() > 5, "{}", tl.checkpoints());
    }
}
