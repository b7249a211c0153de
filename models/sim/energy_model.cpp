#include "sim/energy_model.h"

#include "arch/component_spec.h"

namespace qnnsim {

void attribute_energy(const std::vector<const ComponentModule*>& modules, int layer, LayerResult& out) {
  double leakage_w = 0;
  for (const ComponentModule* m : modules) {
    const ComponentSpec& spec = m->spec();
    const auto& actions = m->log().actions();
    for (std::size_t id = 0; id < actions.size(); ++id) {
      const uint64_t n = m->log().count(layer, static_cast<int>(id));
      if (n == 0) continue;
      const double e = static_cast<double>(n) * spec.action_energy_pj(actions[id]);
      out.energy_breakdown_pj[actions[id].group] += e;
      out.actions.push_back({spec.instance(), actions[id].label(), n, e});
      out.energy_pj += e;
    }
    leakage_w += spec.leakage_w();
  }
  const double leak_pj = leakage_w * out.latency_s * 1e12;
  out.energy_breakdown_pj["leakage"] += leak_pj;
  out.energy_pj += leak_pj;
}

}  // namespace qnnsim
