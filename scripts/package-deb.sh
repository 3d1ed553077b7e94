#!/usr/bin/env bash
# Builds the Debian package of the server, plumbline-server_VERSION_ARCH.deb, with
# dpkg-deb (no debhelper, no source package: the binary comes from cargo).
#
#   scripts/package-deb.sh [--release | --binary PATH] [--out DIR]
#
#   --release      build the binary with `cargo build --release --locked -p plumbline-server`
#                  (the default)
#   --binary PATH  package this already built plumbline-server instead (e.g. the debug
#                  build, for tests)
#   --out DIR      where to write the .deb (default: $CARGO_TARGET_DIR/debian)
#
# The version is the server crate's (Cargo.toml; a pre-release `-rc.1` becomes `~rc.1`),
# the architecture dpkg's. The package's files come from packaging/ (the systemd unit,
# the example configuration, the maintainer scripts). Prints the .deb's path on stdout.
# PLUMBLINE_DEB_MAINTAINER="Name <address>" replaces the package's Maintainer field.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

binary=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --release) binary="" ;;
    --binary)
      [ $# -ge 2 ] || { echo "package-deb: --binary needs a path" >&2; exit 2; }
      binary=$2
      shift
      ;;
    --out)
      [ $# -ge 2 ] || { echo "package-deb: --out needs a directory" >&2; exit 2; }
      out=$2
      shift
      ;;
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      exit 0
      ;;
    *)
      echo "package-deb: unknown argument $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done
out=${out:-$CARGO_TARGET_DIR/debian}

for tool in dpkg-deb dpkg python3 gzip; do
  command -v "$tool" >/dev/null || { echo "package-deb: $tool is missing" >&2; exit 1; }
done

if [ -z "$binary" ]; then
  step "cargo build --release --locked -p plumbline-server"
  cargo build --release --locked -p plumbline-server
  binary=$CARGO_TARGET_DIR/release/plumbline-server
fi
[ -x "$binary" ] || { echo "package-deb: no executable at $binary" >&2; exit 1; }

# The server crate's version, as cargo resolves it (version.workspace = true).
cargo_version=$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
packages = json.load(sys.stdin)["packages"]
print(next(p["version"] for p in packages if p["name"] == "plumbline-server"))')
# Debian sorts `~` before anything, as semver sorts a pre-release before its release.
version=${cargo_version/-/\~}
arch=$(dpkg --print-architecture)
maintainer=${PLUMBLINE_DEB_MAINTAINER:-Plumbline maintainers <maintainers@plumbline.example>}
# Reproducible: every timestamp is the last commit's (or now, outside git).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
doc=$root/usr/share/doc/plumbline-server
umask 022

install -D -m 0755 "$binary" "$root/usr/bin/plumbline-server"
# Debian ships stripped binaries (the debug binary is 10 times the size otherwise).
if command -v strip >/dev/null; then
  strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$root/usr/bin/plumbline-server"
else
  echo "package-deb: strip is missing; the binary stays unstripped" >&2
fi
install -D -m 0644 packaging/systemd/plumbline-server.service \
  "$root/lib/systemd/system/plumbline-server.service"
install -D -m 0644 packaging/server.toml "$root/etc/plumbline/server.toml"
install -D -m 0644 packaging/debian/plumbline-server.default "$root/etc/default/plumbline-server"

install -D -m 0644 packaging/debian/lintian-overrides \
  "$root/usr/share/lintian/overrides/plumbline-server"
# The manual page, from the binary's own --help (so it cannot drift) and the sections of
# packaging/debian/plumbline-server.h2m.
if command -v help2man >/dev/null; then
  install -d -m 0755 "$root/usr/share/man/man8"
  help2man --no-info --section 8 --name "Plumbline's self-hosted sync server" \
    --include packaging/debian/plumbline-server.h2m "$root/usr/bin/plumbline-server" |
    gzip -9n > "$root/usr/share/man/man8/plumbline-server.8.gz"
else
  echo "package-deb: help2man is missing; the package has no manual page" >&2
fi

install -d -m 0755 "$doc"
install -m 0644 packaging/debian/README.Debian "$doc/README.Debian"
# The crates the binary links, with their licences and notices (the whole workspace's).
gzip -9n < THIRD-PARTY-NOTICES.md > "$doc/THIRD-PARTY-NOTICES.md.gz"
{
  # A native package (Plumbline is its own upstream): changelog.gz, no Debian revision.
  printf '%s (%s) unstable; urgency=medium\n\n' plumbline-server "$version"
  printf '  * Built from the Plumbline workspace at commit %s.\n\n' "$commit"
  printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$doc/changelog.gz"
# Machine-readable copyright (DEP-5); the AGPL is not in /usr/share/common-licenses, so
# its full text follows, in the format's continuation lines (an empty line is " .").
{
  cat <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Plumbline
Comment: The binary links Rust crates under their own licences (MIT, Apache-2.0 and
 others); /usr/share/doc/plumbline-server/THIRD-PARTY-NOTICES.md.gz lists each
 with its notices.

Files: *
Copyright: The Plumbline authors
License: AGPL-3.0-or-later

License: AGPL-3.0-or-later
 Plumbline is free software: you can redistribute it and/or modify it under the
 terms of the GNU Affero General Public License as published by the Free Software
 Foundation, either version 3 of the License, or (at your option) any later
 version. The text of the licence follows.
 .
EOF
  sed -e 's/[[:space:]]*$//' -e 's/^$/./' -e 's/^/ /' LICENSE
} > "$doc/copyright"
chmod 0644 "$doc/copyright"

# Control area.
install -d -m 0755 "$root/DEBIAN"
for script in postinst prerm postrm; do
  install -m 0755 "packaging/debian/$script" "$root/DEBIAN/$script"
done
printf '%s\n' /etc/plumbline/server.toml /etc/default/plumbline-server > "$root/DEBIAN/conffiles"
chmod 0644 "$root/DEBIAN/conffiles"

# Depends: the shared libraries the binary needs, as dpkg-shlibdeps finds them (it
# wants a debian/control to read), else libc6 alone.
shlibs=""
if command -v dpkg-shlibdeps >/dev/null; then
  mkdir -p "$work/shlibs/debian"
  printf 'Source: plumbline\n\nPackage: plumbline-server\nArchitecture: any\n' \
    > "$work/shlibs/debian/control"
  shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "-e$root/usr/bin/plumbline-server" 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p') || shlibs=""
fi
if [ -z "$shlibs" ]; then
  echo "package-deb: dpkg-shlibdeps unavailable or failed; depending on libc6 only" >&2
  shlibs=libc6
fi
# adduser for the system user (postinst falls back to useradd where it is missing).
depends="$shlibs, adduser"
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)

cat > "$root/DEBIAN/control" <<EOF
Package: plumbline-server
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Section: net
Priority: optional
Description: Plumbline's self-hosted sync server
 Plumbline is a governance console for managed service providers running the
 Microsoft 365 and Intune tenants of their customers. This package is the server
 that lets a team share one portfolio: the desktop apps sign in to it and sync
 captures, findings and decisions through it.
 .
 It keeps its data in PostgreSQL or, out of the box, in a SQLite file under
 /var/lib/plumbline, and runs as the systemd service plumbline-server on
 127.0.0.1:8787, to be put behind a TLS reverse proxy.
EOF
chmod 0644 "$root/DEBIAN/control"

(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

find "$root" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$out"
deb=$(cd "$out" && pwd)/plumbline-server_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "package-deb: built $deb ($(du -h "$deb" | cut -f1))" >&2
echo "$deb"
