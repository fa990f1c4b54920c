#!/usr/bin/env bash
# A/B load comparison of two ucm binaries on one database: generates N customers (default
# 100,000), imports them once, then starts each binary in turn on a fresh copy of that file and
# drives it with wrk, alternating A, B, A, B so that the machine's drift hits both alike.
# Usage: bench/ab.sh A_BIN B_BIN [N]   (env: DURATION=10s, ROUNDS=2, SCENARIOS="garcia rot page get create")
# To get A: `git worktree add ../ucm-a <commit>`, build it there with
# `cargo build --release -p ucm-server --bin ucm`, copy target/release/ucm aside.
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
cd "$ROOT"
A="${1:?A binary}" B="${2:?B binary}" N="${3:-100000}"
DURATION="${DURATION:-10s}"
apt_install wrk:wrk
WORK="$(mktemp -d -t ucm-ab.XXXXXX)"
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export UCM_BIND=127.0.0.1:0 UCM_ADMIN_PASSWORD="bench-password-1" RUST_LOG=warn
python3 bench/gen_customers.py "$N" > "$WORK/customers.csv"
UCM_DATA_DIR="$WORK/base" "$A" import customers "$WORK/customers.csv" | grep '^rows'

one() {
  local label="$1" bin="$2"
  rm -rf "$WORK/run" && mkdir -p "$WORK/run" && cp "$WORK/base/ucm.sqlite" "$WORK/run/"
  export UCM_DATA_DIR="$WORK/run"
  start_server "$bin" "$WORK/server.log"
  TOKEN="$(curl -s -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$UCM_ADMIN_PASSWORD\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')"
  export TOKEN MAX_ID="$N"
  r() {
    local name="$1"; shift
    wrk -t2 -c32 -d"$DURATION" --latency "$@" |
      awk -v name="$label $name" '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {printf "RESULT %-22s %10s req/s   p99 %8s\n", name, rps, p99}'
  }
  for s in ${SCENARIOS:-garcia rot page get create}; do
    case "$s" in
      garcia) QUERY="q=garcia" r garcia -s bench/wrk/list.lua "$URL" ;;
      rot) r rotating -s bench/wrk/list_rotating.lua "$URL" ;;
      page) QUERY="sort=name&page=100" r page100 -s bench/wrk/list.lua "$URL" ;;
      get) r get -s bench/wrk/get_by_id.lua "$URL" ;;
      create) r create -s bench/wrk/create.lua "$URL" ;;
    esac
  done
  echo "RESULT $label peak memory (VmHWM): $(grep VmHWM /proc/$SERVER_PID/status | awk '{printf "%.1f MiB", $2/1024}')"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
for _ in $(seq 1 "${ROUNDS:-2}"); do
  one A "$A"
  one B "$B"
done
