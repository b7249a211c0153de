#pragma once
// A mapped level nest (level_nest.h) stepped in the order the hardware runs
// it, for the SystemC engine that simulates level designs (sim/level_engine.h).
//
// A step is one position of every temporal loop above the innermost level:
// the compute units then run that level's own loops (a burst of cycles).
// Before a step the levels bring in the blocks it needs that they do not hold
// already (fills, and the parents' reads that send them), and send up the
// partial sums of blocks it replaces (drains and the parents' updates);
// during it the compute units read their operands from, and update their
// sums in, the innermost level keeping each tensor. A last step of no cycles
// sends the final partial sums up.
//
// The counts follow the same rules as count_level_accesses (level_nest.h),
// position by position rather than summed, so the sum of every step's
// transfers is what the closed form counts: a test holds them equal.
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "schedule/level_nest.h"

namespace qnnsim {

struct LevelStep {
  // Counts of this step alone, per level and tensor (instances_used as the
  // nest's; `block` is the largest block a level takes in this step).
  // in[r]: the fills into level r, and its parents' reads that send them
  // (r's block size on the first step of the outermost level too); the
  // levels that receive anything this step are listed in `received`.
  std::vector<LevelNestCounts> in;
  std::vector<int> received;
  // Per level and tensor: whether the level takes a new block of the tensor
  // this step (with or without a fill: partial sums started from zero need none).
  std::vector<std::array<bool, kOperands>> changed;
  // out[c]: partial sums level c sends up, its drains and its parent's
  // updates; the levels that send any this step are listed in `sent_up`.
  std::vector<LevelNestCounts> out;
  std::vector<int> sent_up;
  LevelNestCounts compute;  // the compute units' operand reads and updates
  uint64_t cycles = 0;      // the compute units' temporal steps (the innermost level's loops); 0 on the last step
  bool last = false;        // the final partial sums' drain, after every computation
};

// Calls `visit` for every step in order, then once with the last step.
// Throws as check_level_nest does. The step passed is reused between calls.
void walk_level_nest(const LevelNest& nest, const LoopBounds& b, const std::function<void(const LevelStep&)>& visit);

// How many steps walk_level_nest visits before the last: the product of the
// temporal factors above the innermost level.
uint64_t level_walk_steps(const LevelNest& nest);

}  // namespace qnnsim
