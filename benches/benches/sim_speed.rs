//! Criterion: simulator speed, the default 5-node simulation with a client operation every
//! 500 ms of virtual time, for one hour of virtual time per sample. Criterion reports the time
//! per hour; virtual seconds per wall second = 3600 / that time in seconds (the `figures`
//! binary prints it).

use criterion::{Criterion, criterion_group, criterion_main};
use raftlab_bench::sim_speed;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulator_5_nodes");
    group.sample_size(10);
    group.bench_function("one_virtual_hour", |b| {
        b.iter(|| black_box(sim_speed::run(sim_speed::HOUR_MS)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
