// CSV rows for dataflow designs: an engine's waits take the place of the PE
// array's stall causes, and its folding, cycles per image and memories take
// the place of the buffer and NoC utilizations.
#include <set>

#include <fmt/format.h>

#include "report/report.h"

namespace qnnsim {

void write_dataflow_csv(const RunResult& r, std::ostream& out) {
  std::set<std::string> groups;
  for (const auto& l : r.layers)
    for (const auto& [k, v] : l.energy_breakdown_pj) groups.insert(k);
  out << "name,type,macs,cycles,latency_s,energy_pj,occupancy,io_bytes,compute_cycles,stall_input_cycles,"
         "stall_output_cycles,engine,mac_class,pe,simd,folding_chosen,lanes,cycles_per_image,weight_bits,"
         "line_buffer_bits,fifo_bits";
  for (const auto& g : groups) out << ",energy_" << g << "_pj";
  out << ",tiling\n";
  for (const auto& l : r.layers) {
    const DataflowLayer& d = *l.dataflow;
    const auto stall = [&](const char* k) { return l.stall_cycles.count(k) ? l.stall_cycles.at(k) : uint64_t{0}; };
    out << fmt::format("{},{},{},{},{:.9g},{:.9g},{:.6f},{:.0f},{},{},{}", l.name, l.type, l.macs, l.cycles,
                       l.latency_s, l.energy_pj, d.occupancy, l.dram_bytes, l.compute_cycles, stall("input"),
                       stall("output"));
    out << fmt::format(",{},{},{},{},{},{},{},{:.0f},{:.0f},{:.0f}", d.engine, d.mac_class, d.pe, d.simd,
                       d.folding_chosen ? 1 : 0, d.lanes, d.cycles_per_image, d.weight_bits, d.line_buffer_bits,
                       d.fifo_bits);
    for (const auto& g : groups) {
      const auto it = l.energy_breakdown_pj.find(g);
      out << fmt::format(",{:.9g}", it == l.energy_breakdown_pj.end() ? 0.0 : it->second);
    }
    out << ",\"" << l.tiling << "\"\n";
  }
}

}  // namespace qnnsim
