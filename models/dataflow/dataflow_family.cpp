// Dataflow designs (`kind: dataflow`): an engine per layer, folded to the
// lane budget or the target rate, pipelined or in sequence; nothing to map.
#include <fmt/format.h>

#include "dataflow/dataflow_arch.h"
#include "dataflow/dataflow_run.h"
#include "dataflow/engine_costs.h"
#include "dataflow/engines.h"
#include "design/design_family.h"

namespace qnnsim {

namespace {

constexpr char kName[] = "dataflow";

class DataflowDesign : public LoadedDesign {
 public:
  explicit DataflowDesign(DataflowArch arch) : arch_(std::move(arch)) {}

  // The engines, and so their memories, follow the workload's layers.
  double area_mm2(const std::function<Workload()>& workload) const override {
    const Workload w = workload();
    double total = 0;
    for (const auto& [part, mm2] : dataflow_area_mm2(arch_, w, build_engines(arch_, w))) total += mm2;
    return total;
  }

  RunResult run(const Workload& w, const RunRequest&) const override { return run_dataflow(arch_, w); }

  // As the engines refuse them (build_engines).
  std::string cannot_run(const Layer& l) const override { return dataflow_cannot_run(l); }

  // In the order pick_mac tries them (engines.cpp).
  std::vector<const MacSpec*> mac_units() const override {
    std::vector<const MacSpec*> units;
    for (const auto& m : arch_.macs) units.push_back(m.get());
    return units;
  }

 private:
  DataflowArch arch_;
};

class DataflowFamily : public DesignFamily {
 public:
  std::string name() const override { return kName; }

  bool claims(const ConfigNode& root) const override {
    return declares_kind(root, kName);
  }

  std::string recognised_by() const override { return "'kind: dataflow'"; }

  std::string describe(const ConfigNode& root) const override {
    const DataflowArch a = load_dataflow_arch(root);
    return fmt::format("dataflow architecture '{}', {:.3g} Mibit of weight memory", a.name,
                       a.weight_memory_bits / 1048576.0);
  }

  std::unique_ptr<LoadedDesign> load(const ConfigNode& root, const std::string& execution) const override {
    DataflowArch arch = load_dataflow_arch(root);
    if (!execution.empty()) parse_execution(execution, &arch.execution);
    return std::make_unique<DataflowDesign>(std::move(arch));
  }

  std::string refusal(RunOption option, const std::string& design) const override {
    if (option == RunOption::Map)
      return "searches PE-array mappings; '" + design +
             "' is a dataflow design: use run, whose report shows each engine's folding";
    if (option == RunOption::Mappings || option == RunOption::MappingsOut)
      return "is for PE-array designs; '" + design + "' is a dataflow design, whose layers each have an engine, not a mapping";
    if (option == RunOption::Objective)
      return "steers a mapping or placement search; '" + design +
             "' is a dataflow design, whose folding is given or chosen to meet its target rate, with nothing searched "
             "for it to steer";
    return "";
  }

  bool computes_in_crossbars() const override { return false; }
};

QNNSIM_REGISTER(DesignFamily::Registry, kName, [] { return std::make_unique<DataflowFamily>(); });

}  // namespace

}  // namespace qnnsim
