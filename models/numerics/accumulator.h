#pragma once
// Integer multiply-accumulate at an accumulator width, with the overflow the
// hardware has: `wrap` keeps the low bits in two's complement (what a plain
// adder does), `saturate` clamps every partial sum to the representable range.
//
// accumulate() computes every output's sum of code products over the
// reduction in the order k = 0..K-1 (input channel, filter row, filter
// column). Wrapping is arithmetic modulo 2^bits, so wrapping each partial sum
// equals wrapping the exact sum once: the exact sum comes from one Eigen
// matrix product (in float or double where that is exact, accumulator.cpp).
// Saturation depends on the order; when no partial sum of a
// layer can leave the range (sum of |weight codes| x the largest |input code|
// fits), the exact sum is the answer, and otherwise the sums are taken one
// product at a time in that order.
#include <cstdint>
#include <string>
#include <vector>

#include "numerics/conv_shape.h"

namespace qnnsim::numerics {

enum class Overflow { wrap, saturate };

struct AccumulatorSpec {
  int bits = 32;  // 8..64
  Overflow overflow = Overflow::wrap;

  int64_t max() const { return bits >= 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1; }
  int64_t min() const { return bits >= 64 ? INT64_MIN : -(int64_t{1} << (bits - 1)); }
};

const char* overflow_name(Overflow o);

// The narrowest two's-complement width (1 to 64 bits) that holds every value
// in lo .. hi (lo <= 0 <= hi): what an accumulator must have to hold them.
int signed_bits_needed(int64_t lo, int64_t hi);

// v modulo 2^bits, as a signed two's-complement value of that width.
int64_t wrap_to(int64_t v, int bits);

struct Accumulated {
  Matrix<int64_t> sums;    // M x P, the values the accumulators hold at the end
  int64_t overflowed = 0;  // outputs whose exact sum left the range (wrap) or that were clamped (saturate)
  // The extremes of what the accumulator had to hold, in exact arithmetic, so
  // a report can say which width would have held it (0 when nothing was summed).
  // With wrap only the final sums count: wrapping is modular, so a partial
  // sum that left the range does no harm if the total is back inside it.
  // With saturate every partial sum counts, in accumulate()'s order, where
  // some could leave the range; where none can, the final sums (every partial
  // sum then fits the width anyway).
  int64_t exact_min = 0, exact_max = 0;
};

// A layer's M x K weight codes with what every product over them needs,
// prepared once rather than for every image.
struct WeightCodes {
  Matrix<int32_t> codes;
  Matrix<float> as_float;
  Matrix<double> as_double;
  int64_t max_abs = 0;          // the largest |code|
  int64_t max_row_abs_sum = 0;  // the largest sum of |codes| of one output channel

  WeightCodes() = default;
  explicit WeightCodes(Matrix<int32_t> c);
};

// cols: K x P input codes (im2col's layout).
Accumulated accumulate(const WeightCodes& weights, const Matrix<int32_t>& cols, const AccumulatorSpec& acc);
inline Accumulated accumulate(const Matrix<int32_t>& weights, const Matrix<int32_t>& cols, const AccumulatorSpec& acc) {
  return accumulate(WeightCodes(weights), cols, acc);
}

}  // namespace qnnsim::numerics
