// Pruned weights on a sparse PE array (Eyeriss v2 style): weights stored and
// moved as CSC entries, MACs with a zero weight or input skipped, in energy
// and, with saves_time, in cycles. A design that declares none of it
// ignores the weights' density.
#include <catch2/catch.hpp>

#include "schedule/mapper.h"
#include "schedule/plan_counts.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kSpads = "spad: {weights: 24, inputs: 12, psums: 8}";

std::string sparse_arch(const std::string& sparse = "{weights: csc, count_bits: 4, skip: [weights, inputs], saves_time: true}") {
  return replace_all(tiny_spatial_arch_yaml("64 KiB"), kSpads, std::string(kSpads) + "\n    sparse: " + sparse);
}

// fc 64 -> 64, batch 1: 4,096 MACs; half the weights and half the inputs zero.
const char* kLayer = R"(network: pruned
batch: 1
input: {C: 64, H: 1, W: 1}
layers:
  - name: fc
    type: fc
    C: 64
    M: 64
    weights: {bits: 8, scheme: uniform_symmetric, density: 0.5}
    inputs: {bits: 8, scheme: uniform_asymmetric, density: 0.5}
)";

LayerPrecision densities(double weights, double inputs) {
  LayerPrecision p;
  p.weights.density = weights;
  p.inputs.density = inputs;
  return p;
}

ActionCounts simulated_counts(const LayerResult& l) {
  ActionCounts c;
  for (const auto& a : l.actions) c[a.component + ":" + a.action] += a.count;
  return c;
}

}  // namespace

TEST_CASE("CSC weights take one entry per non-zero, plus one per run of zeros the count cannot span", "[sparsity][weights]") {
  const auto arch = arch_from_text(sparse_arch());
  const ArraySpec& pe = *arch->pe_array;
  // An 8-bit value and its 4-bit zero count: 12 bits an entry.
  CHECK(pe.weight_entry_bits(densities(0.5, 1)) == 12);
  // 1,000 weights at density 0.5: 500 non-zero; a run of 16 or more zeros
  // (probability 0.5^16 per position) needs an extra entry:
  // 1000 x 0.5 / (1 - 0.5^16) = 500.008, so 501 entries, 6,012 bits.
  CHECK(pe.weight_entries(1000, densities(0.5, 1)) == 501);
  CHECK(pe.weight_bits(1000, densities(0.5, 1)) == 501 * 12);
  // Dense weights still carry their counts: 1,000 entries of 12 bits.
  CHECK(pe.weight_bits(1000, densities(1, 1)) == 12000);
  // A 2-bit count spans runs of 3 zeros: at density 0.25, q^4 = 0.75^4 =
  // 0.31640625, so 1000 x 0.25 / 0.68359375 = 365.7, 366 entries.
  const auto short_count = arch_from_text(sparse_arch("{weights: csc, count_bits: 2}"));
  CHECK(short_count->pe_array->weight_entries(1000, densities(0.25, 1)) == 366);
  // An array without sparse stores weights raw whatever their density.
  const auto dense = arch_from_text(tiny_spatial_arch_yaml("64 KiB"));
  CHECK(dense->pe_array->weight_bits(1000, densities(0.25, 1)) == 8000);
}

TEST_CASE("skipping zero weights and inputs leaves density x density of the MACs, and of the cycles", "[sparsity][weights]") {
  const auto arch = arch_from_text(sparse_arch());
  const ArraySpec& pe = *arch->pe_array;
  const LayerPrecision p = densities(0.5, 0.4);
  // 1,000 MACs, weights half zero, inputs 60% zero: 1000 x 0.5 x 0.4 = 200 performed.
  CHECK(pe.active_macs(1000, p) == 200);
  // A pass of 100 iterations per PE over 3 rows: 100 x 0.2 = 20 MAC cycles,
  // then 2 hops of the partial sums up the column.
  CHECK(pe.pass_cycles(100, 3, 1, p) == 22);
  // Without saves_time the skipped MACs save energy only: 100 + 2 cycles.
  const auto energy_only = arch_from_text(sparse_arch("{weights: csc, count_bits: 4, skip: [weights, inputs]}"));
  CHECK(energy_only->pe_array->active_macs(1000, p) == 200);
  CHECK(energy_only->pe_array->pass_cycles(100, 3, 1, p) == 102);
  // Skipping only zero weights: 1000 x 0.5.
  const auto weights_only = arch_from_text(sparse_arch("{skip: [weights], saves_time: true}"));
  CHECK(weights_only->pe_array->active_macs(1000, p) == 500);
  CHECK(weights_only->pe_array->pass_cycles(100, 3, 1, p) == 52);
}

