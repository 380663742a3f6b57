#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests, on loopback only.
#
#   eval "$(scripts/postgres-test-server.sh start)"   # prints export lines, see below
#   scripts/postgres-test-server.sh stop DIR           # DIR: $VIGIL_TEST_POSTGRES_DIR
#
# `start` creates a cluster in a new temporary folder (trust authentication, 127.0.0.1 on a
# free port, its socket in that folder, fsync off: nothing in it outlives the tests), a role
# `vigil` allowed to create databases (the tests make one per case) and a database `vigil`,
# then prints
#   export VIGIL_TEST_POSTGRES_URL=postgresql://vigil@127.0.0.1:PORT/vigil
#   export VIGIL_TEST_POSTGRES_DIR=DIR
# It exits non-zero, with the server's log on standard error, when the cluster cannot start.
# The server binaries refuse to run as root: as root they run as the `postgres` user.
set -euo pipefail

bindir=${VIGIL_POSTGRES_BINDIR:-/usr/lib/postgresql/15/bin}

die() { echo "postgres-test-server: $*" >&2; exit 1; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  [[ -x $bindir/initdb && -x $bindir/pg_ctl ]] \
    || die "no PostgreSQL 15 server in $bindir: install the Debian package postgresql (scripts/setup.sh does)"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user (package postgresql)"
  fi
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/vigil-postgres.XXXXXX")
  chmod 700 "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  if ! as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed in $dir"
  fi
  local port tries=0
  while :; do
    port=$(free_port)
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >"$dir/pg_ctl.log" 2>&1; then
      break
    fi
    # Another process may have taken the port between the probe and the start: try again.
    if (( ++tries >= 3 )); then
      cat "$dir/pg_ctl.log" "$dir/server.log" >&2 2>/dev/null || true
      die "the PostgreSQL test server did not start (its files are in $dir)"
    fi
  done
  local psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres)
  if ! as_owner "${psql[@]}" -c "CREATE ROLE vigil LOGIN CREATEDB" -c "CREATE DATABASE vigil OWNER vigil" \
      >"$dir/setup.log" 2>&1; then
    cat "$dir/setup.log" >&2
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    die "cannot create the role and database for the tests"
  fi
  echo "export VIGIL_TEST_POSTGRES_URL=postgresql://vigil@127.0.0.1:$port/vigil"
  echo "export VIGIL_TEST_POSTGRES_DIR=$dir"
}

stop() {
  local dir=${1:-${VIGIL_TEST_POSTGRES_DIR:-}}
  [[ -n $dir && -d $dir/data ]] || die "stop needs the folder start printed (VIGIL_TEST_POSTGRES_DIR)"
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 \
    || as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf -- "$dir"
}

case ${1:-} in
  start) start ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
