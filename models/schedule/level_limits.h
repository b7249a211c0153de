#pragma once
// Whether a mapping fits a level design's levels: each level's fan-out uses
// no more instances than there are below it, and only the dimensions it may
// spread; each level's blocks of the tensors it keeps fit its size.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "schedule/level_design.h"

namespace qnnsim {

// Values one instance of `level` holds of tensor o under the nest (its
// largest block: the window away from the image's edges).
uint64_t level_block(const LevelNest& nest, int level, Operand o, const LoopBounds& b);

// What the limits read of a level's loops: the product of its factors per
// dimension, over its own loops and over its fan-out. The search checks its
// candidates in this form, without building their nests or any message.
struct LevelFactors {
  DimArray temporal = kOnes, spatial = kOnes;
};
// Held inline: a search builds one for every candidate it checks.
using LevelFactorList = boost::container::small_vector<LevelFactors, 12>;
LevelFactorList level_factors(const LevelNest& nest);

// The first limit a mapping breaks, as numbers (limits_broken words it).
struct BrokenLimit {
  enum class Kind { SpatialDim, TemporalDim, Fanout, Size, Partition, OutsidePartitions } kind;
  int level = 0;
  int dim = 0;              // SpatialDim, TemporalDim
  std::size_t partition = 0;  // Partition
  uint64_t held = 0, room = 0;
};
// `levels`: the design's levels, for the tensors each keeps (their loops are
// not read; `f` gives them, one entry per level). Only the outermost
// `check_levels` levels are checked (a level's limits read its own factors
// and those below it: a search that adds a factor to one level of a mapping
// that fits need check that level and those above it).
std::optional<BrokenLimit> first_broken_limit(const std::vector<StorageLevel>& levels, const LevelFactorList& f,
                                              const std::vector<LevelLimits>& limits, const LoopBounds& b,
                                              std::size_t check_levels = SIZE_MAX);

// Empty when the nest fits; otherwise what does not, naming the level.
std::string limits_broken(const LevelNest& nest, const std::vector<LevelLimits>& limits, const LoopBounds& b);

// Empty unless a level that keeps requantized outputs only (final_outputs_only)
// would have to give partial sums back to go on accumulating (`c`, the
// mapping's counts); otherwise what breaks, naming the level.
std::string accumulation_broken(const LevelDesign& d, const LevelNestCounts& c);

}  // namespace qnnsim
