#!/usr/bin/env bash
# Print the download size of the built app: every .wasm and .js file of dist/
# compressed with `gzip -9`, per file and in total, in KB (1 KB = 1024 bytes).
# Fails if dist/ has no wasm, or if the total exceeds the budget.
#
#   bash scripts/size.sh [DIST_DIR]        (default: dist)
#   SIZE_BUDGET_KB=250 bash scripts/size.sh   (default budget: 200 KB)
#
# The target is 200 KB (issue 8, BENCHMARKS.md), and the budget is the target itself. The app
# is 196.9 KB with membership changes and snapshots (which added about 18 KB, won back by
# replacing more B-trees with sorted vectors): CI fails the moment the target is lost.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${1:-$ROOT/dist}"
BUDGET_KB="${SIZE_BUDGET_KB:-200}"

[ -d "$DIST" ] || { echo "size: no $DIST folder (run trunk build --release first)" >&2; exit 1; }

mapfile -t FILES < <(find "$DIST" -type f \( -name '*.wasm' -o -name '*.js' \) | sort)
if ! printf '%s\n' "${FILES[@]}" | grep -q '\.wasm$'; then
    echo "size: no .wasm file in $DIST" >&2
    exit 1
fi

total=0
for f in "${FILES[@]}"; do
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    total=$((total + gz))
    awk -v n="${f#"$DIST"/}" -v r="$raw" -v g="$gz" \
        'BEGIN { printf "size: %-45s %8.1f KB raw %8.1f KB gzip -9\n", n, r / 1024, g / 1024 }'
done

awk -v t="$total" -v b="$BUDGET_KB" \
    'BEGIN { printf "size: TOTAL wasm+js gzip -9 = %.1f KB (budget %d KB)\n", t / 1024, b }'
if [ "$total" -gt $((BUDGET_KB * 1024)) ]; then
    echo "size: FAILED: over the ${BUDGET_KB} KB budget" >&2
    exit 1
fi
