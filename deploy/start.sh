#!/usr/bin/env bash
# Installs what is missing, builds Release and starts the server.
# Arguments are passed on to `werkstatt serve` (see `werkstatt serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
if [[ -f client-web/package.json ]]; then
  (cd client-web && npm ci --no-audit --no-fund --loglevel=error && npm run build)
fi
cmake --preset release >/dev/null
cmake --build --preset release --target werkstatt  # the server only: tests and benches are for deploy/test.sh
exec build/release/server/app/werkstatt serve "$@"
