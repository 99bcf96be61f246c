//! One-shot figures for issue 8, at full size: core throughput with N = 200 000 entries at
//! batch sizes 1 and 64 (raftlab next to raft-rs), and simulator speed over one hour of
//! virtual time. Prints one `FIGURE` line per figure (scripts/bench.sh collects them) after a
//! readable table.
//!
//!   cargo run --profile bench -p raftlab-bench --bin figures [-- N [RUNS]]
//!
//! N = 0 skips the throughput part; RUNS (default 5) is how many times each figure is
//! measured (the best run counts).

use raftlab_bench::ours::OurCluster;
use raftlab_bench::theirs::TheirCluster;
use raftlab_bench::{sim_speed, throughput, timed};
use std::time::Duration;

/// Best of `runs` timings of `f` (the least disturbed by other work on the machine).
fn best_of(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    (0..runs).map(|_| f()).min().unwrap_or_default()
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let runs: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    if n > 0 {
        throughput_figures(n, runs);
    }
    sim_figure(runs);
}

fn throughput_figures(n: u64, runs: usize) {
    println!("core throughput: 3 nodes, N = {n} entries applied on every node, best of {runs}");
    for batch in [1u64, 64] {
        // The libraries take turns, so a burst of other work on the machine hits both alike.
        let time_one = |c: &mut dyn FnMut() -> Duration| c();
        let mut ours_run = || {
            let mut c = OurCluster::new();
            let ((), d) = timed(|| throughput::run(&mut c, n, batch));
            assert_eq!(c.applied(), [n; 3]);
            d
        };
        let theirs_run = |skip| {
            move || {
                let mut c = TheirCluster::new(skip);
                let ((), d) = timed(|| throughput::run(&mut c, n, batch));
                assert_eq!(c.applied(), [n; 3]);
                d
            }
        };
        let (mut skip_run, mut default_run) = (theirs_run(true), theirs_run(false));
        let (mut ours, mut theirs_skip, mut theirs_default) =
            (Duration::MAX, Duration::MAX, Duration::MAX);
        for _ in 0..runs {
            ours = ours.min(time_one(&mut ours_run));
            theirs_skip = theirs_skip.min(time_one(&mut skip_run));
            theirs_default = theirs_default.min(time_one(&mut default_run));
        }
        let rate = |d: Duration| n as f64 / d.as_secs_f64();
        let (o, t, td) = (rate(ours), rate(theirs_skip), rate(theirs_default));
        println!(
            "  batch {batch:>2}: raftlab {o:>10.0} entries/s ({:.1} ms) | raft-rs {t:>10.0} entries/s ({:.1} ms) | ratio {:.2}x \
             | raft-rs with its default commit broadcast {td:.0} entries/s (ratio {:.2}x)",
            ours.as_secs_f64() * 1e3,
            theirs_skip.as_secs_f64() * 1e3,
            o / t,
            o / td,
        );
        println!("FIGURE core_b{batch}_raftlab {o:.0}");
        println!("FIGURE core_b{batch}_raftrs {t:.0}");
        println!("FIGURE core_b{batch}_ratio {:.2}", o / t);
        println!("FIGURE core_b{batch}_raftrs_default {td:.0}");
        println!("FIGURE core_b{batch}_ratio_default {:.2}", o / td);
    }
}

fn sim_figure(runs: usize) {
    let hour = sim_speed::HOUR_MS;
    let mut last = None;
    let wall = best_of(runs, || {
        let (run, d) = timed(|| sim_speed::run(hour));
        last = Some(run);
        d
    });
    let run = last.expect("ran");
    let speed = run.virtual_ms as f64 / 1e3 / wall.as_secs_f64();
    println!(
        "simulator: 5 nodes, an operation every {} ms, {} s of virtual time in {:.1} ms (best of {runs}): \
         {speed:.0}x real time; {} events, {} trace events, {}/{} operations done",
        sim_speed::OP_EVERY_MS,
        run.virtual_ms / 1000,
        wall.as_secs_f64() * 1e3,
        run.events,
        run.trace_events,
        run.ops_done,
        run.ops_submitted,
    );
    println!("FIGURE sim_native {speed:.0}");
}
