#pragma once
// How many blocks a level of a level design holds at once, for the level
// engine's schedule (level_engine.h): a new block may come in once the block
// that many blocks before it is done with, so a level with room for several
// blocks fetches ahead further than double buffering does.
#include <cstdint>
#include <vector>

#include "schedule/level_design.h"

namespace qnnsim {

// As the nest's levels: what each storage level's size (each partition's,
// and what the partitions leave for the other tensors) holds of the mapping's
// largest blocks, in whole blocks; at least 2 (double buffering, which the
// closed-form time assumes) and at most `most`, which a level with no size
// (or one that keeps nothing) takes.
std::vector<uint64_t> level_buffering_depth(const LevelDesign& d, const LevelNest& nest, const LoopBounds& b,
                                            uint64_t most);

}  // namespace qnnsim
