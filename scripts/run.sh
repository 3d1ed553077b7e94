#!/usr/bin/env bash
# Runs Plumbline: the desktop app on its embedded SQLite database (a demo portfolio is
# created on first start). With no display it says so and runs the headless demo instead.
# Installs what a fresh Debian/Ubuntu machine lacks first (see install-deps.sh).
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

step "check and install system packages"
"$ROOT/scripts/install-deps.sh"
ui_build
step "build Plumbline (cargo build --workspace)"
cargo build --workspace --bins
BIN="$CARGO_TARGET_DIR/debug"

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  step "starting the desktop app"
  exec "$BIN/plumbline-desktop"
fi

cat >&2 <<'TEXT'

No graphical display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the desktop
window cannot open here. Running the headless demo instead: the same demo portfolio the
app creates on first start, made with the `plumbline` command line.
TEXT
step "plumbline demo --tenants 5"
"$BIN/plumbline" demo --tenants 5
step "plumbline review (drift, history and lint; raises alerts)"
"$BIN/plumbline" review
step "plumbline score"
"$BIN/plumbline" score
cat >&2 <<TEXT

The database is the desktop app's own: start the app from a desktop session (or under
xvfb-run) and it shows these tenants. More: $BIN/plumbline --help
TEXT
