#!/usr/bin/env bash
# A/B: live fan-out in one workshop with and without a concurrent export loop
# on another, large workshop (bench/RESULTS.md, "History off the live path").
#   bench/run-history-ab.sh [build dir, default build/release] [events, default 100000] [rounds, default 3]
# One server (RocksDB journal in a temporary folder, --threads 1 so that any
# history work on the I/O thread would show), a workshop filled with
# <events> edits by werkstatt-bench, then <rounds> alternating pairs of
#   A: werkstatt-bench in a fresh workshop, nothing else
#   B: the same while curl downloads the large workshop's JSON export in a loop
# Everything runs under nice -n 15 (the machine is shared).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
events=${2:-100000}
rounds=${3:-3}
server=$build/server/app/werkstatt
bench=$build/bench/werkstatt-bench
port=18090
data=$(mktemp -d /tmp/werkstatt-history-ab-XXXXXX)
nice -n 15 "$server" serve --port $port --data "$data" --no-demo --log-level warn --threads 1 \
  --ops-per-second 100000 --ops-burst 100000 \
  --max-connections-per-ip 5000 --max-connections-per-workshop 5000 >/dev/null &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; sleep 0.1; done

created=$(curl -sf -X POST http://127.0.0.1:$port/api/workshops -H 'Content-Type: application/json' -d '{"title":"large"}')
field() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\1/" <<<"$created"; }
id=$(field id); code=$(field join_code); token=$(field facilitator_token)
echo "filling workshop $id with ~$events events"
start=$(date +%s)
# One run: a second werkstatt-bench run would join as new participants whose
# edits of the first run's notes are refused (NOT_PERMITTED).
nice -n 15 "$bench" --url ws://127.0.0.1:$port/ws --workshop "$id" --code "$code" \
  --clients 2 --editors 1 --rate 2000 --seconds $(( events / 2000 + 1 )) --warmup 0 >/dev/null || true
head=$(curl -sf http://127.0.0.1:$port/api/workshops/$id | sed -E 's/.*"head_seq":([0-9]+).*/\1/')
echo "head_seq $head after $(( $(date +%s) - start )) s"
export_url="http://127.0.0.1:$port/api/workshops/$id/export?format=json&t=$token"
bytes=$(curl -sf "$export_url" | wc -c)
t0=$(date +%s%N); curl -sf -o /dev/null "$export_url"; t1=$(date +%s%N)
echo "one export: $bytes bytes in $(( (t1 - t0) / 1000000 )) ms"

live() {  # the live scenario, in a fresh workshop each time
  nice -n 15 "$bench" --url ws://127.0.0.1:$port/ws --clients 50 --editors 10 --rate 50 --seconds 10 \
    --server-pid $pid | grep -E "latency|deliveries|  server " || true
}
for round in $(seq "$rounds"); do
  echo "### round $round A: no export"
  live
  echo "### round $round B: export loop"
  ( while :; do curl -sf -o /dev/null "$export_url" || true; done ) &
  loop=$!
  live
  kill $loop; wait $loop 2>/dev/null || true
done
