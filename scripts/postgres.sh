#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with a `test` database that
# the current user can reach without a password (the server's test-suite uses it).
# Installs and starts Debian's PostgreSQL when none runs.
set -euo pipefail
SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "postgres: already running on 127.0.0.1:5432" >&2
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "postgres: installing Debian's postgresql" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -n1)
conf=/etc/postgresql/$version/main
# Trust on loopback for the test database only; this is a CI/development server.
if ! $SUDO grep -q "plumbline-test" "$conf/pg_hba.conf"; then
  $SUDO sed -i '1i host all all 127.0.0.1/32 trust # plumbline-test\nhost all all ::1/128 trust # plumbline-test' "$conf/pg_hba.conf"
fi
$SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || $SUDO pg_ctlcluster "$version" main start
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
pg_isready -h 127.0.0.1 -p 5432
$SUDO -u postgres psql -qtc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 \
  || $SUDO -u postgres createdb test
echo "postgres: running on 127.0.0.1:5432" >&2
