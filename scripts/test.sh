#!/usr/bin/env bash
# Sets up, builds and runs every test (CTest). Services the tests need are started here,
# on loopback only: a throwaway PostgreSQL server, against which the store's tests run as
# well as against SQLite (unless VIGIL_TEST_POSTGRES_URL already names a server to use).
# Usage: scripts/test.sh [ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/setup.sh build
export QT_QPA_PLATFORM=offscreen
if [[ -z ${VIGIL_TEST_POSTGRES_URL:-} ]]; then
  if ! server=$(scripts/postgres-test-server.sh start); then
    echo "scripts/test.sh: the PostgreSQL server for the tests did not start (see above)" >&2
    exit 1
  fi
  eval "$server"
  trap '"$root/scripts/postgres-test-server.sh" stop "$VIGIL_TEST_POSTGRES_DIR"' EXIT
  trap 'exit 130' INT TERM
  echo "PostgreSQL for the tests: $VIGIL_TEST_POSTGRES_URL"
fi
cd build
ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@"
