#!/usr/bin/env bash
# Issue 14, workshops on demand: what a start, an idle loaded workshop and a
# first use cost, against the real binary on 127.0.0.1:18091 with a RocksDB
# journal in a temporary folder.
#   bench/run-on-demand.sh [build dir, default build/release] [workshops, default 10000] [events, default 100000]
# 1. creates <workshops> workshops (REST), stops, and times a restart to
#    /readyz 200 and its RSS with none loaded;
# 2. loads 200 of them (one REST call each) and reports the RSS added per
#    loaded idle workshop;
# 3. fills one more workshop with <events> edits (werkstatt-bench), restarts,
#    and times its first use (GET /api/workshops/{id}, which loads it) and a
#    second one (loaded).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
count=${2:-10000}
events=${3:-100000}
server=$build/server/app/werkstatt
bench=$build/bench/werkstatt-bench
port=18091
data=$(mktemp -d /tmp/werkstatt-on-demand-XXXXXX)
pid=
start() {
  "$server" serve --port $port --data "$data" --journal rocksdb --no-demo --log-level warn --threads 2 \
    --idle-unload 3600 --ops-per-second 100000 --ops-burst 100000 \
    --max-connections-per-ip 5000 --max-connections-per-workshop 5000 >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 600); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && return; sleep 0.05; done
  echo "server did not become ready" >&2; exit 1
}
stop() { kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; }
rss_kib() { awk '/^VmRSS/ {print $2}' /proc/"$pid"/status; }
ms() { date +%s%3N; }
trap 'kill -TERM $pid 2>/dev/null || true; rm -rf "$data"' EXIT

start
ids=()
t0=$(ms)
for i in $(seq "$count"); do
  ids+=("$(curl -sf -X POST http://127.0.0.1:$port/api/workshops -H 'Content-Type: application/json' -d "{\"title\":\"W$i\"}" | sed -E 's/.*"id":"([^"]+)".*/\1/')")
done
echo "created $count workshops in $(( $(ms) - t0 )) ms"
stop

t0=$(ms); start; t1=$(ms)
echo "restart with $count stored workshops: ready after $(( t1 - t0 )) ms, RSS $(rss_kib) KiB, loaded: $(curl -sf http://127.0.0.1:$port/metrics | awk '/^werkstatt_workshops_loaded/ {print $2}')"
before=$(rss_kib)
for i in $(seq 0 199); do curl -sf -o /dev/null "http://127.0.0.1:$port/api/workshops/${ids[$i]}"; done
after=$(rss_kib)
echo "200 loaded idle workshops: RSS +$(( after - before )) KiB = $(( (after - before) / 200 )) KiB each, loaded: $(curl -sf http://127.0.0.1:$port/metrics | awk '/^werkstatt_workshops_loaded/ {print $2}')"

made=$(curl -sf -X POST http://127.0.0.1:$port/api/workshops -H 'Content-Type: application/json' -d '{"title":"large"}')
id=$(sed -E 's/.*"id":"([^"]+)".*/\1/' <<<"$made"); code=$(sed -E 's/.*"join_code":"([^"]+)".*/\1/' <<<"$made")
"$bench" --url ws://127.0.0.1:$port/ws --workshop "$id" --code "$code" \
  --clients 2 --editors 1 --rate 2000 --seconds $(( events / 2000 + 1 )) --warmup 0 >/dev/null || true
head=$(curl -sf http://127.0.0.1:$port/api/workshops/$id | sed -E 's/.*"head_seq":([0-9]+).*/\1/')
stop
start
t0=$(ms); curl -sf -o /dev/null "http://127.0.0.1:$port/api/workshops/$id"; t1=$(ms)
curl -sf -o /dev/null "http://127.0.0.1:$port/api/workshops/$id"; t2=$(ms)
echo "workshop with $head events, not loaded: first use $(( t1 - t0 )) ms (loads it), second $(( t2 - t1 )) ms"
stop
