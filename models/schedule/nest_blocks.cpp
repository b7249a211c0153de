#include "schedule/nest_blocks.h"

#include <algorithm>

namespace qnnsim {

namespace {

// Splits [start, start + size) into blocks of `block`; as classes unless with_starts.
void split(int64_t start, int64_t size, int64_t block, uint64_t times, bool with_starts, std::vector<Block>& out) {
  if (with_starts) {
    for (int64_t s = 0; s < size; s += block) out.push_back({start + s, std::min(block, size - s), times, 0});
    return;
  }
  if (size / block > 0) out.push_back({start, block, times * static_cast<uint64_t>(size / block), 0});
  if (size % block > 0) out.push_back({start + size / block * block, size % block, times, 0});
}

}  // namespace

std::vector<Block> dim_blocks(const DimExtents& e, int level, bool with_starts) {
  // Without starts a level splits a block in at most two classes (full and
  // edge): room for them all at once, as this runs for every dimension of
  // every nest counted.
  std::vector<Block> tiles, out;
  if (!with_starts) {
    tiles.reserve(2);
    out.reserve(4);
  }
  if (level == 0) {
    out.push_back({0, e.dim, 1, 0});
  } else {
    split(0, e.dim, e.tile, 1, with_starts, tiles);
    if (level == 1) {
      out = tiles;
    } else {
      for (const Block& t : tiles) split(t.start, t.size, e.pass, t.count, with_starts, out);
    }
  }
  // Merge classes of equal size (starts no longer matter for them).
  if (!with_starts) {
    std::vector<Block> merged;
    merged.reserve(out.size());
    for (const Block& b : out) {
      auto it = std::find_if(merged.begin(), merged.end(), [&](const Block& m) { return m.size == b.size; });
      if (it == merged.end())
        merged.push_back(b);
      else
        it->count += b.count;
    }
    out.swap(merged);
  }
  for (Block& b : out) b.first_pass = std::min(e.pass, b.size);
  return out;
}

}  // namespace qnnsim
