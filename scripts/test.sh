#!/usr/bin/env bash
# Install what is missing, then run every check and test of raftlab, in order,
# stopping at the first failure with the name of the step that failed:
#
#    1. rustfmt            cargo fmt --all --check
#    2. clippy (native)    cargo clippy --workspace --all-targets -- -D warnings
#    3. clippy (wasm)      same for the web crate on wasm32-unknown-unknown
#    4. docs               cargo doc -p raft-core --no-deps, warnings as errors (the
#                          public API's documentation, intra-doc links included)
#    5. tests (native)     cargo test --workspace
#    6. tests (browser)    cargo test --target wasm32-unknown-unknown -p web
#                          (headless Chromium via wasm-bindgen-test-runner)
#    7. release build      trunk build --release   -> dist/
#    8. size               wasm+js gzip -9 size of dist/ (fails over budget)
#    9. e2e                Playwright tests of tests/e2e against dist/
#
#   bash scripts/test.sh

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/install.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh   # PATH (wasm-opt, cargo bin), TRUNK_OFFLINE, CHROMEDRIVER, ...

SUMMARY=()

# Colours only on a terminal (CI logs get plain text).
if [ -t 1 ]; then BLUE=$'\033[1;34m' GREEN=$'\033[1;32m' RED=$'\033[1;31m' OFF=$'\033[0m'; else BLUE="" GREEN="" RED="" OFF=""; fi

# step NAME COMMAND...: run COMMAND; on failure, say which step failed and stop.
step() {
    local name="$1"
    shift
    printf '\n%s==> %s%s\n    $ %s\n' "$BLUE" "$name" "$OFF" "$*"
    local start=$SECONDS
    if "$@"; then
        local took=$((SECONDS - start))
        SUMMARY+=("ok     ${took}s  $name")
        printf '%s==> ok: %s (%ss)%s\n' "$GREEN" "$name" "$took" "$OFF"
    else
        local rc=$?
        printf '\n%s==> FAILED: %s (exit code %s)%s\n    command: %s\n' "$RED" "$name" "$rc" "$OFF" "$*" >&2
        for line in "${SUMMARY[@]}"; do printf '    %s\n' "$line" >&2; done
        printf '    FAILED    %s\n' "$name" >&2
        exit "$rc"
    fi
}

step "rustfmt" \
    cargo fmt --all --check
step "clippy (native, whole workspace)" \
    cargo clippy --workspace --all-targets -- -D warnings
step "clippy (wasm32, web)" \
    cargo clippy --target wasm32-unknown-unknown -p web --all-targets -- -D warnings
step "docs (raft-core, warnings as errors)" \
    env RUSTDOCFLAGS="-D warnings" cargo doc -p raft-core --no-deps
step "tests (native, whole workspace)" \
    cargo test --workspace
step "tests (wasm32 in headless Chromium, web)" \
    cargo test --target wasm32-unknown-unknown -p web
step "release build (trunk build --release)" \
    trunk build --release --offline
step "size (wasm+js, gzip -9)" \
    bash scripts/size.sh dist
# Playwright's webServer serves ../../dist itself (see playwright.config.ts).
step "e2e (Playwright, Chromium, against dist/)" \
    bash -c 'cd tests/e2e && npx --no-install playwright test'

printf '\n%sAll checks passed:%s\n' "$GREEN" "$OFF"
for line in "${SUMMARY[@]}"; do printf '    %s\n' "$line"; done
