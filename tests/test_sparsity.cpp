// Zero gating in the PEs and run-length coding of activations in DRAM follow
// each tensor's density from the trace.
#include <catch2/catch.hpp>

#include "schedule/plan_counts.h"
#include "schedule/mapper.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

std::string sparse_arch() {
  std::string yaml = replace_all(tiny_arch_yaml(), "latency: 10 ns}", "latency: 10 ns, compression: rlc}");
  return replace_all(yaml, "spad: {weights: 2, inputs: 1, psums: 1}", "spad: {weights: 2, inputs: 1, psums: 1}\n    zero_gating: true");
}

// fc 64 -> 64, batch 1: every array step streams one vector through a full
// 4x4 tile, 16 MACs, so half-dense inputs gate exactly 8 MACs per step.
const char* kLayer = R"(network: sparse
batch: 1
input: {C: 64, H: 1, W: 1}
layers:
  - name: fc
    type: fc
    C: 64
    M: 64
    inputs: {bits: 8, scheme: uniform_asymmetric, density: 0.5}
    outputs: {bits: 8, scheme: uniform_asymmetric, density: 0.25}
)";

}  // namespace

TEST_CASE("zero gating skips the MACs and weight reads of zero inputs", "[sparsity]") {
  const auto arch = arch_from_text(sparse_arch());
  const Workload w = workload_from_text(kLayer);
  const RunResult r = run_simulation(*arch, w);
  const LayerResult& l = r.layers[0];
  CHECK(l.macs == 64 * 64);
  CHECK(action_count(l, "pe_array", "mac.mac_8x8") == 64 * 64 / 2);
  CHECK(action_count(l, "pe_array", "mac.gated") == 64 * 64 / 2);
  // 8x8 multiply 0.2 pJ + 32-bit add 0.1 pJ, for the MACs that do work only.
  CHECK(l.energy_breakdown_pj.at("mac") == Approx(64 * 64 / 2 * 0.3));
  // And the analytical counts agree with the simulation.
  ActionCounts simulated;
  for (const auto& a : l.actions) simulated[a.component + ":" + a.action] += a.count;
  CHECK(simulated == count_plan_actions(*arch, w.layers[0], plan_workload(*arch, w)[0]));
}

TEST_CASE("run-length coding shrinks sparse activations in DRAM, never dense ones", "[sparsity]") {
  const auto arch = arch_from_text(sparse_arch());
  // 8-bit values: a 64-bit word holds floor(63 / 13) = 4 (run, value) pairs.
  // 64 outputs at density 0.25: 16 pairs, 4 words, 256 bits instead of 512.
  CHECK(arch->dram->activation_bits(64, 8, 0.25) == 256);
  // 64 inputs at density 0.5: 32 pairs, 8 words = 512 bits, no better than raw.
  CHECK(arch->dram->activation_bits(64, 8, 0.5) == 512);
  // 16-bit values, three pairs a word as in Eyeriss: 3,000 values at 10%
  // density: 300 non-zero values, plus 300 x q^32 / (1 - q^32) = 10.67, so 11
  // extra pairs for runs of more than 31 zeros (q = 0.9): 311 pairs, 104 words.
  CHECK(arch->dram->activation_bits(3000, 16, 0.1) == 104 * 64);
  // Very sparse data: about one extra pair per 32 zeros, far below raw.
  CHECK(arch->dram->activation_bits(100000, 8, 0.01) < 100000 * 8 / 10);

  const RunResult r = run_simulation(*arch, workload_from_text(kLayer));
  const LayerResult& l = r.layers[0];
  CHECK(action_count(l, "dram", "dram.write_bits") == 256);
  CHECK(action_count(l, "dram", "dram.read_bits") == 64 * 64 * 8 + 512);  // weights raw, inputs raw
}

TEST_CASE("without compression or gating, density changes nothing", "[sparsity]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  CHECK(arch->dram->activation_bits(64, 8, 0.25) == 512);
  const RunResult r = run_simulation(*arch, workload_from_text(kLayer));
  CHECK(action_count(r.layers[0], "pe_array", "mac.mac_8x8") == 64 * 64);
  CHECK(action_count(r.layers[0], "dram", "dram.write_bits") == 64 * 8);
}

TEST_CASE("density must be a fraction, of weights or activations", "[sparsity][validation]") {
  CHECK_THROWS_WITH(workload_from_text(replace_all(kLayer, "density: 0.5", "density: 1.5")),
                    Catch::Contains("layers[0].inputs.density"));
  CHECK_THROWS_WITH(workload_from_text(replace_all(kLayer, "density: 0.5", "density: 0")),
                    Catch::Contains("above 0"));
  // Pruned weights have a density (test_weight_sparsity.cpp); the accumulator has none.
  CHECK(workload_from_text(replace_all(kLayer, "inputs: {bits: 8, scheme: uniform_asymmetric, density: 0.5}",
                                       "weights: {bits: 8, scheme: uniform_symmetric, density: 0.5}"))
            .layers[0].precision.weights.density == 0.5);
  CHECK_THROWS_WITH(workload_from_text(replace_all(kLayer, "inputs: {bits: 8, scheme: uniform_asymmetric, density: 0.5}",
                                                   "accumulator: {bits: 32, scheme: uniform_symmetric, density: 0.5}")),
                    Catch::Contains("not to the accumulator"));
  Workload w = workload_from_text(kLayer);
  CHECK(apply_density_override(w, "accumulator=0.5") != "");
  CHECK(apply_density_override(w, "weights=0.5") != "");
  CHECK(apply_density_override(w, "inputs=0.3x") != "");
}

TEST_CASE("a layer reads its inputs at the density its producer wrote them", "[sparsity]") {
  const char* two = R"(network: two
batch: 1
input: {C: 64, H: 1, W: 1}
layers:
  - {name: a, type: fc, C: 64, M: 32, outputs: {density: 0.25}}
  - {name: b, type: fc, C: 32, M: 10}
)";
  Workload w = workload_from_text(two);
  CHECK(w.layers[1].precision.inputs.density == 0.25);
  CHECK(w.layers[0].precision.inputs.density == 1.0);
  CHECK(apply_density_override(w, "outputs=0.5").empty());
  CHECK(w.layers[1].precision.inputs.density == 0.5);
  CHECK(apply_density_override(w, "inputs=0.1").empty());
  CHECK(w.layers[0].precision.inputs.density == 0.1);
  CHECK(w.layers[1].precision.inputs.density == 0.5);
  // Setting it on the consumer as well would give one tensor two densities.
  CHECK_THROWS_WITH(workload_from_text(replace_all(two, "M: 10}", "M: 10, inputs: {density: 0.3}}")),
                    Catch::Contains("outputs.density of the layer that writes them"));
}
