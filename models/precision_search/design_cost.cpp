#include "precision_search/design_cost.h"

#include "design/design_family.h"
#include "design/fresh_kernel.h"
#include "workload/workload.h"

namespace qnnsim {

DesignCost::DesignCost(const std::string& arch_file, Objective objective)
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
  how.objective = objective_name(objective_);
  return design_family_of(root_).load(root_, "")->run(w, how);
}

}  // namespace qnnsim
