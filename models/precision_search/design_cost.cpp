#include "precision_search/design_cost.h"

#include <stdexcept>

#include "design/design_family.h"
#include "design/fresh_kernel.h"
#include "workload/workload.h"

namespace qnnsim {

CostObjective cost_objective_named(const std::string& name) {
  if (name == "energy") return CostObjective::energy;
  if (name == "latency") return CostObjective::latency;
  if (name == "edp") return CostObjective::edp;
  throw std::invalid_argument("objective '" + name + "': expected energy, latency or edp");
}

const char* cost_objective_name(CostObjective o) {
  switch (o) {
    case CostObjective::energy: return "energy";
    case CostObjective::latency: return "latency";
    case CostObjective::edp: return "edp";
  }
  return "?";
}

double objective_value(const Summary& s, CostObjective o) {
  switch (o) {
    case CostObjective::energy: return s.energy_pj;
    case CostObjective::latency: return s.latency_s;
    case CostObjective::edp: return s.energy_pj * s.latency_s;
  }
  return 0;
}

DesignCost::DesignCost(const std::string& arch_file, CostObjective objective)
    : file_(arch_file), root_(ConfigNode::load_file(arch_file)), objective_(objective) {
  design_family_of(root_).load(root_, "");  // its configuration errors surface here, before any search
}

namespace {
// Runs of any DesignCost in this process: the kernel is the process's, so a
// second search in one process (a test's sections) needs a fresh one too.
int g_runs = 0;
}  // namespace

RunResult DesignCost::run(const std::string& trace_yaml, const std::string& trace_name) {
  // The first run uses the kernel the process started with, as `qnnsim run` does.
  if (g_runs++ > 0) install_fresh_systemc_kernel();
  const Workload w = load_workload(ConfigNode::load_string(trace_yaml, trace_name));
  RunRequest how;
  how.objective = cost_objective_name(objective_);
  return design_family_of(root_).load(root_, "")->run(w, how);
}

}  // namespace qnnsim
