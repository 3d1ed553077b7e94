#!/usr/bin/env bash
# Regenerates THIRD-PARTY-NOTICES.md: the third-party material Plumbline ships and its
# licences (embedded data, fonts, icons, the Rust crates of the shipped binaries and the
# UI's npm production dependencies). The dependency lists come from maintained tools,
# cargo-about (notices/about.toml, notices/about.hbs) and generate-license-file
# (ui/package.json devDependency, notices/glf.json); this script only assembles them.
#
#   scripts/notices.sh          write THIRD-PARTY-NOTICES.md
#   scripts/notices.sh --check  fail when the committed file differs from a fresh one
#
# The output is deterministic (sorted, no dates). The only network access is cargo fetching
# missing crates from crates.io; cargo-about runs --frozen (no git or web look-ups) and
# generate-license-file reads ui/node_modules. Scanning the crates takes about a minute,
# so the Rust part is cached under $CARGO_TARGET_DIR/plumbline-notices, keyed by everything
# it depends on (Cargo.lock, the manifests, the cargo-about config, template and version).
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: scripts/notices.sh [--check]" >&2; exit 2 ;;
esac

OUT=THIRD-PARTY-NOTICES.md
CORPUS_LICENSE=core/demo-data/openintunebaseline/LICENSE
DEJAVU_LICENSE=notices/dejavu-fonts-LICENSE

if ! command -v cargo-about >/dev/null 2>&1; then
  echo "notices: cargo-about is missing: run scripts/install-deps.sh" >&2
  exit 1
fi
ui_install

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Crates of every platform, so that cargo metadata works offline below.
cargo fetch --locked --quiet

# cargo-about lists the whole workspace (--workspace, one scan) with dev- and build-only
# dependencies left out. The workspace is the three shipped binaries (plumbline-desktop,
# plumbline, plumbline-server), their libraries and the end-to-end test crate: make sure
# that one brings in no crate the binaries do not have, or the list would claim too much.
targets=$(sed -n 's/^targets = \[\(.*\)\]$/\1/p' notices/about.toml | tr -d '",')
target_args=()
for t in $targets; do target_args+=(--target "$t"); done
crates_of() {
  local args=()
  for p in "$@"; do args+=(-p "$p"); done
  cargo tree --locked --offline -e normal --prefix none --format '{p}' "${target_args[@]}" \
    "${args[@]}" | sed 's/ (\*)$//' | grep -v -e '^$' -e ' (/' | sort -u
}
crates_of plumbline-desktop plumbline-cli plumbline-server > "$tmp/shipped"
crates_of plumbline-e2e > "$tmp/e2e"
extra=$(comm -13 "$tmp/shipped" "$tmp/e2e")
if [ -n "$extra" ]; then
  echo "notices: plumbline-e2e depends on crates that no shipped binary has; list the" >&2
  echo "binaries one by one in scripts/notices.sh instead of --workspace:" >&2
  echo "$extra" >&2
  exit 1
fi

