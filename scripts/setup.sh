#!/usr/bin/env bash
# Installs the Debian 12 packages minitf needs, only those missing
# (apt-get update runs only when something must be installed). Idempotent.
set -euo pipefail

packages=(
  build-essential cmake
  libdnnl-dev ocl-icd-opencl-dev   # oneDNN's CMake config needs OpenCL
  libabsl-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev zlib1g-dev
  libopenmpi-dev openmpi-bin       # distributed/: Horovod on Open MPI
  dataset-fashion-mnist
  protobuf-compiler python3       # scripts/check_logdir.py decodes event files
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
