#pragma once
// The blocks a loop dimension splits into at one level of a mapping, as
// classes (full blocks and edge blocks with their counts) or one by one with
// their starts (where input windows need absolute positions), and products of
// per-dimension classes merged by value. Shared by the closed-form counts.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "schedule/loop_nest.h"

namespace qnnsim {

struct Block {
  int64_t start = 0, size = 0;
  uint64_t count = 1;      // identical blocks this entry stands for (start is then the first's)
  int64_t first_pass = 0;  // the first pass block inside this block: the PEs a fetch in it reaches
};

// Blocks of a dimension at `level` (0 the whole, 1 buffer tiles, 2 passes).
std::vector<Block> dim_blocks(const DimExtents& e, int level, bool with_starts);

// One factor per dimension (or per pair of window dimensions): a list of
// (values, count) entries. The product over factors sums, over every
// combination, the element-wise product of values; combinations that give the
// same values merge.
template <std::size_t K>
using Factor = std::vector<std::pair<std::array<uint64_t, K>, uint64_t>>;

// Classes sorted by value. A sorted vector merged after each factor, not a
// map: the mapper scores plans by these products, and a node per class cost
// more than the arithmetic.
template <std::size_t K>
std::vector<std::pair<std::array<uint64_t, K>, uint64_t>> product_classes(const std::vector<Factor<K>>& factors) {
  using Entry = std::pair<std::array<uint64_t, K>, uint64_t>;
  std::vector<Entry> acc(1), next;
  acc[0].first.fill(1);
  acc[0].second = 1;
  for (const Factor<K>& f : factors) {
    next.clear();
    next.reserve(acc.size() * f.size());
    for (const auto& [key, n] : acc)
      for (const auto& [value, m] : f) {
        std::array<uint64_t, K> k = key;
        for (std::size_t i = 0; i < K; ++i) k[i] *= value[i];
        next.push_back({k, n * m});
      }
    std::sort(next.begin(), next.end(), [](const Entry& a, const Entry& b) { return a.first < b.first; });
    std::size_t out = 0;
    for (std::size_t i = 0; i < next.size(); ++i) {
      if (out > 0 && next[out - 1].first == next[i].first)
        next[out - 1].second += next[i].second;
      else
        next[out++] = next[i];
    }
    next.resize(out);
    acc.swap(next);
  }
  return acc;
}

}  // namespace qnnsim