# The Rust part, from the cache when nothing it depends on changed.
manifests=$(cargo metadata --no-deps --format-version 1 --locked --offline | node -e '
  let s = ""; process.stdin.on("data", d => (s += d)).on("end", () => {
    const m = JSON.parse(s), path = require("path");
    const files = m.packages.map(p => path.relative(m.workspace_root, p.manifest_path));
    console.log(["Cargo.toml", ...files].sort().join("\n"));
  });')
key=$(
  {
    cargo about --version
    for f in notices/about.toml notices/about.hbs Cargo.lock $manifests; do
      printf '%s\n' "$f"
      sha256sum < "$f"
    done
  } | sha256sum | cut -c1-32
)
cache="$CARGO_TARGET_DIR/plumbline-notices"
rust="$cache/rust-$key.md"
if [ ! -f "$rust" ]; then
  echo "notices: listing the Rust crates' licences with cargo-about (about a minute)" >&2
  if ! cargo about generate --frozen --workspace --fail -c notices/about.toml \
      notices/about.hbs -o "$tmp/rust.md" 2> "$tmp/about.log"; then
    cat "$tmp/about.log" >&2
    echo "notices: cargo-about failed (a licence not accepted in notices/about.toml?)" >&2
    exit 1
  fi
  mkdir -p "$cache"
  rm -f "$cache"/rust-*.md
  mv "$tmp/rust.md" "$rust"
fi

# The UI's npm production dependencies (what ui/dist, embedded in the desktop app, is built
# from). generate-license-file only warns about packages it cannot resolve: fail instead.
if ! ui/node_modules/.bin/generate-license-file --input ui/package.json \
    --output "$tmp/npm.txt" --eol lf --ci --no-spinner --config notices/glf.json \
    > "$tmp/glf.log" 2>&1 || [ -s "$tmp/glf.log" ]; then
  cat "$tmp/glf.log" >&2
  echo "notices: generate-license-file failed or warned (see above; notices/glf.json)" >&2
  exit 1
fi

# A licence text as a fenced block of five backticks (checked below: no text has such a line).
fenced() {
  printf '`````text\n'
  cat "$1"
  if [ -n "$(tail -c1 "$1")" ]; then echo; fi
  printf '`````\n'
}

{
  cat <<'EOF'
# Third-party notices

Plumbline is free software, released under the GNU Affero General Public License, version 3
or (at your option) any later version: see `LICENSE`. It contains, and is built from, the
third-party material listed here, each under its own licence.

This file is generated by `scripts/notices.sh` (do not edit it by hand);
`scripts/notices.sh --check`, run by `scripts/test.sh`, fails when it is out of date. It is
installed with the desktop app next to `LICENSE`.

1. Embedded data: the OpenIntuneBaseline corpus
2. Fonts: DejaVu Sans in PDF reports
3. Icons
4. Rust crates
5. npm packages of the user interface

## 1. Embedded data: the OpenIntuneBaseline corpus

The demo portfolio that the desktop app and the command line create is made from real
Intune policy exports of the OpenIntuneBaseline project
(<https://github.com/SkipToTheEndpoint/OpenIntuneBaseline>, commit
75c4825cd59936c7a33bb249ca41a3764c3b3858), licensed under the GNU General Public License
v3.0 (GPL-3.0). Its `.json` files are compiled, unchanged, into the `plumbline-core`
library that the Plumbline binaries are built on. They are part of Plumbline's source in
`core/demo-data/openintunebaseline/`, with their provenance (`PROVENANCE.md`) and this
licence (`LICENSE`):

EOF
  fenced "$CORPUS_LICENSE"
  cat <<'EOF'

## 2. Fonts: DejaVu Sans in PDF reports

The PDF reports embed a subset (the glyphs they use) of DejaVu Sans and DejaVu Sans Bold.
No font file ships with Plumbline: the fonts are read at run time from the operating system
(Debian and Ubuntu's `fonts-dejavu-core`, or the folder named by `PLUMBLINE_FONT_DIR`).
Bitstream Vera fonts, DejaVu changes in the public domain, glyphs from the Arev fonts; the
DejaVu fonts' licence (version 2.37, as distributed with the fonts):

EOF
  fenced "$DEJAVU_LICENSE"
  cat <<'EOF'

## 3. Icons

The application icon (`icons/`) was made for Plumbline and contains no third-party artwork.
The icons in the user interface come from `@fluentui/react-icons` (MIT), listed in section 5.

EOF
  cat "$rust"
  cat <<'EOF'

## 5. npm packages of the user interface

The npm packages that the user interface (`ui/dist`, compiled into the desktop app) is built
from: the production dependencies of `ui/package.json` and theirs, without development
tools. Listed by [generate-license-file](https://github.com/TobyAndToby/generate-license-file)
from each package's licence and notice files. `@tauri-apps/api` is offered under
Apache-2.0 OR MIT; Plumbline uses it under MIT.

EOF
  fenced "$tmp/npm.txt"
} > "$tmp/notices.md"
if ! awk '/^`````/ { if (open) { bad = bad || $0 != "`````"; open = 0 }
                    else { bad = bad || $0 != "`````text"; open = 1 } }
          END { exit (bad || open) }' "$tmp/notices.md"; then
  echo "notices: a licence text contains a line of five backticks: use a longer fence" >&2
  exit 1
fi

if [ "$mode" = check ]; then
  if ! cmp -s "$tmp/notices.md" "$OUT"; then
    diff -u "$OUT" "$tmp/notices.md" | head -40 >&2 || true
    echo "notices: $OUT is out of date: run scripts/notices.sh and commit the result" >&2
    exit 1
  fi
  echo "notices: $OUT is up to date" >&2
else
  cp "$tmp/notices.md" "$OUT"
  echo "notices: wrote $OUT" >&2
fi
