#include "numerics/xnor_sram_numerics.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "numerics/eval_error.h"

namespace qnnsim::numerics {

XnorSramLayer::XnorSramLayer(const CrossbarDesign& d, const Matrix<int32_t>& w)
    : d_(d), M_(int(w.rows())), K_(int(w.cols())) {
  if (!d.xnor_sram || d.rows < 1 || d.adc_levels < 2 || d.adc_step < 1)
    throw EvalError("an XNOR-SRAM macro needs rows >= 1, levels >= 2 and step >= 1");
  for (Eigen::Index i = 0; i < w.size(); ++i)
    if (w.data()[i] != 1 && w.data()[i] != -1)
      throw EvalError("an XNOR-SRAM cell holds a +1/-1 weight; found the code " + std::to_string(w.data()[i]));
  for (int k0 = 0; k0 < K_; k0 += d.rows) macros_.push_back(w.middleCols(k0, std::min(d.rows, K_ - k0)).cast<float>());
  for (int m = 0; m < M_; ++m) weight_sums_.push_back(w.row(m).cast<int64_t>().sum());
}

Matrix<int64_t> XnorSramLayer::multiply(const Matrix<int32_t>& cols, bool sign_coded, int32_t low, int input_bits,
                                        ConversionCounts* counts) const {
  const int P = int(cols.cols());
  const int planes = sign_coded ? 1 : input_bits;
  const double h = double(d_.adc_levels - 1) / 2.0;
  const double half = h - std::floor(h);  // 0.5 when the codes sit on half steps
  const float reach = float((h + 0.5) * d_.adc_step);
  // Each plane's ADC values x its place value: integers (half-integers on an
  // even level count and odd step) well below 2^53, exact in double.
  Matrix<double> sums = Matrix<double>::Zero(M_, P);
  int64_t clipped = 0;
  for (std::size_t c = 0; c < macros_.size(); ++c) {
    const int k0 = int(c) * d_.rows, rows = int(macros_[c].cols());
    const Matrix<int32_t> x = sign_coded ? Matrix<int32_t>(cols.middleRows(k0, rows))
                                         : Matrix<int32_t>(cols.middleRows(k0, rows).array() - low);
    for (int b = 0; b < planes; ++b) {
      const Matrix<float> drive =
          sign_coded ? x.cast<float>() : x.unaryExpr([&](int32_t u) { return float((u >> b) & 1); }).eval();
      // Column sums of at most `rows` terms of -1, 0, +1: exact in float.
      Matrix<float> sum = macros_[c] * drive;
      auto s = sum.array();
      clipped += (s.abs() > reach).count();
      // Nearest code, in steps: on whole steps, or on half steps (half = 0.5).
      s = ((s / float(d_.adc_step) - float(half)).round() + float(half)).max(float(-h)).min(float(h)) * float(d_.adc_step);
      sums.noalias() += std::ldexp(1.0, b) * sum.cast<double>();
    }
  }
  if (counts)
    counts->conversions += int64_t(M_) * P * planes * int64_t(macros_.size()), counts->clipped += clipped;
  Matrix<int64_t> out = sums.array().round().cast<int64_t>();
  if (!sign_coded)  // x = u + low
    for (int m = 0; m < M_; ++m) out.row(m).array() += int64_t(low) * weight_sums_[m];
  return out;
}

}  // namespace qnnsim::numerics
