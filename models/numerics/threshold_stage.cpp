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
    for (std::size_t j = 1; j < out.entries.size(); ++j)
      t.push_back(to_int64(std::floor(out.scale * 0.5 * (double(out.entries[j - 1]) + out.entries[j]) / unit)));
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
