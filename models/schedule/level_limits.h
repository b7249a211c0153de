#pragma once
// Whether a mapping fits a level design's levels: each level's fan-out uses
// no more instances than there are below it, and only the dimensions it may
// spread; each level's blocks of the tensors it keeps fit its size.
#include <string>
#include <vector>

#include "schedule/level_design.h"

namespace qnnsim {

// Values one instance of `level` holds of tensor o under the nest (its
// largest block: the window away from the image's edges).
uint64_t level_block(const LevelNest& nest, int level, Operand o, const LoopBounds& b);

// Empty when the nest fits; otherwise what does not, naming the level.
std::string limits_broken(const LevelNest& nest, const std::vector<LevelLimits>& limits, const LoopBounds& b);

// Empty unless a level that keeps requantized outputs only (final_outputs_only)
// would have to give partial sums back to go on accumulating (`c`, the
// mapping's counts); otherwise what breaks, naming the level.
std::string accumulation_broken(const LevelDesign& d, const LevelNestCounts& c);

}  // namespace qnnsim
