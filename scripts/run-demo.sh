#!/usr/bin/env bash
# Sets up, builds and opens the Vigil console with the demo feed on the default SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
  echo "No display found: running the engine headless with the demo feed (Ctrl+C stops it)."
  exec build/app/vigil --headless --demo "$@"
fi
exec build/app/vigil --demo "$@"
