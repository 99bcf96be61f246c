//! Criterion: core throughput of raftlab and raft-rs in the same loop (see
//! `raftlab_bench::throughput`), at batch sizes 1 and 64, with N = 20 000 entries per sample
//! (the full N = 200 000 figure comes from the `figures` binary). Each sample builds a fresh
//! cluster and elects its leader outside the timed part.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use raftlab_bench::ours::OurCluster;
use raftlab_bench::theirs::TheirCluster;
use raftlab_bench::throughput;
use std::hint::black_box;

const N: u64 = 20_000;

fn bench(c: &mut Criterion) {
    for batch in [1u64, 64] {
        let mut group = c.benchmark_group(format!("core_3_nodes_batch_{batch}"));
        group.throughput(Throughput::Elements(N));
        group.sample_size(20);
        group.bench_function("raftlab", |b| {
            b.iter_batched(
                OurCluster::new,
                |mut cluster| {
                    throughput::run(&mut cluster, N, batch);
                    black_box(cluster)
                },
                BatchSize::PerIteration,
            )
        });
        group.bench_function("raft-rs", |b| {
            b.iter_batched(
                || TheirCluster::new(true),
                |mut cluster| {
                    throughput::run(&mut cluster, N, batch);
                    black_box(cluster)
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
