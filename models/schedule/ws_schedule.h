#pragma once
// The weight-stationary schedule: chooses global-buffer tiles for each layer
// under the buffer's capacity (double-buffered) by a small analytical latency
// estimate, and lays out the array steps of each tile. A bad fit is a
// ConfigError naming the buffer's size key and the layer.
#include "arch/arch_spec.h"
#include "schedule/layer_plan.h"
#include "workload/workload.h"

namespace qnnsim {

LayerPlan plan_layer_ws(const ArchSpec& arch, const Layer& layer, int64_t batch);

// Checks every layer can run on the arch (precision, fit) and plans it.
std::vector<LayerPlan> plan_workload(const ArchSpec& arch, const Workload& w);

}  // namespace qnnsim
