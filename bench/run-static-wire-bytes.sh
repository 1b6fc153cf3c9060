#!/usr/bin/env bash
# Bytes on the wire for the web client's files: starts `werkstatt serve` on a
# free loopback port (in-memory journal, no demo) with the built client, then
# fetches index.html and every file under assets/ with curl three ways:
# no Accept-Encoding, "gzip" only, and "br, gzip" (curl --compressed sends
# what this curl can decode; Debian's curl decodes both), printing
# size_download (the body as sent) and the Content-Encoding per file.
# Usage: bench/run-static-wire-bytes.sh [werkstatt binary] [dist folder]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/dev/server/app/werkstatt}
dist=$(realpath "${2:-client-web/dist}")
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$bin" serve --port 0 --journal memory --no-demo --data "$tmp/var" --static-dir "$dist" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do
  grep -q 'ready at' "$tmp/out" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$tmp/out" | head -1)
[[ -n "$url" ]] || { echo "the server did not start:" >&2; cat "$tmp/err" >&2; exit 1; }
echo "server $url ($bin), client $dist, $(date -u +%FT%TZ)"
printf '%-34s %10s %18s %18s\n' file identity gzip "br (--compressed)"
total=(0 0 0)
for f in index.html $(cd "$dist" && ls assets | grep -vE '\.(gz|br)$' | sed 's|^|assets/|'); do
  row=()
  i=0
  for accept in "" "gzip" "--compressed"; do
    if [[ "$accept" == "--compressed" ]]; then
      out=$(curl -s --compressed -o /dev/null -D "$tmp/h" -w '%{size_download}' "$url$f")
    else
      out=$(curl -s -H "Accept-Encoding: $accept" -o /dev/null -D "$tmp/h" -w '%{size_download}' "$url$f")
    fi
    enc=$(tr -d '\r' <"$tmp/h" | awk 'tolower($1) == "content-encoding:" {print $2}')
    row+=("$out${enc:+ ($enc)}")
    total[i]=$((total[i] + out))
    i=$((i + 1))
  done
  printf '%-34s %10s %18s %18s\n' "$f" "${row[0]}" "${row[1]}" "${row[2]}"
done
printf '%-34s %10s %18s %18s\n' total "${total[0]}" "${total[1]}" "${total[2]}"
