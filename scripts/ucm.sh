#!/usr/bin/env bash
# Runs the `ucm` CLI with the same defaults as scripts/run.sh (data in <repo>/data), building
# the release binary first when the sources changed. Example: scripts/ucm.sh import customers export.csv
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BIN="$CARGO_TARGET_DIR/release/ucm"
(cd "$ROOT" && cargo build --quiet --release -p ucm-server --bin ucm)
export UCM_WEB_DIR="${UCM_WEB_DIR:-$ROOT/frontend/dist}"
export UCM_DATA_DIR="${UCM_DATA_DIR:-$ROOT/data}"
exec "$BIN" "$@"
