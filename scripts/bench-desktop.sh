#!/usr/bin/env bash
# The desktop console's figures on a 1,000-tenant portfolio: cold start to an interactive
# Portfolio, filtering the findings table, resident memory. Release build, real app under
# Xvfb, driven through tauri-driver (see tests/src/bin/bench-desktop.rs).
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"
"$ROOT/scripts/install-deps.sh"
ui_build
step "cargo build --release --workspace"
cargo build --release --workspace
step "bench-desktop (under Xvfb)"
xvfb-run -a -s "-screen 0 1280x800x24" "$CARGO_TARGET_DIR/release/bench-desktop" "$@"
