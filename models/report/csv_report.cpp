#include <set>

#include <fmt/format.h>

#include "report/report.h"

namespace qnnsim {

namespace {
// Per-level utilization columns, 0..1 (see simulation.cpp).
constexpr const char* kUtilizations[] = {"dram_bandwidth", "glb_bandwidth", "noc_bandwidth", "glb_capacity"};
}  // namespace

// Layer names are plain identifiers (the trace loader checks), so no field needs quoting.
void write_csv(const RunResult& r, std::ostream& out) {
  if (r.in_memory) {
    write_in_memory_csv(r, out);
    return;
  }
  if (r.dataflow) {
    write_dataflow_csv(r, out);
    return;
  }
  std::set<std::string> groups;
  for (const auto& l : r.layers)
    for (const auto& [k, v] : l.energy_breakdown_pj) groups.insert(k);
  out << "name,type,macs,cycles,latency_s,energy_pj,pe_utilization,dram_bytes,compute_cycles,"
         "stall_dram_cycles,stall_buffer_cycles,stall_noc_cycles,active_pes";
  for (const char* u : kUtilizations) out << "," << u;
  for (const auto& g : groups) out << ",energy_" << g << "_pj";
  out << ",tiling\n";
  for (const auto& l : r.layers) {
    const auto stall = [&](const char* k) { return l.stall_cycles.count(k) ? l.stall_cycles.at(k) : uint64_t{0}; };
    out << fmt::format("{},{},{},{},{:.9g},{:.9g},{:.6f},{:.0f},{},{},{},{}", l.name, l.type, l.macs, l.cycles,
                       l.latency_s, l.energy_pj, l.pe_utilization, l.dram_bytes, l.compute_cycles, stall("dram"),
                       stall("buffer"), stall("noc"));
    out << "," << l.active_pes;
    for (const char* u : kUtilizations) {
      const auto it = l.utilization.find(u);
      out << fmt::format(",{:.6f}", it == l.utilization.end() ? 0.0 : it->second);
    }
    for (const auto& g : groups) {
      const auto it = l.energy_breakdown_pj.find(g);
      out << fmt::format(",{:.9g}", it == l.energy_breakdown_pj.end() ? 0.0 : it->second);
    }
    out << ",\"" << l.tiling << "\"\n";
  }
}

}  // namespace qnnsim
