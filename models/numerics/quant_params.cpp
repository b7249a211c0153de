#include "numerics/quant_params.h"

#include <algorithm>
#include <cmath>

#include "numerics/codebook_activations.h"
#include "numerics/log_activations.h"

namespace qnnsim::numerics {

int32_t ActQuant::quantize(double v) const {
  if (binary) return v >= 0 ? 1 : -1;  // a NaN, like a negative value, gives -1
  if (ternary) return v > threshold ? 1 : v < -threshold ? -1 : 0;  // a NaN gives 0
  if (log) return log_code(*this, v);
  if (codebook()) return codebook_code(*this, v);
  const double q = std::nearbyint(v / scale) + zero;
  // Written so that a NaN (from an overflowing float network) lands on qmin
  // rather than reaching the conversion, which it would make undefined.
  if (!(q > qmin)) return qmin;
  if (!(q < qmax)) return qmax;
  return static_cast<int32_t>(q);
}

std::string activation_scheme_text(const ActQuant& a) {
  return a.format       ? float_format_name(*a.format)
         : a.binary     ? "binary"
         : a.ternary    ? "ternary"
         : a.log        ? "power_of_two"
         : a.codebook() ? "codebook"
         : a.symmetric  ? "uniform_symmetric"
                        : "uniform_asymmetric";
}

ActQuant act_quant(double lo, double hi, int bits, bool symmetric) {
  ActQuant a;
  a.bits = bits;
  a.symmetric = symmetric;
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (symmetric) {
    a.qmax = (1 << (bits - 1)) - 1;
    a.qmin = -a.qmax;
    const double m = std::max(-lo, hi);
    a.scale = m > 0 ? m / a.qmax : 1.0;  // an all-zero tensor: any scale represents it
    a.zero = 0;
  } else {
    a.qmin = 0;
    a.qmax = (1 << bits) - 1;
    a.scale = hi > lo ? (hi - lo) / a.qmax : 1.0;
    a.zero = static_cast<int32_t>(std::clamp(std::nearbyint(-lo / a.scale), 0.0, double(a.qmax)));
  }
  return a;
}

ActQuant act_quant_given(double scale, int32_t zero, int bits, bool symmetric) {
  ActQuant a;
  a.bits = bits;
  a.symmetric = symmetric;
  a.scale = scale;
  a.zero = symmetric ? 0 : zero;
  a.qmax = symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  a.qmin = symmetric ? -a.qmax : 0;
  return a;
}

std::vector<double> weight_scales(const Eigen::MatrixXf& w, int bits, bool per_channel) {
  const int qmax = (1 << (bits - 1)) - 1;
  const double tensor_max = w.size() ? double(w.cwiseAbs().maxCoeff()) : 0.0;
  std::vector<double> scales;
  for (Eigen::Index m = 0; m < w.rows(); ++m) {
    const double mx = per_channel ? double(w.row(m).cwiseAbs().maxCoeff()) : tensor_max;
    scales.push_back(mx > 0 ? mx / qmax : 1.0);
  }
  return scales;
}

WeightQuant quantize_weights(const Eigen::MatrixXf& w, int bits, const std::vector<double>& scales) {
  WeightQuant q;
  const int qmax = (1 << (bits - 1)) - 1;
  q.scales = scales;
  Matrix<int32_t> codes(w.rows(), w.cols());
  for (Eigen::Index m = 0; m < w.rows(); ++m)
    for (Eigen::Index k = 0; k < w.cols(); ++k)
      codes(m, k) =
          static_cast<int32_t>(std::clamp(std::nearbyint(w(m, k) / scales[m]), double(-qmax), double(qmax)));
  q.codes = WeightCodes(std::move(codes));
  return q;
}

WeightQuant quantize_weights(const Eigen::MatrixXf& w, int bits, bool per_channel) {
  return quantize_weights(w, bits, weight_scales(w, bits, per_channel));
}

}  // namespace qnnsim::numerics
