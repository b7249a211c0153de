// CSV rows for in-memory chips: a stage's waits take the place of the PE
// array's stall causes, and each layer's crossbars, copies and ADC figures
// take the place of the buffer and NoC utilizations.
#include <set>

#include <fmt/format.h>

#include "report/report.h"

namespace qnnsim {

void write_in_memory_csv(const RunResult& r, std::ostream& out) {
  std::set<std::string> groups;
  for (const auto& l : r.layers)
    for (const auto& [k, v] : l.energy_breakdown_pj) groups.insert(k);
  out << "name,type,macs,cycles,latency_s,energy_pj,occupancy,io_bytes,compute_cycles,stall_input_cycles,"
         "stall_output_cycles,stall_memory_cycles,crossbars,copies,imas,segment,adc_conversions,adc_bits_needed,"
         "adc_clip_fraction";
  for (const auto& g : groups) out << ",energy_" << g << "_pj";
  out << ",tiling\n";
  for (const auto& l : r.layers) {
    const InMemoryLayer& m = *l.in_memory;
    const auto stall = [&](const char* k) { return l.stall_cycles.count(k) ? l.stall_cycles.at(k) : uint64_t{0}; };
    out << fmt::format("{},{},{},{},{:.9g},{:.9g},{:.6f},{:.0f},{},{},{},{}", l.name, l.type, l.macs, l.cycles,
                       l.latency_s, l.energy_pj, m.occupancy, l.dram_bytes, l.compute_cycles, stall("input"),
                       stall("output"), stall("memory"));
    out << fmt::format(",{},{},{},{},{},{},{:.6g}", m.crossbars, m.copies, m.imas, m.segment, m.adc_conversions,
                       m.adc_bits_needed, m.adc_clip_fraction);
    for (const auto& g : groups) {
      const auto it = l.energy_breakdown_pj.find(g);
      out << fmt::format(",{:.9g}", it == l.energy_breakdown_pj.end() ? 0.0 : it->second);
    }
    out << ",\"" << l.tiling << "\"\n";
  }
}

}  // namespace qnnsim
