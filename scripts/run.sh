#!/usr/bin/env bash
# Builds the web app and the server (release) and runs `ucm serve` on the embedded SQLite
# default. Extra environment (UCM_*) is passed through; see README "Configuration".
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
bash scripts/build-frontend.sh
log "building the server (release)"
cargo build --release -p ucm-server --bin ucm
export UCM_WEB_DIR="${UCM_WEB_DIR:-$ROOT/frontend/dist}"
export UCM_DATA_DIR="${UCM_DATA_DIR:-$ROOT/data}"
log "starting ucm (data in $UCM_DATA_DIR; Ctrl-C stops it)"
exec "$CARGO_TARGET_DIR/release/ucm" serve
