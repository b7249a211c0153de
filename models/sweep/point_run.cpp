#include "sweep/point_run.h"

#include <nlohmann/json.hpp>

#include "arch/arch_spec.h"
#include "core/config_node.h"
#include "imc/imc_arch.h"
#include "imc/imc_run.h"
#include "report/report.h"
#include "schedule/mapper.h"
#include "sim/simulation.h"
#include "workload/workload.h"

namespace qnnsim {

namespace {

Objective objective_of(const std::string& name) {
  if (name == "energy") return Objective::Energy;
  if (name == "latency") return Objective::Latency;
  return Objective::Edp;
}

RunResult simulate(const SweepSpec& spec, const SweepPoint& p, const ResolvedPoint& r) {
  const ConfigNode arch_root = ConfigNode::from_tree(r.arch, spec.arch_file);
  Workload w = load_workload(ConfigNode::from_tree(r.workload, spec.workload_files[p.workload]));
  const SweepRunOptions& o = spec.options;
  if (o.batch > 0) w.batch = o.batch;
  if (std::string problem = apply_run_overrides(w, o.bits, o.densities); !problem.empty())
    throw ConfigError({spec.file, 0, 0}, "options", problem);
  if (is_in_memory_arch(arch_root)) {
    ImcArch arch = load_imc_arch(arch_root);
    if (!o.execution.empty()) parse_execution(o.execution, &arch.execution);
    return run_in_memory(arch, w);
  }
  if (!o.execution.empty())
    throw ConfigError({spec.file, 0, 0}, "options.execution",
                      "execution modes are for in-memory chips; '" + spec.arch_file + "' runs its layers in sequence");
  const auto arch = load_arch(arch_root);
  return run_plans(*arch, w, plan_workload(*arch, w, nullptr, objective_of(o.objective)));
}

}  // namespace

std::string run_point(const SweepSpec& spec, const SweepPoint& p, const ResolvedPoint& r) {
  try {
    nlohmann::ordered_json report = to_json(simulate(spec, p, r));
    report.erase("energy_by_action_pj");
    for (auto& layer : report["layers"]) layer.erase("actions");
    return report.dump();
  } catch (const ConfigError& e) {
    throw ConfigError(e.where(), e.key_path(), e.message() + " [this point sets " + describe_point(spec, p) + "]");
  }
}

}  // namespace qnnsim
