// One CSV schema for every design: a row per layer, the same columns in the
// same order whether the design is a PE array, an in-memory chip or a
// dataflow pipeline, so that runs of different designs load into one table.
// A column that does not apply to a design is left empty (not 0, which would
// read as a measurement). Units are in the names; fractions end in _fraction.
#include <functional>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "core/csv_field.h"
#include "report/report.h"

namespace qnnsim {

namespace {

std::string num(double v) { return fmt::format("{:.9g}", v); }
std::string num(uint64_t v) { return std::to_string(v); }
std::string num(int64_t v) { return std::to_string(v); }

template <class T>
std::string opt(const std::optional<T>& part, const std::function<std::string(const T&)>& f) {
  return part ? f(*part) : "";
}

struct Column {
  const char* name;
  std::function<std::string(const RunResult&, const LayerResult&)> value;
};

std::string stall(const LayerResult& l, const char* cause, bool applies) {
  if (!applies) return "";
  const auto it = l.stall_cycles.find(cause);
  return num(it == l.stall_cycles.end() ? uint64_t{0} : it->second);
}

bool pe_array(const LayerResult& l) { return !l.in_memory && !l.dataflow; }

// The engine's PE arrays have a DRAM, a buffer and a NoC by those names; a
// level design names its own levels (its JSON has them), so those columns stay empty.
bool engine_array(const RunResult& r, const LayerResult& l) { return pe_array(l) && !r.levels; }

std::string utilization(const RunResult& r, const LayerResult& l, const char* level) {
  if (!engine_array(r, l)) return "";
  const auto it = l.utilization.find(level);
  return num(it == l.utilization.end() ? 0.0 : it->second);
}

// A component's figure for the layer (a DRAM device's row hits, a mesh's
// busiest link), empty where the design has no such component.
std::string figure(const LayerResult& l, const char* name) {
  const auto it = l.figures.find(name);
  return it == l.figures.end() ? "" : num(it->second);
}

const std::vector<Column>& columns() {
  using R = const RunResult&;
  using L = const LayerResult&;
  using M = const InMemoryLayer&;
  using D = const DataflowLayer&;
  static const std::vector<Column> c = {
      {"design", [](R r, L) { return csv_field(r.arch); }},
      {"workload", [](R r, L) { return csv_field(r.workload); }},
      {"batch", [](R r, L) { return num(r.batch); }},
      {"layer", [](R, L l) { return csv_field(l.name); }},
      {"type", [](R, L l) { return csv_field(l.type); }},
      // The part of a hybrid design the layer ran on; empty for every other design.
      {"placement", [](R, L l) { return csv_field(l.placement); }},
      {"macs", [](R, L l) { return num(l.macs); }},
      {"cycles", [](R, L l) { return num(l.cycles); }},
      {"latency_s", [](R, L l) { return num(l.latency_s); }},
      {"energy_pj", [](R, L l) { return num(l.energy_pj); }},
      // Off-chip traffic: DRAM on a PE array, the chip's I/O on resident designs.
      {"offchip_bytes", [](R, L l) { return num(l.dram_bytes); }},
      {"compute_cycles", [](R, L l) { return num(l.compute_cycles); }},
      {"stall_dram_cycles", [](R r, L l) { return stall(l, "dram", engine_array(r, l)); }},
      {"stall_buffer_cycles", [](R r, L l) { return stall(l, "buffer", engine_array(r, l)); }},
      {"stall_noc_cycles", [](R r, L l) { return stall(l, "noc", engine_array(r, l)); }},
      {"stall_input_cycles", [](R, L l) { return stall(l, "input", !pe_array(l)); }},
      {"stall_output_cycles", [](R, L l) { return stall(l, "output", !pe_array(l)); }},
      {"stall_memory_cycles", [](R, L l) { return stall(l, "memory", l.in_memory.has_value()); }},
      {"stall_rewrite_cycles", [](R, L l) { return stall(l, "rewrite", l.in_memory.has_value()); }},
      {"stall_drain_cycles", [](R, L l) { return stall(l, "drain", !pe_array(l)); }},
      {"pe_utilization_fraction", [](R, L l) { return pe_array(l) ? num(l.pe_utilization) : ""; }},
      {"occupancy_fraction",
       [](R, L l) { return l.in_memory ? num(l.in_memory->occupancy) : l.dataflow ? num(l.dataflow->occupancy) : ""; }},
      {"active_pes", [](R, L l) { return pe_array(l) ? num(l.active_pes) : ""; }},
      {"dram_bandwidth_fraction", [](R r, L l) { return utilization(r, l, "dram_bandwidth"); }},
      {"glb_bandwidth_fraction", [](R r, L l) { return utilization(r, l, "glb_bandwidth"); }},
      {"noc_bandwidth_fraction", [](R r, L l) { return utilization(r, l, "noc_bandwidth"); }},
      {"glb_capacity_fraction", [](R r, L l) { return utilization(r, l, "glb_capacity"); }},
      {"dram_row_hit_fraction", [](R, L l) { return figure(l, "dram_row_hit_fraction"); }},
      {"hottest_link_utilization_fraction", [](R, L l) { return figure(l, "hottest_link_utilization_fraction"); }},
      {"crossbars", [](R, L l) { return opt<InMemoryLayer>(l.in_memory, [](M m) { return num(m.crossbars); }); }},
      {"copies", [](R, L l) { return opt<InMemoryLayer>(l.in_memory, [](M m) { return num(m.copies); }); }},
      {"imas", [](R, L l) { return opt<InMemoryLayer>(l.in_memory, [](M m) { return num(m.imas); }); }},
      {"segment", [](R, L l) { return opt<InMemoryLayer>(l.in_memory, [](M m) { return num(int64_t{m.segment}); }); }},
      {"adc_conversions", [](R, L l) { return opt<InMemoryLayer>(l.in_memory, [](M m) { return num(m.adc_conversions); }); }},
      {"adc_bits_needed",
       [](R, L l) { return opt<InMemoryLayer>(l.in_memory, [](M m) { return num(int64_t{m.adc_bits_needed}); }); }},
      {"adc_clip_fraction", [](R, L l) { return opt<InMemoryLayer>(l.in_memory, [](M m) { return num(m.adc_clip_fraction); }); }},
      {"engine", [](R, L l) { return opt<DataflowLayer>(l.dataflow, [](D d) { return csv_field(d.engine); }); }},
      {"mac_class", [](R, L l) { return opt<DataflowLayer>(l.dataflow, [](D d) { return csv_field(d.mac_class); }); }},
      {"pe", [](R, L l) { return opt<DataflowLayer>(l.dataflow, [](D d) { return num(d.pe); }); }},
      {"simd", [](R, L l) { return opt<DataflowLayer>(l.dataflow, [](D d) { return num(d.simd); }); }},
      {"folding_chosen", [](R, L l) { return opt<DataflowLayer>(l.dataflow, [](D d) { return std::string(d.folding_chosen ? "1" : "0"); }); }},
      {"lanes", [](R, L l) { return opt<DataflowLayer>(l.dataflow, [](D d) { return num(d.lanes); }); }},
      {"cycles_per_image", [](R, L l) { return opt<DataflowLayer>(l.dataflow, [](D d) { return num(d.cycles_per_image); }); }},
      {"weight_bits", [](R, L l) { return opt<DataflowLayer>(l.dataflow, [](D d) { return num(d.weight_bits); }); }},
      {"line_buffer_bits", [](R, L l) { return opt<DataflowLayer>(l.dataflow, [](D d) { return num(d.line_buffer_bits); }); }},
      {"fifo_bits", [](R, L l) { return opt<DataflowLayer>(l.dataflow, [](D d) { return num(d.fifo_bits); }); }},
      {"tiling", [](R, L l) { return csv_field(l.tiling); }},
  };
  return c;
}

}  // namespace

void write_csv(const RunResult& r, std::ostream& out) {
  // Energy by component last, one column per component the design has.
  std::set<std::string> groups;
  for (const auto& l : r.layers)
    for (const auto& [k, v] : l.energy_breakdown_pj) groups.insert(k);
  std::string header;
  for (const Column& c : columns()) header += (header.empty() ? "" : ",") + std::string(c.name);
  for (const auto& g : groups) header += "," + csv_field("energy_" + g + "_pj");
  out << header << "\n";
  for (const auto& l : r.layers) {
    std::string row;
    for (const Column& c : columns()) row += (row.empty() ? "" : ",") + c.value(r, l);
    for (const auto& g : groups) {
      const auto it = l.energy_breakdown_pj.find(g);
      row += "," + num(it == l.energy_breakdown_pj.end() ? 0.0 : it->second);
    }
    out << row << "\n";
  }
}

}  // namespace qnnsim
