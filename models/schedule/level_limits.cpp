#include "schedule/level_limits.h"

#include <algorithm>

#include <boost/container/small_vector.hpp>
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

// Values one instance holds of tensor o when its block spans `extent`: the
// full window, which no edge cuts short (tensor_box's away from the edges).
// A search asks this for every level of every candidate it draws, so it is
// worked out here rather than through the boxes.
uint64_t block_values(Operand o, const DimArray& extent, const LoopBounds& b) {
  const auto e = [&](int d) { return static_cast<uint64_t>(extent[d]); };
  switch (o) {
    case Operand::Weights: return e(kG) * e(kM) * e(kC) * e(kR) * e(kS);
    case Operand::Inputs: {
      const auto rows = [&](int out, int tap) {
        return static_cast<uint64_t>((extent[out] - 1) * b.stride + (extent[tap] - 1) * b.dilation + 1);
      };
      return e(kN) * e(kG) * e(kC) * rows(kP, kR) * rows(kQ, kS);
    }
    case Operand::Outputs:
    case Operand::Accumulator: return e(kN) * e(kG) * e(kM) * e(kP) * e(kQ);
  }
  return 0;
}

}  // namespace

uint64_t level_block(const LevelNest& nest, int level, Operand o, const LoopBounds& b) {
  DimArray extent = kOnes;
  for (std::size_t l = static_cast<std::size_t>(level); l < nest.levels.size(); ++l)
    for (const auto* loops : {&nest.levels[l].temporal, &nest.levels[l].spatial})
      for (const LevelLoop& x : *loops) extent[x.dim] *= x.factor;
  return block_values(o, extent, b);
}

LevelFactorList level_factors(const LevelNest& nest) {
  LevelFactorList f(nest.levels.size());
  for (std::size_t l = 0; l < nest.levels.size(); ++l) {
    for (const LevelLoop& x : nest.levels[l].temporal) f[l].temporal[x.dim] *= x.factor;
    for (const LevelLoop& x : nest.levels[l].spatial) f[l].spatial[x.dim] *= x.factor;
  }
  return f;
}

std::optional<BrokenLimit> first_broken_limit(const std::vector<StorageLevel>& levels, const LevelFactorList& f,
                                              const std::vector<LevelLimits>& limits, const LoopBounds& b,
                                              std::size_t check_levels) {
  using Kind = BrokenLimit::Kind;
  // Each level's block spans its own loops and everything below it.
  boost::container::small_vector<DimArray, 12> extent(f.size() + 1, kOnes);
  for (std::size_t l = f.size(); l-- > 0;)
    for (int dim = 0; dim < kDims; ++dim) extent[l][dim] = extent[l + 1][dim] * f[l].temporal[dim] * f[l].spatial[dim];
  for (std::size_t l = 0; l < std::min(f.size(), check_levels); ++l) {
    const LevelLimits& lim = limits[l];
    const int level = static_cast<int>(l);
    int64_t fan = 1;
    for (int dim = 0; dim < kDims; ++dim) {
      fan *= f[l].spatial[dim];
      if (f[l].spatial[dim] > 1 && !lim.spatial_dims[dim]) return BrokenLimit{Kind::SpatialDim, level, dim};
    }
    for (int dim = 0; dim < kDims; ++dim)
      if (f[l].temporal[dim] > 1 && !lim.temporal_dims[dim]) return BrokenLimit{Kind::TemporalDim, level, dim};
    if (fan > lim.fanout)
      return BrokenLimit{Kind::Fanout, level, 0, 0, static_cast<uint64_t>(fan), static_cast<uint64_t>(lim.fanout)};
    if (lim.size == 0 && lim.partitions.empty()) continue;
    std::array<uint64_t, kOperands> block{};
    uint64_t held = 0;
    for (int t = 0; t < kOperands; ++t)
      if (levels[l].keeps[t])
        held += block[t] = (block_values(static_cast<Operand>(t), extent[l], b) * static_cast<uint64_t>(lim.units[t]) +
                            static_cast<uint64_t>(lim.per_unit[t]) - 1) / static_cast<uint64_t>(lim.per_unit[t]);
    if (lim.size > 0 && held > static_cast<uint64_t>(lim.size))
      return BrokenLimit{Kind::Size, level, 0, 0, held, static_cast<uint64_t>(lim.size)};
    // Each partition holds its own tensors; the rest share what is left.
    std::array<bool, kOperands> partitioned{};
    uint64_t set_aside = 0;
    for (std::size_t i = 0; i < lim.partitions.size(); ++i) {
      const LevelPartition& p = lim.partitions[i];
      uint64_t in = 0;
      for (int t = 0; t < kOperands; ++t)
        if (p.tensors[t]) in += block[t], partitioned[t] = true;
      if (in > static_cast<uint64_t>(p.size))
        return BrokenLimit{Kind::Partition, level, 0, i, in, static_cast<uint64_t>(p.size)};
      set_aside += static_cast<uint64_t>(p.size);
    }
    if (lim.size == 0) continue;
    uint64_t rest = 0;
    for (int t = 0; t < kOperands; ++t)
      if (levels[l].keeps[t] && !partitioned[t]) rest += block[t];
    if (rest > static_cast<uint64_t>(lim.size) - set_aside)
      return BrokenLimit{Kind::OutsidePartitions, level, 0, 0, rest, static_cast<uint64_t>(lim.size) - set_aside};
  }
  return std::nullopt;
}

std::string limits_broken(const LevelNest& nest, const std::vector<LevelLimits>& limits, const LoopBounds& b) {
  using Kind = BrokenLimit::Kind;
  const std::optional<BrokenLimit> x = first_broken_limit(nest.levels, level_factors(nest), limits, b);
  if (!x) return "";
  const LevelLimits& lim = limits[x->level];
  const std::string& name = nest.levels[x->level].name;
  const char* unit = lim.in_bits ? "bits" : "values";
  switch (x->kind) {
    case Kind::SpatialDim:
      return fmt::format("level '{}' may not spread {} across its fan-out (spatial_dims)", name, dim_name(x->dim));
    case Kind::TemporalDim:
      return fmt::format("level '{}' may not iterate {} in its own loops (temporal_dims)", name, dim_name(x->dim));
    case Kind::Fanout:
      return fmt::format("level '{}' spreads over {} instances, but has {} below each instance", name, x->held, x->room);
    case Kind::Size:
      return fmt::format("level '{}' would hold {} {}, but its size is {}", name, x->held, unit, x->room);
    case Kind::Partition:
      return fmt::format("level '{}' would hold {} {} in its {} partition, but the partition's size is {}", name, x->held,
                         unit, partition_name(lim.partitions[x->partition]), x->room);
    case Kind::OutsidePartitions:
      return fmt::format("level '{}' would hold {} {} outside its partitions, but they leave {} of its size", name,
                         x->held, unit, x->room);
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
