#!/usr/bin/env bash
# Install everything raftlab needs to build, serve and test, on a Debian 12
# machine that has rustup, Node and npm. Safe to run again and again: each step
# checks first and skips what is already there.
#
#   1. the Rust toolchain of rust-toolchain.toml, with clippy, rustfmt and the
#      wasm32-unknown-unknown target;
#   2. Trunk 0.21.14 (0.22.x needs a newer rustc than 1.95);
#   3. wasm-bindgen-cli at exactly the `wasm-bindgen` version of Cargo.lock
#      (a mismatch makes Trunk try a download, which fails here). It also
#      provides wasm-bindgen-test-runner;
#   4. Debian's chromium and chromium-driver (browser tests), plus python3
#      (static server for Playwright) and a C compiler if missing;
#   5. the npm packages of tests/e2e: Playwright (without its browser
#      download), binaryen, whose wasm-opt Trunk uses, and axe-core (the
#      accessibility check of a11y.spec.ts);
#   6. every crate of Cargo.lock (`cargo fetch`), since Trunk then builds
#      with `cargo --offline`.
#
# It changes nothing in your shell; scripts/env.sh sets up PATH and friends.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TRUNK_VERSION="0.21.14"
WASM_TARGET="wasm32-unknown-unknown"
E2E_DIR="$ROOT/tests/e2e"

log() { printf '[install] %s\n' "$*"; }
die() { printf '[install] ERROR: %s\n' "$*" >&2; exit 1; }

# cargo-installed binaries live here; make sure this script sees them.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# apt-get needs root: use sudo only when we are not root already.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot run apt-get"
    SUDO="sudo"
fi

# --- prerequisites that we do not install ----------------------------------
for tool in rustup cargo node npm; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found on PATH (install rustup and Node/npm first)"
done

# --- 1. Rust toolchain, components and wasm target --------------------------
CHANNEL="$(sed -n 's/^[[:space:]]*channel[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' rust-toolchain.toml)"
[ -n "$CHANNEL" ] || die "could not read the toolchain channel from rust-toolchain.toml"

# (Lists are captured before grep: with pipefail, `cmd | grep -q` can fail
# spuriously when grep exits early and cmd gets SIGPIPE.)
if ! grep -q "^$CHANNEL" <<<"$(rustup toolchain list)"; then
    log "installing Rust toolchain $CHANNEL"
    rustup toolchain install "$CHANNEL" --profile minimal \
        --component clippy --component rustfmt --target "$WASM_TARGET"
fi
for component in clippy rustfmt; do
    if ! grep -q "^$component" <<<"$(rustup component list --installed --toolchain "$CHANNEL")"; then
        log "adding component $component to $CHANNEL"
        rustup component add --toolchain "$CHANNEL" "$component"
    fi
done
if ! grep -qx "$WASM_TARGET" <<<"$(rustup target list --installed --toolchain "$CHANNEL")"; then
    log "adding target $WASM_TARGET to $CHANNEL"
    rustup target add --toolchain "$CHANNEL" "$WASM_TARGET"
fi
log "Rust $CHANNEL with clippy, rustfmt and $WASM_TARGET: ok"

# --- 2. Trunk ---------------------------------------------------------------
# cargo install runs here, in the repository, so it builds with $CHANNEL.
if [ "$(trunk --version 2>/dev/null || true)" = "trunk $TRUNK_VERSION" ]; then
    log "trunk $TRUNK_VERSION: ok"
else
    log "installing trunk $TRUNK_VERSION (about 6-7 minutes on 2 cores)"
    cargo install trunk --locked --version "$TRUNK_VERSION"
fi

# --- 3. wasm-bindgen-cli, same version as Cargo.lock ------------------------
if [ ! -f Cargo.lock ]; then
    log "no Cargo.lock: generating it"
    cargo generate-lockfile
fi
# The version line that follows `name = "wasm-bindgen"` in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '
    /^name = "wasm-bindgen"$/ { found = 1; next }
    found && /^version = / { gsub(/"/, "", $3); print $3; exit }
    /^\[\[package\]\]/ { found = 0 }
' Cargo.lock)"
[ -n "$WASM_BINDGEN_VERSION" ] || die "no wasm-bindgen package in Cargo.lock"

if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ] \
    && command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
    log "wasm-bindgen-cli $WASM_BINDGEN_VERSION: ok"
else
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
    # No --locked: the CLI's own lockfile pins a webpki-roots release that our
    # registry does not carry.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# --- 4. Debian packages -------------------------------------------------------
APT_PACKAGES=()
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    APT_PACKAGES+=(chromium chromium-driver)
fi
command -v python3 >/dev/null 2>&1 || APT_PACKAGES+=(python3)
command -v cc >/dev/null 2>&1 || APT_PACKAGES+=(build-essential)
command -v gzip >/dev/null 2>&1 || APT_PACKAGES+=(gzip)
if [ "${#APT_PACKAGES[@]}" -gt 0 ]; then
    log "installing Debian packages: ${APT_PACKAGES[*]}"
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${APT_PACKAGES[@]}"
else
    log "chromium, chromedriver, python3, cc, gzip: ok"
fi

# --- 5. npm packages of tests/e2e (Playwright, binaryen, axe-core) ------------
# Never let Playwright download a browser: it uses /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
STAMP="$E2E_DIR/node_modules/.raftlab-install-stamp"
if [ -f "$E2E_DIR/package-lock.json" ]; then
    WANT_STAMP="$(cat "$E2E_DIR/package.json" "$E2E_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)"
else
    WANT_STAMP="no-lockfile"
fi
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT_STAMP" ] \
    && [ -x "$E2E_DIR/node_modules/.bin/wasm-opt" ] \
    && [ -x "$E2E_DIR/node_modules/.bin/playwright" ] \
    && [ -f "$E2E_DIR/node_modules/axe-core/axe.min.js" ]; then
    log "npm packages of tests/e2e: ok"
else
    if [ -f "$E2E_DIR/package-lock.json" ]; then
        log "npm ci in tests/e2e"
        (cd "$E2E_DIR" && npm ci --no-audit --no-fund)
    else
        log "npm install in tests/e2e (no package-lock.json yet)"
        (cd "$E2E_DIR" && npm install --no-audit --no-fund)
        WANT_STAMP="$(cat "$E2E_DIR/package.json" "$E2E_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)"
    fi
    echo "$WANT_STAMP" >"$STAMP"
fi
"$E2E_DIR/node_modules/.bin/wasm-opt" --version >/dev/null \
    || die "tests/e2e/node_modules/.bin/wasm-opt does not run"

# --- 6. crates --------------------------------------------------------------
# Trunk runs in offline mode (scripts/env.sh), which makes it call
# `cargo build --offline`: every crate must already be downloaded.
log "cargo fetch"
cargo fetch --quiet

log "done: trunk $TRUNK_VERSION, wasm-bindgen-cli $WASM_BINDGEN_VERSION, $(/usr/bin/chromium --version 2>/dev/null | tail -n 1), wasm-opt $("$E2E_DIR/node_modules/.bin/wasm-opt" --version | awk '{print $3}')"
