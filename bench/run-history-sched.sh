#!/usr/bin/env bash
# How long the live path's threads wait for the CPU while history runs:
# the scheduling delays of the server's threads during a replay loop
# (bench/RESULTS.md, "History off the live path"). Needs root and perf.
#   bench/run-history-sched.sh [build dir, default build/release] [events, default 100000]
# One server pinned to the last CPU (--threads 1), a workshop of <events>
# edits, then for 8 s: the live scenario of run-history-ab.sh plus a loop of
# exports at random earlier seqs (each a full replay on the pool), with
# `perf sched record` on the server's CPU, summarised by `perf sched timehist`. The threads are named:
# werkstatt (the I/O thread), journal-writer, werkstatt-bg (the pool).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
events=${2:-100000}
command -v perf >/dev/null || { echo "needs perf (Debian: linux-perf)" >&2; exit 1; }
. bench/history-common.sh
pin_cpus
port=18096
data=$(mktemp -d /tmp/werkstatt-history-sched-XXXXXX)
trace=$(mktemp /tmp/werkstatt-history-sched-XXXXXX.data)
start_server $port "$data"
loop=
trap '[ -n "$loop" ] && kill $loop 2>/dev/null; kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$data" "$trace"' EXIT
fill_workshop $port "$events"
echo "head_seq $head; pool threads' policy: $(for t in /proc/$pid/task/*; do
  [ "$(cat "$t/comm")" = werkstatt-bg ] && chrt -p "${t##*/}" | head -1 | sed 's/.*: //'; done | sort -u | paste -sd,)"
replay_loop
sleep 1
perf sched record -C $server_cpu -o "$trace" -- sleep 8 >/dev/null 2>&1 &
recorder=$!
live $port 8 | grep -E "latency to all others" || true
wait $recorder
kill $loop; wait $loop 2>/dev/null || true; loop=
# The scheduling delay of every switch-in (wakeup to running) per thread kind.
# Not `perf sched latency`: it counts from wakeups recorded while the thread
# was still running, so its "delay" can include the thread's next sleep.
perf sched timehist -i "$trace" 2>/dev/null | awk '
  $3 ~ /^(werkstatt|journal-writer|werkstatt-bg)\[/ {
    k = $3; sub(/\[.*/, "", k); d = $5 + 0; n[k]++; s[k] += d; if (d > m[k]) m[k] = d; if (d > 1) over[k]++ }
  END { for (k in n) printf "%-15s %6d switch-ins  sch delay avg %.3f ms  max %.3f ms  over 1 ms: %d\n", k, n[k], s[k] / n[k], m[k], over[k] }' | sort
