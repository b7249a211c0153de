#pragma once
// The loop nest of an array layer and one mapping of it onto the hierarchy
// DRAM -> global buffer -> array (rows x cols of PEs) -> PE scratchpads.
//
// Loop dimensions: N images, G groups, M output and C input channels (per
// group), P x Q output rows and columns, R x S filter rows and columns.
// A mapping gives, for every dimension, a factor at each level:
//   pe    - PE-level temporal loop (what one PE works through in one pass),
//   rows  - spatial across the array's rows, cols - spatial across its columns,
//   glb   - buffer-level temporal loop (the passes of one buffer tile),
// and the DRAM-level factor follows: as many buffer tiles as it takes to cover
// the dimension. Extents nest: pass = pe x rows x cols, tile = pass x glb, each
// clamped to the dimension; the last block of a level may be partial (edge).
// The DRAM and buffer levels each have a loop order. Which tensors the PEs keep
// in their scratchpads comes from the dataflow; the buffer keeps all three.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "workload/layer.h"
#include "workload/loop_dims.h"

namespace qnnsim {

// The loop bounds of an array layer at a batch, and what input windows need.
struct LoopBounds {
  DimArray extent{};
  int64_t H = 0, W = 0, stride = 1, dilation = 1, padding = 0;
  // Under im2col (schedule/im2col.h) C stands for the flattened reduction
  // C x R x S and R = S = 1; these keep the filter window (R x S) the input
  // windows still span. Zero when the reduction is not flattened.
  int64_t flat_r = 0, flat_s = 0;
  bool flattened() const { return flat_r > 0; }
  // Input rows (columns) that output rows [p0, p0 + np) and filter rows [r0, r0 + nr)
  // read, clamped to the unpadded input (padding is not fetched). Flattened:
  // every filter row (column), as a block of C covers whole channels.
  int64_t rows_read(int64_t p0, int64_t np, int64_t r0, int64_t nr) const;
  int64_t cols_read(int64_t q0, int64_t nq, int64_t s0, int64_t ns) const;
  // Input channels a block of `c` along C reads: c itself, or flattened,
  // the channels of c taps (a block of whole channels; a partial one rounds up).
  int64_t input_channels(int64_t c) const {
    const int64_t taps = flattened() ? flat_r * flat_s : 1;
    return (c + taps - 1) / taps;
  }
};
LoopBounds loop_bounds(const Layer& l, int64_t batch);

struct Mapping {
  DimArray pe = kOnes, rows = kOnes, cols = kOnes, glb = kOnes;
  // The reduction flattened (im2col): the factors of C are of C x R x S,
  // those of R and S are 1 (schedule/im2col.h).
  bool im2col = false;
  std::array<int, kDims> dram_order{kN, kG, kM, kP, kQ, kC, kR, kS};  // outermost first
  std::array<int, kDims> glb_order{kN, kG, kM, kP, kQ, kC, kR, kS};

  bool operator==(const Mapping& o) const;
  // e.g. "DRAM M4 P2 C2 | GLB C3 | rows C4 R3 | cols M16 | PE P7 Q7"
  std::string one_line(const LoopBounds& b) const;
};

// Extents a mapping implies for one dimension (all clamped to the dimension).
struct DimExtents {
  int64_t dim = 1;    // the whole dimension
  int64_t tile = 1;   // one buffer tile
  int64_t pass = 1;   // one pass (all PEs)
  int64_t pe = 1;     // one PE in one pass
  bool spatial = false;
  int64_t tiles() const { return (dim + tile - 1) / tile; }                  // DRAM-level trip count
  int64_t passes_per_tile() const { return (tile + pass - 1) / pass; }       // buffer-level factor
  int64_t positions(int64_t block) const { return spatial ? (block + pe - 1) / pe : 1; }  // PEs a block spreads over
};
// Inline: the mapper asks it for every candidate it ranks.
inline DimExtents dim_extents(const Mapping& m, const LoopBounds& b, int d) {
  const auto i = static_cast<std::size_t>(d);
  DimExtents e;
  e.dim = b.extent[i];
  e.pe = std::min(m.pe[i], e.dim);
  e.pass = std::min(m.pe[i] * m.rows[i] * m.cols[i], e.dim);
  e.tile = std::min(e.pass * m.glb[i], e.dim);
  e.spatial = m.rows[i] * m.cols[i] > 1;
  return e;
}

// The loops above a storage point, outermost first: the DRAM-level loops, then
// (for the PEs) the buffer-level loops. `level` is 1 for DRAM, 2 for buffer.
struct LoopRef {
  int dim;
  int level;
  int64_t factor;  // trip count of a full block
};
std::vector<LoopRef> loops_above(const Mapping& m, const LoopBounds& b, bool to_pe);

// Static reuse: a tensor held at a storage point is fetched again whenever a
// loop at or outside its cut advances, the cut being the innermost loop above
// the point that the tensor depends on and that iterates (factor > 1); loops
// inside the cut reuse what is held. -1 when no such loop: fetched once.
// Inline: the mapper's estimate asks it several times for every candidate.
inline int cut_position(const LoopRef* loops, std::size_t n, Operand o) {
  int cut = -1;
  for (std::size_t i = 0; i < n; ++i)
    if (loops[i].factor > 1 && relevant(o, loops[i].dim)) cut = static_cast<int>(i);
  return cut;
}
inline int cut_position(const std::vector<LoopRef>& loops, Operand o) { return cut_position(loops.data(), loops.size(), o); }
// For each dimension, the deepest level among the loops at or outside `cut`:
// 0 none, 1 DRAM, 2 buffer. It says which block of the dimension one fetch covers.
std::array<int, kDims> counted_levels(const LoopRef* loops, int cut);
inline std::array<int, kDims> counted_levels(const std::vector<LoopRef>& loops, int cut) {
  return counted_levels(loops.data(), cut);
}

}  // namespace qnnsim
