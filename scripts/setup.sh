#!/usr/bin/env bash
# Installs what Vigil needs from Debian (only what is missing), then configures and builds.
# Idempotent. Uses sudo when not root. Usage: scripts/setup.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-${VIGIL_BUILD_DIR:-build}}

packages=(
  cmake ninja-build g++ pkg-config
  qt6-base-dev qt6-charts-dev qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  libqt6opengl6-dev libxkbcommon-dev qt6-qpa-plugins libqt6sql6-sqlite libqt6sql6-psql libgl-dev
  libdlib-dev libblas-dev liblapack-dev libjemalloc-dev
  fonts-dejavu-core
  # tests and benchmarks: a display server for the GUI tests, reference clients and services
  xvfb xauth python3-websockets python3-sklearn postgresql
)

missing=()
for p in "${packages[@]}"; do
  [[ $p == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

werror=OFF
[[ ${CI:-} == true ]] && werror=ON
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_WERROR=$werror >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
