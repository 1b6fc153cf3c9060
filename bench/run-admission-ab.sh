#!/usr/bin/env bash
# Issue 13: does admission cost the fan-out path anything? One sitting,
# interleaved A/B rounds, each against a fresh server (RocksDB journal in a
# temporary folder, limits raised for load, --trusted-proxy 127.0.0.1) on
# 127.0.0.1:18090:
#   A  every participant joins from one address (one admission key)
#   B  every participant names its own address in X-Forwarded-For (one
#      admission key per participant, through the trusted-proxy path)
# Admission runs on the Hello path only (websocket_session.cpp), never per
# op, so fan-out should not differ; join latency shows what a join costs.
# Then werkstatt-admission-bench times the admission checks of one join.
#   bench/run-admission-ab.sh [build dir, default build/release] [rounds, default 3]
#   RATE=100 bench/run-admission-ab.sh build/dev   (a Debug build: a rate it keeps up with)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
rounds=${2:-3}
server=$build/server/app/werkstatt
bench=$build/bench/werkstatt-bench
port=18090
token=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
args=(--clients 200 --editors 40 --rate "${RATE:-600}" --seconds 10)

run() {  # run <label> <extra bench args...>
  local label=$1; shift
  local data; data=$(mktemp -d /tmp/werkstatt-bench-XXXXXX)
  # Through a trusted proxy nothing is "loopback": the workshop is made
  # with the admin token (from the environment), as behind HAProxy.
  WERKSTATT_ADMIN_TOKEN=$token "$server" serve --port $port --data "$data" --journal rocksdb --no-demo --log-level warn \
    --trusted-proxy 127.0.0.1 --ops-per-second 100000 --ops-burst 100000 \
    --max-connections-per-ip 5000 --max-connections-per-workshop 5000 >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
  local made id code
  made=$(curl -sf -X POST http://127.0.0.1:$port/api/workshops -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $token" -d '{"template":"blank","title":"bench"}')
  id=$(sed -E 's/.*"id":"([^"]+)".*/\1/' <<<"$made")
  code=$(sed -E 's/.*"join_code":"([^"]+)".*/\1/' <<<"$made")
  echo "### $label"
  echo "\$ werkstatt-bench --url ws://127.0.0.1:$port/ws --workshop <id> --code <code> ${args[*]} $* --server-pid <pid>"
  "$bench" --url ws://127.0.0.1:$port/ws --workshop "$id" --code "$code" "${args[@]}" "$@" --server-pid $pid ||
    echo "(werkstatt-bench exited with $?)"
  kill -TERM $pid; wait $pid || true
  rm -rf "$data"
  echo
}

for r in $(seq "$rounds"); do
  run "round $r A: one address"
  run "round $r B: one X-Forwarded-For address per participant" --forwarded-for
done
echo "### admission checks per join, in process"
"$build/bench/werkstatt-admission-bench" --addresses 1000 --joins 1000000 --workshops 10
