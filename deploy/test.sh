#!/usr/bin/env bash
# Installs what is missing, builds every target and runs every test:
#   1. the libFuzzer targets (preset fuzz), each for WERKSTATT_FUZZ_SECONDS (20) from its seed corpus;
#   2. the asan build (ASan + UBSan, warnings as errors): every CTest test — C++
#      tests, smoke tests on the real binary, the package, client unit tests and
#      browser end-to-end tests against the instrumented server;
# Arguments go to that ctest. Any stage that fails ends the run with a
# non-zero status. WERKSTATT_QUICK=1 skips stage 1 and runs stage 2 on the
# dev build (for iterating; CI always runs both). The tsan preset is not a
# stage yet: its run reports races still to be sorted out (docs/DESIGN.md).
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
if [[ "${WERKSTATT_QUICK:-0}" == 1 ]]; then
  stage "dev build and tests"
  cmake --preset dev >/dev/null
  cmake --build --preset dev
  exec ctest --preset dev "$@"
fi
stage "asan build and every test"
cmake --preset asan >/dev/null
cmake --build --preset asan
exec ctest --preset asan "$@"
