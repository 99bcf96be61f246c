//! Benchmarks of raftlab (issue 8), as plain functions so that they are unit-tested with a small
//! N and shared by the criterion benches (`benches/`) and the one-shot `figures` binary.
//!
//! - [`throughput`]: a 3-node in-memory cluster, one thread, no I/O, the leader elected up
//!   front; commit and apply N small entries on all three nodes, with raftlab's [`RaftNode`]
//!   and with tikv/raft-rs 0.7's `RawNode`, driven by the same loop ([`throughput::run`]).
//! - [`sim_speed`]: the simulator with its default settings (5 nodes, the seed's timings), a
//!   client operation every 500 ms of virtual time, for a given span of virtual time.
//!
//! [`RaftNode`]: raft_core::RaftNode

pub mod memory;
pub mod ours;
pub mod sim_speed;
pub mod theirs;
pub mod throughput;

use std::time::{Duration, Instant};

/// Runs `f` once and returns its result with the wall time it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}
