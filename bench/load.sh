#!/usr/bin/env bash
# Load benchmark: release server on a fresh SQLite file with N customers (default 100,000),
# driven from 127.0.0.1 by wrk for a bounded time per scenario. Prints req/s, p50, p99 and the
# server's peak memory (VmHWM). Usage: bench/load.sh [N]   (env: DURATION=20s CONNS=32)
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
cd "$ROOT"
N="${1:-100000}"
DURATION="${DURATION:-20s}"
CONNS="${CONNS:-32}"
apt_install wrk:wrk
cargo build --release -p ucm-server --bin ucm
BIN="$CARGO_TARGET_DIR/release/ucm"
WORK="$(mktemp -d -t ucm-bench.XXXXXX)"
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export UCM_DATA_DIR="$WORK/data" UCM_BIND=127.0.0.1:0 UCM_ADMIN_PASSWORD="bench-password-1"
export RUST_LOG=warn

log "generating $N customers"
python3 bench/gen_customers.py "$N" > "$WORK/customers.csv"
log "importing them (ucm import customers)"
start=$(date +%s%N)
"$BIN" import customers "$WORK/customers.csv" | grep '^rows'
echo "RESULT import of $N rows: $(( ($(date +%s%N) - start) / 1000000 )) ms"

start_server "$BIN" "$WORK/server.log"
TOKEN="$(curl -s -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$UCM_ADMIN_PASSWORD\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')"
export TOKEN MAX_ID="$N"
echo "server rss after start: $(grep VmRSS /proc/$SERVER_PID/status | awk '{print $2/1024 " MiB"}')"

run() {
  local name="$1"; shift
  log "$name ($CONNS connections, $DURATION)"
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@" | tee "$WORK/wrk.txt" |
    awk -v name="$name" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /non-2xx/ {err=$NF}
      END {printf "RESULT %-44s %10s req/s   p50 %8s   p99 %8s   errors %s\n", name, rps, p50, p99, err}'
}
QUERY="q=4242" run "list, search '4242' (236 hits)" -s bench/wrk/list.lua "$URL"
QUERY="q=acme%20bakery" run "list, search 'acme bakery' (688)" -s bench/wrk/list.lua "$URL"
QUERY="q=garcia" run "list, search 'garcia' (5,545)" -s bench/wrk/list.lua "$URL"
run "list, search 99 broad terms in turn (uncached)" -s bench/wrk/list_rotating.lua "$URL"
QUERY="sort=name&page=100" run "list, no search (100,000), page 100" -s bench/wrk/list.lua "$URL"
run "get one customer by id" -s bench/wrk/get_by_id.lua "$URL"
run "create customer + contact" -s bench/wrk/create.lua "$URL"
echo "RESULT server peak memory (VmHWM): $(grep VmHWM /proc/$SERVER_PID/status | awk '{printf "%.1f MiB", $2/1024}'); now: $(grep -E 'RssAnon|RssFile' /proc/$SERVER_PID/status | awk '{printf "%s %.1f MiB  ", $1, $2/1024}')(RssFile is the mmap'ed database, shared page cache)"
