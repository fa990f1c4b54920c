# Shared by the scripts: where builds go and how to install what is missing (idempotent).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_root() {
  if mkdir -p /var/cache/ucm 2>/dev/null && [ -w /var/cache/ucm ]; then echo /var/cache/ucm
  else mkdir -p "$HOME/.cache/ucm" && echo "$HOME/.cache/ucm"; fi
}
UCM_CACHE="${UCM_CACHE:-$(cache_root)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$UCM_CACHE/target}"
export UCM_WASM_TARGET_DIR="${UCM_WASM_TARGET_DIR:-$UCM_CACHE/target-wasm}"
if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Cargo decides that a workspace crate is up to date by comparing its source files' times with
# the artifacts'. Two checkouts sharing one target dir (this repo and a CI clone, say) would then
# run each other's code: a clone's files are older than artifacts the other checkout just built.
# So when a target dir was last used by another checkout, this one's sources are touched first,
# which rebuilds the workspace crates (not the dependencies).
claim_target_dir() {
  local dir="$1" stamp="$1/.ucm-checkout"
  mkdir -p "$dir"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$ROOT" ]; then
    find "$ROOT/crates" "$ROOT/migrations" "$ROOT/frontend" \
      \( -name '*.rs' -o -name 'Cargo.toml' -o -name '*.css' -o -name '*.html' \) \
      -not -path '*/node_modules/*' -not -path "$ROOT/frontend/dist/*" -exec touch {} +
    touch "$ROOT/Cargo.toml" "$ROOT/Cargo.lock"
    printf '%s\n' "$ROOT" >"$stamp"
  fi
}
claim_target_dir "$CARGO_TARGET_DIR"
claim_target_dir "$UCM_WASM_TARGET_DIR"

apt_install() {
  # Installs Debian packages whose commands are missing: apt_install CMD:PKG ...
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Starts `$1 serve` in the background, logging to $2; sets SERVER_PID and URL (from the line
# the server prints) or exits with the log.
start_server() {
  local bin="$1" logfile="$2"
  "$bin" serve >"$logfile" 2>&1 &
  SERVER_PID=$!
  URL=""
  for _ in $(seq 1 150); do
    URL="$(sed -n 's/^ucm is running at \(http[^ ]*\).*/\1/p' "$logfile" | head -n1)"
    [ -n "$URL" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "the server did not start:" >&2
  cat "$logfile" >&2
  exit 1
}
