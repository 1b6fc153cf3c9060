#!/usr/bin/env bash
# Installs what is missing, builds every target and runs every test, ending
# with CTest's summary of the dev build:
#   1. the libFuzzer targets (preset fuzz), each for WERKSTATT_FUZZ_SECONDS (20) from its seed corpus;
#   2. the dev build: C++ tests, smoke tests on the real binary, client unit tests and
#      browser end-to-end tests — all registered with CTest (arguments go to this ctest).
# Any stage that fails ends the run with a non-zero status. WERKSTATT_QUICK=1
# skips stage 1 (for iterating; CI always runs it).
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
stage() { echo "== test.sh: $* ($(date -u +%H:%M:%S))"; }
if [[ "${WERKSTATT_QUICK:-0}" != 1 ]]; then
  stage "fuzz targets"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz
  tests/fuzz/run.sh "${WERKSTATT_FUZZ_SECONDS:-20}" build/fuzz
fi
stage "dev build and tests"
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev "$@"
