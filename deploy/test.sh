#!/usr/bin/env bash
# Installs what is missing, builds every target and runs every test (C++ tests,
# smoke tests on the real binary, client unit tests and browser end-to-end
# tests — all registered with CTest), ending with CTest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh --test
if [[ -f client-web/package.json ]]; then
  (cd client-web && npm ci --no-audit --no-fund --loglevel=error && npm run build)
fi
# The board core must stay pure: no I/O library may reach it.
if grep -rnE '#\s*include\s*[<"](boost|rocksdb|asio|spdlog)' include/werkstatt/board server/board; then
  echo "test.sh: the board core includes an I/O library (see above); keep it std + generated protobuf only" >&2
  exit 1
fi
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev "$@"
