#include "arch/arch_spec.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

namespace qnnsim {

namespace fs = std::filesystem;

std::string data_dir() {
  if (const char* home = std::getenv("QNNSIM_HOME"); home != nullptr && *home != '\0') return home;
  return QNNSIM_DATA_DIR;
}

// A bare name means a shipped table (configs/energy/NAME.yaml); anything that
// looks like a path is taken relative to the architecture file.
std::string energy_table_path(const ConfigNode& root) {
  const std::string value = root.text("energy_table");
  fs::path path;
  if (value.find('/') == std::string::npos && value.find(".yaml") == std::string::npos) {
    path = fs::path(data_dir()) / "configs" / "energy" / (value + ".yaml");
  } else {
    path = fs::path(root.file()).parent_path() / value;
  }
  if (!fs::exists(path)) root.fail("energy_table", "energy table '" + path.string() + "' does not exist");
  return path.string();
}

Technology parse_technology(const ConfigNode& node) {
  node.expect_map("the technology {node, clock, voltage}");
  Technology t;
  t.node_m = node.quantity_in("node", Dimension::Length, 1e-9, 1e-6);
  t.clock_hz = node.quantity_in("clock", Dimension::Frequency, 1e3, 1e12);
  t.voltage_v = node.quantity_in("voltage", Dimension::Voltage, 0.1, 5.0);
  node.reject_unknown_keys();
  return t;
}

void check_technology(const ConfigNode& node, const Technology& t, const EnergyTable& table) {
  const auto differs = [](double a, double b) { return std::abs(a - b) > 1e-6 * std::abs(b); };
  if (differs(t.node_m, table.node_m()))
    node.fail("node", fmt::format("the energy table '{}' is for {:g} nm; energies are not scaled between nodes, so "
                                  "the node must match it", table.name(), table.node_m() * 1e9));
  if (differs(t.voltage_v, table.voltage_v()))
    node.fail("voltage", fmt::format("the energy table '{}' is for {:g} V; energies are not scaled between voltages, "
                                     "so the voltage must match it", table.name(), table.voltage_v()));
}

std::vector<const ComponentSpec*> ArchSpec::components() const {
  return {dram.get(), glb.get(), noc.get(), pe_array.get(), vector_unit.get()};
}

std::unique_ptr<ArchSpec> load_arch(const std::string& path) { return load_arch(ConfigNode::load_file(path)); }

std::unique_ptr<ArchSpec> load_arch(const ConfigNode& root) {
  auto a = std::make_unique<ArchSpec>();
  a->file = root.file();
  a->name = root.text("name");
  root.text("description", "");
  a->tech = parse_technology(root.child("technology"));
  a->table = std::make_unique<EnergyTable>(EnergyTable::load(energy_table_path(root)));

  const ConfigNode sim = root.child("simulation");
  sim.expect_map("simulation settings {quantum}");
  a->quantum_s = sim.positive_quantity("quantum", Dimension::Time);
  sim.reject_unknown_keys();

  a->dataflow = parse_dataflow(root);

  // Energies are not scaled between technologies, so the table must be for this one.
  check_technology(root.child("technology"), a->tech, *a->table);

  const BuildContext ctx{a->tech, *a->table};
  a->dram = make_component<DramSpec>(root, "dram", ctx, "the DRAM");
  a->glb = make_component<BufferSpec>(root, "glb", ctx, "the global buffer");
  a->noc = make_component<NocSpec>(root, "noc", ctx, "the on-chip network");
  a->pe_array = make_component<ArraySpec>(root, "pe_array", ctx, "the PE array");
  a->vector_unit = make_component<VectorSpec>(root, "vector_unit", ctx, "the vector unit");
  root.reject_unknown_keys();
  return a;
}

}  // namespace qnnsim
