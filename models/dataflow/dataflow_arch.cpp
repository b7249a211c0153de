#include "dataflow/dataflow_arch.h"

#include <fmt/format.h>

#include "arch/arch_spec.h"

namespace qnnsim {

namespace {

void parse_folding(const ConfigNode& node, DataflowArch& a) {
  node.expect_map("the folding {lanes | budget | target_images_per_s, layers: {NAME: {pe, simd}}}");
  a.folding_where = node.location();
  a.lanes_where = node.has("lanes") ? node.location_of("lanes") : node.location();
  a.lane_budget = node.integer_in("lanes", 1, int64_t{1} << 32, 0);
  if (const auto budget = node.optional_child("budget")) {
    a.resource_budget = read_fpga_budget(*budget);
    for (const auto& entry : a.resource_budget) a.budget_where[entry.first] = budget->location_of(entry.first);
  }
  if (node.has("target_images_per_s")) {
    a.target_where = node.location_of("target_images_per_s");
    a.target_images_per_s = node.number("target_images_per_s");
    if (!(a.target_images_per_s > 0))
      node.fail("target_images_per_s", "expected a positive rate in images per second");
    if (a.lane_budget > 0 || !a.resource_budget.empty())
      node.fail("target_images_per_s", "give a budget ('lanes' or 'budget') or a target rate, not both: each chooses the folding");
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
  if (a.lane_budget == 0 && a.resource_budget.empty() && a.target_images_per_s == 0 && a.folds.empty())
    node.fail_here("give each layer's folding under 'layers', or a lane budget ('lanes'), an FPGA resource budget "
                   "('budget') or a target rate ('target_images_per_s') to choose it");
}

// Under a resource budget every unit says what its lane takes in each
// budgeted resource: a resource left out would be a lane drawn for free.
void check_lane_costs(const std::vector<ConfigNode>& mac_nodes, const DataflowArch& a) {
  if (a.resource_budget.empty()) return;
  for (std::size_t k = 0; k < mac_nodes.size(); ++k) {
    const ConfigNode& m = mac_nodes[k];
    if (a.lane_costs[k].empty())
      m.fail("lane_cost", fmt::format("the folding is budgeted in FPGA resources ({}), so each MAC unit gives what "
                                      "one lane takes in them, e.g. lane_cost: {{dsp: 1, lut: 32}}",
                                      format_fpga_resources(a.resource_budget)));
    for (const auto& entry : a.resource_budget) {
      const std::string& name = entry.first;
      if (!a.lane_costs[k].count(name))
        m.child("lane_cost").fail_here(fmt::format("the budget names {} but this lane cost does not; give {}: 0 if a "
                                                   "lane takes none", name, name));
    }
  }
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
  std::vector<ConfigNode> mac_nodes = macs.items();
  for (const ConfigNode& m : mac_nodes) {
    // Read before the unit's class, which rejects keys it has not read.
    const auto cost = m.optional_child("lane_cost");
    a.lane_costs.push_back(cost ? read_lane_cost(*cost) : FpgaResources{});
    a.macs.push_back(make_mac(m, ctx));
    a.mac_classes.push_back(m.text("class"));
  }
  parse_folding(root.child("folding"), a);
  check_lane_costs(mac_nodes, a);
  root.reject_unknown_keys();
  return a;
}

}  // namespace qnnsim
