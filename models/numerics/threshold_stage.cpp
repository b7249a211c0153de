#include "numerics/threshold_stage.h"

#include <algorithm>
#include <cmath>

#include "numerics/log_activations.h"

namespace qnnsim::numerics {

namespace {

// A threshold past what any 64-bit total reaches stays unreached.
int64_t to_int64(double v) {
  constexpr double kLimit = 4611686018427387904.0;  // 2^62
  if (std::isnan(v)) return int64_t(kLimit);
  return int64_t(std::clamp(v, -kLimit, kLimit));
}

}  // namespace

std::vector<int64_t> code_thresholds(const ActQuant& out, double unit) {
  if (out.ternary) return {to_int64(std::floor(out.threshold / unit))};
  std::vector<int64_t> t;
  if (out.codebook()) {  // the midpoints between neighbouring entries: total > T_j passes the j-th
    for (std::size_t j = 1; j < out.entries.size(); ++j) {
      const double lo = out.entries[j - 1], hi = out.entries[j];
      int64_t T = to_int64(std::floor(out.scale * 0.5 * (lo + hi) / unit));
      // At a midpoint that is a whole total, the floating products may land
      // a hair to either side; T is moved to where the real path itself
      // (ActQuant::quantize of total x unit) turns from lo to hi, so the two
      // agree at ties too. Equal entries give one code either way.
      const auto upper = [&](int64_t total) {
        const double x = double(total) * unit / out.scale;
        return !(x - lo <= hi - x);
      };
      constexpr int64_t kFar = int64_t{1} << 61;  // beyond the clamp: no neighbour to correct against
      if (lo != hi && T > -kFar && T < kFar) {
        for (int k = 0; k < 4 && upper(T); ++k) --T;
        for (int k = 0; k < 4 && !upper(T + 1); ++k) ++T;
      }
      t.push_back(T);
    }
    return t;
  }
  // Code 2^(j-1) from the boundary 2^(j - 3/2) x scale on, j = 1 .. 2^b - 1.
  for (int j = 1; j <= log_top_shift(out.bits) + 1; ++j)
    t.push_back(to_int64(std::ceil(out.scale * std::exp2(j - 1.5) / unit)));
  return t;
}

int32_t threshold_code(const ActQuant& out, const std::vector<int64_t>& thresholds, int64_t total) {
  if (out.ternary) return total > thresholds[0] ? 1 : total < -thresholds[0] ? -1 : 0;
  if (out.codebook())  // the entry above every midpoint the total passes (a tie keeps the lower)
    return out.entries[std::size_t(std::lower_bound(thresholds.begin(), thresholds.end(), total) - thresholds.begin())];
  // How many boundaries the total reaches (the thresholds ascend).
  const auto reached = std::upper_bound(thresholds.begin(), thresholds.end(), total) - thresholds.begin();
  return reached ? int32_t{1} << (reached - 1) : 0;
}

}  // namespace qnnsim::numerics
