#!/usr/bin/env bash
# README's main command: sets everything up, builds, and runs the main
# example program.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" -DMINITF_BUILD_TESTS=OFF -DMINITF_BUILD_BENCH=OFF
"${MINITF_BUILD_DIR:-$root/build}/examples/hello_graph"
