// The SystemC run is the measurement; for the same plans, the action counts it
// records must equal the closed-form counts exactly, and its latency may not
// fall below the analytical bound. Layers chosen to hit remainders (reduction
// and channels that do not fill the array), groups, depthwise, a channel-split
// fc, pooling and a residual add.
#include <catch2/catch.hpp>

#include "schedule/plan_counts.h"
#include "schedule/mapper.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// The actions whose counts differ, for the failure message.
std::string differences(const ActionCounts& simulated, const ActionCounts& analytic) {
  std::string out;
  ActionCounts all = simulated;
  for (const auto& [k, v] : analytic) all[k] += 0 * v;
  for (const auto& [k, v] : all) {
    const uint64_t a = simulated.count(k) ? simulated.at(k) : 0, b = analytic.count(k) ? analytic.at(k) : 0;
    if (a != b) out += k + ": simulated " + std::to_string(a) + ", analytic " + std::to_string(b) + "; ";
  }
  return out;
}

const char* kMixed = R"(network: mixed
batch: 3
input: {C: 3, H: 12, W: 12}
layers:
  - {name: conv, type: conv, C: 3, H: 12, W: 12, M: 10, R: 3, S: 3, padding: 1, activations: [silu]}
  - {name: pool, type: maxpool, C: 10, H: 12, W: 12, R: 2, S: 2, stride: 2}
  - {name: grouped, type: conv, C: 10, H: 6, W: 6, M: 10, R: 3, S: 3, padding: 1, groups: 2}
  - {name: dw, type: dwconv, C: 10, H: 6, W: 6, R: 3, S: 3, padding: 1}
  - {name: res, type: add, from: [dw, pool], C: 10, H: 6, W: 6, activations: [hardswish]}
  - {name: wide, type: conv, C: 10, H: 6, W: 6, M: 40, R: 1, S: 1, activations: [sigmoid, tanh]}
  - {name: fc, type: fc, C: 1440, M: 7}
)";

// Runs the mixed workload and compares every layer's simulated counts with the closed form.
std::vector<LayerPlan> compare_counts(const ArchSpec& arch_ref) {
  const ArchSpec* arch = &arch_ref;
  const Workload w = workload_from_text(kMixed);
  const std::vector<LayerPlan> plans = plan_workload(*arch, w);
  const RunResult r = run_simulation(*arch, w);
  REQUIRE(r.layers.size() == w.layers.size());
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    INFO("layer " << w.layers[i].name << ", " << plans[i].tiling);
    ActionCounts simulated;
    for (const auto& a : r.layers[i].actions) simulated[a.component + ":" + a.action] += a.count;
    const ActionCounts analytic = count_plan_actions(*arch, w.layers[i], plans[i]);
    CHECK(simulated.size() >= (plans[i].uses_array ? 8u : 4u));
    INFO(differences(simulated, analytic));
    CHECK(simulated == analytic);
    const LatencyBound bound = plan_latency_bound(*arch, w.layers[i], plans[i]);
    CHECK(bound.seconds > 0);
    CHECK(r.layers[i].latency_s >= bound.seconds * (1 - 1e-9));
  }
  return plans;
}

}  // namespace

TEST_CASE("simulated action counts equal the analytical counts, layer by layer", "[analytic]") {
  const auto arch = arch_from_text(replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: 16 KiB"));
  const std::vector<LayerPlan> plans = compare_counts(*arch);
  // The fc layer's 1440 x 7 weights cannot sit in one 16 KiB double-buffered tile
  // with its inputs, so this also covers a reduction split over channels.
  CHECK(dim_extents(plans.back().mapping, plans.back().bounds, kC).tile < 1440);
}

// The same holds under every dataflow, where the PEs keep other tensors (and
// larger scratchpads let them hold several values, with windows and folds).
// One dataflow per test case: SystemC elaborates once per process.
void compare_under(const char* flow) {
  std::string yaml = replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: 16 KiB");
  yaml = replace_all(yaml, "dataflow: weight_stationary", std::string("dataflow: ") + flow);
  yaml = replace_all(yaml, "spad: {weights: 2, inputs: 1, psums: 1}", "spad: {weights: 24, inputs: 12, psums: 8}");
  compare_counts(*arch_from_text(yaml));
}

TEST_CASE("simulated counts equal the analytical counts: output stationary", "[analytic]") {
  compare_under("output_stationary");
}
TEST_CASE("simulated counts equal the analytical counts: input stationary", "[analytic]") {
  compare_under("input_stationary");
}
TEST_CASE("simulated counts equal the analytical counts: row stationary", "[analytic]") {
  compare_under("row_stationary");
}
TEST_CASE("simulated counts equal the analytical counts: unconstrained", "[analytic]") {
  compare_under("unconstrained");
}

// An Eyeriss-style array: PEs fed by a network per tensor, weights loaded
// without a shadow copy, and a buffer whose single tile slot serialises DMA
// and compute.
TEST_CASE("simulated counts equal the analytical counts: spatial array, a network per tensor, one tile slot",
          "[analytic]") {
  compare_counts(*arch_from_text(tiny_spatial_arch_yaml("16 KiB")));
}
