#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time from its seed corpus.
#   tests/fuzz/run.sh [seconds per target, default 20] [build dir, default build/fuzz]
# New inputs go to a temporary corpus (the committed seeds stay as they are);
# a crash, leak, sanitizer report or failed check stops the run with the
# target's exit status and leaves the input in the printed artifact directory.
# Build first: cmake --preset fuzz && cmake --build --preset fuzz
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-20}"
build="${2:-build/fuzz}"
work="$(mktemp -d "${TMPDIR:-/tmp}/werkstatt-fuzz.XXXXXX")"
for target in client_message journal_records rest_json http_routes static_files; do
  bin="$build/tests/fuzz/werkstatt_fuzz_$target"
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  echo "fuzz: $target for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/$target/artifacts/" "$work/$target/corpus" "tests/fuzz/corpus/$target" \
      > "$work/$target/log" 2>&1; then
    tail -n 60 "$work/$target/log" >&2
    echo "fuzz: $target FAILED; the input is in $work/$target/artifacts/ (add it to tests/fuzz/corpus/$target/ with the fix)" >&2
    exit 1
  fi
  grep -E '^stat::number_of_executed_units|^Done ' "$work/$target/log" | tr '\n' ' '; echo
done
rm -rf "$work"
