#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build, run and test Plumbline.
# Idempotent: every step checks first and skips what is already present.
# Uses sudo when not root.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  # Tauri 2 / WebKitGTK build prerequisites
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev
  libdbus-1-dev build-essential pkg-config libssl-dev curl wget file openssl
  # headless run and test tooling
  xvfb xauth webkit2gtk-driver dbus dbus-x11 dbus-user-session gnome-keyring libsecret-tools
  keyutils dunst imagemagick xdotool x11-utils poppler-utils qpdf fonts-dejavu-core
  fonts-dejavu-extra at-spi2-core
  # the server's packaging: building the .deb (help2man for its manual page) and linting
  # it, its scripts and its unit (scripts/check-packaging.sh; its Python linters' venv)
  dpkg-dev help2man lintian shellcheck python3-venv man-db
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: Debian packages present" >&2
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "install-deps: installing tauri-driver" >&2
  cargo install tauri-driver --locked --version '^2' >/dev/null
fi

# THIRD-PARTY-NOTICES.md lists the Rust crates' licences with cargo-about (scripts/notices.sh).
# Pinned: another version may word or order the list differently, and the check compares it.
CARGO_ABOUT_VERSION=0.9.3
if [ "$(cargo about --version 2>/dev/null)" != "cargo-about $CARGO_ABOUT_VERSION" ]; then
  echo "install-deps: installing cargo-about $CARGO_ABOUT_VERSION" >&2
  cargo install cargo-about --locked --version "=$CARGO_ABOUT_VERSION" --features cli >/dev/null
fi
