#pragma once
// A binary-weight layer computed the way an XNOR-SRAM macro computes it
// (S. Yin, Z. Jiang, J.-S. Seo, M. Seok, "XNOR-SRAM: In-Memory Computing
// SRAM Macro for Binary/Ternary Deep Neural Networks", JSSC 2020;
// arch/xnor_sram.yaml):
//
//  - Each weight is a +1/-1 code held in one 12T bitcell; a column holds one
//    output channel's weights over `rows` rows of the reduction. K rows are
//    split into macros of `rows` rows, whose partial sums are digitized
//    separately and added digitally.
//  - A row's input drives one of its two wordlines: +1 or -1, or neither
//    for 0 (a ternary input, or the zero padding), so each cell adds
//    w x x in {-1, 0, +1} to its column, and every row of a macro is on at
//    once: the read bitline settles at the column's sum.
//  - Inputs wider than that (a first layer's uniform image codes) are made
//    non-negative by subtracting the lowest code and streamed one bit-plane
//    at a time (each bit 0 or +1), as the cost model's steps are
//    (imc/placement.cpp); the digital side shifts each plane's value by its
//    place and adds the lowest code x the sum of the weights back.
//  - A flash ADC of `levels` codes `step` column-sum units apart, centred
//    on zero (codes at -h .. +h steps, h = (levels - 1) / 2, so an even count
//    sits on half steps), rounds each sum to the nearest code; a sum more
//    than half a step past the outermost code saturates there and counts as
//    clipped (a sum exactly half a step between two codes takes the one
//    farther from zero; converter/adc_spec.cpp's signed_sum_clip_fraction models the
//    same ADC for the cost model's estimate).
// With enough levels at step 1 the result equals the exact integer product
// (a test holds it).
#include <cstdint>
#include <vector>

#include "numerics/conv_shape.h"
#include "numerics/crossbar_numerics.h"

namespace qnnsim::numerics {

class XnorSramLayer {
 public:
  // d: an XNOR-SRAM design (xnor_sram set): its rows, ADC levels and step.
  // weights: M x K codes, each -1 or +1 (an EvalError otherwise).
  XnorSramLayer(const CrossbarDesign& d, const Matrix<int32_t>& weights);

  // The M x P sums sum_k w[m,k] * x[k,p] as the macros compute them. With
  // `sign_coded`, cols holds codes -1, 0 or +1 driven in one read; otherwise
  // codes low .. low + 2^input_bits - 1, streamed in bit-planes.
  Matrix<int64_t> multiply(const Matrix<int32_t>& cols, bool sign_coded, int32_t low, int input_bits,
                           ConversionCounts* counts) const;

 private:
  CrossbarDesign d_;
  int M_ = 0, K_ = 0;
  std::vector<Matrix<float>> macros_;  // M x rows each, the reduction's consecutive row blocks
  std::vector<int64_t> weight_sums_;   // sum_k w[m,k]
};

}  // namespace qnnsim::numerics
