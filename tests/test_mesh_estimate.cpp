// On a mesh the mapper's estimate of a mapping follows the run: each tensor
// moves at the rate its route's busiest link allows (NocSpec::cycles_per_bit),
// and each pass that waits for a transfer pays its head latency. Before the
// route's rate was counted, the estimate took the buffer router's links
// together and ResNet-50's l2b1_shortcut ran 3.2x its estimate on
// arch/eyeriss_v1_mesh.yaml.
#include <catch2/catch.hpp>

#include "schedule/mapper.h"
#include "sim/simulation.h"
#include "support.h"

namespace qnnsim {
namespace {

TEST_CASE("on the mesh the mapper's estimate of each ResNet-50 layer follows the run", "[mesh]") {
  const auto arch = load_arch(test::shipped("arch/eyeriss_v1_mesh.yaml"));
  Workload w = load_workload(test::shipped("workloads/resnet50.yaml"));
  for (const char* bits : {"weights=16", "inputs=16", "outputs=16", "accumulator=16"})
    REQUIRE(apply_bits_override(w, bits).empty());
  const std::vector<LayerPlan> plans = plan_workload(*arch, w);
  const RunResult r = run_simulation(*arch, w);
  REQUIRE(r.layers.size() == plans.size());
  double estimated = 0, simulated = 0;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (!plans[i].uses_array) continue;
    const double est = score_plan(*arch, w.layers[i], plans[i]).seconds;
    INFO(w.layers[i].name << ": " << plans[i].tiling << ", estimated " << est << " s, simulated " << r.layers[i].latency_s);
    // The fc layer's last passes use fewer PEs than the estimate's region: it runs faster.
    CHECK(r.layers[i].latency_s >= 0.7 * est);
    CHECK(r.layers[i].latency_s <= 1.15 * est);
    estimated += est;
    simulated += r.layers[i].latency_s;
  }
  CHECK(simulated == Approx(estimated).epsilon(0.05));
}

}  // namespace
}  // namespace qnnsim
