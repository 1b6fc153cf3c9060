#!/usr/bin/env bash
# Runs the werkstatt-bench scenarios of bench/RESULTS.md, each against a fresh
# release server (durable RocksDB journal in a temporary folder, limits
# raised for load; everything else default) on 127.0.0.1:18080.
#   bench/run-live-scenarios.sh [build dir, default build/release]
#   JOURNAL=memory bench/run-live-scenarios.sh   (the in-memory journal, for comparison)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
server=$build/server/app/werkstatt
bench=$build/bench/werkstatt-bench
port=18080
journal=${JOURNAL:-rocksdb}

run() {  # run <label> <bench args...>
  local label=$1; shift
  local data; data=$(mktemp -d /tmp/werkstatt-bench-XXXXXX)
  "$server" serve --port $port --data "$data" --journal "$journal" --no-demo --log-level warn \
    --ops-per-second 100000 --ops-burst 100000 \
    --max-connections-per-ip 5000 --max-connections-per-workshop 5000 >/dev/null &
  local pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
  echo "### $label"
  echo "\$ werkstatt-bench --url ws://127.0.0.1:$port/ws $* --server-pid <pid>"
  "$bench" --url ws://127.0.0.1:$port/ws "$@" --server-pid $pid || echo "(werkstatt-bench exited with $?)"
  kill -TERM $pid; wait $pid || true
  rm -rf "$data"
  echo
}

run "N=50, M=10, R=50"       --clients 50   --editors 10  --rate 50  --seconds 10
run "N=200, M=40, R=100"     --clients 200  --editors 40  --rate 100 --seconds 10
run "N=200, M=40, R=600"     --clients 200  --editors 40  --rate 600 --seconds 10
run "N=1000, M=100, R=200"   --clients 1000 --editors 100 --rate 200 --seconds 10
run "saturation, N=200, M=40" --clients 200 --editors 40  --rate 1000 --seconds 5 --saturate --saturate-p99-ms 100
run "backpressure: N=200, M=40, R=600, plus 20 clients that stop reading" \
                              --clients 200  --editors 40  --rate 600 --seconds 10 --slow 20
