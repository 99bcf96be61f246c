# shellcheck shell=bash
# Environment for building and testing raftlab. SOURCE it, don't run it:
#
#     source scripts/env.sh
#
# scripts/serve.sh and scripts/test.sh source it for you. It only sets
# variables, so sourcing it twice is harmless.

# Repository root, found from this file's own location.
RAFTLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export RAFTLAB_ROOT

# Folder of the Playwright tests; its node_modules also holds npm's `binaryen`.
export RAFTLAB_E2E_DIR="$RAFTLAB_ROOT/tests/e2e"

# Prepend a folder to PATH unless it is already the first entry.
_raftlab_path_prepend() {
    case ":$PATH:" in
        ":$1:"*) ;;
        *) PATH="$1:$PATH" ;;
    esac
}

# cargo-installed tools (trunk, wasm-bindgen, wasm-bindgen-test-runner).
_raftlab_path_prepend "${CARGO_HOME:-$HOME/.cargo}/bin"
# npm's binaryen goes FIRST: Trunk runs the `wasm-opt` it finds on PATH, and
# Debian's binaryen (version 108) cannot read rustc 1.95's wasm output.
_raftlab_path_prepend "$RAFTLAB_E2E_DIR/node_modules/.bin"
export PATH
unset -f _raftlab_path_prepend

# Trunk must never reach the network: no update check, and (Trunk 0.21.14 reads
# TRUNK_OFFLINE as its global --offline flag) any tool download becomes a clear
# error instead of a hang or a silent fetch. Note that offline mode also passes
# `--offline` to cargo, so crates must be fetched beforehand (install.sh runs
# `cargo fetch`).
export TRUNK_SKIP_VERSION_CHECK=true
export TRUNK_OFFLINE=true

# wasm-bindgen-test-runner (browser tests of `web`) drives Debian's Chromium
# through this driver; naming it avoids picking another driver from PATH.
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

# Playwright must never download a browser: we use Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
