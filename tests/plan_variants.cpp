#include "plan_variants.h"

#include <catch2/catch.hpp>

#include "core/config_error.h"
#include "core/config_node.h"
#include "schedule/mapper.h"

namespace qnnsim::test {

void for_each_plan_variant(const ArchSpec& arch, Workload w,
                           const std::function<void(const Layer&, const LayerPlan&)>& visit) {
  const ConfigNode nowhere = ConfigNode::load_string("tile: {}\n", "plan_variants");
  for (int64_t batch : {1, 7, 64}) {
    INFO("batch " << batch);
    w.batch = batch;
    const std::vector<LayerPlan> plans = plan_workload(arch, w);
    for (std::size_t i = 0; i < plans.size(); ++i) {
      if (!plans[i].uses_array) continue;
      const Layer& l = w.layers[i];
      visit(l, plans[i]);
      for (int d : {kN, kM, kC, kP}) {
        Mapping m = plans[i].mapping;
        const DimExtents e = dim_extents(m, plans[i].bounds, d);
        const int64_t passes = (e.dim + e.pass - 1) / e.pass;
        if (passes < 3) continue;
        m.glb[static_cast<std::size_t>(d)] = (passes + 1) / 2;
        const GivenMapping given{m, VectorTiling{}, nowhere};
        LayerPlan plan;
        try {
          plan = plan_layer(arch, l, batch, &given);
        } catch (const ConfigError&) {
          continue;  // not a valid mapping on this design (the tile does not fit, say)
        }
        visit(l, plan);
      }
    }
  }
}

}  // namespace qnnsim::test
