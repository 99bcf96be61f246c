#!/usr/bin/env bash
# Run every benchmark of issue 8 and print each figure next to its target:
#
#    1. release build of the app (trunk build --release) -> dist/
#    2. criterion benches (cargo bench -p raftlab-bench): core throughput of raftlab and
#       raft-rs 0.7 at batch sizes 1 and 64 (N = 20 000 per sample), simulator speed
#    3. one-shot figures at full size (N = 200 000 entries; one virtual hour)
#    4. browser figures in headless Chromium (scripts/bench-browser.mjs): simulator speed in
#       wasm, frame budget with 9 nodes, first frame, size, memory after a virtual hour;
#       then the table of every figure with its target
#
#   bash scripts/bench.sh
#   BENCH_SKIP_CRITERION=1 bash scripts/bench.sh   (skip step 2, about 2 minutes less)
#   RAFTLAB_BENCH_PORT=4500 bash scripts/bench.sh  (static server port, default 4392)
#
# Benchmarks time wall clock: run them on an otherwise idle machine (the table ends with the
# load average). See BENCHMARKS.md for the latest figures and what they mean.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/install.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

printf '\n==> release build (trunk build --release)\n'
trunk build --release --offline

if [ "${BENCH_SKIP_CRITERION:-0}" != "1" ]; then
    printf '\n==> criterion (cargo bench -p raftlab-bench)\n'
    cargo bench -p raftlab-bench --benches
fi

printf '\n==> one-shot figures (N = 200 000 entries, one virtual hour)\n'
cargo run --quiet --profile bench -p raftlab-bench --bin figures | tee "$OUT/figures.txt"

printf '\n==> browser figures (headless Chromium)\n'
FIGURES="$OUT/figures.txt" node scripts/bench-browser.mjs
