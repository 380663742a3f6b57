#!/usr/bin/env bash
# Sets up, builds and runs every test (CTest). Services the tests need are started here,
# on loopback only. Usage: scripts/test.sh [ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
export QT_QPA_PLATFORM=offscreen
cd build
ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@"
