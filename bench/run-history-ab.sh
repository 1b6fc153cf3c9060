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
#   burn     control: no history work, a busy loop under SCHED_IDLE on the
#            server's CPU (what any idle-priority load on that core costs the
#            live path on this machine, whatever it computes)
# Each run also reports the server CPU's steal time (the hypervisor running
# something else on it: time no scheduling inside the guest can give back).
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
port=18090
. bench/history-common.sh
pin_cpus
data=$(mktemp -d /tmp/werkstatt-history-ab-XXXXXX)
log=$(mktemp /tmp/werkstatt-history-ab-XXXXXX.log)
start_server $port "$data"
loop=
trap '[ -n "$loop" ] && kill $loop 2>/dev/null; kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data" "$log"' EXIT
echo "filling a workshop with ~$events events"
start=$(date +%s)
fill_workshop $port "$events"
echo "head_seq $head after $(( $(date +%s) - start )) s"
ms() { local t0 t1; t0=$(date +%s%N); curl -sf -o /dev/null "$1"; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
echo "one export at an earlier seq (a full replay): $(ms "$export_url&seq=$(( head / 2 ))") ms"
echo "one export at the head: first $(ms "$export_url") ms, again $(ms "$export_url") ms (cached)"

# Waits until the server is idle again (a replay still running from the last loop would count against A).
settle() {
  for _ in $(seq 60); do
    local a b; a=$(awk '{print $14 + $15}' /proc/$pid/stat); sleep 0.5; b=$(awk '{print $14 + $15}' /proc/$pid/stat)
    if (( b - a <= 2 )); then return 0; fi
  done
  echo "the server did not settle; measuring anyway" >&2
}
burn_loop() { taskset -c "$server_cpu" chrt -i 0 sh -c 'while :; do :; done' & loop=$!; }
steal_ms() { local c=cpu$server_cpu; [[ $server_cpu == *-* ]] && c=cpu; awk -v c="$c" '$1 == c {print $9 * 10}' /proc/stat; }
run() {  # run <kind> [loop function]
  settle
  echo "### round $round $1"
  if [ -n "${2:-}" ]; then $2; sleep 1; fi
  local s0; s0=$(steal_ms)
  live $port 10 | tee -a "$log" | sed "s/^/  /"
  echo "    steal on the server CPU  $(( $(steal_ms) - s0 )) ms"
  if [ -n "${2:-}" ]; then kill $loop 2>/dev/null || true; wait $loop 2>/dev/null || true; loop=; fi
  echo "$1 $(grep 'latency to all others' "$log" | tail -1 | sed -E 's/.*p99 ([0-9.]+) ms.*/\1/')" >> "$log.p99"
}
for round in $(seq "$rounds"); do
  run A
  run export export_loop
  run replay replay_loop
  run burn burn_loop
done
echo "### summary: p99 to all others (ms), $rounds rounds, median and ratio to A"
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
a=$(awk '$1=="A"{print $2}' "$log.p99" | median)
for kind in A export replay burn; do
  values=$(awk -v k=$kind '$1==k{printf "%s ", $2}' "$log.p99")
  m=$(awk -v k=$kind '$1==k{print $2}' "$log.p99" | median)
  printf "%-7s %s  median %s  ratio %.2f\n" "$kind" "$values" "$m" "$(awk -v m="$m" -v a="$a" 'BEGIN{print m / a}')"
done
rm -f "$log.p99"
