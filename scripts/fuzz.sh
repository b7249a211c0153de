#!/usr/bin/env bash
# Runs the libFuzzer harnesses that scripts/sanitize.sh builds in build-san/.
#
#   scripts/fuzz.sh [SECONDS_EACH] [HARNESS...]
#
# Each harness runs SECONDS_EACH (default 600) on a corpus seeded from the
# shipped files and kept in build-san/fuzz/corpus/HARNESS, so a later run
# starts where the last one stopped. An input that crashes, trips a sanitizer,
# throws anything but the loader's own error or runs past 20 s is saved under
# build-san/fuzz/findings/HARNESS/ and the script exits 1: make it a test.
# Harnesses: yaml_loaders energy_table sweep_spec expression mapping_file onnx_import level_design.
# On a shared machine, run it under `nice`.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-600}
[ $# -gt 0 ] && shift
build=${QNNSIM_SAN_BUILD:-build-san}
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(yaml_loaders energy_table sweep_spec expression mapping_file onnx_import level_design)

# The seed inputs of one harness: the shipped files it loads, and the reproducers of past findings.
seeds_of() {
  case $1 in
    yaml_loaders) ls arch/*.yaml workloads/*.yaml tests/data/reliability/*.yaml ;;
    energy_table) ls configs/energy/*.yaml ;;
    sweep_spec) ls configs/sweeps/*.yaml ;;
    expression) ls fuzz/seeds/expression/* ;;
    mapping_file) ls fuzz/seeds/mapping_file/* ;;
    level_design) ls configs/validation/timeloop/simple_*_stationary.yaml configs/validation/timeloop/{eyeriss,simba}_like.yaml ;;
    onnx_import)
      ls /usr/share/libonnx-testdata/data/pytorch-converted/test_{Conv2d,Linear,MaxPool,AvgPool,ReLU}*/model.onnx \
         /usr/share/libonnx-testdata/data/node/test_{qlinearconv,convinteger,matmulinteger,quantizelinear,dequantizelinear,globalaveragepool}*/model.onnx 2>/dev/null || true ;;
    *) echo "fuzz: unknown harness '$1'" >&2; exit 2 ;;
  esac
}

for h in "${harnesses[@]}"; do
  exe=$build/fuzz/fuzz_$h
  [ -x "$exe" ] || { echo "fuzz: $exe is not built; run scripts/sanitize.sh first" >&2; exit 2; }
  corpus=$build/fuzz/corpus/$h
  findings=$build/fuzz/findings/$h
  mkdir -p "$corpus" "$findings"
  while read -r f; do
    cp "$f" "$corpus/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
  done < <(seeds_of "$h")
  log=$build/fuzz/$h.log
  start=$(date +%s)
  if ! "$exe" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$findings/" "$corpus" >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $h found a failure; the input is in $findings/ (log: $log)"
    exit 1
  fi
  runs=$(grep -o 'number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz: $h: $runs executions in $(( $(date +%s) - start )) s, $(ls "$corpus" | wc -l) inputs in the corpus, nothing found"
done
