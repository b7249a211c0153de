#include "sim/level_buffering.h"

#include <algorithm>

#include "schedule/level_limits.h"

namespace qnnsim {

std::vector<uint64_t> level_buffering_depth(const LevelDesign& d, const LevelNest& nest, const LoopBounds& b,
                                            uint64_t most) {
  const std::size_t n = nest.levels.size();
  std::vector<uint64_t> depth(n, most);
  for (std::size_t l = 0; l < n; ++l) {
    const LevelLimits& lim = d.limits[l];
    const StorageLevel& level = nest.levels[l];
    if (lim.size == 0 && lim.partitions.empty()) continue;
    // A block's share of the level, in its units (values, or bits), as the search's limits count it.
    std::array<uint64_t, kOperands> block{};
    for (int t = 0; t < kOperands; ++t)
      if (level.keeps[t])
        block[t] = (level_block(nest, static_cast<int>(l), static_cast<Operand>(t), b) * static_cast<uint64_t>(lim.units[t]) +
                    static_cast<uint64_t>(lim.per_unit[t]) - 1) / static_cast<uint64_t>(lim.per_unit[t]);
    const auto fits = [&](uint64_t room, uint64_t held) {
      if (held > 0) depth[l] = std::min(depth[l], room / held);
    };
    std::array<bool, kOperands> partitioned{};
    uint64_t set_aside = 0;
    for (const LevelPartition& p : lim.partitions) {
      uint64_t held = 0;
      for (int t = 0; t < kOperands; ++t)
        if (p.tensors[t] && level.keeps[t]) held += block[t], partitioned[t] = true;
      fits(static_cast<uint64_t>(p.size), held);
      set_aside += static_cast<uint64_t>(p.size);
    }
    if (lim.size > 0) {
      uint64_t rest = 0;
      for (int t = 0; t < kOperands; ++t)
        if (level.keeps[t] && !partitioned[t]) rest += block[t];
      const auto room = static_cast<uint64_t>(lim.size);
      fits(room > set_aside ? room - set_aside : 0, rest);
    }
    depth[l] = std::max<uint64_t>(depth[l], 2);
  }
  return depth;
}

}  // namespace qnnsim
