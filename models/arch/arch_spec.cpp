#include "arch/arch_spec.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "arch/arch_tree.h"

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
  // The non-throwing check: a name the OS refuses (too long, say) is bad
  // input like a missing file, never an exception (the fuzzer found one).
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    root.fail("energy_table", "energy table '" + path.string() + "' " +
                                  (ec && ec != std::errc::no_such_file_or_directory ? "cannot be read: " + ec.message()
                                                                                     : "does not exist"));
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

namespace {

// The interfaces a component of the tree may implement, each with its registry.
enum class Role { Dram, Buffer, Network, Array, Vector };
constexpr Role kRoles[] = {Role::Dram, Role::Buffer, Role::Network, Role::Array, Role::Vector};

const char* role_name(Role r) {
  switch (r) {
    case Role::Dram: return "off-chip memory";
    case Role::Buffer: return "buffer";
    case Role::Network: return "network";
    case Role::Array: return "PE array";
    case Role::Vector: return "vector unit";
  }
  return "";
}

bool role_knows(Role r, const std::string& cls) {
  switch (r) {
    case Role::Dram: return DramSpec::Registry::instance().has(cls);
    case Role::Buffer: return BufferSpec::Registry::instance().has(cls);
    case Role::Network: return NocSpec::Registry::instance().has(cls);
    case Role::Array: return ArraySpec::Registry::instance().has(cls);
    case Role::Vector: return VectorSpec::Registry::instance().has(cls);
  }
  return false;
}

std::string role_classes(Role r) {
  switch (r) {
    case Role::Dram: return DramSpec::Registry::instance().known_names();
    case Role::Buffer: return BufferSpec::Registry::instance().known_names();
    case Role::Network: return NocSpec::Registry::instance().known_names();
    case Role::Array: return ArraySpec::Registry::instance().known_names();
    case Role::Vector: return VectorSpec::Registry::instance().known_names();
  }
  return "";
}

// The role a node's class plays; an unknown class is an error listing every registered one.
Role role_of(const TreeNode& n) {
  std::vector<Role> found;
  for (Role r : kRoles)
    if (role_knows(r, n.class_name)) found.push_back(r);
  if (found.size() == 1) return found[0];
  if (found.empty()) {
    std::string known;
    for (Role r : kRoles) known += fmt::format("{}{}: {}", known.empty() ? "" : "; ", role_name(r), role_classes(r));
    n.node.fail("class", "unknown class '" + n.class_name + "'; registered classes are, by kind, " + known);
  }
  n.node.fail("class", "class '" + n.class_name + "' is registered as both a " + role_name(found[0]) + " and a " +
                           role_name(found[1]) + "; class names must be unique");
}

// What the PE-array engine composes today: off-chip memory > one buffer >
// {one network > one PE array, one vector unit}. A tree of another shape is
// refused here with the shape it should have; trees of more storage levels
// come with mappings over any number of levels.
constexpr const char* kEngineShape =
    "the PE-array engine composes off-chip memory > a buffer > {a network > a PE array, a vector unit}";

int only_child(const ArchTree& t, int parent, Role want) {
  int found = -1;
  for (int c : t.at(parent).children) {
    const Role r = role_of(t.at(c));
    if (r != want) continue;
    if (found >= 0)
      t.at(c).node.fail("under", fmt::format("'{}' already has a {} ('{}') below it; {}", t.at(parent).name,
                                             role_name(want), t.at(found).name, kEngineShape));
    found = c;
  }
  if (found < 0)
    t.at(parent).node.fail("class", fmt::format("'{}' ({}) needs a {} below it (a component with `under: {}`); {}",
                                                t.at(parent).name, t.chain(parent), role_name(want), t.at(parent).name,
                                                kEngineShape));
  return found;
}

// The role each role may sit under in the engine's shape of tree.
bool may_sit_under(Role child, Role parent) {
  switch (child) {
    case Role::Buffer: return parent == Role::Dram;
    case Role::Network:
    case Role::Vector: return parent == Role::Buffer;
    case Role::Array: return parent == Role::Network;
    case Role::Dram: return false;
  }
  return false;
}

template <typename Spec>
std::unique_ptr<Spec> build(const TreeNode& n, const BuildContext& ctx) {
  return Spec::Registry::instance().create(n.class_name, n.node, ctx);
}

}  // namespace

std::unique_ptr<ArchSpec> load_arch(const std::string& path) { return load_arch(ConfigNode::load_file(path)); }

std::unique_ptr<ArchSpec> load_arch(const ConfigNode& root) {
  // A level design (schedule/level_design.h) is not an engine design yet: say
  // which command takes it rather than report the first key it lacks.
  if (root.is_map() && root.has("levels") && !root.has("components"))
    root.fail("levels", "this is a level design, which the engine does not run yet; map and count it with "
                        "`qnnsim levels FILE --search --workload TRACE` (README, Level designs)");
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

  const ArchTree tree = ArchTree::parse(root.child("components"));
  const int dram = tree.root_index();
  if (role_of(tree.root()) != Role::Dram)
    tree.root().node.fail("class", fmt::format("the outermost component '{}' is a {} (class {}); it must be "
                                               "off-chip memory (one of: {}), since {}",
                                               tree.root().name, role_name(role_of(tree.root())),
                                               tree.root().class_name, role_classes(Role::Dram), kEngineShape));
  for (int i = 0; i < static_cast<int>(tree.nodes().size()); ++i) {
    const TreeNode& n = tree.at(i);
    if (n.parent < 0) continue;
    const Role r = role_of(n), above = role_of(tree.at(n.parent));
    if (!may_sit_under(r, above))
      n.node.fail("under", fmt::format("a {} (class {}) cannot sit under '{}' ({}), a {}; {}", role_name(r),
                                       n.class_name, tree.at(n.parent).name, tree.chain(n.parent), role_name(above),
                                       kEngineShape));
  }
  const int glb = only_child(tree, dram, Role::Buffer);
  const int noc = only_child(tree, glb, Role::Network);
  const int vector = only_child(tree, glb, Role::Vector);
  const int array = only_child(tree, noc, Role::Array);
  const BuildContext ctx{a->tech, *a->table};
  a->dram = build<DramSpec>(tree.at(dram), ctx);
  a->glb = build<BufferSpec>(tree.at(glb), ctx);
  // Inputs and partial sums stay in the buffer in this engine: only weights
  // may pass through it (straight from DRAM to the PEs).
  for (Tensor t : {Tensor::Inputs, Tensor::Outputs})
    if (!a->glb->keeps(t))
      tree.at(glb).node.fail("keeps", fmt::format("the PE-array engine lets only weights pass through the buffer; "
                                                  "it must keep the {}", tensor_name(t)));
  a->noc = build<NocSpec>(tree.at(noc), ctx);
  a->pe_array = build<ArraySpec>(tree.at(array), ctx);
  // Fused lanes widen the rows' reduction over input channels (roles.h,
  // ArraySpec::reduction_lanes): rows that do not reduce C give them none.
  if (a->pe_array->fuses_reduction() && !a->dataflow.rows[kC])
    tree.at(array).node.fail("mac", fmt::format("this MAC unit sums its products inside itself, lanes of the reduction "
                                                "over input channels, and the {} dataflow does not unroll C on the "
                                                "rows; use a dataflow with C on the rows (weight_stationary)",
                                                a->dataflow.name));
  a->noc->fit_array(a->pe_array->rows(), a->pe_array->cols());
  a->vector_unit = build<VectorSpec>(tree.at(vector), ctx);
  root.reject_unknown_keys();
  return a;
}

}  // namespace qnnsim
