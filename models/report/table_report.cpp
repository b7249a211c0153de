#include <algorithm>

#include <fmt/format.h>

#include "report/report.h"

namespace qnnsim {

// Engineering notation so every figure stays readable across 9 orders of magnitude.
std::string si(double v, const char* unit) {
  static const char* prefixes[] = {"p", "n", "u", "m", "", "k", "M", "G", "T"};
  int idx = 4;
  double x = v;
  while (x != 0 && std::abs(x) >= 1000 && idx < 8) {
    x /= 1000;
    ++idx;
  }
  while (x != 0 && std::abs(x) < 1 && idx > 0) {
    x *= 1000;
    --idx;
  }
  const std::string suffix = std::string(prefixes[idx]) + unit;
  return suffix.empty() ? fmt::format("{:.3g}", x) : fmt::format("{:.3g} {}", x, suffix);
}

namespace {

// What held the layer up the most: the array itself, or one stall cause.
std::string bound_by(const LayerResult& l) {
  std::string what = "compute";
  uint64_t most = l.compute_cycles;
  for (const auto& [cause, cycles] : l.stall_cycles)
    if (cycles > most) {
      most = cycles;
      what = cause;
    }
  return what;
}

// A layer a level design has no unit for (sim/level_run.h).
bool not_costed(const RunResult& r, const LayerResult& l) {
  return r.levels && std::find(r.levels->not_costed.begin(), r.levels->not_costed.end(), l.name) != r.levels->not_costed.end();
}

}  // namespace

void print_table(const RunResult& r, std::ostream& out) {
  if (r.in_memory) {
    print_in_memory_table(r, out);
    return;
  }
  if (r.dataflow) {
    print_dataflow_table(r, out);
    return;
  }
  if (r.hybrid) {
    print_hybrid_table(r, out);
    return;
  }
  out << fmt::format("qnnsim: {} on {}, batch {}\n\n", r.workload, r.arch, r.batch);
  out << fmt::format("{:<16} {:<8} {:>10} {:>12} {:>11} {:>11} {:>7} {:>11}  {}\n", "layer", "type", "MACs", "cycles",
                     "latency", "energy", "util", "DRAM", "bound by");
  for (const auto& l : r.layers)
    out << fmt::format("{:<16} {:<8} {:>10} {:>12} {:>11} {:>11} {:>6.1f}% {:>11}  {}\n", l.name, l.type,
                       si(static_cast<double>(l.macs), ""), l.cycles, si(l.latency_s, "s"), si(l.energy_pj * 1e-12, "J"),
                       100.0 * l.pe_utilization, si(l.dram_bytes, "B"), not_costed(r, l) ? "not costed" : bound_by(l));
  const Summary& s = r.summary;
  out << "\nsummary\n";
  out << fmt::format("  latency          {} ({} cycles at {})\n", si(s.latency_s, "s"), s.cycles, si(r.clock_hz, "Hz"));
  out << fmt::format("  throughput       {:.4g} GOPS ({} inferences/s)\n", s.throughput_gops,
                     si(s.latency_s > 0 ? static_cast<double>(r.batch) / s.latency_s : 0.0, ""));
  out << fmt::format("  MACs             {} ({} ops)\n", si(static_cast<double>(s.macs), ""), si(static_cast<double>(s.ops), ""));
  out << fmt::format("  energy           {} ({:.4g} pJ/MAC, {:.4g} TOPS/W)\n", si(s.energy_pj * 1e-12, "J"),
                     s.energy_per_mac_pj, s.tops_per_w);
  out << fmt::format("  PE utilization   {:.1f}%\n", 100.0 * s.pe_utilization);
  const auto stall = [&](const char* k) { return s.stall_cycles.count(k) ? s.stall_cycles.at(k) : uint64_t{0}; };
  if (r.levels) {  // a level design: the time past computing is set by whichever level is busiest, by name
    std::string waits;
    for (const auto& [level, cycles] : s.stall_cycles) waits += fmt::format("{}{} on {}", waits.empty() ? "" : ", ", cycles, level);
    out << fmt::format("  time             {} cycles computing; {}\n", s.compute_cycles,
                       waits.empty() ? "no level slower" : "levels slower by " + waits);
  } else {
    out << fmt::format("  time             {} cycles computing; stalled {} on DRAM, {} on the buffer, {} on the NoC\n",
                       s.compute_cycles, stall("dram"), stall("buffer"), stall("noc"));
  }
  out << fmt::format("  DRAM traffic     {}\n", si(s.dram_bytes, "B"));
  out << fmt::format("  area (on chip)   {:.4g} mm2\n", s.area_mm2);
  out << "  energy by component:\n";
  for (const auto& [k, v] : s.energy_breakdown_pj)
    out << fmt::format("    {:<12} {:>11} {:>6.1f}%\n", k, si(v * 1e-12, "J"), s.energy_pj > 0 ? 100.0 * v / s.energy_pj : 0.0);
  if (r.levels) {
    out << fmt::format("  level design     mapped for {} by the level search ({} layers, {} distinct shapes searched, {} "
                       "mappings counted, {:.3g} s); time is the level model's, not a SystemC schedule\n",
                       r.levels->objective, r.levels->layers_mapped, r.levels->shapes_searched,
                       r.levels->mappings_evaluated, r.levels->search_s);
    for (const std::string& w : r.levels->warnings) out << "  warning          " << w << "\n";
  }
}

}  // namespace qnnsim
