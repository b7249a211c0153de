#include "numerics/float_mac.h"

#include <cmath>

namespace qnnsim::numerics {

FloatMacLayer::FloatMacLayer(const Eigen::MatrixXf& w, const Eigen::VectorXf& bias, const FloatFormat& operands,
                             const FloatFormat& accumulator)
    : operands_(operands), accumulator_(accumulator), weights_t_(w.cols(), w.rows()) {
  for (Eigen::Index m = 0; m < w.rows(); ++m) {
    for (Eigen::Index k = 0; k < w.cols(); ++k) weights_t_(k, m) = operands.round(double(w(m, k)));
    bias_.push_back(accumulator.round(m < bias.size() ? double(bias(m)) : 0.0));
  }
}

FloatSums FloatMacLayer::multiply(const Matrix<double>& cols) const {
  const Eigen::Index K = weights_t_.rows(), M = weights_t_.cols(), P = cols.cols();
  FloatSums out;
  out.sums.resize(M, P);
  const FloatFormat& acc_format = accumulator_;
  // One rounded accumulate: the exact acc + b (TwoSum) rounded once.
  const auto add = [&acc_format](double acc, double b) {
    const double s = acc + b;
    const double bb = s - acc;
    const double lost = (acc - (s - bb)) + (b - bb);
    return acc_format.round(s, lost);
  };
  for (Eigen::Index p = 0; p < P; ++p) {
    const double* x = cols.data() + p * K;  // column-major: column p is contiguous
    for (Eigen::Index m = 0; m < M; ++m) {
      const double* w = weights_t_.data() + m * K;
      double acc = 0;
      for (Eigen::Index k = 0; k < K; ++k) {
        const double product = w[k] * x[k];  // exact (see float_mac.h)
        if (product != 0) acc = add(acc, product);  // adding 0 leaves a format value as it is
      }
      acc = add(acc, bias_[std::size_t(m)]);
      out.sums(m, p) = acc;
      if (!std::isfinite(acc)) ++out.overflowed;
    }
  }
  return out;
}

}  // namespace qnnsim::numerics
