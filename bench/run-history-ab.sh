#!/usr/bin/env bash
# A/B: live fan-out in one workshop with and without a concurrent history
# loop on another, large workshop (bench/RESULTS.md, "History off the live path").
#   bench/run-history-ab.sh [build dir, default build/release] [events, default 100000] [rounds, default 5]
#
# One server (RocksDB journal in a temporary folder, --threads 1 so that any
# history work on the I/O thread would show), a workshop filled with
# <events> edits by werkstatt-bench, then <rounds> rounds of three runs of
# the live scenario (werkstatt-bench in a fresh workshop, 50 clients):
#   A        nothing else
#   export   a keep-alive curl downloads the large workshop's JSON export
#            back to back (same head: served from the replay cache)
#   replay   a keep-alive curl asks exports at random earlier seqs (every
#            request a cache miss: a replay of the whole workshop)
# The server is pinned to the last CPU and every load generator to the
# others, as in a deployment where the clients are other machines: what is
# compared is what the server's history work does to its live path, not
# how curl and the bench share cores with it. Everything runs under
# nice -n 15 (the machine is shared). The summary gives the median p99 of
# each kind and its ratio to A's.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
events=${2:-100000}
rounds=${3:-5}
server=$build/server/app/werkstatt
bench=$build/bench/werkstatt-bench
port=18090
cpus=$(nproc)
if (( cpus < 2 )); then echo "needs two CPUs (server on one, load on the others)" >&2; exit 1; fi
server_cpu=$(( cpus - 1 )); load_cpus=0-$(( cpus - 2 ))
data=$(mktemp -d /tmp/werkstatt-history-ab-XXXXXX)
log=$(mktemp /tmp/werkstatt-history-ab-XXXXXX.log)
taskset -c $server_cpu nice -n 15 "$server" serve --port $port --data "$data" --no-demo --log-level warn --threads 1 \
  --ops-per-second 100000 --ops-burst 100000 \
  --max-connections-per-ip 5000 --max-connections-per-workshop 5000 >/dev/null 2>&1 &
pid=$!
loop=
trap '[ -n "$loop" ] && kill $loop 2>/dev/null; kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data" "$log"' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; sleep 0.1; done
load() { taskset -c $load_cpus nice -n 15 "$@"; }

created=$(curl -sf -X POST http://127.0.0.1:$port/api/workshops -H 'Content-Type: application/json' -d '{"title":"large"}')
field() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\1/" <<<"$created"; }
id=$(field id); code=$(field join_code); token=$(field facilitator_token)
echo "filling workshop $id with ~$events events"
start=$(date +%s)
# One run: a second werkstatt-bench run would join as new participants whose
# edits of the first run's notes are refused (NOT_PERMITTED).
load "$bench" --url ws://127.0.0.1:$port/ws --workshop "$id" --code "$code" \
  --clients 2 --editors 1 --rate 2000 --seconds $(( events / 2000 + 1 )) --warmup 0 >/dev/null || true
head=$(curl -sf http://127.0.0.1:$port/api/workshops/$id | sed -E 's/.*"head_seq":([0-9]+).*/\1/')
echo "head_seq $head after $(( $(date +%s) - start )) s"
export_url="http://127.0.0.1:$port/api/workshops/$id/export?format=json&t=$token"
ms() { local t0 t1; t0=$(date +%s%N); curl -sf -o /dev/null "$1"; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
echo "one export at an earlier seq (a full replay): $(ms "$export_url&seq=$(( head / 2 ))") ms"
echo "one export at the head: first $(ms "$export_url") ms, again $(ms "$export_url") ms (cached)"

# A loop runs curl in the background and waits for it, so that stopping the
# loop (TERM) stops its curl too.
export_loop() {
  (
    trap 'kill $curl 2>/dev/null; exit 0' TERM
    while :; do
      a=(); for _ in $(seq 200); do a+=("$export_url"); done
      load curl -s "${a[@]}" >/dev/null & curl=$!; wait $curl || true
    done
  ) &
  loop=$!
}
replay_loop() {
  (
    trap 'kill $curl 2>/dev/null; exit 0' TERM
    while :; do
      a=(); for _ in $(seq 20); do a+=("$export_url&seq=$(( RANDOM * 32768 % head + 1 ))"); done
      load curl -s "${a[@]}" >/dev/null & curl=$!; wait $curl || true
    done
  ) &
  loop=$!
}
# Waits until the server is idle again (a replay still running from the last loop would count against A).
settle() {
  for _ in $(seq 60); do
    local a b; a=$(awk '{print $14 + $15}' /proc/$pid/stat); sleep 0.5; b=$(awk '{print $14 + $15}' /proc/$pid/stat)
    if (( b - a <= 2 )); then return 0; fi
  done
  echo "the server did not settle; measuring anyway" >&2
}
live() {  # the live scenario, in a fresh workshop each time
  load "$bench" --url ws://127.0.0.1:$port/ws --clients 50 --editors 10 --rate 50 --seconds 10 \
    --server-pid $pid | grep -E "latency to all others|deliveries|  server " || true
}
run() {  # run <kind> [loop function]
  settle
  echo "### round $round $1"
  if [ -n "${2:-}" ]; then
    $2; sleep 1
    live | tee -a "$log" | sed "s/^/  /"
    kill $loop 2>/dev/null || true; wait $loop 2>/dev/null || true; loop=
  else
    live | tee -a "$log" | sed "s/^/  /"
  fi
  echo "$1 $(grep 'latency to all others' "$log" | tail -1 | sed -E 's/.*p99 ([0-9.]+) ms.*/\1/')" >> "$log.p99"
}
for round in $(seq "$rounds"); do
  run A
  run export export_loop
  run replay replay_loop
done
echo "### summary: p99 to all others (ms), $rounds rounds, median and ratio to A"
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
a=$(awk '$1=="A"{print $2}' "$log.p99" | median)
for kind in A export replay; do
  values=$(awk -v k=$kind '$1==k{printf "%s ", $2}' "$log.p99")
  m=$(awk -v k=$kind '$1==k{print $2}' "$log.p99" | median)
  printf "%-7s %s  median %s  ratio %.2f\n" "$kind" "$values" "$m" "$(awk -v m="$m" -v a="$a" 'BEGIN{print m / a}')"
done
rm -f "$log.p99"
