#!/usr/bin/env bash
# Export benchmark: imports N generated customers (default 100,000) into a fresh SQLite file
# with the release binary, then times `ucm export customers` and `ucm export contacts`.
# Prints rows/s and the exporter's peak memory. Usage: bench/export.sh [N]
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
cd "$ROOT"
N="${1:-100000}"
[ -x /usr/bin/time ] || apt_install gnu-time:time
cargo build --release -p ucm-server --bin ucm
BIN="$CARGO_TARGET_DIR/release/ucm"
WORK="$(mktemp -d -t ucm-export.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
export UCM_DATA_DIR="$WORK/data" UCM_ADMIN_PASSWORD="bench-password-1" RUST_LOG=warn
python3 bench/gen_customers.py "$N" > "$WORK/input.csv"
start=$(date +%s%N)
"$BIN" import customers "$WORK/input.csv" | grep '^rows'
echo "RESULT import of $N rows: $(( ($(date +%s%N) - start) / 1000000 )) ms"
for kind in customers contacts; do
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" export "$kind" --output "$WORK/$kind.csv"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  rows=$(( $(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=''))))" "$WORK/$kind.csv") - 1 ))
  echo "RESULT export $kind: $rows rows in $ms ms = $(( rows * 1000 / (ms > 0 ? ms : 1) )) rows/s, peak RSS $(( $(cat "$WORK/rss") / 1024 )) MiB, $(du -h "$WORK/$kind.csv" | cut -f1)"
done
# The round trip at scale: the export imports back with every row unchanged.
start=$(date +%s%N)
"$BIN" import customers "$WORK/customers.csv" | grep -E '^(rows|created|updated|unchanged)'
echo "RESULT re-import of the export: $(( ($(date +%s%N) - start) / 1000000 )) ms"
