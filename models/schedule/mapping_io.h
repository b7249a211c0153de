#pragma once
// Mappings as YAML: `qnnsim run --mappings-out FILE` writes the mapping chosen
// for every layer, and `--mappings FILE` replays such a file instead of
// searching. A replayed mapping is checked against the layer and the
// architecture like any other input.
#include <ostream>
#include <string>
#include <vector>

#include "schedule/layer_plan.h"
#include "schedule/mapper.h"
#include "workload/workload.h"

namespace qnnsim {

void write_mappings(std::ostream& out, const std::string& arch_name, const Dataflow& flow, const Workload& w,
                    const std::vector<LayerPlan>& plans);

// Reads a mappings file for `w` on an architecture of dataflow `flow`;
// unknown layers, keys and loop orders are errors.
GivenMappings load_mappings(const std::string& path, const Workload& w, const Dataflow& flow);

}  // namespace qnnsim
