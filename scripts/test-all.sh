#!/usr/bin/env bash
# Runs every test: formatting and lints, unit tests, the API suite against SQLite and
# PostgreSQL, and the browser test of the built SPA in headless Chromium. Installs what is
# missing first (idempotent). `.ci/run` calls this.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
export UCM_SAMPLES_DIR="${UCM_SAMPLES_DIR:-$ROOT/../shared/samples}"

# ---- what the tests need ------------------------------------------------------------------
apt_install chromium:chromium psql:postgresql-client
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if [ -d /etc/postgresql ]; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432 (set UCM_TEST_PG_URL)" >&2; exit 1; }
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  log "installing the browser test's npm packages"
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi

# ---- Rust: format, lints, unit and API tests ----------------------------------------------
log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --all-targets -- -D warnings
log "cargo test (unit + API on SQLite and PostgreSQL)"
cargo test --workspace

# ---- the browser test ---------------------------------------------------------------------
bash scripts/build-frontend.sh
log "cargo clippy (frontend, wasm32)"
CARGO_TARGET_DIR="$UCM_WASM_TARGET_DIR" cargo clippy --target wasm32-unknown-unknown -p ucm-frontend -- -D warnings
cargo build -p ucm-server --bin ucm
DATA="$(mktemp -d -t ucm-browser.XXXXXX)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT
export UCM_DATA_DIR="$DATA" UCM_WEB_DIR="$ROOT/frontend/dist" UCM_BIND=127.0.0.1:0
export UCM_ADMIN_PASSWORD="browser-test-$RANDOM$RANDOM"
"$CARGO_TARGET_DIR/debug/ucm" import customers "$UCM_SAMPLES_DIR/ucm_customer_export.csv" >/dev/null
start_server "$CARGO_TARGET_DIR/debug/ucm" "$DATA/server.log"
log "browser test against $URL"
mkdir -p tests/browser/out
UCM_URL="$URL" UCM_USERNAME=admin UCM_PASSWORD="$UCM_ADMIN_PASSWORD" \
  node --test --test-concurrency=1 tests/browser/
log "all tests passed (screenshots in tests/browser/out/)"
