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

TEST_CASE("simulated action counts equal the analytical counts, layer by layer", "[analytic]") {
  const auto arch = arch_from_text(replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: 16 KiB"));
  const Workload w = workload_from_text(R"(network: mixed
batch: 3
input: {C: 3, H: 12, W: 12}
layers:
  - {name: conv, type: conv, C: 3, H: 12, W: 12, M: 10, R: 3, S: 3, padding: 1}
  - {name: pool, type: maxpool, C: 10, H: 12, W: 12, R: 2, S: 2, stride: 2}
  - {name: grouped, type: conv, C: 10, H: 6, W: 6, M: 10, R: 3, S: 3, padding: 1, groups: 2}
  - {name: dw, type: dwconv, C: 10, H: 6, W: 6, R: 3, S: 3, padding: 1}
  - {name: res, type: add, from: [dw, pool], C: 10, H: 6, W: 6}
  - {name: wide, type: conv, C: 10, H: 6, W: 6, M: 40, R: 1, S: 1}
  - {name: fc, type: fc, C: 1440, M: 7}
)");
  const std::vector<LayerPlan> plans = plan_workload(*arch, w);
  const RunResult r = run_simulation(*arch, w);
  REQUIRE(r.layers.size() == w.layers.size());
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    INFO("layer " << w.layers[i].name << ", " << plans[i].tiling);
    ActionCounts simulated;
    for (const auto& a : r.layers[i].actions) simulated[a.component + ":" + a.action] += a.count;
    const ActionCounts analytic = count_plan_actions(*arch, w.layers[i], plans[i]);
    CHECK(simulated.size() >= (plans[i].uses_array ? 8u : 4u));
    CHECK(simulated == analytic);
    const LatencyBound bound = plan_latency_bound(*arch, w.layers[i], plans[i]);
    CHECK(bound.seconds > 0);
    CHECK(r.layers[i].latency_s >= bound.seconds * (1 - 1e-9));
  }
  // The fc layer's 1440 x 7 weights cannot sit in one 16 KiB double-buffered tile
  // with its inputs, so this also covers a reduction split over channels.
  CHECK(dim_extents(plans.back().mapping, plans.back().bounds, kC).tile < 1440);
}
