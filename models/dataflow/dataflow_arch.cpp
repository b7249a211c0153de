#include "dataflow/dataflow_arch.h"

#include <cmath>

#include <fmt/format.h>

#include "arch/arch_spec.h"
#include "arch/component_spec.h"

namespace qnnsim {

bool is_dataflow_arch(const ConfigNode& root) {
  return root.is_map() && root.has("kind") && root.text("kind") == "dataflow";
}

namespace {

Technology parse_dataflow_technology(const ConfigNode& node, const EnergyTable& table) {
  node.expect_map("the technology {node, clock, voltage}");
  Technology t;
  t.node_m = node.quantity_in("node", Dimension::Length, 1e-9, 1e-6);
  t.clock_hz = node.quantity_in("clock", Dimension::Frequency, 1e3, 1e12);
  t.voltage_v = node.quantity_in("voltage", Dimension::Voltage, 0.1, 5.0);
  node.reject_unknown_keys();
  // Energies are not scaled between technologies, so the table must be for this one.
  const auto differs = [](double a, double b) { return std::abs(a - b) > 1e-6 * std::abs(b); };
  if (differs(t.node_m, table.node_m()))
    node.fail("node", fmt::format("the energy table '{}' is for {:g} nm; energies are not scaled between nodes, so "
                                  "the node must match it", table.name(), table.node_m() * 1e9));
  if (differs(t.voltage_v, table.voltage_v()))
    node.fail("voltage", fmt::format("the energy table '{}' is for {:g} V; energies are not scaled between voltages, "
                                     "so the voltage must match it", table.name(), table.voltage_v()));
  return t;
}

void parse_folding(const ConfigNode& node, DataflowArch& a) {
  node.expect_map("the folding {lanes, layers: {NAME: {pe, simd}}}");
  a.folding_where = node.location();
  a.lane_budget = node.integer_in("lanes", 1, int64_t{1} << 32, 0);
  if (const auto layers = node.optional_child("layers")) {
    layers->expect_map("each layer's folding, {NAME: {pe, simd}}");
    for (const auto& name : layers->keys()) {
      const ConfigNode f = layers->child(name);
      f.expect_map("a layer's folding {pe, simd} (pooling and adds: {pe})");
      GivenFold g;
      g.pe = f.integer_in("pe", 1, 1 << 20);
      g.simd = f.integer_in("simd", 1, 1 << 20, 0);
      g.where = f.location();
      g.key = f.path();
      f.reject_unknown_keys();
      a.folds[name] = g;
    }
  }
  node.reject_unknown_keys();
  if (a.lane_budget == 0 && a.folds.empty())
    node.fail_here("give each layer's folding under 'layers', or a lane budget ('lanes') to choose it");
}

}  // namespace

DataflowArch load_dataflow_arch(const ConfigNode& root) {
  DataflowArch a;
  a.file = root.file();
  a.node = root;
  a.name = root.text("name");
  root.text("description", "");
  root.text("kind");
  a.table = std::make_unique<EnergyTable>(EnergyTable::load(resolve_energy_table(root)));
  a.tech = parse_dataflow_technology(root.child("technology"), *a.table);
  const std::string execution = root.text("execution", "layer_pipelined");
  if (!parse_execution(execution, &a.execution))
    root.fail("execution", "expected layer_pipelined or layer_sequential, found '" + execution + "'");

  const ConfigNode io = root.child("io");
  io.expect_map("the stream port to DRAM {width, dram}");
  a.io_bits_per_cycle = static_cast<double>(io.whole_bits("width", 1 << 16));
  a.dram_type = io.text("dram");
  a.table->energy_keyed_pj("dram_per_bit", a.dram_type, io, "dram");  // an unknown type fails here
  io.reject_unknown_keys();

  const ConfigNode wm = root.child("weight_memory");
  wm.expect_map("the on-chip weight memory {size}");
  a.weight_memory_bits = wm.positive_quantity("size", Dimension::Bits);
  a.weight_memory_where = wm.location_of("size");
  wm.reject_unknown_keys();
  a.fifo_rows = root.integer_in("fifo_rows", 0, 1 << 20, 1);

  const BuildContext ctx{a.tech, *a.table};
  const ConfigNode macs = root.child("macs");
  if (!macs.is_sequence() || macs.items().empty())
    root.fail("macs", "expected a list of MAC units, e.g. [{class: XnorMAC, width: 32, accumulator_bits: 16}]");
  for (const ConfigNode& m : macs.items()) {
    a.macs.push_back(make_mac(m, ctx));
    a.mac_classes.push_back(m.text("class"));
  }
  parse_folding(root.child("folding"), a);
  root.reject_unknown_keys();
  return a;
}

}  // namespace qnnsim
