// PE-array designs built from components (`components:` under a
// `technology:`): each layer mapped onto the array by the mapper, or a
// mapping file replayed, then the plans simulated on the SystemC engine.
#include <sstream>

#include <fmt/format.h>

#include "arch/arch_spec.h"
#include "schedule/host_im2col.h"
#include "schedule/mapper.h"
#include "schedule/mapping_io.h"
#include "design/design_family.h"
#include "sim/simulation.h"

namespace qnnsim {

namespace {

constexpr char kName[] = "pe_array";

class PeArrayDesign : public LoadedDesign {
 public:
  explicit PeArrayDesign(std::unique_ptr<ArchSpec> arch) : arch_(std::move(arch)) {}

  double area_mm2(const std::function<Workload()>&) const override {
    double total = 0;
    for (const ComponentSpec* c : arch_->components()) total += c->area_mm2();
    return total;
  }

  RunResult run(const Workload& given_workload, const RunRequest& how) const override {
    // What the array receives: the input's windows expanded where the host does it.
    const Workload w = as_array_receives(*arch_, given_workload);
    GivenMappings given;
    if (!how.mappings_in.empty()) given = load_mappings(how.mappings_in, w, arch_->dataflow);
    const std::vector<LayerPlan> plans = plan_workload(*arch_, w, how.mappings_in.empty() ? nullptr : &given,
                                                       objective_named(how.objective), nullptr, &searched_);
    if (how.mappings_out) {
      std::ostringstream text;
      write_mappings(text, arch_->name, arch_->dataflow, w, plans);
      how.mappings_out(text.str());
    }
    return run_plans(*arch_, w, plans);
  }

  // The array runs every MAC layer and the vector unit every other one, at
  // the widths they take (as plan_workload checks them); an embedding lookup
  // is a copy from DRAM through the buffer, which no unit computes on.
  std::string cannot_run(const Layer& l) const override {
    if (l.type == LayerType::Embedding) return "";
    return layer_uses_array(l.type) ? arch_->pe_array->precision_problem(l.precision)
                                    : arch_->vector_unit->precision_problem(l.precision, l.type);
  }
  std::vector<const MacSpec*> mac_units() const override {
    if (const MacSpec* mac = arch_->pe_array->mac_unit()) return {mac};
    return {};
  }

 private:
  std::unique_ptr<ArchSpec> arch_;
  // The mappings its runs have searched: a design run many times (a hybrid's
  // part while its placement is searched) searches each layer shape once.
  // A cache, not state: a shape and objective always give the same mapping.
  mutable SearchedMappings searched_;
};

class PeArrayFamily : public DesignFamily {
 public:
  std::string name() const override { return kName; }

  // A level design has `technology` too, but its storage is `levels` alone.
  bool claims(const ConfigNode& root) const override {
    return root.is_map() && !root.has("kind") && root.has("technology") &&
           (!root.has("levels") || root.has("components"));
  }

  std::string recognised_by() const override { return "'technology' (and 'components')"; }

  std::string describe(const ConfigNode& root) const override {
    const auto a = load_arch(root);
    return fmt::format("architecture '{}', {}x{} PEs, {} KiB global buffer", a->name, a->pe_array->rows(),
                       a->pe_array->cols(), a->glb->capacity_bits() / 8192.0);
  }

  std::unique_ptr<LoadedDesign> load(const ConfigNode& root, const std::string&) const override {
    return std::make_unique<PeArrayDesign>(load_arch(root));
  }

  std::string refusal(RunOption option, const std::string& design) const override {
    if (option != RunOption::Execution) return "";
    return "is for in-memory chips and dataflow designs; '" + design + "' runs its layers in sequence on its PE array";
  }

  bool computes_in_crossbars() const override { return false; }
};

QNNSIM_REGISTER(DesignFamily::Registry, kName, [] { return std::make_unique<PeArrayFamily>(); });

}  // namespace

}  // namespace qnnsim
