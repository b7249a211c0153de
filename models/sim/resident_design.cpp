#include "sim/resident_design.h"

#include "dataflow/dataflow_run.h"
#include "imc/imc_run.h"

namespace qnnsim {

bool is_resident_design(const ConfigNode& arch_root) {
  return is_in_memory_arch(arch_root) || is_dataflow_arch(arch_root);
}

ResidentDesign load_resident_design(const ConfigNode& arch_root, const std::string& execution) {
  ResidentDesign d;
  Execution* mode = nullptr;
  if (is_dataflow_arch(arch_root)) {
    mode = &d.flow.emplace(load_dataflow_arch(arch_root)).execution;
  } else {
    mode = &d.imc.emplace(load_imc_arch(arch_root)).execution;
  }
  if (!execution.empty()) parse_execution(execution, mode);
  return d;
}

RunResult run_resident_design(const ResidentDesign& design, const Workload& w) {
  return design.flow ? run_dataflow(*design.flow, w) : run_in_memory(*design.imc, w);
}

}  // namespace qnnsim
