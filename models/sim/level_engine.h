#pragma once
// The SystemC engine of level designs (schedule/level_design.h): a TLM-2.0
// target for each storage level and fan-out network, one for the compute
// units, and a sequencer that steps each layer's mapping through them
// (schedule/level_walk.h). Every transfer is a transaction to the level that
// moves it; the level counts it and books its port for as long as its
// bandwidth needs (level_port_cycles), so the counts a report prints are what
// the modules counted, and the time is a schedule with its stalls:
// - a level holds as many blocks of a tensor as its size takes, two at least
//   (level_buffering.h): a new block may come in once the block that many
//   back is done with (computed on; for partial sums, also sent up);
// - blocks come in from the outside in: a level passes a block on once the
//   one it takes from its own parent in the same step has arrived;
// - a step computes once its blocks are in and the step before has computed;
//   its operand reads take the keepers' ports meanwhile;
// - the partial sums a step replaces go up once the step before has computed
//   them, from the inside out: a level sends its own once its children's
//   have reached it.
// Each port and each network of a fan-out books its transfers on its own
// calendar, at the first free time they may start (core/calendar.h), a
// whole cycle at least. The closed-form time is what this schedule takes when
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
