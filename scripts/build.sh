#!/usr/bin/env bash
# Configures and builds minitf into build/ (or $MINITF_BUILD_DIR) with -j2.
# Extra CMake arguments pass through: scripts/build.sh -DMINITF_WERROR=ON
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${MINITF_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "$@" > /dev/null
cmake --build "$build_dir" -j2
