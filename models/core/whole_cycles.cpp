#include "core/whole_cycles.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace qnnsim {

std::vector<uint64_t> split_whole_cycles(uint64_t total, const std::vector<double>& exact) {
  std::vector<uint64_t> out(exact.size(), 0);
  if (exact.empty()) return out;
  uint64_t given = 0;
  for (std::size_t i = 0; i < exact.size(); ++i) {
    const double x = std::max(0.0, exact[i]);
    // Never more than is left: parts that add up past the total (a sub-cycle
    // overlap between them) are cut back, the later ones first.
    out[i] = std::min(static_cast<uint64_t>(std::floor(x)), total - given);
    given += out[i];
  }
  uint64_t left = total - given;
  // The largest fractions first; on a tie the later part (a stall before compute).
  std::vector<std::size_t> order(exact.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto fraction = [&](std::size_t i) { return std::max(0.0, exact[i]) - static_cast<double>(out[i]); };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double fa = fraction(a), fb = fraction(b);
    return fa != fb ? fa > fb : a > b;
  });
  for (std::size_t i : order) {
    if (left == 0) break;
    if (fraction(i) <= 0) break;
    ++out[i];
    --left;
  }
  out[0] += left;
  return out;
}

}  // namespace qnnsim
