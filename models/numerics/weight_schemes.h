#pragma once
// Weights in the trace's non-uniform schemes (workload/precision.h), as the
// integer operand a MAC consumes and one real scale per output channel:
// real weight = scale[m] * code. The accumulator (accumulator.h) then sums
// code x input-code products like any other, so the sums are the ones the
// hardware forms:
//
//   binary        codes +-1. A +-1 product is what an XNOR-popcount unit
//                 counts; on integer inputs it is an add or a subtract.
//                 Scale: the mean |w| (XNOR-Net, Rastegari et al., ECCV
//                 2016, alpha = ||W||_1 / n), 0 taken as +1 (sign has no 0).
//   ternary       codes -1, 0, +1 with threshold delta = 0.7 * mean |w|, and
//                 the scale the mean |w| of the weights above it (Ternary
//                 Weight Networks, Li, Zhang and Liu, arXiv:1605.04711, 2016).
//   power_of_two  a sign and b-1 bits of exponent k (ShiftAddMAC's code,
//   log_radix4    mac/shift_add_mac.cpp): real +-top * 2^-k or +-top * 4^-k,
//                 k = 0 .. 2^(b-1) - 1, top the largest |w|. There is no code
//                 for 0: a weight below the smallest magnitude takes it.
//                 k is log2(top / |w|) (log4 for radix 4) rounded to nearest,
//                 as Miyashita et al. (arXiv:1603.01025, 2016) round in the
//                 log domain. As an integer the code is +-2^(S - step*k),
//                 S = step * (2^(b-1) - 1): the product is the input shifted
//                 left by S - step*k, exactly what the barrel shifter forms,
//                 and the scale is top * 2^-S.
//   codebook      2^b entries per table, an index per weight. The entries are
//                 1-D k-means centroids of the weights, linearly initialised
//                 over [min, max] (Deep Compression, Han, Mao and Dally, ICLR
//                 2016), then stored as symmetric integers of `entry_bits`
//                 (a table entry of the MAC's weight width, as the cost model
//                 prices it, mac/int_mac.cpp); code = the entry of the index.
//
//   float,        values rounded to fp8 e4m3, fp16 or fp32 (float_e5m2: fp8
//   float_e5m2    e5m2), no scale: not codes, run on a float MAC (float_mac.h).
//
// Statistics are taken per output channel (one scale, one table each) or over
// the whole tensor, as the layer's granularity says.
#include <string>

#include <Eigen/Dense>

#include "numerics/quant_params.h"
#include "workload/precision.h"

namespace qnnsim::numerics {

// How a layer's weights are quantized; uniform_symmetric takes the plan's
// weight scales (quant_params.h), the others derive theirs from the weights.
struct WeightFormat {
  Scheme scheme = Scheme::UniformSymmetric;
  bool per_channel = true;
};

// Empty when eval runs weights of `scheme` at `bits`, else why not (a sentence
// naming the scheme and the widths it takes).
std::string weight_scheme_problem(Scheme scheme, int bits);

// The codes and scales of w (M x K) in a non-uniform scheme; entry_bits is
// the codebook entries' width.
WeightQuant quantize_weight_scheme(const Eigen::MatrixXf& w, const WeightFormat& f, int bits, int entry_bits);

// The real value each weight takes (scale * code), for tests and reports.
Eigen::MatrixXd dequantized(const WeightQuant& q);

// The codebook's centroids of `values` (2^bits of them, ascending), by 1-D
// k-means from a linear initialisation over [min, max]; codebook.cpp.
// With `pin_zero` (values >= 0), the lowest centroid stays at 0 through
// every round, so real 0 is one of the levels (codebook_activations.h).
std::vector<double> codebook_centroids(const std::vector<double>& values, int bits, bool pin_zero = false);

}  // namespace qnnsim::numerics
