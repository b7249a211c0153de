#pragma once
// The blocks a loop dimension splits into at one level of a mapping, as
// classes (full blocks and edge blocks with their counts) or one by one with
// their starts (where input windows need absolute positions), and products of
// per-dimension classes merged by value. Shared by the closed-form counts.
#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <vector>

#include "schedule/loop_nest.h"

namespace qnnsim {

struct Block {
  int64_t start = 0, size = 0;
  uint64_t count = 1;      // identical blocks this entry stands for (start is then the first's)
  int64_t first_pass = 0;  // the first pass block inside this block: the PEs a fetch in it reaches
};

// A dimension's block classes at one level: at most four, since each level
// splits every block above it into full blocks and an edge block. Held
// inline: the counts ask for them for every dimension of every nest the
// mapper scores, and three vectors a call were a third of that cost.
class BlockClasses {
 public:
  BlockClasses() = default;
  explicit BlockClasses(const Block& only) { push_back(only); }
  void push_back(const Block& b) {
    assert(size_ < blocks_.size());  // two levels of full and edge blocks make four
    blocks_[size_++] = b;
  }
  std::size_t size() const { return size_; }
  const Block& front() const { return blocks_[0]; }
  const Block* begin() const { return blocks_.data(); }
  const Block* end() const { return blocks_.data() + size_; }
  Block* begin() { return blocks_.data(); }
  Block* end() { return blocks_.data() + size_; }

 private:
  std::array<Block, 4> blocks_{};
  std::size_t size_ = 0;
};

// Classes of a dimension's blocks at `level` (0 the whole, 1 buffer tiles,
// 2 passes), blocks of equal size merged, in the order of their first block.
BlockClasses dim_classes(const DimExtents& e, int level);

// The same blocks one by one, with their starts.
std::vector<Block> dim_blocks(const DimExtents& e, int level);

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
