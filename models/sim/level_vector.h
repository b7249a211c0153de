#pragma once
// The vector unit of a level design (`vector:`, a registered VectorSpec such
// as the engine's VectorUnit) and what it costs.
//
// It sits beside the first on-chip level, as the engine's vector unit sits
// beside its global buffer. A pooling, element-wise or normalisation layer
// streams through it: its inputs are read once from off-chip memory and,
// where that first on-chip level keeps inputs, filled into it and read from
// it by the unit; its outputs are written into it, where it keeps outputs,
// and drained to off-chip memory (a level design keeps nothing on chip
// between layers). A tensor the level bypasses goes straight between memory
// and the unit. Each level is priced per value at the
// tensor's own width, as the level model prices it; the unit prices its
// operations by its class at the outputs' width. The layer takes as long as
// the unit's lane-cycles or the busiest level's port, whichever is longer.
// The unit also requantizes every finished output of an array layer on its
// way out, as the engine's does (energy only: one output a lane a cycle,
// overlapped with the array's work).
#include "schedule/level_design.h"
#include "design/run_result.h"
#include "workload/layer.h"

namespace qnnsim {

// Throws std::invalid_argument naming the layer when the unit cannot take its precision.
LayerResult cost_vector_layer(const LevelDesign& d, const Layer& l, int64_t batch);

// Adds what an array layer's outputs pass on their way out to `r` (actions,
// energy and breakdown): their requantization and their activation functions.
void add_output_stage(const LevelDesign& d, const Layer& l, int64_t batch, LayerResult& r);

}  // namespace qnnsim
