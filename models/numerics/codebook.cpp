// 1-D k-means for codebook weights (weight_schemes.h). Deep Compression
// (Han, Mao and Dally, ICLR 2016) initialises the shared weights linearly
// over [min, max], which it found kept the rare large weights that density-
// based initialisations lose, then runs k-means. In one dimension every
// cluster is an interval of the sorted values and the centroids stay in
// order, so the values are sorted once and each round moves the boundaries
// (midpoints between neighbouring centroids) by binary search: O(n log k) a
// round instead of O(n k).
#include <algorithm>
#include <vector>

#include "numerics/weight_schemes.h"

namespace qnnsim::numerics {

namespace {
// Lloyd's rounds before stopping even if a boundary still moves; the
// shipped networks' layers settle within it (each round only moves values
// between neighbouring clusters).
constexpr int kMaxRounds = 200;
}  // namespace

std::vector<double> codebook_centroids(const std::vector<double>& values, int bits, bool pin_zero) {
  const int k = 1 << bits;
  std::vector<double> v = values;
  std::sort(v.begin(), v.end());
  std::vector<double> c(std::size_t(k), 0.0);
  if (v.empty()) return c;
  const double lo = pin_zero ? 0.0 : v.front(), hi = v.back();
  for (int j = 0; j < k; ++j) c[std::size_t(j)] = k == 1 ? lo : lo + (hi - lo) * j / (k - 1);
  // Prefix sums: the mean of any interval of sorted values in O(1).
  std::vector<double> prefix(v.size() + 1, 0.0);
  for (std::size_t i = 0; i < v.size(); ++i) prefix[i + 1] = prefix[i] + v[i];
  std::vector<std::size_t> start(std::size_t(k) + 1, 0), previous;
  for (int round = 0; round < kMaxRounds; ++round) {
    // Cluster j holds v[start[j] .. start[j+1]): the values nearer c[j] than its
    // neighbours, a value at a midpoint going to the lower centroid.
    start[0] = 0;
    start[std::size_t(k)] = v.size();
    for (int j = 1; j < k; ++j) {
      const double mid = 0.5 * (c[std::size_t(j - 1)] + c[std::size_t(j)]);
      start[std::size_t(j)] = std::size_t(std::upper_bound(v.begin(), v.end(), mid) - v.begin());
    }
    if (start == previous) break;
    previous = start;
    for (int j = 0; j < k; ++j) {
      const std::size_t a = start[std::size_t(j)], b = start[std::size_t(j) + 1];
      if (b > a) c[std::size_t(j)] = (prefix[b] - prefix[a]) / double(b - a);  // an empty cluster keeps its centroid
    }
    if (pin_zero) c[0] = 0.0;  // the values are >= 0, so c[0] stays the lowest
    // A kept empty centroid can fall out of order as its neighbours move; the
    // boundaries above need them ascending.
    std::sort(c.begin(), c.end());
  }
  return c;
}

}  // namespace qnnsim::numerics
