#include "schedule/nest_blocks.h"

#include <algorithm>

namespace qnnsim {

namespace {

// Splits [start, start + size) into blocks of `block`, one by one.
void split(int64_t start, int64_t size, int64_t block, uint64_t times, std::vector<Block>& out) {
  for (int64_t s = 0; s < size; s += block) out.push_back({start + s, std::min(block, size - s), times, 0});
}

// The same as classes: the full blocks, then the edge block.
void split(int64_t start, int64_t size, int64_t block, uint64_t times, BlockClasses& out) {
  if (size / block > 0) out.push_back({start, block, times * static_cast<uint64_t>(size / block), 0});
  if (size % block > 0) out.push_back({start + size / block * block, size % block, times, 0});
}

template <typename Blocks>
Blocks split_levels(const DimExtents& e, int level) {
  Blocks tiles, out;
  if (level == 0) {
    out.push_back({0, e.dim, 1, 0});
  } else {
    split(0, e.dim, e.tile, 1, tiles);
    if (level == 1) {
      out = tiles;
    } else {
      for (const Block& t : tiles) split(t.start, t.size, e.pass, t.count, out);
    }
  }
  return out;
}

}  // namespace

BlockClasses dim_classes(const DimExtents& e, int level) {
  const BlockClasses out = split_levels<BlockClasses>(e, level);
  // Merge classes of equal size (starts no longer matter for them).
  BlockClasses merged;
  for (const Block& b : out) {
    auto it = std::find_if(merged.begin(), merged.end(), [&](const Block& m) { return m.size == b.size; });
    if (it == merged.end())
      merged.push_back(b);
    else
      it->count += b.count;
  }
  for (Block& b : merged) b.first_pass = std::min(e.pass, b.size);
  return merged;
}

std::vector<Block> dim_blocks(const DimExtents& e, int level) {
  std::vector<Block> out = split_levels<std::vector<Block>>(e, level);
  for (Block& b : out) b.first_pass = std::min(e.pass, b.size);
  return out;
}

}  // namespace qnnsim
