#!/usr/bin/env bash
# Durable fan-out with the PostgreSQL journal against the RocksDB journal,
# in one sitting: the same werkstatt-bench scenarios against a fresh
# release server per run, alternating journals. PostgreSQL is a throw-away
# cluster made here with initdb (Debian's postgresql package) on loopback,
# fsync and synchronous_commit on (its defaults), stopped at the end.
#   bench/run-postgres-ab.sh [build dir, default build/release] [rounds, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
rounds=${2:-2}
server=$build/server/app/werkstatt
bench=$build/bench/werkstatt-bench
port=18080
pg_port=15432
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

pg_dir=$(mktemp -d /tmp/werkstatt-pg-bench-XXXXXX)
as=()
if [[ $(id -u) -eq 0 ]]; then chown postgres: "$pg_dir"; as=(runuser -u postgres --); fi
"${as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U werkstatt -A trust --no-instructions -E UTF8 >/dev/null
"${as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=50" start >/dev/null
trap '"${as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null; rm -rf "$pg_dir"' EXIT
url="postgresql://werkstatt@127.0.0.1:$pg_port/postgres"

run() {  # run <journal> <label> <bench args...>
  local journal=$1 label=$2; shift 2
  local data; data=$(mktemp -d /tmp/werkstatt-bench-XXXXXX)
  local extra=()
  if [[ $journal == postgres ]]; then
    extra=(--postgres-url "$url" --node-name bench)
    # A fresh database state per run, as RocksDB gets a fresh folder.
    "$pg_bin/psql" -X -q -d "$url" -c 'DROP TABLE IF EXISTS werkstatt_schema, werkstatt_meta, werkstatt_workshops, werkstatt_events, werkstatt_snapshots, werkstatt_client_ops, werkstatt_owners'
  fi
  "$server" serve --port $port --data "$data" --journal "$journal" "${extra[@]}" --no-demo --log-level warn \
    --ops-per-second 100000 --ops-burst 100000 \
    --max-connections-per-ip 5000 --max-connections-per-workshop 5000 >/dev/null &
  local pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
  echo "### $label, --journal $journal"
  echo "\$ werkstatt-bench --url ws://127.0.0.1:$port/ws $* --server-pid <pid>"
  "$bench" --url ws://127.0.0.1:$port/ws "$@" --server-pid $pid || echo "(werkstatt-bench exited with $?)"
  kill -TERM $pid; wait $pid || true
  rm -rf "$data"
  echo
}

for round in $(seq "$rounds"); do
  for journal in rocksdb postgres; do
    run $journal "round $round: N=200, M=40, R=600" --clients 200 --editors 40 --rate 600 --seconds 10
    run $journal "round $round: saturation, N=200, M=40" --clients 200 --editors 40 --rate 1000 --seconds 5 \
      --saturate --saturate-p99-ms 100
  done
done
