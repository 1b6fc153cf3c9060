#!/usr/bin/env bash
# Installs what werkstatt needs from Debian 12 packages, and only what is missing,
# so that it is cheap to run before every build (the README's commands do).
#   deploy/install-deps.sh          build + run the server
#   deploy/install-deps.sh --test   also what the tests need (Chromium for e2e, clang + compiler-rt for the fuzz targets)
set -euo pipefail

want=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev            # Beast/Asio are header-only; never mix with the 1.74 default packages
  libprotobuf-dev protobuf-compiler
  librocksdb-dev
  libspdlog-dev libcli11-dev libtomlplusplus-dev
  tzdata                      # local times in minutes and exports
  libssl-dev                  # SHA-256 of secrets, random tokens (libcrypto only)
  catch2
  libpq-dev                   # the PostgreSQL journal (--journal postgres) for nodes that fail over
  libsystemd-dev              # sd_notify: readiness and watchdog under systemd (Type=notify)
  libcairo2-dev libpango1.0-dev fonts-dejavu-core   # board images (SVG, PNG) and the PDF minutes, without a browser
  zlib1g-dev libbrotli-dev    # the server tests make and decode precompressed static files; every preset but
                              # fuzz configures the tests (deploy/start.sh's release too), so not only under --test
)
if [[ "${1:-}" == "--test" ]]; then
  want+=(chromium chromium-driver fonts-dejavu-core procps
         haproxy openssl          # tests/proxy: the shipped HAProxy config with a throw-away certificate
         prometheus               # promtool checks /metrics in the tests
         reuse                    # `reuse lint`: every file has licence information (CTest)
         poppler-utils            # pdftotext: the PDF minutes' text in the export tests
         postgresql)              # initdb/pg_ctl/psql: the postgres journal's tests make their own clusters
  want+=(clang libclang-rt-14-dev)   # libFuzzer and clang's ASan/UBSan runtimes (preset fuzz)
fi
# A fresh Debian 12 has no Node.js; its own nodejs (18.x) is enough for the client toolchain.
if ! command -v node >/dev/null 2>&1; then want+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then want+=(npm); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
