#!/usr/bin/env bash
# README's test command: sets everything up, builds, and runs every test
# under ctest (which prints the summary). Extra arguments go to CMake.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" "$@"
ctest --test-dir "${MINITF_BUILD_DIR:-$root/build}" --output-on-failure -j2
