#!/usr/bin/env bash
# Builds the Yew SPA into frontend/dist: index.html, styles.css, ucm_frontend.js and
# ucm_frontend_bg.wasm. Installs what is missing (the wasm32 target, wasm-bindgen-cli at the
# version in Cargo.lock) and can be run again at any time, from any directory.
#
# Environment:
#   UCM_WASM_TARGET_DIR  cargo target dir for the wasm build (default /var/cache/ucm/target-wasm,
#                        or ~/.cache/ucm/target-wasm when /var/cache is not writable)
#   UCM_WASM_OPT=0       skip the optional wasm-opt size pass
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '==> %s\n' "$*" >&2; }

# ---- where the wasm build and the helper tools live -------------------------------------------
pick_cache_root() {
  if mkdir -p /var/cache/ucm 2>/dev/null && [ -w /var/cache/ucm ]; then
    echo /var/cache/ucm
  else
    mkdir -p "$HOME/.cache/ucm"
    echo "$HOME/.cache/ucm"
  fi
}
CACHE_ROOT="$(pick_cache_root)"
export CARGO_TARGET_DIR="${UCM_WASM_TARGET_DIR:-$CACHE_ROOT/target-wasm}"
mkdir -p "$CARGO_TARGET_DIR"

# ---- the wasm32 target ------------------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# ---- wasm-bindgen-cli at exactly the library's version ----------------------------------------
wb_version() {
  if [ -f Cargo.lock ]; then
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
  fi
}
WB_VERSION="$(wb_version)"
if [ -z "$WB_VERSION" ]; then
  # No lock file yet: the workspace pins the exact version.
  WB_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)"
fi
if [ -z "$WB_VERSION" ]; then
  echo "error: cannot tell which wasm-bindgen version the workspace uses" >&2
  exit 1
fi

have_wasm_bindgen() {
  command -v wasm-bindgen >/dev/null 2>&1 &&
    [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$WB_VERSION" ]
}

if ! have_wasm_bindgen; then
  # Another shell may be installing it right now: wait for that rather than racing it.
  waited=0
  while pgrep -f "cargo install wasm-bindgen-cli" >/dev/null 2>&1 && [ "$waited" -lt 1800 ]; do
    [ "$waited" -eq 0 ] && log "waiting for a running wasm-bindgen-cli install to finish"
    sleep 10
    waited=$((waited + 10))
  done
fi
if ! have_wasm_bindgen; then
  log "installing wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi
if ! have_wasm_bindgen; then
  echo "error: wasm-bindgen $WB_VERSION is not on PATH after installing it" >&2
  echo "       (is \$HOME/.cargo/bin on PATH? found: $(wasm-bindgen --version 2>&1 || true))" >&2
  exit 1
fi

# ---- compile ----------------------------------------------------------------------------------
# Size over speed for the browser; these only touch this build's own target dir.
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-s}"
log "cargo build (wasm32, release) into $CARGO_TARGET_DIR"
cargo build --release --target wasm32-unknown-unknown -p ucm-frontend

WASM_IN="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/ucm_frontend.wasm"
DIST="$ROOT/frontend/dist"
STAGE="$(mktemp -d -t ucm-dist.XXXXXX)"
trap 'rm -rf "$STAGE"' EXIT

log "wasm-bindgen --target web"
wasm-bindgen --target web --no-typescript --out-dir "$STAGE" "$WASM_IN"
WASM_OUT="$STAGE/ucm_frontend_bg.wasm"

# ---- optional: shrink with wasm-opt (binaryen) ------------------------------------------------
find_wasm_opt() {
  if command -v wasm-opt >/dev/null 2>&1; then
    command -v wasm-opt
  elif [ -x "$CACHE_ROOT/npm/node_modules/.bin/wasm-opt" ]; then
    echo "$CACHE_ROOT/npm/node_modules/.bin/wasm-opt"
  fi
}
if [ "${UCM_WASM_OPT:-1}" != "0" ]; then
  WASM_OPT="$(find_wasm_opt || true)"
  if [ -z "$WASM_OPT" ] && command -v npm >/dev/null 2>&1; then
    log "fetching binaryen (wasm-opt) from npm; skipped if it does not come quickly"
    mkdir -p "$CACHE_ROOT/npm"
    if timeout 180 npm install --prefix "$CACHE_ROOT/npm" --no-audit --no-fund --silent binaryen \
      >/dev/null 2>&1; then
      WASM_OPT="$(find_wasm_opt || true)"
    fi
  fi
  if [ -n "$WASM_OPT" ]; then
    log "wasm-opt -Oz"
    if timeout 600 "$WASM_OPT" -Oz \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      -o "$STAGE/opt.wasm" "$WASM_OUT" >/dev/null 2>&1; then
      mv "$STAGE/opt.wasm" "$WASM_OUT"
    else
      log "wasm-opt failed; keeping the unoptimised wasm"
      rm -f "$STAGE/opt.wasm"
    fi
  else
    log "wasm-opt not available; keeping the unoptimised wasm"
  fi
fi

# ---- publish ----------------------------------------------------------------------------------
cp "$ROOT/frontend/index.html" "$ROOT/frontend/styles.css" "$STAGE/"
mkdir -p "$DIST"
# Replace the files the build makes; leave anything else in dist alone.
for f in index.html styles.css ucm_frontend.js ucm_frontend_bg.wasm; do
  cp "$STAGE/$f" "$DIST/$f.tmp"
  mv "$DIST/$f.tmp" "$DIST/$f"
done

size_bytes="$(wc -c <"$DIST/ucm_frontend_bg.wasm" | tr -d ' ')"
gz_bytes="$(gzip -c "$DIST/ucm_frontend_bg.wasm" | wc -c | tr -d ' ')"
printf 'frontend built: %s/ucm_frontend_bg.wasm is %s KiB (%s KiB gzipped)\n' \
  "frontend/dist" "$((size_bytes / 1024))" "$((gz_bytes / 1024))"
