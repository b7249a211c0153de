#pragma once
// The part of one tensor that a block of the loop nest touches, as a box:
// one half-open interval per tensor axis. Weights are indexed (G, M, C, R, S),
// inputs (N, G, C, rows, columns) and outputs (N, G, M, P, Q). Input rows and
// columns follow the convolution window and are clamped to the unpadded input
// (padding is never fetched), the same rule as LoopBounds::rows_read.
//
// The level analysis (level_nest.h) compares the box a storage level holds
// now with the one it held before, and merges the boxes its children ask for
// in one step, so the set operations here are what reuse and multicast are.
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "schedule/loop_nest.h"

namespace qnnsim {

struct Interval {
  int64_t lo = 0, hi = 0;  // [lo, hi)
  int64_t size() const { return hi > lo ? hi - lo : 0; }
  bool operator==(const Interval& o) const { return lo == o.lo && hi == o.hi; }
  bool operator<(const Interval& o) const { return lo != o.lo ? lo < o.lo : hi < o.hi; }
};

constexpr int kBoxAxes = 5;
struct Box {
  std::array<Interval, kBoxAxes> axis{};
  uint64_t size() const;
  bool empty() const { return size() == 0; }
  bool operator==(const Box& o) const { return axis == o.axis; }
  bool operator<(const Box& o) const { return axis < o.axis; }
};

uint64_t overlap(const Box& a, const Box& b);  // |a ∩ b|
inline uint64_t difference(const Box& a, const Box& b) { return a.size() - overlap(a, b); }  // |a \ b|

// The box of operand o touched by the block starting at `base` with `extent`
// along each loop dimension.
Box tensor_box(Operand o, const DimArray& base, const DimArray& extent, const LoopBounds& b);
// One axis of that box (the closed-form counts need one at a time).
Interval tensor_axis(Operand o, int axis, const DimArray& base, const DimArray& extent, const LoopBounds& b);

// |⋃ (a_i \ b_i)|: what a parent sends once to children that each miss a_i \ b_i
// (a multicast serves children missing the same values with one read).
uint64_t union_of_differences(std::vector<std::pair<Box, Box>>& parts);

}  // namespace qnnsim
