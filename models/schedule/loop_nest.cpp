#include "schedule/loop_nest.h"

#include <algorithm>

#include <fmt/format.h>

namespace qnnsim {

namespace {
// Rows of a 1-D window: outputs [o0, o0 + no) with taps [t0, t0 + nt), clamped to [0, size).
int64_t window(int64_t o0, int64_t no, int64_t t0, int64_t nt, int64_t stride, int64_t dilation, int64_t padding,
               int64_t size) {
  const int64_t lo = std::max<int64_t>(0, o0 * stride + t0 * dilation - padding);
  const int64_t hi = std::min<int64_t>(size - 1, (o0 + no - 1) * stride + (t0 + nt - 1) * dilation - padding);
  return std::max<int64_t>(0, hi - lo + 1);
}
}  // namespace

int64_t LoopBounds::rows_read(int64_t p0, int64_t np, int64_t r0, int64_t nr) const {
  if (flattened()) return window(p0, np, 0, flat_r, stride, dilation, padding, H);
  return window(p0, np, r0, nr, stride, dilation, padding, H);
}
int64_t LoopBounds::cols_read(int64_t q0, int64_t nq, int64_t s0, int64_t ns) const {
  if (flattened()) return window(q0, nq, 0, flat_s, stride, dilation, padding, W);
  return window(q0, nq, s0, ns, stride, dilation, padding, W);
}

LoopBounds loop_bounds(const Layer& l, int64_t batch) {
  LoopBounds b;
  b.extent = {batch, l.groups, l.M / l.groups, l.C / l.groups, l.P, l.Q, l.R, l.S};
  // A matmul's second operand differs per image: each image's heads are
  // groups of their own, so the nest fetches its "weights" per image and
  // never reuses them across images.
  if (layer_streams_weights(l.type)) b.extent = {1, batch * l.groups, l.M / l.groups, l.C / l.groups, l.P, l.Q, 1, 1};
  b.H = l.H;
  b.W = l.W;
  b.stride = l.stride;
  b.dilation = l.dilation;
  b.padding = l.padding;
  return b;
}

bool Mapping::operator==(const Mapping& o) const {
  return pe == o.pe && rows == o.rows && cols == o.cols && glb == o.glb && dram_order == o.dram_order &&
         glb_order == o.glb_order && im2col == o.im2col;
}

std::string Mapping::one_line(const LoopBounds& b) const {
  const auto level = [&](const char* label, const std::array<int, kDims>& order, auto factor) {
    std::string s = label;
    for (int d : order)
      if (const int64_t f = factor(d); f > 1) s += fmt::format(" {}{}", dim_name(d), f);
    return s;
  };
  std::array<int, kDims> natural{kN, kG, kM, kC, kP, kQ, kR, kS};
  const std::string dram = level("DRAM", dram_order, [&](int d) { return dim_extents(*this, b, d).tiles(); });
  const std::string buffer = level("GLB", glb_order, [&](int d) { return dim_extents(*this, b, d).passes_per_tile(); });
  const std::string r = level("rows", natural, [&](int d) { return rows[static_cast<std::size_t>(d)]; });
  const std::string c = level("cols", natural, [&](int d) { return cols[static_cast<std::size_t>(d)]; });
  const std::string p = level("PE", natural, [&](int d) { return pe[static_cast<std::size_t>(d)]; });
  const std::string all = dram + " | " + buffer + " | " + r + " | " + c + " | " + p;
  if (!im2col) return all;
  return all + fmt::format(" | im2col: C is C x R x S = {}", b.extent[kC]);
}

std::vector<LoopRef> loops_above(const Mapping& m, const LoopBounds& b, bool to_pe) {
  std::vector<LoopRef> loops;
  loops.reserve(2 * kDims);
  for (int d : m.dram_order) loops.push_back({d, 1, dim_extents(m, b, d).tiles()});
  if (to_pe)
    for (int d : m.glb_order) loops.push_back({d, 2, dim_extents(m, b, d).passes_per_tile()});
  return loops;
}

std::array<int, kDims> counted_levels(const LoopRef* loops, int cut) {
  std::array<int, kDims> level{};
  for (int i = 0; i <= cut; ++i) {
    const LoopRef& l = loops[static_cast<std::size_t>(i)];
    level[static_cast<std::size_t>(l.dim)] = std::max(level[static_cast<std::size_t>(l.dim)], l.level);
  }
  return level;
}

}  // namespace qnnsim
