//! Heap held by time travel after one virtual hour of the app's load (issue 8, figure 5),
//! measured natively with a counting global allocator, part by part.
//!
//!   cargo run --profile bench -p raftlab-bench --bin memory [-- VIRTUAL_S [RETENTION]]
//!
//! VIRTUAL_S defaults to 3600 (one hour); RETENTION is the number of trace events the
//! timeline keeps in memory (default: `Timeline::SUGGESTED_TRACE_RETENTION`; `all` keeps
//! every event).
//!
//! "total" is the allocator's count of bytes in use, so it counts everything exactly once. The
//! parts are measured by copying: the present's logs, requests and history as plain vectors
//! (their full size), the rest of the present and each checkpoint by cloning them, which
//! allocates only what a clone does not share (full chunks of logs, requests and history are
//! shared, see `raft_core::chunked`). "other" is what the parts do not explain (spare
//! capacity of growing vectors, chunks only checkpoints still hold).

use raft_core::sim::Timeline;
use raftlab_bench::memory;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting the bytes in use and their high-water mark.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = IN_USE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is forwarded to `System` with the same arguments; the counters are only
// statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            IN_USE.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn in_use() -> usize {
    IN_USE.load(Relaxed)
}

/// Bytes a clone of `x` allocates.
fn clone_bytes<T: Clone>(x: &T) -> usize {
    let before = in_use();
    let copy = x.clone();
    let bytes = in_use().saturating_sub(before);
    drop(copy);
    bytes
}

fn mb(bytes: usize) -> String {
    format!("{:8.2} MB", bytes as f64 / 1e6)
}

fn main() {
    let virtual_s: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3_600);
    let retention: Option<usize> = match std::env::args().nth(2) {
        Some(a) => a.parse().ok(),
        None => Some(Timeline::SUGGESTED_TRACE_RETENTION),
    };

    let base = in_use();
    PEAK.store(base, Relaxed);
    let start = std::time::Instant::now();
    let tl = memory::run_timeline(virtual_s * 1_000, |tl| tl.set_trace_retention(retention));
    let wall = start.elapsed();
    let total = in_use() - base;
    let peak = PEAK.load(Relaxed) - base;

    let sim = tl.sim();
    // Deep sizes of the present's histories: copies into plain vectors. A node's running log
    // shares its full chunks with its stable storage's log, so only the latter is counted.
    let (mut logs, mut entries) = (0, 0);
    for n in sim.nodes() {
        let log = &n.storage().log;
        logs += clone_bytes(&log.entries().to_vec());
        entries += log.entries().len();
    }
    let requests = clone_bytes(&sim.client().requests().cloned().collect::<Vec<_>>());
    let history = clone_bytes(&sim.history().ops().to_vec());
    let trace = clone_bytes(sim.trace());
    // What a copy of the present must allocate (its shared chunks excluded), trace excluded.
    let unshared = clone_bytes(sim) - trace;
    let script = clone_bytes(&tl.script().to_vec());
    let checkpoints: Vec<(u64, usize)> = tl
        .checkpoint_sims()
        .map(|c| (c.now_ms(), clone_bytes(c)))
        .collect();
    let cp_total: usize = checkpoints.iter().map(|c| c.1).sum();
    let parts = logs + requests + history + unshared + trace + script + cp_total;

    println!(
        "timeline: {virtual_s} virtual s in {:.0} ms, trace retention {retention:?}, {} events, {} trace events ({} kept, {} bytes each), {} log entries on 5 nodes, {} recorded actions, {} checkpoints",
        wall.as_secs_f64() * 1e3,
        sim.events_processed(),
        sim.trace().len_ever(),
        sim.trace().events().len(),
        std::mem::size_of::<raft_core::sim::TraceEvent>(),
        entries,
        tl.script().len(),
        checkpoints.len(),
    );
    println!("heap in use (total)                     {}", mb(total));
    println!("heap high-water mark during the run     {}", mb(peak));
    println!("present: log entries (5 nodes)          {}", mb(logs));
    println!("present: client requests                {}", mb(requests));
    println!("present: client history                 {}", mb(history));
    println!("present: the rest (unshared part)       {}", mb(unshared));
    println!("present: trace                          {}", mb(trace));
    println!("recorded actions (script)               {}", mb(script));
    println!(
        "checkpoints ({:2}, unshared parts)        {}",
        checkpoints.len(),
        mb(cp_total)
    );
    for (at_ms, bytes) in &checkpoints {
        println!(
            "  at {:>7.1} s                          {}",
            *at_ms as f64 / 1e3,
            mb(*bytes)
        );
    }
    if total >= parts {
        println!(
            "other (spare capacity, chunks only checkpoints hold) {}",
            mb(total - parts)
        );
    } else {
        println!(
            "shared, counted twice above             {}",
            mb(parts - total)
        );
    }
    println!("FIGURE memory_native_total {total}");
    println!("FIGURE memory_native_peak {peak}");
}
