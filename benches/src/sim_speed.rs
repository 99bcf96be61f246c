//! Simulator speed: the default simulation (5 nodes, the seed's timings, seed 1) with a client
//! operation submitted every 500 ms of virtual time.

use raft_core::Command;
use raft_core::sim::{Action, RequestState, SimConfig, Simulation};

/// Virtual time between two client operations (ms).
pub const OP_EVERY_MS: u64 = 500;
/// One hour of virtual time (ms).
pub const HOUR_MS: u64 = 3_600_000;

/// What one run did, to show that the work was real.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimRun {
    /// Virtual time simulated (ms).
    pub virtual_ms: u64,
    /// Events the simulator processed (deliveries, timers).
    pub events: u64,
    /// Trace events recorded.
    pub trace_events: usize,
    /// Client operations submitted.
    pub ops_submitted: u64,
    /// Client operations answered with a result.
    pub ops_done: u64,
}

/// Runs the default simulation for `virtual_ms`, submitting `a + 1` every [`OP_EVERY_MS`]
/// (the first at time 0).
///
/// # Panics
/// If the default configuration is refused (it cannot be).
pub fn run(virtual_ms: u64) -> SimRun {
    let mut sim = Simulation::new(SimConfig::default()).expect("default config is valid");
    let mut submitted = 0u64;
    let mut t = 0;
    while t < virtual_ms {
        let command = Command::Add {
            a: submitted as i64,
            b: 1,
        };
        sim.apply(Action::Submit(command)).expect("submit");
        submitted += 1;
        t = (t + OP_EVERY_MS).min(virtual_ms);
        sim.advance_to(t);
    }
    let ops_done = sim
        .client()
        .requests()
        .filter(|r| matches!(r.state, RequestState::Completed(_)))
        .count() as u64;
    SimRun {
        virtual_ms: sim.now_ms(),
        events: sim.events_processed(),
        trace_events: sim.trace().events().len(),
        ops_submitted: submitted,
        ops_done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_virtual_minute_serves_the_client() {
        let run = run(60_000);
        assert_eq!(run.virtual_ms, 60_000);
        assert_eq!(run.ops_submitted, 120);
        assert!(run.ops_done > 50, "{run:?}");
        assert!(run.events > 1_000, "{run:?}");
    }
}
