#!/usr/bin/env bash
# Install what is missing, then build raftlab in release mode and serve it at
# http://127.0.0.1:8080 with live rebuild on file changes (Ctrl-C stops it).
#
#   bash scripts/serve.sh
#   PORT=9000 bash scripts/serve.sh      (another port)

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/install.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh   # PATH (wasm-opt), TRUNK_OFFLINE, TRUNK_SKIP_VERSION_CHECK

ADDRESS="127.0.0.1"
PORT="${PORT:-8080}"

echo
echo "raftlab: building, then serving at  http://$ADDRESS:$PORT/  (Ctrl-C to stop)"
echo
# --offline is also set by TRUNK_OFFLINE=true; passing it is belt and braces.
exec trunk serve --release --offline --address "$ADDRESS" --port "$PORT" --disable-address-lookup
