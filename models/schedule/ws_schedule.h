#pragma once
// The weight-stationary schedule: chooses global-buffer tiles for each layer
// under the buffer's capacity (double-buffered) by a small analytical latency
// estimate, and lays out the array steps of each tile. A bad fit is a
// ConfigError naming the buffer's size key and the layer.
#include <map>

#include "arch/arch_spec.h"
#include "schedule/layer_plan.h"
#include "workload/workload.h"

namespace qnnsim {

// A mapping given by the user (replayed instead of searched), with where it was written.
struct GivenMapping {
  WsMapping mapping;
  ConfigNode where;
};
struct GivenMappings {
  std::string file;
  std::map<std::string, GivenMapping> layers;  // by layer name
};

// Plans one layer: replays `given` after checking it, or searches.
LayerPlan plan_layer_ws(const ArchSpec& arch, const Layer& layer, int64_t batch, const GivenMapping* given = nullptr);

// Checks every layer can run on the arch (precision, fit) and plans it, from
// `given` mappings when there are some (then every layer must have one).
std::vector<LayerPlan> plan_workload(const ArchSpec& arch, const Workload& w, const GivenMappings* given = nullptr);

}  // namespace qnnsim
