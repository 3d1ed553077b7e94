# Shared by run.sh and test.sh: paths, the cargo target dir, and the UI build.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A cargo target directory outside the clone survives fresh clones (a Tauri cold build
# takes minutes on 2 cores).
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/plumbline-target}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step() { printf '\n==> %s\n' "$*" >&2; }

# Installs the UI's npm packages when package-lock.json changed since the last install.
ui_install() {
  local stamp="$ROOT/ui/node_modules/.plumbline-lock-sha"
  local want
  want=$(sha256sum "$ROOT/ui/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    step "npm ci (ui)"
    (cd "$ROOT/ui" && npm ci --no-audit --no-fund)
    echo "$want" > "$stamp"
  fi
}

# ui/dist must exist before any cargo build: the desktop crate embeds it.
ui_build() {
  ui_install
  step "build the UI (ui/dist)"
  (cd "$ROOT/ui" && npm run --silent build)
}
