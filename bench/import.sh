#!/usr/bin/env bash
# Import benchmark: generates N customers in UCM's export format (default 100,000), imports them
# with the release binary into a fresh SQLite file and into a fresh PostgreSQL database, and
# imports the same file again (every row unchanged). Prints wall time, rows/s and the
# importer's peak resident memory for each. Usage: bench/import.sh [N]
#   UCM_BENCH_PG_URL  server to create the benchmark database on
#                     (default postgres://postgres@127.0.0.1:5432); UCM_BENCH_PG=0 skips it.
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
cd "$ROOT"
N="${1:-100000}"
[ -x /usr/bin/time ] || apt_install gnu-time:time
cargo build --release -p ucm-server --bin ucm
BIN="$CARGO_TARGET_DIR/release/ucm"
WORK="$(mktemp -d -t ucm-import.XXXXXX)"
PG_SERVER="${UCM_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
PG_DB="ucm_bench_$$"
cleanup() {
  rm -rf "$WORK"
  if [ "${UCM_BENCH_PG:-1}" != 0 ]; then
    psql -q "$PG_SERVER/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" 2>/dev/null || true
  fi
}
trap cleanup EXIT
export UCM_ADMIN_PASSWORD="bench-password-1" RUST_LOG=warn
python3 bench/gen_customers.py "$N" > "$WORK/input.csv"
echo "input: $N rows, $(du -h "$WORK/input.csv" | cut -f1)"

# Runs one import and prints its line of figures.
run() {
  local label="$1"
  local start ms
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" import customers "$WORK/input.csv" > "$WORK/out" 2>&1 \
    || { cat "$WORK/out"; exit 1; }
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  grep '^rows' "$WORK/out"
  echo "RESULT $label: $N rows in $ms ms = $(( N * 1000 / (ms > 0 ? ms : 1) )) rows/s, peak RSS $(( $(cat "$WORK/rss") / 1024 )) MiB"
}

export UCM_DATA_DIR="$WORK/sqlite"
"$BIN" migrate > /dev/null
run "SQLite import"
echo "RESULT SQLite alone writing the same rows (bench/sqlite_floor.py, same schema, two INSERT ... SELECT): $(python3 bench/sqlite_floor.py "$UCM_DATA_DIR/ucm.sqlite" "$WORK") s"
run "SQLite re-import (unchanged)"

if [ "${UCM_BENCH_PG:-1}" != 0 ]; then
  psql -q "$PG_SERVER/postgres" -c "CREATE DATABASE $PG_DB"
  export UCM_DATA_DIR="$WORK/pg" UCM_DATABASE_URL="$PG_SERVER/$PG_DB"
  "$BIN" migrate > /dev/null
  run "PostgreSQL import"
  run "PostgreSQL re-import (unchanged)"
fi
