#pragma once
// The plans tests walk tile by tile: each array layer's plan at batches 1, 7
// and 64, as the mapper chooses it and with each of N, M, C and P's buffer
// factors halved (an uneven last tile where the passes do not divide
// evenly), wherever the design accepts the mapping.
#include <functional>

#include "arch/arch_spec.h"
#include "schedule/layer_plan.h"
#include "workload/workload.h"

namespace qnnsim::test {

void for_each_plan_variant(const ArchSpec& arch, Workload w,
                           const std::function<void(const Layer&, const LayerPlan&)>& visit);

}  // namespace qnnsim::test
