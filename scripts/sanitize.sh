#!/usr/bin/env bash
# The sanitizer build: a second build directory (build-san/) compiled by clang
# with AddressSanitizer, UndefinedBehaviorSanitizer (any report fatal) and
# libFuzzer's coverage hooks. It builds the model library, the qnnsim binary,
# the test binary and the fuzz harnesses, then runs the subset of the test
# cases that covers every loader and the simulation core (README, Tests).
# .ci/run calls it after the Release build; scripts/fuzz.sh uses its harnesses.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
# -O1 -g1: fast enough to run, line tables for the reports, and asserts kept.
cmake -S . -B build-san -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DQNNSIM_SANITIZE=ON -DQNNSIM_FUZZ=ON ${QNNSIM_SAN_CMAKE_ARGS:-}
cmake --build build-san -j "$jobs"
ctest --test-dir build-san --output-on-failure -j "$jobs"
