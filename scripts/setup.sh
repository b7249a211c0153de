#!/usr/bin/env bash
# Installs what qnnsim needs from Debian's packages, then configures and builds
# it in Release under build/. Safe to run again: it installs only what is missing.
set -euo pipefail

cd "$(dirname "$0")/.."

packages=(
  cmake g++ make pkg-config
  libsystemc-dev      # SystemC 2.3.4 with TLM-2.0 (built for C++17)
  libyaml-cpp-dev
  libboost-dev
  catch2              # Catch2 v2
  libcli11-dev
  libfmt-dev
  nlohmann-json3-dev
  libsqlite3-dev      # sweep results (qnnsim sweep, qnnsim results)
  libeigen3-dev       # qnnsim eval's tensor arithmetic (models/numerics)
  zlib1g-dev          # qnnsim eval reads the gzip-compressed idx files of the data set
  slurm-wlm munge     # the Slurm sweep backend and its test (scripts/slurm_single_node.sh)
  libonnx-dev         # ONNX import (qnnsim import)
  libprotobuf-dev
  libonnx-testdata    # ONNX models the import tests read
  python3-onnx        # scripts/trace_to_onnx.py (import tests and benchmark)
  python3-torch python3-torchvision  # scripts/export_torchvision.py (the torchvision import tests), scripts/train_fashion_mnist.py
  dataset-fashion-mnist  # the data set qnnsim eval and scripts/train_fashion_mnist.py read
  python3-numpy
  python3             # scripts/benchmark.py, scripts/validate_eyeriss.py
  python3-yaml        # scripts/validate_eyeriss.py
  python3-matplotlib  # scripts/plot_sweep.py (and its test)
  clang               # the sanitizer build and the fuzz harnesses (scripts/sanitize.sh, scripts/fuzz.sh)
  libclang-rt-14-dev  # clang's ASan, UBSan and libFuzzer runtimes (only recommended by clang)
  llvm                # llvm-symbolizer: sanitizer reports with file and line
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"
echo "setup: built build/qnnsim"
