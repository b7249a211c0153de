#include "schedule/level_limits.h"

#include <fmt/format.h>

#include "schedule/tensor_box.h"

namespace qnnsim {

namespace {

// e.g. "inputs+outputs"
std::string partition_name(const LevelPartition& p) {
  std::string name;
  for (int t = 0; t < kOperands; ++t)
    if (p.tensors[t]) name += (name.empty() ? "" : "+") + std::string(kTensorKeys[t]);
  return name;
}

}  // namespace

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
    for (const LevelLoop& x : s.temporal)
      if (x.factor > 1 && !lim.temporal_dims[x.dim])
        return fmt::format("level '{}' may not iterate {} in its own loops (temporal_dims)", s.name, dim_name(x.dim));
    if (fan > lim.fanout)
      return fmt::format("level '{}' spreads over {} instances, but has {} below each instance", s.name, fan, lim.fanout);
    if (lim.size == 0 && lim.partitions.empty()) continue;
    std::array<uint64_t, kOperands> block{};
    uint64_t held = 0;
    for (int t = 0; t < kOperands; ++t)
      if (s.keeps[t])
        held += block[t] = level_block(nest, static_cast<int>(l), static_cast<Operand>(t), b) * static_cast<uint64_t>(lim.units[t]);
    const char* unit = lim.in_bits ? "bits" : "values";
    if (lim.size > 0 && held > static_cast<uint64_t>(lim.size))
      return fmt::format("level '{}' would hold {} {}, but its size is {}", s.name, held, unit, lim.size);
    // Each partition holds its own tensors; the rest share what is left.
    std::array<bool, kOperands> partitioned{};
    uint64_t set_aside = 0;
    for (const LevelPartition& p : lim.partitions) {
      uint64_t in = 0;
      for (int t = 0; t < kOperands; ++t)
        if (p.tensors[t]) in += block[t], partitioned[t] = true;
      if (in > static_cast<uint64_t>(p.size))
        return fmt::format("level '{}' would hold {} {} in its {} partition, but the partition's size is {}", s.name, in,
                           unit, partition_name(p), p.size);
      set_aside += static_cast<uint64_t>(p.size);
    }
    if (lim.size == 0) continue;
    uint64_t rest = 0;
    for (int t = 0; t < kOperands; ++t)
      if (s.keeps[t] && !partitioned[t]) rest += block[t];
    if (rest > static_cast<uint64_t>(lim.size) - set_aside)
      return fmt::format("level '{}' would hold {} {} outside its partitions, but they leave {} of its size", s.name, rest,
                         unit, static_cast<uint64_t>(lim.size) - set_aside);
  }
  return "";
}

std::string accumulation_broken(const LevelDesign& d, const LevelNestCounts& c) {
  for (std::size_t l = 0; l < d.final_outputs_only.size(); ++l) {
    if (!d.final_outputs_only[l]) continue;
    const TensorAccesses& a = c.level[l][Operand::Outputs];
    if (a.reads > 0 || a.fills > 0)
      return fmt::format("level '{}' keeps outputs narrower than the partial sums below it (word_bits), so it holds "
                         "finished outputs only; this mapping would bring {} partial sums back out of it to go on "
                         "accumulating: keep the reduction (C, R, S) below it",
                         d.nest.levels[l].name, a.reads);
  }
  return "";
}

}  // namespace qnnsim
