#pragma once
// One end-to-end run: validate and plan, elaborate the SystemC module tree,
// simulate, and turn timing and action counts into a RunResult. SystemC can
// elaborate only once per process, so call run_simulation once per process.
#include <vector>

#include "arch/arch_spec.h"
#include "schedule/layer_plan.h"
#include "schedule/mapper.h"
#include "design/run_result.h"
#include "workload/workload.h"

namespace qnnsim {

// Plans every layer (searching, or replaying `given` mappings), then simulates the plans.
RunResult run_simulation(const ArchSpec& arch, const Workload& workload, const GivenMappings* given = nullptr);

// Simulates plans made beforehand.
RunResult run_plans(const ArchSpec& arch, const Workload& workload, const std::vector<LayerPlan>& plans);

}  // namespace qnnsim
