#include "schedule/level_limits.h"

#include <fmt/format.h>

#include "schedule/tensor_box.h"

namespace qnnsim {

uint64_t level_block(const LevelNest& nest, int level, Operand o, const LoopBounds& b) {
  DimArray extent = kOnes;
  for (std::size_t l = static_cast<std::size_t>(level); l < nest.levels.size(); ++l)
    for (const auto* loops : {&nest.levels[l].temporal, &nest.levels[l].spatial})
      for (const LevelLoop& x : *loops) extent[x.dim] *= x.factor;
  LoopBounds open = b;  // the full window: no edge cuts it short
  open.padding = 0;
  open.H = open.W = INT64_MAX / 4;
  return tensor_box(o, DimArray{}, extent, open).size();
}

std::string limits_broken(const LevelNest& nest, const std::vector<LevelLimits>& limits, const LoopBounds& b) {
  for (std::size_t l = 0; l < nest.levels.size(); ++l) {
    const StorageLevel& s = nest.levels[l];
    const LevelLimits& lim = limits[l];
    int64_t fan = 1;
    for (const LevelLoop& x : s.spatial) {
      fan *= x.factor;
      if (!lim.spatial_dims[x.dim])
        return fmt::format("level '{}' may not spread {} across its fan-out (spatial_dims)", s.name, dim_name(x.dim));
    }
    if (fan > lim.fanout)
      return fmt::format("level '{}' spreads over {} instances, but has {} below each instance", s.name, fan, lim.fanout);
    if (lim.size == 0) continue;
    uint64_t held = 0;
    for (int t = 0; t < kOperands; ++t)
      if (s.keeps[t]) held += level_block(nest, static_cast<int>(l), static_cast<Operand>(t), b);
    if (held > static_cast<uint64_t>(lim.size))
      return fmt::format("level '{}' would hold {} values, but its size is {}", s.name, held, lim.size);
  }
  return "";
}

}  // namespace qnnsim
