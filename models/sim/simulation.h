#pragma once
// One end-to-end run: validate and plan, elaborate the SystemC module tree,
// simulate, and turn timing and action counts into a RunResult. SystemC can
// elaborate only once per process, so call run_simulation once per process.
#include "arch/arch_spec.h"
#include "sim/run_result.h"
#include "workload/workload.h"

namespace qnnsim {

RunResult run_simulation(const ArchSpec& arch, const Workload& workload);

}  // namespace qnnsim
