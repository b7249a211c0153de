#pragma once
// im2col: a weight-stationary systolic array may take the reduction of a
// convolution as one flattened dimension K = C x R x S down its rows, each
// row holding one element of the flattened filter window and each column one
// output channel, folded over ceil(K / rows) passes with the last fold's
// spare rows idle ([J17] TPU v1, Jouppi et al., ISCA 2017, section 2; SCALE-Sim
// (Samajdar et al., ISPASS 2020), scale-sim-v2 scalesim/compute/
// systolic_compute_ws.py: the filter operand matrix is (R x S x C) x M, one
// column per filter, and the row folds are ceil(R S C / rows), the last
// fold's missing rows padded with null requests).
// Without it, the rows hold whole factors of at most two of C, R and S, and a
// first layer of three input channels and a 7 x 7 filter leaves rows idle in
// every pass.
//
// A flattened mapping is an ordinary mapping over flattened loop bounds: C
// stands for C x R x S, R and S are 1, and the bounds keep the filter window
// for the input windows. Which input reads it implies follows the shipped
// systolic designs' source, the TPU: its unified buffer holds the activations
// as stored and feeds the matrix unit through the systolic data setup ([J17]
// section 2, figure 1), so DRAM loads and buffer capacity count the stored
// feature map (overlapping windows not duplicated), and the rows read one
// input each per output position from the buffer, as any weight-stationary
// pass does. SCALE-Sim's alternative fetches into its buffers the expanded
// operand matrix (an element per window position: overlapping windows take
// buffer space, and prefetches, once per window they belong to).
// The stored-feature-map count is exact when a buffer tile of C holds whole
// channels, so a flattened tile must: its extent along the flattened C is a
// multiple of R x S, or all of it.
#include <cstdint>
#include <string>

#include "arch/arch_spec.h"
#include "schedule/loop_nest.h"

namespace qnnsim {

// Why the layer's reduction cannot be flattened on this design; empty if it can.
std::string im2col_problem(const ArchSpec& arch, const Layer& l);
inline bool im2col_allowed(const ArchSpec& arch, const Layer& l) { return im2col_problem(arch, l).empty(); }

// The bounds with the reduction flattened: C x R x S along C, R = S = 1.
LoopBounds flatten_reduction(const LoopBounds& b);

// The loop bounds a mapping's factors refer to: flattened under im2col.
LoopBounds mapping_bounds(const Layer& l, int64_t batch, const Mapping& m);

// Whether a buffer tile `tile` long along the flattened C holds whole channels.
inline bool whole_channel_tile(const LoopBounds& flat, int64_t tile) {
  return tile == flat.extent[kC] || tile % (flat.flat_r * flat.flat_s) == 0;
}

}  // namespace qnnsim
