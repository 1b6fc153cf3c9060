#!/usr/bin/env bash
# The state at a wall-clock moment (`GET /api/workshops/<id>/state?at=MS`)
# and an event page of a large workshop, asked first after a start (nothing
# cached) and again (bench/RESULTS.md, "The state at a moment").
#   bench/run-state-at.sh [build dir, default build/release] [events, default 100000]
# One server (RocksDB journal in a temporary folder), a workshop filled with
# <events> edits by werkstatt-bench; the server is restarted so that no
# replay is cached, then each request is timed with curl.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
events=${2:-100000}
server=$build/server/app/werkstatt
bench=$build/bench/werkstatt-bench
port=18092
data=$(mktemp -d /tmp/werkstatt-state-at-XXXXXX)
pid=
start_server() {
  nice -n 15 "$server" serve --port $port --data "$data" --no-demo --log-level warn \
    --ops-per-second 100000 --ops-burst 100000 >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && return; sleep 0.1; done
}
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$data"' EXIT
start_server
created=$(curl -sf -X POST http://127.0.0.1:$port/api/workshops -H 'Content-Type: application/json' -d '{"title":"large"}')
field() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\1/" <<<"$created"; }
id=$(field id); code=$(field join_code); token=$(field facilitator_token)
first_ms=$(date +%s%3N)
nice -n 15 "$bench" --url ws://127.0.0.1:$port/ws --workshop "$id" --code "$code" \
  --clients 2 --editors 1 --rate 2000 --seconds $(( events / 2000 + 1 )) --warmup 0 >/dev/null || true
last_ms=$(date +%s%3N)
kill -TERM $pid; wait $pid 2>/dev/null || true
start_server
base="http://127.0.0.1:$port/api/workshops/$id"
auth="Authorization: Bearer $token"
head=$(curl -sf "$base" | sed -E 's/.*"head_seq":([0-9]+).*/\1/')
echo "head_seq $head, server restarted (nothing cached)"
ms() { local t0 t1; t0=$(date +%s%N); curl -sf -o /dev/null -H "$auth" "$1"; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
middle=$(( (first_ms + last_ms) / 2 ))
echo "state?at=<middle of the session>: first $(ms "$base/state?at=$middle") ms, again $(ms "$base/state?at=$middle") ms"
echo "state?at=<a quarter in>:          first $(ms "$base/state?at=$(( first_ms + (last_ms - first_ms) / 4 ))") ms"
echo "events?from=<middle>&limit=1000:  first $(ms "$base/events?from=$(( head / 2 ))&limit=1000") ms, next page $(ms "$base/events?from=$(( head / 2 + 1000 ))&limit=1000") ms"
