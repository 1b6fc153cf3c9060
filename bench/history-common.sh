# Shared by run-history-ab.sh and run-history-sched.sh (sourced, not run):
# a server pinned to the last CPU, load generators on the others, a large
# workshop, and the history loops. Expects $build; sets the variables named.

# server_cpu, load_cpus: the server gets the last CPU, the load the rest.
# PIN=none leaves every process on every CPU (as in the issue's first measurement).
pin_cpus() {
  local cpus; cpus=$(nproc)
  if [ "${PIN:-split}" = none ]; then server_cpu=0-$(( cpus - 1 )); load_cpus=$server_cpu; return; fi
  if (( cpus < 2 )); then echo "needs two CPUs (server on one, load on the others)" >&2; exit 1; fi
  server_cpu=$(( cpus - 1 )); load_cpus=0-$(( cpus - 2 ))
}
# A command on the load CPUs, niced (the machine is shared).
load() { taskset -c "$load_cpus" nice -n 15 "$@"; }
# The history loop's client on the load CPUs under SCHED_IDLE (HISTORY_CLIENT=nice keeps it
# at nice 15 beside werkstatt-bench): its curl receiving megabytes of export must not delay
# the bench's own receive timestamps, since the clients that fetch exports are other machines.
history_client() {
  if [ "${HISTORY_CLIENT:-idle}" = idle ]; then taskset -c "$load_cpus" chrt -i 0 "$@"; else load "$@"; fi
}
# start_server <port> <data dir>: sets pid; one I/O thread, so history work on it would show.
start_server() {
  taskset -c "$server_cpu" nice -n 15 "$build/server/app/werkstatt" serve --port "$1" --data "$2" --no-demo \
    --log-level warn --threads 1 --ops-per-second 100000 --ops-burst 100000 \
    --max-connections-per-ip 5000 --max-connections-per-workshop 5000 >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return; sleep 0.1; done
}
# fill_workshop <port> <events>: a new workshop with ~<events> edits; sets id, token, head, export_url.
fill_workshop() {
  local created code
  created=$(curl -sf -X POST "http://127.0.0.1:$1/api/workshops" -H 'Content-Type: application/json' -d '{"title":"large"}')
  field() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\1/" <<<"$created"; }
  id=$(field id); code=$(field join_code); token=$(field facilitator_token)
  # One run: a second werkstatt-bench run would join as new participants whose
  # edits of the first run's notes are refused (NOT_PERMITTED).
  load "$build/bench/werkstatt-bench" --url "ws://127.0.0.1:$1/ws" --workshop "$id" --code "$code" \
    --clients 2 --editors 1 --rate 2000 --seconds $(( $2 / 2000 + 1 )) --warmup 0 >/dev/null || true
  head=$(curl -sf "http://127.0.0.1:$1/api/workshops/$id" | sed -E 's/.*"head_seq":([0-9]+).*/\1/')
  export_url="http://127.0.0.1:$1/api/workshops/$id/export?format=json&t=$token"
}
# curl_loop <requests per connection> <url function>: curl in the background,
# again and again, each time with that many URLs on one
# keep-alive connection, each set in $url by the function; sets loop (its pid). The loop waits for its curl,
# so that stopping the loop (TERM) stops its curl too.
curl_loop() {
  (
    trap 'kill $curl 2>/dev/null; exit 0' TERM
    while :; do
      a=(); for _ in $(seq "$1"); do $2; a+=("$url"); done
      history_client curl -s "${a[@]}" >/dev/null & curl=$!; wait $curl || true
    done
  ) &
  loop=$!
}
# export_loop: the export at the head, back to back (the replay cache answers).
export_loop() { curl_loop 200 at_head; }
at_head() { url=$export_url; }
# replay_loop: exports at random earlier seqs, each a cache miss (a replay of the whole workshop).
replay_loop() { curl_loop 20 at_random_seq; }
at_random_seq() { url="$export_url&seq=$(( RANDOM * 32768 % head + 1 ))"; }
# The live scenario, in a fresh workshop each time: werkstatt-bench's summary lines.
live() {  # live <port> <seconds>
  load "$build/bench/werkstatt-bench" --url "ws://127.0.0.1:$1/ws" --clients 50 --editors 10 --rate 50 \
    --seconds "$2" --server-pid "$pid" | grep -E "latency to all others|deliveries|  server " || true
}
