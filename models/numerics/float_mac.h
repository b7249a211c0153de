#pragma once
// A Conv / Gemm on a float MAC (mac/float_mac.cpp): weights and inputs in
// one floating-point format (float_format.h), each product exact, each
// accumulate rounded in the accumulator's format (fp32 or fp16).
//
// Products: two significands of at most 24 bits multiply into at most 48,
// and the exponents stay inside a double's normal range, so w * x in double
// is the exact product, the "wider format" a fused multiplier keeps before
// its adder. Accumulation: acc <- round_acc(acc + w * x) for k = 0 .. K-1
// (input channel, filter row, filter column, the integer path's order),
// acc starting at 0; the exact sum comes from TwoSum (Knuth, TAOCP vol. 2,
// 4.2.2) so it is rounded once, in the accumulator's format. The bias is one
// more accumulate, after the products.
//
// Overflow: an fp16 or fp32 accumulator that rounds past its largest finite
// value holds +-infinity from then on (IEEE 754-2008); a sum that ends
// infinite or NaN counts as overflowed.
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "numerics/conv_shape.h"
#include "numerics/float_format.h"

namespace qnnsim::numerics {

struct FloatSums {
  Matrix<double> sums;     // M x P, the accumulators' values after the bias
  int64_t overflowed = 0;  // sums that ended infinite or NaN
};

class FloatMacLayer {
 public:
  // w: M x K real weights, rounded here to `operands`; bias: M values.
  FloatMacLayer(const Eigen::MatrixXf& w, const Eigen::VectorXf& bias, const FloatFormat& operands,
                const FloatFormat& accumulator);

  // cols: K x P inputs (im2col's layout), already values of the operand format.
  FloatSums multiply(const Matrix<double>& cols) const;

  const FloatFormat& operands() const { return operands_; }
  const FloatFormat& accumulator() const { return accumulator_; }
  const Matrix<double>& weights() const { return weights_t_; }  // K x M: column m is output channel m's

 private:
  FloatFormat operands_, accumulator_;
  Matrix<double> weights_t_;
  std::vector<double> bias_;  // in the accumulator's format, as a bias register holds it
};

}  // namespace qnnsim::numerics
