#include "design/run_result.h"

namespace qnnsim {

void add_layer_totals(Summary& s, const LayerResult& l) {
  s.macs += l.macs;
  s.energy_pj += l.energy_pj;
  s.dram_bytes += l.dram_bytes;
  s.compute_cycles += l.compute_cycles;
  for (const auto& [k, v] : l.stall_cycles) s.stall_cycles[k] += v;
  for (const auto& [k, v] : l.energy_breakdown_pj) s.energy_breakdown_pj[k] += v;
  for (const auto& a : l.actions) s.energy_by_action_pj[a.component + ":" + a.action] += a.energy_pj;
}

void finish_summary(Summary& s) {
  s.ops = 2 * s.macs;
  s.throughput_gops = s.latency_s > 0 ? static_cast<double>(s.ops) / s.latency_s / 1e9 : 0.0;
  s.energy_per_mac_pj = s.macs > 0 ? s.energy_pj / static_cast<double>(s.macs) : 0.0;
  s.tops_per_w = s.energy_pj > 0 ? static_cast<double>(s.ops) / s.energy_pj : 0.0;
  s.gops_per_w = 1e3 * s.tops_per_w;
  s.gops_per_mm2 = s.area_mm2 > 0 ? s.throughput_gops / s.area_mm2 : 0.0;
}

}  // namespace qnnsim
