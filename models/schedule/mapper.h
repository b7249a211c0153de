#pragma once
// The mapper: for each array layer, searches the mappings the architecture's
// dataflow allows (spatial unrolling, PE loops, buffer tiles, loop orders)
// that fit the scratchpads and the buffer's tile slots, ranks them with the
// closed-form counts, and returns the best for the objective. A given mapping
// is checked and replayed instead. Vector layers tile images, channels and
// rows. A layer that cannot fit is a ConfigError naming the buffer's size key
// and the layer.
#include <map>
#include <string>

#include "arch/arch_spec.h"
#include "design/objective.h"
#include "schedule/array_shape_key.h"
#include "schedule/layer_plan.h"
#include "workload/workload.h"

namespace qnnsim {

// The analytical figures the search ranks a laid-out plan by. Latency: the
// larger of (the busiest resource flat out, plus one exposed weight load per
// tile) and (DRAM traffic time, plus one DRAM latency per tile), or their sum
// when the buffer has one tile slot, plus the exposed first load and last
// store. Energy: every action the plan will count.
struct PlanScore {
  double seconds = 0;
  double energy_pj = 0;
  double value(Objective o) const;
};
PlanScore score_plan(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan);

// A mapping given by the user (replayed instead of searched), with where it was written.
struct GivenMapping {
  Mapping mapping;       // array layers
  VectorTiling vector;   // vector layers
  ConfigNode where;
};
struct GivenMappings {
  std::string file;
  SourceLocation layers_location;  // the file's `layers` mapping, for a layer it lacks
  std::map<std::string, GivenMapping> layers;  // by layer name
};

// Plans one layer: replays `given` after checking it, or searches.
LayerPlan plan_layer(const ArchSpec& arch, const Layer& layer, int64_t batch, const GivenMapping* given = nullptr,
                        Objective objective = Objective::Edp);

// Checks an array layer's mapping against the layer, the array, the dataflow and
// the buffers; throws a ConfigError at `where` naming the broken constraint.
void check_mapping(const ArchSpec& arch, const Layer& layer, int64_t batch, const Mapping& m, const ConfigNode& where);

// Array mappings searched on one architecture, by shape (array_shape_key.h)
// and objective: a design run many times over (a hybrid's part while its
// placement is searched) searches each shape once, not once a run.
struct SearchedMappings {
  std::map<std::pair<ArrayShapeKey, Objective>, Mapping> array;
};

// Checks every layer can run on the arch (precision, fit) and plans it, from
// `given` mappings when there are some (then every layer must have one).
// An array layer whose shape an earlier layer had (array_shape_key.h) takes
// that layer's mapping instead of searching again: the same one a search would
// find; with `searched`, a shape an earlier call on the same arch searched too.
// `search_seconds`, when given, receives the wall time spent planning each layer.
std::vector<LayerPlan> plan_workload(const ArchSpec& arch, const Workload& w, const GivenMappings* given = nullptr,
                                     Objective objective = Objective::Edp,
                                     std::vector<double>* search_seconds = nullptr,
                                     SearchedMappings* searched = nullptr);

}  // namespace qnnsim
