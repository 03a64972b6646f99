#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1 for the migration tests, and prints its
# connection URL as the only line on stdout (progress goes to stderr):
#
#   export DATABASE_URL="$(bash scripts/start-postgres.sh)"
#
# Idempotent: a server this script started before (same directory) is reused. Installs Debian's
# `postgresql` package when no server binaries are found and the script runs as root. As root the
# server runs as the `postgres` system user (PostgreSQL refuses to run as root). Trust
# authentication, listening on 127.0.0.1 only: for tests, never for anything else.
#
# Environment: PGTEST_DIR (default /tmp/cdk-progressive-delivery-postgres) holds the data directory,
# the log and the URL (in $PGTEST_DIR/url, which the tests read when DATABASE_URL is not set);
# PGTEST_PORT picks the port (default: the first free port from 54329).
set -euo pipefail

dir="${PGTEST_DIR:-/tmp/cdk-progressive-delivery-postgres}"
log() { echo "start-postgres: $*" >&2; }

find_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bindir="$(find_bindir)"
if [ -z "$bindir" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    log "installing Debian's postgresql package"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bindir="$(find_bindir)"
  fi
  if [ -z "$bindir" ]; then
    log "no PostgreSQL server binaries under /usr/lib/postgresql; install the postgresql package"
    exit 1
  fi
fi

# Runs a command as the server's owner: the postgres user when this script runs as root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
data="$dir/data"

if [ -f "$data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$data" status > /dev/null 2>&1; then
  # The running server's port is the fourth line of postmaster.pid.
  port="$(sed -n 4p "$data/postmaster.pid")"
  url="postgresql://postgres@127.0.0.1:$port/postgres"
  log "reusing the server in $data (port $port)"
  echo "$url" > "$dir/url"
  echo "$url"
  exit 0
fi

if [ ! -f "$data/PG_VERSION" ]; then
  log "creating a cluster in $data"
  as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
fi

port_free() { ! (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
port="${PGTEST_PORT:-}"
if [ -z "$port" ]; then
  port=54329
  while ! port_free "$port"; do port=$((port + 1)); done
fi

log "starting PostgreSQL ($("$bindir/postgres" --version)) on 127.0.0.1:$port"
as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir" start >&2 \
  || { cat "$dir/server.log" >&2; exit 1; }

url="postgresql://postgres@127.0.0.1:$port/postgres"
echo "$url" > "$dir/url"
echo "$url"
