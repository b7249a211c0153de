#pragma once
// Designs whose layers all stay resident for the whole run: in-memory chips
// (layers placed on crossbars) and dataflow designs (an engine per layer).
// Neither searches for mappings; both run one execution mode or the other.
// The command line and the sweep's point runner load and run them through
// this one place, so a new resident kind is added here once.
#include <optional>
#include <string>

#include "core/config_node.h"
#include "dataflow/dataflow_arch.h"
#include "imc/imc_arch.h"
#include "sim/run_result.h"
#include "workload/workload.h"

namespace qnnsim {

bool is_resident_design(const ConfigNode& arch_root);

struct ResidentDesign {
  std::optional<ImcArch> imc;
  std::optional<DataflowArch> flow;
  const char* kind() const { return flow ? "a dataflow design" : "an in-memory chip"; }
};

// execution: empty keeps the file's mode; otherwise layer_pipelined or
// layer_sequential (callers validate the text where the user gave it).
ResidentDesign load_resident_design(const ConfigNode& arch_root, const std::string& execution);

// Call once per process (SystemC elaborates once).
RunResult run_resident_design(const ResidentDesign& design, const Workload& w);

}  // namespace qnnsim
