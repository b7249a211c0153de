#include "numerics/accumulator.h"

#include <algorithm>
#include <cstdlib>

namespace qnnsim::numerics {

const char* overflow_name(Overflow o) { return o == Overflow::wrap ? "wrap" : "saturate"; }

int64_t wrap_to(int64_t v, int bits) {
  if (bits >= 64) return v;
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  const uint64_t low = static_cast<uint64_t>(v) & mask;
  const uint64_t sign = uint64_t{1} << (bits - 1);
  // Subtracting 2^bits from a value with its top bit set, in unsigned arithmetic, then reading it signed.
  return static_cast<int64_t>(low & sign ? low | ~mask : low);
}

int signed_bits_needed(int64_t lo, int64_t hi) {
  // B bits hold -2^(B-1) .. 2^(B-1) - 1: count the bits of hi, and of -lo - 1
  // (which is below 2^(B-1) exactly when lo fits), plus the sign bit.
  const uint64_t magnitude = std::max(hi > 0 ? uint64_t(hi) : 0, lo < 0 ? uint64_t(-(lo + 1)) : 0);
  int bits = 1;
  while (bits < 64 && (magnitude >> (bits - 1)) != 0) ++bits;
  return bits;
}

WeightCodes::WeightCodes(Matrix<int32_t> c) : codes(std::move(c)) {
  as_float = codes.cast<float>();
  as_double = codes.cast<double>();
  if (codes.size() == 0) return;
  max_abs = codes.cast<int64_t>().cwiseAbs().maxCoeff();
  max_row_abs_sum = codes.cast<int64_t>().cwiseAbs().rowwise().sum().maxCoeff();
}

namespace {

// Input codes are at most 16 bits wide, so their absolute values fit int32.
int64_t max_abs(const Matrix<int32_t>& m) { return m.size() == 0 ? 0 : m.cwiseAbs().maxCoeff(); }

// The exact sums. Integer products have no fast vectorised path in Eigen on
// the baseline x86-64 target (no 32-bit multiply before SSE4.1), but float
// and double ones do, and they are exact while every partial sum stays below
// 2^24 (float) or 2^53 (double): all the integers involved are then
// representable and no rounding occurs. The bound max|w| * max|x| * K covers
// every partial sum; past 2^53 the products are taken in int64.
Matrix<int64_t> exact_sums(const WeightCodes& w, const Matrix<int32_t>& cols, int64_t xmax) {
  const double bound = double(w.max_abs) * double(xmax) * double(w.codes.cols());
  if (bound < double(1 << 24)) return (w.as_float * cols.cast<float>()).cast<int64_t>();
  if (bound < 9007199254740992.0) return (w.as_double * cols.cast<double>()).cast<int64_t>();
  return w.codes.cast<int64_t>() * cols.cast<int64_t>();
}

}  // namespace

Accumulated accumulate(const WeightCodes& wc, const Matrix<int32_t>& cols, const AccumulatorSpec& acc) {
  Accumulated out;
  const int64_t lo = acc.min(), hi = acc.max();
  const int64_t xmax = max_abs(cols);
  const auto record_extremes = [&out] {
    if (out.sums.size() == 0) return;
    out.exact_min = std::min<int64_t>(0, out.sums.minCoeff());
    out.exact_max = std::max<int64_t>(0, out.sums.maxCoeff());
  };
  if (acc.overflow == Overflow::wrap) {
    out.sums = exact_sums(wc, cols, xmax);
    record_extremes();
    for (Eigen::Index i = 0; i < out.sums.size(); ++i) {
      int64_t& v = out.sums.data()[i];
      if (v < lo || v > hi) {
        ++out.overflowed;
        v = wrap_to(v, acc.bits);
      }
    }
    return out;
  }
  // Saturation: a partial sum is at most the sum of |products| of its row.
  const int64_t row_bound = wc.max_row_abs_sum * xmax;
  if (row_bound <= hi && -row_bound >= lo) {
    out.sums = exact_sums(wc, cols, xmax);
    record_extremes();
    return out;
  }
  const Matrix<int32_t>& w = wc.codes;
  out.sums.resize(w.rows(), cols.cols());
  for (Eigen::Index m = 0; m < w.rows(); ++m)
    for (Eigen::Index p = 0; p < cols.cols(); ++p) {
      int64_t s = 0, exact = 0;  // what the accumulator holds, and what it would without a limit
      bool clamped = false;
      for (Eigen::Index k = 0; k < w.cols(); ++k) {
        const int64_t product = int64_t{w(m, k)} * cols(k, p);
        s += product;
        exact += product;
        out.exact_min = std::min(out.exact_min, exact);
        out.exact_max = std::max(out.exact_max, exact);
        if (s > hi || s < lo) {
          s = std::clamp(s, lo, hi);
          clamped = true;
        }
      }
      out.sums(m, p) = s;
      out.overflowed += clamped;
    }
  return out;
}

}  // namespace qnnsim::numerics
