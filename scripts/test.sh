#!/usr/bin/env bash
# Runs every test of Plumbline, installing what a fresh Debian/Ubuntu machine lacks.
# Order: formatting and lints first (fast failures), then the UI, then Rust, then the
# desktop end-to-end test under Xvfb.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"
started=$(date +%s)

step "check and install system packages"
"$ROOT/scripts/install-deps.sh"
step "PostgreSQL on 127.0.0.1:5432"
"$ROOT/scripts/postgres.sh"

step "cargo fmt --check"
cargo fmt --all -- --check

step "THIRD-PARTY-NOTICES.md is up to date (scripts/notices.sh --check)"
"$ROOT/scripts/notices.sh" --check

ui_install
step "UI: typecheck, lint, unit tests"
(cd ui && npm run --silent typecheck && npm run --silent lint && npm run --silent test)
ui_build

# Tests and the app must not touch the developer's own data, keychain or notifications.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export PLUMBLINE_DATA_DIR="$scratch/data" XDG_DATA_HOME="$scratch/xdg-data" \
  XDG_CACHE_HOME="$scratch/xdg-cache" XDG_CONFIG_HOME="$scratch/xdg-config"

step "cargo clippy --workspace --all-targets -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo build --workspace (the desktop binary the E2E test drives)"
cargo build --workspace

step "server packaging: lint, build the .deb, install it, run it as its unit does, purge (scripts/check-packaging.sh)"
"$ROOT/scripts/check-packaging.sh" --binary "$CARGO_TARGET_DIR/debug/plumbline-server"

step "cargo test --workspace (headless: no display, no session bus; fails on stale ui/src/bindings.ts)"
# No session bus at all (a desktop session's is also found through XDG_RUNTIME_DIR), so
# the OS keychain is the kernel keyring and no test can reach the developer's keyring.
env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR \
  PLUMBLINE_EXPECT_KEYCHAIN=kernel \
  cargo test --workspace

step "OS keychain through a real Secret Service (gnome-keyring on a private session bus)"
PLUMBLINE_EXPECT_KEYCHAIN=secret-service dbus-run-session -- bash -c \
  'printf plumbline | gnome-keyring-daemon --unlock --components=secrets >/dev/null
   cargo test --workspace --lib -- the_os_keychain_keeps_a_secret'

step "desktop end-to-end test (Xvfb + tauri-driver + WebKitWebDriver)"
xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test --workspace --test desktop -- --ignored --test-threads=1

echo "all tests passed in $(( $(date +%s) - started )) s" >&2
