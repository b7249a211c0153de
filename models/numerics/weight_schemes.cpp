#include "numerics/weight_schemes.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "numerics/eval_error.h"

namespace qnnsim::numerics {

namespace {

// The rows that share one scale (and one codebook): each row alone, or all.
std::vector<std::pair<Eigen::Index, Eigen::Index>> groups(const Eigen::MatrixXf& w, bool per_channel) {
  std::vector<std::pair<Eigen::Index, Eigen::Index>> g;
  if (per_channel)
    for (Eigen::Index m = 0; m < w.rows(); ++m) g.emplace_back(m, m + 1);
  else
    g.emplace_back(0, w.rows());
  return g;
}

// Summed in double: a float sum over a large layer would lose the low digits.
double mean_abs(const Eigen::MatrixXf& rows) { return rows.size() ? rows.cast<double>().cwiseAbs().sum() / double(rows.size()) : 0.0; }

// alpha = mean |w|; code = sign(w), 0 as +1.
void binary(const Eigen::MatrixXf& rows, Eigen::Ref<Matrix<int32_t>> codes, double* scale) {
  const double alpha = mean_abs(rows);
  *scale = alpha > 0 ? alpha : 1.0;  // an all-zero group: every code is +1 and any scale stands for it
  for (Eigen::Index i = 0; i < rows.rows(); ++i)
    for (Eigen::Index k = 0; k < rows.cols(); ++k) codes(i, k) = rows(i, k) >= 0 ? 1 : -1;
}

// delta = 0.7 mean |w|; alpha = mean |w| over |w| > delta.
void ternary(const Eigen::MatrixXf& rows, Eigen::Ref<Matrix<int32_t>> codes, double* scale) {
  const double delta = 0.7 * mean_abs(rows);
  double sum = 0;
  int64_t n = 0;
  for (Eigen::Index i = 0; i < rows.rows(); ++i)
    for (Eigen::Index k = 0; k < rows.cols(); ++k) {
      const double v = rows(i, k);
      codes(i, k) = v > delta ? 1 : v < -delta ? -1 : 0;
      if (codes(i, k) != 0) sum += std::abs(v), ++n;
    }
  *scale = n ? sum / double(n) : 1.0;  // no weight above delta: every code is 0
}

// Sign and exponent; `step` 1 (power of two) or 2 (radix 4).
void logarithmic(const Eigen::MatrixXf& rows, int bits, int step, Eigen::Ref<Matrix<int32_t>> codes, double* scale) {
  const int levels = 1 << (bits - 1);
  const int top_shift = step * (levels - 1);
  double top = rows.size() ? double(rows.cwiseAbs().maxCoeff()) : 0.0;
  if (!(top > 0)) top = 1.0;  // an all-zero group: the format has no 0, any scale stands for it
  *scale = std::ldexp(top, -top_shift);
  for (Eigen::Index i = 0; i < rows.rows(); ++i)
    for (Eigen::Index k = 0; k < rows.cols(); ++k) {
      const double v = rows(i, k);
      const double a = std::abs(v);
      // log2(top / |w|) / step, rounded; |w| = 0 (log of 0) takes the smallest magnitude.
      const double e = a > 0 ? std::nearbyint(std::log2(top / a) / step) : double(levels - 1);
      const int exponent = int(std::clamp(e, 0.0, double(levels - 1)));
      const int32_t magnitude = int32_t{1} << (top_shift - step * exponent);
      codes(i, k) = v < 0 ? -magnitude : magnitude;
    }
}

// Nearest centroid (ascending), the lower on a tie.
int nearest(const std::vector<double>& c, double v) {
  const auto above = std::lower_bound(c.begin(), c.end(), v);
  if (above == c.begin()) return 0;
  if (above == c.end()) return int(c.size()) - 1;
  const int hi = int(above - c.begin());
  return (v - c[hi - 1] <= c[hi] - v) ? hi - 1 : hi;
}

void codebook(const Eigen::MatrixXf& rows, int bits, int entry_bits, Eigen::Ref<Matrix<int32_t>> codes, double* scale) {
  std::vector<double> values(rows.data(), rows.data() + rows.size());
  const std::vector<double> centroids = codebook_centroids(values, bits);
  // Entries stored as symmetric integers of entry_bits: the largest |centroid| is the largest code.
  const int qmax = (1 << (entry_bits - 1)) - 1;
  double mx = 0;
  for (double c : centroids) mx = std::max(mx, std::abs(c));
  *scale = mx > 0 ? mx / qmax : 1.0;
  std::vector<int32_t> entries;
  for (double c : centroids) entries.push_back(int32_t(std::clamp(std::nearbyint(c / *scale), double(-qmax), double(qmax))));
  for (Eigen::Index i = 0; i < rows.rows(); ++i)
    for (Eigen::Index k = 0; k < rows.cols(); ++k) codes(i, k) = entries[nearest(centroids, rows(i, k))];
}

}  // namespace

std::string weight_scheme_problem(Scheme scheme, int bits) {
  switch (scheme) {
    case Scheme::UniformSymmetric:
      return bits >= 2 && bits <= 16 ? "" : fmt::format("uniform_symmetric weights take 2 to 16 bits (symmetric codes need 2), not {}", bits);
    case Scheme::Binary: return bits == 1 ? "" : fmt::format("binary weights are 1 bit, not {}", bits);
    case Scheme::Ternary: return bits == 2 ? "" : fmt::format("ternary weights are 2 bits, not {}", bits);
    case Scheme::PowerOfTwo:
    case Scheme::LogRadix4:
      // The largest code, 2^(step (2^(b-1) - 1)), must be a 32-bit integer.
      return bits >= 2 && bits <= 5 ? ""
                                    : fmt::format("eval runs {} weights of 2 to 5 bits (a sign and 1 to 4 exponent bits; "
                                                  "the largest shift must fit a 32-bit code), not {}",
                                                  scheme_name(scheme), bits);
    case Scheme::Codebook:
      return bits >= 1 && bits <= 8 ? "" : fmt::format("eval runs codebook weights of 1 to 8 index bits (2 to 256 entries), not {}", bits);
    case Scheme::UniformAsymmetric:
      return "eval runs symmetric weights (zero point 0); uniform_asymmetric weights are not modelled";
    case Scheme::Float:
      return bits == 8 || bits == 16 || bits == 32
                 ? ""
                 : fmt::format("float weights are fp8 e4m3 (8 bits), fp16 (16) or fp32 (32), not {} bits", bits);
    case Scheme::FloatE5M2: return bits == 8 ? "" : fmt::format("float_e5m2 weights are 8 bits, not {}", bits);
  }
  return "unknown scheme";
}

WeightQuant quantize_weight_scheme(const Eigen::MatrixXf& w, const WeightFormat& f, int bits, int entry_bits) {
  if (const std::string why = weight_scheme_problem(f.scheme, bits); !why.empty()) throw EvalError(why);
  if (f.scheme == Scheme::UniformSymmetric)
    throw EvalError("uniform_symmetric weights take the plan's scales (quantize_weights)");
  if (f.scheme == Scheme::Float || f.scheme == Scheme::FloatE5M2)
    throw EvalError("float weights have no codes: a float MAC layer rounds them to its format (float_mac.h)");
  if (f.scheme == Scheme::Codebook && (entry_bits < 2 || entry_bits > 16))
    throw EvalError(fmt::format("codebook entries of {} bits: eval stores them as 2- to 16-bit codes", entry_bits));
  Matrix<int32_t> codes(w.rows(), w.cols());
  WeightQuant q;
  q.scales.assign(std::size_t(w.rows()), 1.0);
  for (const auto& [begin, end] : groups(w, f.per_channel)) {
    const Eigen::MatrixXf rows = w.middleRows(begin, end - begin);
    auto block = codes.middleRows(begin, end - begin);
    double scale = 1;
    switch (f.scheme) {
      case Scheme::Binary: binary(rows, block, &scale); break;
      case Scheme::Ternary: ternary(rows, block, &scale); break;
      case Scheme::PowerOfTwo: logarithmic(rows, bits, 1, block, &scale); break;
      case Scheme::LogRadix4: logarithmic(rows, bits, 2, block, &scale); break;
      case Scheme::Codebook: codebook(rows, bits, entry_bits, block, &scale); break;
      default: break;  // refused above
    }
    for (Eigen::Index m = begin; m < end; ++m) q.scales[std::size_t(m)] = scale;
  }
  q.codes = WeightCodes(std::move(codes));
  return q;
}

Eigen::MatrixXd dequantized(const WeightQuant& q) {
  Eigen::MatrixXd r = q.codes.codes.cast<double>();
  for (Eigen::Index m = 0; m < r.rows(); ++m) r.row(m) *= q.scales[std::size_t(m)];
  return r;
}

}  // namespace qnnsim::numerics
