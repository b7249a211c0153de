#include "dataflow/dataflow_arch.h"

#include <fmt/format.h>

#include "arch/arch_spec.h"

namespace qnnsim {

namespace {

void parse_folding(const ConfigNode& node, DataflowArch& a) {
  node.expect_map("the folding {lanes | target_images_per_s, layers: {NAME: {pe, simd}}}");
  a.folding_where = node.location();
  a.lanes_where = node.has("lanes") ? node.location_of("lanes") : node.location();
  a.lane_budget = node.integer_in("lanes", 1, int64_t{1} << 32, 0);
  if (node.has("target_images_per_s")) {
    a.target_where = node.location_of("target_images_per_s");
    a.target_images_per_s = node.number("target_images_per_s");
    if (!(a.target_images_per_s > 0))
      node.fail("target_images_per_s", "expected a positive rate in images per second");
    if (a.lane_budget > 0)
      node.fail("target_images_per_s", "give a lane budget ('lanes') or a target rate, not both: each chooses the folding");
  }
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
  if (a.lane_budget == 0 && a.target_images_per_s == 0 && a.folds.empty())
    node.fail_here("give each layer's folding under 'layers', or a lane budget ('lanes') or a target rate "
                   "('target_images_per_s') to choose it");
}

}  // namespace

DataflowArch load_dataflow_arch(const ConfigNode& root) {
  DataflowArch a;
  a.file = root.file();
  a.node = root;
  a.name = root.text("name");
  root.text("description", "");
  root.text("kind");
  a.table = std::make_unique<EnergyTable>(EnergyTable::load(energy_table_path(root)));
  a.tech = parse_technology(root.child("technology"));
  check_technology(root.child("technology"), a.tech, *a.table);
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
