// The terminal table for hybrid designs: per layer the part it ran on; per
// part its share of the layers, time, energy and area; energy by part and
// component.
#include <fmt/format.h>

#include "report/report.h"

namespace qnnsim {

namespace {

// What the layer's part reports of it beyond time and energy.
std::string detail(const LayerResult& l) {
  if (l.in_memory) return fmt::format("{} crossbars x {}", l.in_memory->crossbars, l.in_memory->copies);
  if (l.dataflow) return fmt::format("{} engine", l.dataflow->engine);
  return l.active_pes > 0 ? fmt::format("{:.1f}% PEs busy", 100.0 * l.pe_utilization) : std::string("vector unit");
}

double share(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

// What objective_value (design/objective.h) measures each objective in.
const char* objective_unit(const std::string& objective) {
  if (objective == "energy") return "pJ";
  if (objective == "latency") return "s";
  return "pJ*s";
}

}  // namespace

void print_hybrid_table(const RunResult& r, std::ostream& out) {
  const HybridSummary& h = *r.hybrid;
  const Summary& s = r.summary;
  out << fmt::format("qnnsim: {} on {}, batch {}, hybrid: {} parts, {} runs one after another\n\n", r.workload, r.arch,
                     r.batch, h.parts.size(), h.runs);
  out << fmt::format("{:<16} {:<9} {:<10} {:>10} {:>11} {:>11} {:>11}  {}\n", "layer", "type", "on", "MACs", "latency",
                     "energy", "off-chip", "");
  for (const auto& l : r.layers)
    out << fmt::format("{:<16} {:<9} {:<10} {:>10} {:>11} {:>11} {:>11}  {}\n", l.name, l.type, l.placement,
                       si(static_cast<double>(l.macs), ""), si(l.latency_s, "s"), si(l.energy_pj * 1e-12, "J"),
                       si(l.dram_bytes, "B"), detail(l));
  out << "\nsummary\n";
  out << fmt::format("  latency          {} (the parts' runs in sequence)\n", si(s.latency_s, "s"));
  out << fmt::format("  throughput       {:.4g} GOPS ({} inferences/s)\n", s.throughput_gops,
                     si(s.latency_s > 0 ? static_cast<double>(r.batch) / s.latency_s : 0.0, ""));
  out << fmt::format("  MACs             {} ({} ops)\n", si(static_cast<double>(s.macs), ""), si(static_cast<double>(s.ops), ""));
  out << fmt::format("  energy           {} ({:.4g} pJ/MAC, {:.4g} TOPS/W)\n", si(s.energy_pj * 1e-12, "J"),
                     s.energy_per_mac_pj, s.tops_per_w);
  out << fmt::format("  off-chip traffic {}\n", si(s.dram_bytes, "B"));
  out << fmt::format("  area (on chip)   {:.4g} mm2, the parts' sum\n", s.area_mm2);
  for (const HybridPart& p : h.parts)
    out << fmt::format("  part {:<11} {} ({}, {}): {} layers in {} runs, {} MACs; {:.1f}% of latency, {:.1f}% of "
                       "energy, {:.4g} mm2\n",
                       p.name, p.design.empty() ? "-" : p.design, p.family, si(p.clock_hz, "Hz"), p.layers, p.runs,
                       si(static_cast<double>(p.macs), ""), share(p.latency_s, s.latency_s),
                       share(p.energy_pj, s.energy_pj), p.area_mm2);
  if (h.placement_search) {
    const PlacementSearchSummary& ps = *h.placement_search;
    const double gain = ps.automatic_value > 0 ? 100.0 * (1.0 - ps.chosen_value / ps.automatic_value) : 0.0;
    out << fmt::format("  placement        searched on {}: {} {} moved from the automatic rule, {} {:.4g} -> {:.4g} {} "
                       "({:.1f}% lower); {} placements scored from {} starts ({} passed over for new warnings, {} "
                       "that a part cannot run), {} part runs simulated\n",
                       ps.objective, ps.layers_moved, ps.layers_moved == 1 ? "layer" : "layers", ps.objective,
                       ps.automatic_value, ps.chosen_value, objective_unit(ps.objective), gain, ps.placements_scored,
                       ps.starts, ps.passed_over_for_warnings, ps.passed_over_cannot_run, ps.runs_simulated);
  }
  out << fmt::format("  bound            {}: {} of {} ({:.1f}%)\n", time_bound_name(h.bound), si(h.bound_s, "s"),
                     si(s.latency_s, "s"), share(h.bound_s, s.latency_s));
  for (const HybridPart& p : h.parts)
    for (const TimeCause& c : p.time)
      out << fmt::format("    {:<32} {:>11} {:>6.1f}%  {}\n", p.name + " " + c.what, si(c.seconds, "s"),
                         share(c.seconds, s.latency_s), time_bound_name(c.bound));
  out << "  energy by part and component:\n";
  for (const auto& [k, v] : s.energy_breakdown_pj)
    out << fmt::format("    {:<20} {:>11} {:>6.1f}%\n", k, si(v * 1e-12, "J"), share(v, s.energy_pj));
}

}  // namespace qnnsim
