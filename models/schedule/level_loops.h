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
// The instances of `level`: the product of the fan-outs above it.
int64_t instances_of(const FlatLoops& loops, int level);
// The extents of the block `level` holds: its loops and every loop below it.
DimArray block_extent(const FlatLoops& loops, int level);
// Steps `index` (one per loop, outermost first) to the next position of
// `loops`, the innermost loop fastest; false after the last.
bool next_position(std::vector<int64_t>& index, const FlatLoops& loops);
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

// One move of a pair's blocks, stepped: what the children take and give up,
// and what the parent sends and takes back, when every child instance's block
// moves from where `from` puts it to where `to` does. enumerate_pair sums
// these over the pair's positions; the level walk (level_walk.h) takes them
// one step at a time.
struct PairMove {
  uint64_t fills = 0, block = 0, drains = 0;  // the children's (block: the largest new one)
  uint64_t reads = 0, updates = 0;            // the parent's
  bool changed = false;                       // a child took a new block
};
class PairStepper {
 public:
  PairStepper(const PairLoops& p, const LoopBounds& b);
  // `from` empty: the children held nothing before. `to` empty: the last
  // blocks leave (partial sums go up). `first_touch`: the partial sums start
  // from zero here, so none are filled from the parent.
  PairMove move(const DimArray* from, const DimArray* to, bool first_touch);
  // Every child's window at `base` as a whole, along each dimension.
  const DimArray& span() const { return span_; }

 private:
  Box box(const DimArray& base, std::size_t parent, std::size_t child) const;
  const PairLoops& p_;
  const LoopBounds& b_;
  std::vector<DimArray> parents_, children_;
  std::vector<std::vector<int64_t>> groups_;
  DimArray span_{};
  std::vector<std::pair<Box, Box>> sent_, evicted_;
  std::vector<std::vector<int64_t>> sent_group_, evicted_group_;
};

// The distinct values of o that the compute units under one instance of a
// level read (or update) at once, through the fan-out loops `fan` below it:
// a matter of the window's shape, not of where it sits, so counted away
// from the input's edges.
uint64_t distinct_operand_values(Operand o, const FlatLoops& fan, const LoopBounds& b);
// The same counts summed per axis (level_closed_form.cpp); `memo` (optional)
// remembers per-axis sums across calls for one layer.
PairCounts closed_form_pair(const PairLoops& p, const LoopBounds& b, ClosedFormMemo* memo = nullptr);

}  // namespace qnnsim
