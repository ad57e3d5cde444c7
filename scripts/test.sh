#!/usr/bin/env bash
# README's test command: sets everything up, builds, and runs every test
# under ctest (which prints the summary). Extra arguments go to CMake.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
# Tests ON explicitly: the main command configures the same build tree
# with them off, and the CMake cache would keep that.
"$root/scripts/build.sh" -DMINITF_BUILD_TESTS=ON "$@"
ctest --test-dir "${MINITF_BUILD_DIR:-$root/build}" --output-on-failure -j2 --no-tests=error
