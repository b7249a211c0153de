// The mapper searches a pruned space (block sizes that split each loop
// evenly, ranked by a closed-form estimate, the best few scored exactly). On
// a layer small enough to enumerate every valid mapping, its choice must be
// within 5% of the true optimum of the same analytical objective.
#include <catch2/catch.hpp>

#include <limits>

#include "schedule/ws_schedule.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kLayer = R"(network: small
batch: 2
input: {C: 6, H: 6, W: 6}
layers:
  - {name: conv, type: conv, C: 6, H: 6, W: 6, M: 10, R: 3, S: 3, padding: 1}
)";

// The best score over every mapping that passes the replay checks.
double exhaustive_optimum(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective, int* valid) {
  const ConfigNode nowhere = ConfigNode::load_string("tile: {}\n", "exhaustive");
  double best = std::numeric_limits<double>::infinity();
  *valid = 0;
  for (int64_t n = 1; n <= batch; ++n)
    for (int64_t p = 1; p <= l.P; ++p)
      for (int64_t m = 1; m <= l.M; ++m)
        for (int64_t c = 1; c <= l.C; ++c)
          for (bool weights_outer : {true, false}) {
            const GivenMapping given{WsMapping{n, p, 1, m, c, weights_outer}, nowhere};
            try {
              const LayerPlan plan = plan_layer_ws(arch, l, batch, &given);
              best = std::min(best, score_plan(arch, l, plan).value(objective));
              ++*valid;
            } catch (const ConfigError&) {
              // not a valid mapping on this architecture
            }
          }
  return best;
}

}  // namespace

TEST_CASE("the mapper is within 5% of the exhaustive optimum for each objective", "[mapper]") {
  // A 2 KiB buffer forces real choices between tile sizes and loop orders.
  const auto arch = arch_from_text(replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: 2 KiB"));
  const Workload w = workload_from_text(kLayer);
  const Layer& l = w.layers[0];
  for (Objective objective : {Objective::Energy, Objective::Latency, Objective::Edp}) {
    INFO("objective " << static_cast<int>(objective));
    int valid = 0;
    const double optimum = exhaustive_optimum(*arch, l, w.batch, objective, &valid);
    CHECK(valid > 20);
    const LayerPlan chosen = plan_layer_ws(*arch, l, w.batch, nullptr, objective);
    const double mine = score_plan(*arch, l, chosen).value(objective);
    CHECK(mine >= optimum * (1 - 1e-12));
    CHECK(mine <= 1.05 * optimum);
  }
}

TEST_CASE("the objective changes the chosen mapping's figures the way it should", "[mapper]") {
  const auto arch = arch_from_text(replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: 2 KiB"));
  const Workload w = workload_from_text(kLayer);
  const Layer& l = w.layers[0];
  const PlanScore by_energy = score_plan(*arch, l, plan_layer_ws(*arch, l, w.batch, nullptr, Objective::Energy));
  const PlanScore by_latency = score_plan(*arch, l, plan_layer_ws(*arch, l, w.batch, nullptr, Objective::Latency));
  CHECK(by_energy.energy_pj <= by_latency.energy_pj * 1.01);
  CHECK(by_latency.seconds <= by_energy.seconds * 1.01);
}

TEST_CASE("the mapper is deterministic", "[mapper]") {
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const Workload w = load_workload(shipped("workloads/resnet50.yaml"));
  const std::vector<LayerPlan> a = plan_workload(*arch, w), b = plan_workload(*arch, w);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].tiling == b[i].tiling);
}
