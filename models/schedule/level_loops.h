#pragma once
// The pieces the level analysis (level_nest.h) shares between its two ways of
// counting the transfers between a level and the next one down that keeps a
// tensor: stepping through the blocks (level_enumeration.cpp) and summing
// them in closed form (level_closed_form.cpp), which a test holds equal.
#include <cstdint>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "schedule/level_nest.h"
#include "schedule/tensor_box.h"

namespace qnnsim {

struct FlatLoop {
  int dim;
  int64_t factor;
  int level;
  bool spatial;
  int64_t stride;                   // how far one step moves along its dimension
  bool multicast_per_value = true;  // spatial loops: their level's network
};

// Loops held inline: a search builds these for every nest it counts, and a
// nest has a few dozen loops at most.
using FlatLoops = boost::container::small_vector<FlatLoop, 16>;

// Every loop of the nest, outermost first: a level's temporal loops, then its fan-out.
FlatLoops flatten(const LevelNest& nest);
// All index combinations of `loops`, as the offset each adds to the dimensions.
std::vector<DimArray> offsets(const FlatLoops& loops);
// For each combination of `loops` (offsets() order), the key of the children
// that may share a read with it: the indices along loops whose network
// multicasts per dimension and whose dimension indexes o.
std::vector<std::vector<int64_t>> sharing_groups(const FlatLoops& loops, Operand o);
// |⋃ (a_i \ b_i)| within each sharing group, summed over the groups.
uint64_t shared_reads(std::vector<std::pair<Box, Box>>& parts, const std::vector<std::vector<int64_t>>& group_of);

// The loops that move tensor o between `parent` and `child`: the temporal
// loops above the child (the innermost ones that do not move o dropped), the
// fan-out above the parent (parent instances) and between the two (children).
struct PairLoops {
  Operand o = Operand::Weights;
  FlatLoops temporal, parent_fan, child_fan;
  DimArray extent{};  // the block the child holds
};
// Merged: neighbouring temporal loops the counts cannot tell apart made one
// (see pair_loops in level_loops.cpp), so that the closed form's memo meets
// one pair where nests differ only there. The stepping reference keeps the
// loops as nested, which is how a test holds the merging exact.
enum class PairLoopsForm { AsNested, Merged };
PairLoops pair_loops(const FlatLoops& loops, Operand o, int parent, int child,
                     PairLoopsForm form = PairLoopsForm::AsNested);

struct PairCounts {
  uint64_t parent_reads = 0, parent_updates = 0;
  uint64_t child_fills = 0, child_drains = 0;
  uint64_t child_block = 0;
};
PairCounts enumerate_pair(const PairLoops& p, const LoopBounds& b);
// The same counts summed per axis (level_closed_form.cpp); `memo` (optional)
// remembers per-axis sums across calls for one layer.
PairCounts closed_form_pair(const PairLoops& p, const LoopBounds& b, ClosedFormMemo* memo = nullptr);

}  // namespace qnnsim
