#pragma once
// The mapper for level designs: the factors of every dimension spread over
// the levels' temporal loops and fan-outs, and each level's loop order,
// chosen for the lowest energy, latency or energy-delay product under the
// levels' limits (level_limits.h). The space is sampled, then refined by
// moving one prime factor or swapping two neighbouring loops at a time until
// no move helps. Deterministic: the sampling's seed is fixed, and ties keep
// the first.
#include <cstdint>
#include <optional>

#include "design/objective.h"
#include "schedule/level_cycles.h"
#include "schedule/level_design.h"

namespace qnnsim {

struct LevelMapping {
  LevelNest nest;  // the design's levels with the chosen loops
  LevelNestCounts counts;
  LevelCycles cycles;  // with every level's bandwidth
  double energy_pj = 0;
  uint64_t evaluated = 0;  // mappings counted during the search
};

// The design's total energy for a mapping (`nest`) and its counts: every
// level's accesses and leakage, and the computes (drains apart, as
// level_design.h prices them).
double level_energy_pj(const LevelDesign& d, const LevelNest& nest, const LevelNestCounts& c);

// The best mapping of `b` found; empty when no mapping fits the limits.
// Latency: the fewest cycles, the least energy among those. Its result never
// takes more cycles than the EDP objective's on the same layer (the search
// keeps whichever of the two has fewer).
std::optional<LevelMapping> search_level_mapping(const LevelDesign& d, const LoopBounds& b, Objective objective);

// Whether the search stops counting a mapping once it is known to be no
// better than the best so far (on by default). Off, every mapping is counted
// to the end: the same mappings, slower; for tests and debugging.
void set_level_search_early_stop(bool on);

// Every mapping, for tests on small layers: the true optimum the search is held to.
std::optional<LevelMapping> exhaustive_level_mapping(const LevelDesign& d, const LoopBounds& b, Objective objective);

}  // namespace qnnsim
