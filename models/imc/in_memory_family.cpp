// In-memory chips (`kind: in_memory`): every layer placed on crossbars for
// the whole run, pipelined or in sequence; nothing to map.
#include <fmt/format.h>

#include "imc/imc_arch.h"
#include "imc/imc_costs.h"
#include "imc/imc_run.h"
#include "design/design_family.h"
#include "imc/placement.h"

namespace qnnsim {

namespace {

constexpr char kName[] = "in_memory";

class InMemoryDesign : public LoadedDesign {
 public:
  explicit InMemoryDesign(ImcArch arch) : arch_(std::move(arch)) {}

  double area_mm2(const std::function<Workload()>&) const override {
    double total = 0;
    for (const auto& [block, mm2] : area_breakdown_mm2(arch_)) total += mm2;
    return total;
  }

  RunResult run(const Workload& w, const RunRequest& how) const override {
    return run_in_memory(arch_, w, how.weights_in_place);
  }

  // One copy of every layer's weights on the chip at once: one segment, no layer in parts.
  bool holds_weights_of(const Workload& w) const override {
    try {
      const ChipPlacement chip = place_network(arch_, w);
      if (chip.segments > 1) return false;
      for (const LayerPlacement& l : chip.layers)
        if (l.parts > 1) return false;
      return true;
    } catch (const ConfigError&) {  // larger than the chip, with weight_reload off
      return false;
    }
  }

  // As run_in_memory refuses them (require_resident_weight_layers): no
  // stationary weights to program, or a function the tiles have no unit for.
  std::string cannot_run(const Layer& l) const override {
    if (!layer_is_transformer_only(l.type)) return "";
    return std::string("keeps every weight resident and has no unit for ") + layer_type_name(l.type) + " layers";
  }

 private:
  ImcArch arch_;
};

class InMemoryFamily : public DesignFamily {
 public:
  std::string name() const override { return kName; }

  bool claims(const ConfigNode& root) const override {
    return declares_kind(root, kName);
  }

  std::string recognised_by() const override { return "'kind: in_memory'"; }

  std::string describe(const ConfigNode& root) const override {
    const ImcArch a = load_imc_arch(root);
    return fmt::format("in-memory architecture '{}', {} tiles x {} IMAs x {} crossbars of {}x{}", a.name, a.tiles,
                       a.tile.imas, a.ima.crossbars, a.ima.crossbar.rows, a.ima.crossbar.cols);
  }

  std::unique_ptr<LoadedDesign> load(const ConfigNode& root, const std::string& execution) const override {
    ImcArch arch = load_imc_arch(root);
    if (!execution.empty()) parse_execution(execution, &arch.execution);
    return std::make_unique<InMemoryDesign>(std::move(arch));
  }

  std::string refusal(RunOption option, const std::string& design) const override {
    if (option == RunOption::Map)
      return "searches PE-array mappings; '" + design +
             "' is an in-memory chip: use run, whose report shows each layer's crossbars and copies";
    if (option == RunOption::Mappings || option == RunOption::MappingsOut)
      return "is for PE-array designs; '" + design + "' is an in-memory chip, whose layers are placed on crossbars, not mapped";
    if (option == RunOption::Objective)
      return "steers a mapping or placement search; '" + design +
             "' is an in-memory chip, whose layers are placed in order, with nothing searched for it to steer";
    return "";
  }

  bool computes_in_crossbars() const override { return true; }
};

QNNSIM_REGISTER(DesignFamily::Registry, kName, [] { return std::make_unique<InMemoryFamily>(); });

}  // namespace

}  // namespace qnnsim
