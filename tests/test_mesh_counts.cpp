// On a mesh the run still counts, for the same plans, exactly the actions the
// closed form counts (bits read, sent, delivered, MACs, ...), plus the mesh's
// own router and link bits, which the closed form leaves out; and its latency
// never falls below the analytical bound, whose network width for a mesh is
// the links of the buffer's router together.
#include <catch2/catch.hpp>

#include "schedule/mapper.h"
#include "schedule/plan_counts.h"
#include "sim/simulation.h"
#include "support.h"

namespace qnnsim {
namespace {

const char* kLayers = R"(network: mesh_mix
batch: 2
input: {C: 3, H: 10, W: 10}
layers:
  - {name: conv, type: conv, C: 3, H: 10, W: 10, M: 6, R: 3, S: 3, padding: 1}
  - {name: pool, type: maxpool, C: 6, H: 10, W: 10, R: 2, S: 2, stride: 2}
  - {name: narrow, type: conv, C: 6, H: 5, W: 5, M: 3, R: 1, S: 1}
  - {name: fc, type: fc, C: 75, M: 5}
)";

void compare_on_mesh(const std::string& yaml) {
  const auto arch = test::arch_from_text(yaml);
  const Workload w = test::workload_from_text(kLayers);
  const std::vector<LayerPlan> plans = plan_workload(*arch, w);
  const RunResult r = run_simulation(*arch, w);
  REQUIRE(r.layers.size() == w.layers.size());
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    INFO("layer " << w.layers[i].name << ", " << plans[i].tiling);
    ActionCounts simulated;
    uint64_t mesh_only = 0;
    for (const auto& a : r.layers[i].actions) {
      if (a.component == "noc" && (a.action == "noc.router_bits" || a.action == "noc.link_bits")) {
        mesh_only += a.count;
        continue;
      }
      simulated[a.component + ":" + a.action] += a.count;
    }
    const ActionCounts analytic = count_plan_actions(*arch, w.layers[i], plans[i]);
    CHECK(simulated == analytic);
    if (plans[i].uses_array) CHECK(mesh_only > 0);
    const LatencyBound bound = plan_latency_bound(*arch, w.layers[i], plans[i]);
    CHECK(r.layers[i].latency_s >= bound.seconds * (1 - 1e-9));
  }
}

std::string mesh(std::string yaml, const std::string& injection) {
  return test::replace_all(std::move(yaml), "noc: {under: glb, class: MulticastBus, width: 64 bit}",
                           "noc: {under: glb, class: Mesh2D, routing: xy, injection: " + injection +
                               ", link_width: 16 bit, router_cycles: 1}");
}

TEST_CASE("on a mesh the plan's actions are counted as the closed form counts them on a systolic array from a corner", "[mesh]") {
  compare_on_mesh(mesh(test::tiny_arch_yaml(), "corner"));
}

TEST_CASE("on a mesh the plan's actions are counted as the closed form counts them on a spatial array from the edge middle", "[mesh]") {
  std::string yaml = test::tiny_spatial_arch_yaml("16 KiB");
  yaml = test::replace_all(yaml, "width: {weights: 64 bit, inputs: 16 bit, psums: 32 bit}}", "width: 64 bit}");
  compare_on_mesh(mesh(yaml, "edge_middle"));
}

}  // namespace
}  // namespace qnnsim