TEST_CASE("a pruned layer on a sparse array: compressed weight traffic, skipped MACs, closed form equal to the run",
          "[sparsity][weights]") {
  const auto arch = arch_from_text(sparse_arch());
  const Workload w = workload_from_text(kLayer);
  const LayerPlan plan = plan_workload(*arch, w)[0];
  // Each buffer tile that loads weights loads 1,024 of them (16 output
  // channels of 64), as 1024 x 0.5 / (1 - 0.5^16) = 512.008, so 513 entries
  // of 12 bits; the 4,096 weights take four such loads.
  uint64_t weight_loads = 0;
  for (const GlbTile& t : plan.tiles) {
    if (t.weight_load_bits == 0) continue;
    ++weight_loads;
    CHECK(t.weight_load_bits == 513 * 12);
  }
  CHECK(weight_loads == 4);

  const RunResult r = run_simulation(*arch, w);
  const LayerResult& l = r.layers[0];
  CHECK(l.macs == 64 * 64);
  // 4,096 x 0.5 x 0.5 = 1,024 MACs performed; every pass holds a multiple of
  // 4 MACs, so no pass rounds.
  CHECK(action_count(l, "pe_array", "mac.mac_8x8") == 1024);
  CHECK(action_count(l, "pe_array", "mac.gated") == 64 * 64 - 1024);
  // DRAM reads: the four weight loads, and the 64 inputs raw (no compression on this DRAM).
  CHECK(action_count(l, "dram", "dram.read_bits") == 4 * 513 * 12 + 64 * 8);
  const ActionCounts analytic = count_plan_actions(*arch, w.layers[0], plan);
  CHECK(simulated_counts(l) == analytic);

  // The same layer with dense weights and inputs, in closed form: every MAC
  // performed, 4 x 1,024 entries of 12 bits (no zero to leave out), and
  // the array busier.
  const Workload dense = workload_from_text(replace_all(kLayer, "density: 0.5}", "density: 1.0}"));
  const LayerPlan dense_plan = plan_workload(*arch, dense)[0];
  const ActionCounts d = count_plan_actions(*arch, dense.layers[0], dense_plan);
  CHECK(d.at("pe_array:mac.mac_8x8") == 64 * 64);
  CHECK(d.at("dram:dram.read_bits") == 4096 * 12 + 64 * 8);
  CHECK(plan_latency_bound(*arch, dense.layers[0], dense_plan).seconds >
        plan_latency_bound(*arch, w.layers[0], plan).seconds);
}

TEST_CASE("a design that declares no sparse support ignores the weights' density", "[sparsity][weights]") {
  const Workload pruned = workload_from_text(kLayer);
  const Workload dense = workload_from_text(replace_all(
      kLayer, "weights: {bits: 8, scheme: uniform_symmetric, density: 0.5}", "weights: {bits: 8, scheme: uniform_symmetric}"));
  // The weight-stationary systolic array, and the spatial array with zero gating of inputs.
  for (const std::string& yaml :
       {tiny_arch_yaml(), replace_all(tiny_spatial_arch_yaml("64 KiB"), kSpads, std::string(kSpads) + "\n    zero_gating: true")}) {
    const auto arch = arch_from_text(yaml);
    const LayerPlan a = plan_workload(*arch, pruned)[0], b = plan_workload(*arch, dense)[0];
    CHECK(count_plan_actions(*arch, pruned.layers[0], a) == count_plan_actions(*arch, dense.layers[0], b));
    CHECK(plan_latency_bound(*arch, pruned.layers[0], a).seconds == plan_latency_bound(*arch, dense.layers[0], b).seconds);
  }
  // And a run of the pruned layer counts what the dense layer's closed form does.
  const auto arch = arch_from_text(tiny_arch_yaml());
  const RunResult r = run_simulation(*arch, pruned);
  CHECK(simulated_counts(r.layers[0]) == count_plan_actions(*arch, dense.layers[0], plan_workload(*arch, dense)[0]));
}

TEST_CASE("sparse support and weight densities are checked where they are written", "[sparsity][weights][validation]") {
  CHECK_THAT(arch_error(replace_all(tiny_arch_yaml(), "spad: {weights: 2, inputs: 1, psums: 1}",
                                    "spad: {weights: 2, inputs: 1, psums: 1}\n    sparse: {skip: [weights]}"))
                 .what(),
             Catch::Contains("sparse") && Catch::Contains("SpatialArray"));
  CHECK_THAT(arch_error(replace_all(sparse_arch(), kSpads, std::string(kSpads) + "\n    zero_gating: true")).what(),
             Catch::Contains("zero_gating"));
  CHECK_THAT(arch_error(sparse_arch("{skip: [outputs]}")).what(), Catch::Contains("pe_array.sparse.skip") && Catch::Contains("outputs"));
  CHECK_THAT(arch_error(sparse_arch("{weights: rle, count_bits: 4}")).what(), Catch::Contains("csc"));
  CHECK_THAT(arch_error(sparse_arch("{weights: csc}")).what(), Catch::Contains("count_bits"));
  CHECK_THAT(arch_error(sparse_arch("{weights: csc, count_bits: 4, saves_time: true}")).what(),
             Catch::Contains("saves_time"));
  CHECK_THAT(arch_error(sparse_arch("{}")).what(), Catch::Contains("declares nothing"));
  CHECK_THROWS_WITH(workload_from_text(replace_all(kLayer, "uniform_symmetric, density: 0.5", "uniform_symmetric, density: 1.5")),
                    Catch::Contains("layers[0].weights.density"));
  CHECK_THROWS_WITH(workload_from_text(replace_all(kLayer, "    inputs: {bits: 8", "    accumulator: {density: 0.5}\n    inputs: {bits: 8")),
                    Catch::Contains("not to the accumulator"));
}
