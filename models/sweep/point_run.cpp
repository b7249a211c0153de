#include "sweep/point_run.h"

#include <nlohmann/json.hpp>

#include "core/config_node.h"
#include "design/design_family.h"
#include "sweep/edit_blame.h"
#include "sweep/point_accuracy.h"
#include "sweep/point_workload_memo.h"
#include "sweep/report_for_results.h"
#include "workload/workload.h"

namespace qnnsim {

namespace {

// The point's design loaded, once its family is known to take the spec's options.
std::unique_ptr<LoadedDesign> load_point_design(const SweepSpec& spec, const ConfigNode& arch_root) {
  const DesignFamily& family = design_family_of(arch_root);
  const std::string& execution = spec.options.execution;
  if (const std::string why = execution.empty() ? "" : family.refusal(RunOption::Execution, spec.arch_file); !why.empty())
    throw ConfigError(spec.options.execution_where, "options.execution", "an execution mode " + why);
  return family.load(arch_root, execution);
}

RunResult simulate(const SweepSpec& spec, const ResolvedPoint& r) {
  const ConfigNode arch_root = ConfigNode::from_tree(r.arch, spec.arch_file);
  const Workload& w = memoized_point_workload(spec, r);
  RunRequest how;
  how.objective = spec.options.objective;
  return load_point_design(spec, arch_root)->run(w, how);
}

// The loads simulate() starts with.
void load_point(const SweepSpec& spec, const ResolvedPoint& r) {
  const ConfigNode arch_root = ConfigNode::from_tree(r.arch, spec.arch_file);
  load_point_workload(spec, r);
  load_point_design(spec, arch_root);
}

// The point's accuracy section, as the report of a run with one would have it.
nlohmann::ordered_json accuracy_json(const PointAccuracy& a) {
  nlohmann::ordered_json accuracy = {{"accuracy_fraction", a.accuracy},
                                     {"float_accuracy_fraction", a.float_accuracy},
                                     {"images", a.images}};
  if (a.adc_clip_fraction) accuracy["adc_clip_fraction"] = *a.adc_clip_fraction;
  accuracy["overflow_fraction"] = a.overflow_fraction;
  accuracy["widths"] = a.widths;
  // Named as `eval --json` names them per layer.
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const AccuracyLayer& l : a.layers) {
    nlohmann::ordered_json lj = {{"name", l.name},
                                 {"weight_bits", l.weight_bits},
                                 {"weight_scheme", l.weight_scheme},
                                 {"activation_bits", l.activation_bits},
                                 {"sums", l.sums},
                                 {"overflowed_sums", l.overflowed_sums},
                                 {"overflow_fraction", l.overflow_fraction()}};
    if (!l.part.empty()) lj["part"] = l.part;
    if (!l.mac_class.empty()) {
      lj["mac_class"] = l.mac_class;
      lj["accumulator_bits"] = l.accumulator_bits;
      lj["overflow"] = l.overflow;
    }
    if (l.adc_conversions) {
      lj["adc_conversions"] = *l.adc_conversions;
      lj["adc_clipped"] = *l.adc_clipped;
      lj["adc_clip_fraction"] = *l.adc_clip_fraction();
    }
    layers.push_back(lj);
  }
  accuracy["layers"] = layers;
  if (!a.warnings.empty()) accuracy["warnings"] = a.warnings;
  return accuracy;
}

}  // namespace

void check_shared_edits(const SweepSpec& spec, const ResolvedPoint& r) {
  try {
    load_point(spec, r);
  } catch (const ConfigError& e) {
    const SweepParameter* p = edit_behind(spec, e);
    if (p && p->fixed) throw blame_edit(spec, e);
  }
}

std::string run_point(const SweepSpec& spec, const SweepPoint& p, const ResolvedPoint& r) {
  try {
    const RunResult result = simulate(spec, r);
    if (!spec.accuracy.enabled) return report_for_results(result, nullptr);
    const nlohmann::ordered_json accuracy = accuracy_json(evaluate_point_accuracy(spec, r));
    return report_for_results(result, &accuracy);
  } catch (const ConfigError& raw) {
    const ConfigError e = blame_edit(spec, raw);
    throw ConfigError(e.where(), e.key_path(), e.message() + " [this point sets " + describe_point(spec, p) + "]");
  }
}

}  // namespace qnnsim
