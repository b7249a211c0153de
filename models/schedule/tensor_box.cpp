#include "schedule/tensor_box.h"

#include <algorithm>
#include <stdexcept>

namespace qnnsim {

namespace {

Interval span(int64_t base, int64_t extent) { return {base, base + extent}; }

// Input rows (or columns) that outputs [o, o + no) read through taps [t, t + nt):
// from the first row inside the unpadded input [0, size) that any of them
// reads to the last. Rows between are fetched with the window even where a
// stride skips them; rows of padding are not, nor the rows between padding
// and the first row read (so a stride-2 window that starts in the padding
// begins at its first real row, not at row 0).
Interval window(int64_t o, int64_t no, int64_t t, int64_t nt, int64_t stride, int64_t dilation, int64_t padding,
                int64_t size) {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (int64_t tap = t; tap < t + nt; ++tap) {  // taps are few (at most a filter's size)
    const int64_t offset = tap * dilation - padding;  // row = output * stride + offset
    // The first and last outputs of [o, o + no) whose row lies in [0, size).
    const int64_t first = std::max(o, offset >= 0 ? int64_t{0} : (-offset + stride - 1) / stride);
    const int64_t last = std::min(o + no - 1, size - 1 - offset < 0 ? int64_t{-1} : (size - 1 - offset) / stride);
    if (first > last) continue;
    lo = std::min(lo, first * stride + offset);
    hi = std::max(hi, last * stride + offset + 1);
  }
  if (lo >= hi) return {0, 0};
  return {lo, hi};
}

bool inside(const Box& cell, const Box& b) {
  for (int a = 0; a < kBoxAxes; ++a)
    if (cell.axis[a].lo < b.axis[a].lo || cell.axis[a].hi > b.axis[a].hi) return false;
  return true;
}

// The exact union when children's boxes overlap without being equal (windows
// that share a halo): cut space at every box edge and count each cell once.
uint64_t union_by_cells(const std::vector<std::pair<Box, Box>>& parts) {
  std::array<std::vector<int64_t>, kBoxAxes> cuts;
  for (const auto& [a, b] : parts)
    for (int ax = 0; ax < kBoxAxes; ++ax)
      for (const Box* x : {&a, &b}) {
        cuts[ax].push_back(x->axis[ax].lo);
        cuts[ax].push_back(x->axis[ax].hi);
      }
  uint64_t cells = 1;
  for (auto& c : cuts) {
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    cells *= c.size() > 1 ? c.size() - 1 : 1;
  }
  // Boxes come from at most a few hundred children, so this bound is only met
  // by a nest far outside what any design fans out to.
  if (cells > 50'000'000) throw std::runtime_error("level analysis: too many overlapping child windows to merge");
  uint64_t total = 0;
  std::array<std::size_t, kBoxAxes> i{};
  for (uint64_t n = 0; n < cells; ++n) {
    Box cell;
    for (int ax = 0; ax < kBoxAxes; ++ax) cell.axis[ax] = {cuts[ax][i[ax]], cuts[ax][i[ax] + 1]};
    if (!cell.empty())
      for (const auto& [a, b] : parts)
        if (inside(cell, a) && !inside(cell, b)) {
          total += cell.size();
          break;
        }
    for (int ax = kBoxAxes - 1; ax >= 0; --ax) {
      if (++i[ax] + 1 < cuts[ax].size()) break;
      i[ax] = 0;
    }
  }
  return total;
}

}  // namespace

uint64_t Box::size() const {
  uint64_t n = 1;
  for (const Interval& i : axis) n *= static_cast<uint64_t>(i.size());
  return n;
}

uint64_t overlap(const Box& a, const Box& b) {
  uint64_t n = 1;
  for (int ax = 0; ax < kBoxAxes; ++ax) {
    const int64_t lo = std::max(a.axis[ax].lo, b.axis[ax].lo);
    const int64_t hi = std::min(a.axis[ax].hi, b.axis[ax].hi);
    if (hi <= lo) return 0;
    n *= static_cast<uint64_t>(hi - lo);
  }
  return n;
}

Interval tensor_axis(Operand o, int axis, const DimArray& base, const DimArray& extent, const LoopBounds& b) {
  static constexpr int kWeightDims[kBoxAxes] = {kG, kM, kC, kR, kS};
  static constexpr int kInputDims[3] = {kN, kG, kC};
  static constexpr int kOutputDims[kBoxAxes] = {kN, kG, kM, kP, kQ};
  switch (o) {
    case Operand::Weights: return span(base[kWeightDims[axis]], extent[kWeightDims[axis]]);
    case Operand::Inputs:
      if (axis < 3) return span(base[kInputDims[axis]], extent[kInputDims[axis]]);
      if (axis == 3) return window(base[kP], extent[kP], base[kR], extent[kR], b.stride, b.dilation, b.padding, b.H);
      return window(base[kQ], extent[kQ], base[kS], extent[kS], b.stride, b.dilation, b.padding, b.W);
    case Operand::Outputs:
    case Operand::Accumulator: return span(base[kOutputDims[axis]], extent[kOutputDims[axis]]);
  }
  return {};
}

Box tensor_box(Operand o, const DimArray& base, const DimArray& extent, const LoopBounds& b) {
  const auto dim = [&](int d) { return span(base[d], extent[d]); };
  switch (o) {
    case Operand::Weights: return Box{{dim(kG), dim(kM), dim(kC), dim(kR), dim(kS)}};
    case Operand::Inputs:
      return Box{{dim(kN), dim(kG), dim(kC),
                  window(base[kP], extent[kP], base[kR], extent[kR], b.stride, b.dilation, b.padding, b.H),
                  window(base[kQ], extent[kQ], base[kS], extent[kS], b.stride, b.dilation, b.padding, b.W)}};
    case Operand::Outputs:
    case Operand::Accumulator: return Box{{dim(kN), dim(kG), dim(kM), dim(kP), dim(kQ)}};
  }
  return {};
}

uint64_t union_of_differences(std::vector<std::pair<Box, Box>>& parts) {
  parts.erase(std::remove_if(parts.begin(), parts.end(), [](const auto& p) { return difference(p.first, p.second) == 0; }),
              parts.end());
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  uint64_t sum = 0;
  bool disjoint = true;
  for (std::size_t i = 0; i < parts.size() && disjoint; ++i) {
    sum += difference(parts[i].first, parts[i].second);
    for (std::size_t j = i + 1; j < parts.size() && disjoint; ++j)
      disjoint = overlap(parts[i].first, parts[j].first) == 0;
  }
  return disjoint ? sum : union_by_cells(parts);
}

}  // namespace qnnsim
