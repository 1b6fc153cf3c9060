#!/usr/bin/env bash
# Issue 14, replay cache: five JSON exports in a row of one workshop filled
# with ~<events> edits, on one build (bench/RESULTS.md, "Replay cache").
#   bench/run-export-repeat.sh <build dir> [events, default 20000] [port, default 18092]
set -euo pipefail
build=$1; events=${2:-20000}; port=${3:-18092}
data=$(mktemp -d /tmp/export-ab-XXXXXX)
$build/server/app/werkstatt serve --port $port --data "$data" --journal rocksdb --no-demo --log-level warn --threads 2 \
  --ops-per-second 100000 --ops-burst 100000 >/dev/null 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 200); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; sleep 0.05; done
made=$(curl -sf -X POST http://127.0.0.1:$port/api/workshops -H 'Content-Type: application/json' -d '{"title":"large"}')
id=$(sed -E 's/.*"id":"([^"]+)".*/\1/' <<<"$made"); code=$(sed -E 's/.*"join_code":"([^"]+)".*/\1/' <<<"$made"); token=$(sed -E 's/.*"facilitator_token":"([^"]+)".*/\1/' <<<"$made")
$build/bench/werkstatt-bench --url ws://127.0.0.1:$port/ws --workshop "$id" --code "$code" --clients 2 --editors 1 --rate 2000 --seconds $(( events / 2000 + 1 )) --warmup 0 >/dev/null || true
head=$(curl -sf http://127.0.0.1:$port/api/workshops/$id | sed -E 's/.*"head_seq":([0-9]+).*/\1/')
url="http://127.0.0.1:$port/api/workshops/$id/export?format=json&t=$token"
out="head_seq $head:"
for i in 1 2 3 4 5; do t0=$(date +%s%N); curl -sf -o /dev/null "$url"; t1=$(date +%s%N); out="$out $(( (t1 - t0) / 1000000 ))"; done
echo "$out ms"
