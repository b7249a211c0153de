#include "sweep/point_run.h"

#include <nlohmann/json.hpp>

#include "arch/arch_spec.h"
#include "core/config_node.h"
#include "report/report.h"
#include "schedule/mapper.h"
#include "schedule/level_design.h"
#include "sim/level_run.h"
#include "sim/resident_design.h"
#include "sim/simulation.h"
#include "sweep/edit_blame.h"
#include "sweep/point_accuracy.h"
#include "workload/workload.h"

namespace qnnsim {

namespace {

Objective objective_of(const std::string& name) {
  if (name == "energy") return Objective::Energy;
  if (name == "latency") return Objective::Latency;
  return Objective::Edp;
}

// What a level design's search minimises, as the spec's options say.
LevelObjective level_objective(const SweepSpec& spec) {
  const SweepRunOptions& o = spec.options;
  if (!o.execution.empty())
    throw ConfigError({spec.file, 0, 0}, "options.execution",
                      "execution modes are for in-memory chips and dataflow designs; '" + spec.arch_file +
                          "' is a level design, whose layers run in sequence");
  if (o.objective == "energy") return LevelObjective::Energy;
  return o.objective == "latency" ? LevelObjective::Latency : LevelObjective::Edp;
}

RunResult simulate(const SweepSpec& spec, const ResolvedPoint& r) {
  const ConfigNode arch_root = ConfigNode::from_tree(r.arch, spec.arch_file);
  const Workload w = load_point_workload(spec, r);
  const SweepRunOptions& o = spec.options;
  if (is_resident_design(arch_root)) return run_resident_design(load_resident_design(arch_root, o.execution), w);
  if (is_level_design(arch_root)) return run_level_design(load_level_design(arch_root, LevelDesignUse::ToSearch), w,
                                                          level_objective(spec));
  if (!o.execution.empty())
    throw ConfigError({spec.file, 0, 0}, "options.execution",
                      "execution modes are for in-memory chips and dataflow designs; '" + spec.arch_file +
                          "' runs its layers in sequence on its PE array");
  const auto arch = load_arch(arch_root);
  return run_plans(*arch, w, plan_workload(*arch, w, nullptr, objective_of(o.objective)));
}

// The loads simulate() starts with.
void load_point(const SweepSpec& spec, const ResolvedPoint& r) {
  const ConfigNode arch_root = ConfigNode::from_tree(r.arch, spec.arch_file);
  load_point_workload(spec, r);
  if (is_resident_design(arch_root))
    load_resident_design(arch_root, spec.options.execution);
  else if (is_level_design(arch_root))
    load_level_design(arch_root, LevelDesignUse::ToSearch);
  else
    load_arch(arch_root);
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
    nlohmann::ordered_json report = to_json(simulate(spec, r));
    report.erase("energy_by_action_pj");
    for (auto& layer : report["layers"]) layer.erase("actions");
    if (spec.accuracy.enabled) {
      const PointAccuracy a = evaluate_point_accuracy(spec, r);
      report["accuracy"] = {{"accuracy_fraction", a.accuracy},
                            {"float_accuracy_fraction", a.float_accuracy},
                            {"images", a.images}};
      if (a.adc_clip_fraction) report["accuracy"]["adc_clip_fraction"] = *a.adc_clip_fraction;
    }
    return report.dump();
  } catch (const ConfigError& raw) {
    const ConfigError e = blame_edit(spec, raw);
    throw ConfigError(e.where(), e.key_path(), e.message() + " [this point sets " + describe_point(spec, p) + "]");
  }
}

}  // namespace qnnsim
