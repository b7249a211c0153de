#pragma once
// The SystemC engine of level designs (schedule/level_design.h): a TLM-2.0
// target for each storage level and fan-out network, one for the compute
// units, and a sequencer that steps each layer's mapping through them
// (schedule/level_walk.h). Every transfer is a transaction to the level that
// moves it; the level counts it and books its port for as long as its
// bandwidth needs (level_port_cycles), so the counts a report prints are what
// the modules counted, and the time is a schedule with its stalls:
// - a step's fills may start once the step two before has computed: each
//   level double-buffers its blocks, as the closed-form time assumes
//   (schedule/level_cycles.h), but it holds two blocks, not more;
// - a step computes once its fills are in and the step before has computed;
//   its operand reads take the keepers' ports meanwhile;
// - the partial sums a step replaces go up once the step before has computed.
// A port books each transfer at the first free time it may start, over gaps
// if need be (core/calendar.h). The closed-form time is what this schedule takes when
// every transfer hides behind computation; a test holds the engine's counts
// equal to the closed form's and its time at or above it.
#include <cstdint>
#include <vector>

#include "schedule/level_design.h"

namespace qnnsim {

struct LevelSimulation {
  LevelNestCounts counts;      // as the level and compute modules counted them
  uint64_t cycles = 0;         // from the layer's first transfer to its last partial sum sent up
  uint64_t steps = 0;          // positions of the loops above the innermost level
  std::vector<uint64_t> busy;  // cycles each level's port or network was booked, as the nest's levels
  // Cycles the compute units waited on each level (as the nest's levels):
  // for its blocks to come in, for its ports to serve their operands, and at
  // the end for the last partial sums to go up. With the computing cycles
  // they add up to `cycles`.
  std::vector<uint64_t> stalled;
};

struct LevelLayerToSimulate {
  const LevelDesign* design = nullptr;  // its levels' bandwidths and units (a layer's packed design)
  LevelNest nest;                       // the design's levels with the layer's mapping
  LoopBounds bounds;
};

// Runs the layers one after another in one SystemC elaboration (installs no
// fresh kernel: the caller does, between simulations, as for any run). All
// layers' designs have the levels of the first, by name and order.
// Throws std::invalid_argument when a nest does not cover its layer.
std::vector<LevelSimulation> simulate_level_layers(const std::vector<LevelLayerToSimulate>& layers);

}  // namespace qnnsim
