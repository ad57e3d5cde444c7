#!/usr/bin/env bash
# README's main command: sets everything up, builds, and trains the tf.layers
# CNN on Fashion-MNIST, reporting the test accuracy after every epoch.
# Arguments go to the trainer (e.g. --epochs=2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" -DMINITF_BUILD_TESTS=OFF -DMINITF_BUILD_BENCH=OFF
"${MINITF_BUILD_DIR:-$root/build}/examples/fashion_mnist_layers" "$@"
