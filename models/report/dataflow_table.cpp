// The terminal table for dataflow designs: per layer its engine's folding,
// cycles per image, occupancy and waits; for the design, throughput set by the
// slowest engine, the pipeline's depth, weight memory and area.
#include <fmt/format.h>

#include "report/report.h"

namespace qnnsim {

void print_dataflow_table(const RunResult& r, std::ostream& out) {
  const DataflowSummary& d = *r.dataflow;
  out << fmt::format("qnnsim: {} on {}, batch {}, {}\n\n", r.workload, r.arch, r.batch, d.execution);
  out << fmt::format("{:<16} {:<8} {:>10} {:>18} {:>12} {:>11} {:>11} {:>6} {:>11} {:>11}\n", "layer", "type", "MACs",
                     "folding", "cycles/img", "stage time", "energy", "busy", "wait in", "wait out");
  for (const auto& l : r.layers) {
    const DataflowLayer& e = *l.dataflow;
    const std::string fold = e.engine == "matrix_vector"
                                 ? fmt::format("{}x{}{}", e.pe, e.simd, e.folding_chosen ? " auto" : "")
                                 : fmt::format("{} ch", e.pe);
    out << fmt::format("{:<16} {:<8} {:>10} {:>18} {:>12} {:>11} {:>11} {:>5.1f}% {:>11} {:>11}\n", l.name, l.type,
                       si(static_cast<double>(l.macs), ""), fold, e.cycles_per_image, si(l.latency_s, "s"),
                       si(l.energy_pj * 1e-12, "J"), 100.0 * e.occupancy, si(e.wait_input_s, "s"),
                       si(e.wait_output_s, "s"));
  }
  const Summary& s = r.summary;
  out << "\nsummary\n";
  out << fmt::format("  latency          {} for the batch ({} cycles at {}); first image out after {}\n",
                     si(s.latency_s, "s"), s.cycles, si(r.clock_hz, "Hz"), si(d.first_image_latency_s, "s"));
  out << fmt::format("  throughput       {:.4g} GOPS, {} images/s", s.throughput_gops, si(d.images_per_s, ""));
  if (d.pipeline_interval_s > 0 && d.execution == "layer_pipelined")
    out << fmt::format(" (one image every {} in the pipeline)", si(d.pipeline_interval_s, "s"));
  out << "\n";
  out << fmt::format("  slowest engine   {}: {} cycles per image ({} images/s at the clock)\n", d.slowest_layer,
                     d.slowest_cycles_per_image,
                     si(d.slowest_cycles_per_image > 0 ? r.clock_hz / static_cast<double>(d.slowest_cycles_per_image) : 0.0, ""));
  out << fmt::format("  MACs             {} ({} ops)\n", si(static_cast<double>(s.macs), ""), si(static_cast<double>(s.ops), ""));
  out << fmt::format("  energy           {} ({} per image, {:.4g} pJ/MAC, {:.4g} GOPS/W)\n", si(s.energy_pj * 1e-12, "J"),
                     si(s.energy_pj * 1e-12 / static_cast<double>(r.batch), "J"), s.energy_per_mac_pj, s.gops_per_w);
  out << fmt::format("  lanes            {} MAC lanes{}; busy {:.1f}% of lane-time; peak {:.4g} GOPS\n", d.lanes,
                     d.lane_budget > 0             ? fmt::format(" (budget {})", d.lane_budget)
                     : d.target_images_per_s > 0 ? fmt::format(" (folded for {:.4g} images/s)", d.target_images_per_s)
                                                 : std::string(),
                     100.0 * s.pe_utilization, d.peak_gops);
  if (!d.resources_used.empty()) {
    std::string used;
    for (const auto& [name, amount] : d.resources_used) {
      const auto budget = d.resource_budget.find(name);
      used += fmt::format("{}{} {:.0f}{}", used.empty() ? "" : ", ", name, amount,
                          budget != d.resource_budget.end() ? fmt::format(" of {:.0f}", budget->second) : std::string());
    }
    out << fmt::format("  FPGA resources   {} (the MAC lanes only)\n", used);
  }
  out << fmt::format("  weight memory    {:.3g} of {:.3g} Mibit hold weights\n", d.weight_bits / 1048576.0,
                     d.weight_memory_bits / 1048576.0);
  out << fmt::format("  area (on chip)   {:.4g} mm2\n", s.area_mm2);
  out << "  energy by component:\n";
  for (const auto& [k, v] : s.energy_breakdown_pj)
    out << fmt::format("    {:<14} {:>11} {:>6.1f}%\n", k, si(v * 1e-12, "J"), s.energy_pj > 0 ? 100.0 * v / s.energy_pj : 0.0);
}

}  // namespace qnnsim
