#pragma once
// One run of a workload on an in-memory chip: place the layers, simulate the
// stages as SystemC processes, and report in the same RunResult as the
// digital designs, with the in-memory figures beside. Like run_simulation,
// call it once per process (SystemC elaborates once).
#include "imc/imc_arch.h"
#include "design/run_result.h"
#include "workload/workload.h"

namespace qnnsim {

RunResult run_in_memory(const ImcArch& arch, const Workload& w);

}  // namespace qnnsim
