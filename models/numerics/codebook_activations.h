#pragma once
// Codebook activations (`--scheme codebook`): a stored tensor holds b-bit
// indices into a table of 2^b entries, and each layer's MAC multiplies the
// entry an index looks up, not the index. The levels are not evenly spaced:
// they sit where the values are dense, as the learned activation levels of
// LQ-Nets (D. Zhang, J. Yang, D. Ye and G. Hua, "LQ-Nets: Learned
// Quantization for Highly Accurate and Compact Deep Neural Networks", ECCV
// 2018), which quantizes ReLU outputs to non-uniform levels, and as Deep
// Compression's shared weights (codebook.cpp).
//
// Calibration (post-training): 1-D k-means over the tensor's samples
// (codebook_centroids, initialised linearly from 0 to the top of the range)
// with the lowest level held at 0: a ReLU output of 0 stays exactly 0, as
// zero padding is, and as LQ-Nets' activation levels (a {0, 1} encoding of
// a learned basis) always include 0. min-max clusters every sample;
// percentile first clips the samples to the percentile's range, so that a
// few outliers do not claim an entry of their own; mse clusters every
// sample, since Lloyd's rounds already choose the levels of least squared
// error over them.
//
// The tensor is non-negative (it follows a ReLU, as LQ-Nets' activations do),
// so the entries are unsigned integers of the entry width E at one scale, the
// largest centroid at the top code 2^E - 1: real = scale * entry. E is the
// width the multiplier takes its input at: with a digital --arch, the
// narrowest input of the design's MAC classes that take codebook inputs
// (IntMAC), at most 16 bits, as a trace holds them; else 8 bits. A table of
// 2^b distinct entries needs E >= b. A tensor written without a ReLU is
// refused where the network is planned (quant_plan.cpp), as for
// power-of-two codes.
//
// A value takes the nearest entry, the lower at a tie (a negative value, which
// only a tensor read by a separate ReLU holds, the lowest entry, as its ReLU
// output 0 would). The integer output stage (Requant::fixed) compares the
// accumulator's total with the midpoints between neighbouring entries
// (threshold_stage.h), which decides exactly as the real rounding.
#include <cstdint>
#include <string>
#include <vector>

#include "numerics/calibration.h"
#include "numerics/quant_params.h"

namespace qnnsim::numerics {

// The widest codebook activation index eval runs: 256 entries, as codebook weights.
constexpr int kMaxCodebookActivationBits = 8;
// The widest entry: a trace's `entries` are at most 16-bit integers (workload/precision.h).
constexpr int kMaxCodebookEntryBits = 16;

// "" when eval runs codebook activations of `bits` index bits with entries
// `entry_bits` wide, else why not.
std::string codebook_activation_problem(int bits, int entry_bits);

// The table of ascending, non-negative `centroids` (2^bits of them) as
// entries of `entry_bits` bits; all-zero centroids give scale 1.
ActQuant codebook_act(const std::vector<double>& centroids, int bits, int entry_bits);

// A trace's table: its scale and entries as written (trace_plan.cpp checks them).
ActQuant codebook_act_given(double scale, std::vector<int32_t> entries, int bits);

// The table a tensor's samples call for under the calibration method.
ActQuant calibrate_codebook(const TensorSamples& s, const CalibrationOptions& o, int bits, int entry_bits);

// a's entry nearest v / a.scale (a.codebook()): the lower at a tie, the
// lowest for a NaN or a value below it, the highest above it.
int32_t codebook_code(const ActQuant& a, double v);

}  // namespace qnnsim::numerics
