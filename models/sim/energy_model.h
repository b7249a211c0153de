#pragma once
// The energy observer: per-action counts from the components times each
// component's energy per action, plus leakage power times the layer's time.
// Timing code never calls this.
#include <vector>

#include "arch/component_module.h"
#include "design/run_result.h"

namespace qnnsim {

void attribute_energy(const std::vector<const ComponentModule*>& modules, int layer, LayerResult& out);

}  // namespace qnnsim
