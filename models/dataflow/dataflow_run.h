#pragma once
// One run of a workload on a layer-per-engine dataflow design: fold the
// engines, simulate them as SystemC processes, count and price their actions,
// and report in the same RunResult as the other designs, with the dataflow
// figures beside. Like run_simulation, call it once per process (SystemC
// elaborates once).
#include "dataflow/dataflow_arch.h"
#include "design/run_result.h"
#include "workload/workload.h"

namespace qnnsim {

RunResult run_dataflow(const DataflowArch& arch, const Workload& w);

}  // namespace qnnsim
