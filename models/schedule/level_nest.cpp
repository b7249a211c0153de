#include "schedule/level_nest.h"

#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "schedule/tensor_box.h"

namespace qnnsim {

namespace {

struct FlatLoop {
  int dim;
  int64_t factor;
  int level;
  bool spatial;
  int64_t stride;                   // how far one step moves along its dimension
  bool multicast_per_value = true;  // spatial loops: their level's network
};

// Every loop of the nest, outermost first: a level's temporal loops, then its fan-out.
std::vector<FlatLoop> flatten(const LevelNest& nest) {
  std::vector<FlatLoop> loops;
  for (std::size_t l = 0; l < nest.levels.size(); ++l) {
    for (const LevelLoop& x : nest.levels[l].temporal) loops.push_back({x.dim, x.factor, int(l), false, 1});
    for (const LevelLoop& x : nest.levels[l].spatial)
      loops.push_back({x.dim, x.factor, int(l), true, 1, nest.levels[l].multicast_per_value});
  }
  DimArray inner = kOnes;
  for (auto it = loops.rbegin(); it != loops.rend(); ++it) {
    it->stride = inner[it->dim];
    inner[it->dim] *= it->factor;
  }
  return loops;
}

// All index combinations of `loops`, as the offset each adds to the dimensions.
std::vector<DimArray> offsets(const std::vector<FlatLoop>& loops) {
  std::vector<DimArray> out{DimArray{}};
  for (const FlatLoop& x : loops) {
    std::vector<DimArray> next;
    next.reserve(out.size() * static_cast<std::size_t>(x.factor));
    for (const DimArray& o : out)
      for (int64_t i = 0; i < x.factor; ++i) {
        DimArray a = o;
        a[x.dim] += i * x.stride;
        next.push_back(a);
      }
    out.swap(next);
  }
  return out;
}

// For each index combination of `loops` (in offsets() order), which children
// may share a read: those with the same indices along the loops whose network
// multicasts per dimension and whose dimension indexes tensor o.
std::vector<std::vector<int64_t>> sharing_groups(const std::vector<FlatLoop>& loops, Operand o) {
  std::vector<std::vector<int64_t>> out{{}};
  for (const FlatLoop& x : loops) {
    const bool splits = !x.multicast_per_value && relevant(o, x.dim);
    std::vector<std::vector<int64_t>> next;
    for (const auto& g : out)
      for (int64_t i = 0; i < x.factor; ++i) {
        auto h = g;
        if (splits) h.push_back(i);
        next.push_back(h);
      }
    out.swap(next);
  }
  return out;
}

// |⋃ (a_i \ b_i)| taken within each sharing group and summed over the groups.
uint64_t shared_reads(std::vector<std::pair<Box, Box>>& parts, const std::vector<std::vector<int64_t>>& group_of) {
  bool one_group = true;
  for (const auto& g : group_of) one_group = one_group && g == group_of.front();
  if (one_group) return union_of_differences(parts);
  std::map<std::vector<int64_t>, std::vector<std::pair<Box, Box>>> groups;
  for (std::size_t i = 0; i < parts.size(); ++i) groups[group_of[i]].push_back(parts[i]);
  uint64_t n = 0;
  for (auto& [key, members] : groups) n += union_of_differences(members);
  return n;
}

DimArray plus(DimArray a, const DimArray& b) {
  for (int d = 0; d < kDims; ++d) a[d] += b[d];
  return a;
}

class Counter {
 public:
  Counter(const LevelNest& nest, const LoopBounds& b) : nest_(nest), b_(b), loops_(flatten(nest)) {
    out_.level.resize(nest.levels.size());
    for (std::size_t l = 0; l < nest.levels.size(); ++l) out_.level[l].instances_used = product_above(int(l), true);
    out_.cycles = 1;
    out_.computes_used = 1;
    for (const FlatLoop& x : loops_) {
      if (x.spatial) out_.computes_used *= x.factor;
      else out_.cycles *= static_cast<uint64_t>(x.factor);
    }
    out_.computes = out_.cycles * static_cast<uint64_t>(out_.computes_used);
  }

  LevelNestCounts run() {
    for (int t = 0; t < kOperands; ++t) {
      const Operand o = static_cast<Operand>(t);
      std::vector<int> chain;
      for (std::size_t l = 0; l < nest_.levels.size(); ++l)
        if (nest_.levels[l].keeps[t]) chain.push_back(int(l));
      if (chain.empty()) throw std::invalid_argument(fmt::format("no level keeps the {}", tensor_name(o)));
      out_.level[chain.front()][o].block = box_at(o, chain.front(), DimArray{}).size();
      for (std::size_t j = 0; j + 1 < chain.size(); ++j) between(o, chain[j], chain[j + 1]);
      into_compute(o, chain.back());
    }
    return out_;
  }

 private:
  int64_t product_above(int level, bool spatial) const {
    int64_t p = 1;
    for (const FlatLoop& x : loops_)
      if (x.level < level && x.spatial == spatial) p *= x.factor;
    return p;
  }
  // The extents of the block a level holds: its loops and every loop below it.
  DimArray extent_at(int level) const {
    DimArray e = kOnes;
    for (const FlatLoop& x : loops_)
      if (x.level >= level) e[x.dim] *= x.factor;
    return e;
  }
  Box box_at(Operand o, int level, const DimArray& base) const { return tensor_box(o, base, extent_at(level), b_); }

  // Transfers between `parent` and `child`, the next level down that keeps o.
  void between(Operand o, int parent, int child) {
    std::vector<FlatLoop> temporal, parent_fan, child_fan;
    for (const FlatLoop& x : loops_) {
      if (x.level >= child) continue;
      if (!x.spatial) temporal.push_back(x);
      else (x.level < parent ? parent_fan : child_fan).push_back(x);
    }
    // Loops inside the innermost one that moves o's block change nothing for o.
    while (!temporal.empty() && !relevant(o, temporal.back().dim)) temporal.pop_back();
    const bool psums = o == Operand::Outputs;
    const DimArray extent = extent_at(child);
    const std::vector<DimArray> parents = offsets(parent_fan), children = offsets(child_fan);
    const std::vector<std::vector<int64_t>> groups = sharing_groups(child_fan, o);
    std::vector<Box> held(parents.size() * children.size());
    std::vector<std::pair<Box, Box>> sent, evicted;
    std::vector<std::vector<int64_t>> sent_group, evicted_group;
    TensorAccesses& up = out_.level[parent][o];
    TensorAccesses& down = out_.level[child][o];

    const auto evict = [&](const Box& old, const Box& now, std::size_t c) {
      if (!psums || old.empty()) return;
      const uint64_t leaving = difference(old, now);
      if (leaving == 0) return;
      down.drains += leaving;
      evicted.emplace_back(old, now);
      evicted_group.push_back(groups[c]);
    };
    const auto clear = [&] {
      sent.clear();
      evicted.clear();
      sent_group.clear();
      evicted_group.clear();
    };

    std::vector<int64_t> index(temporal.size(), 0);
    for (bool more = true; more;) {
      DimArray base{};
      bool first_touch = true;  // the outputs' first visit: every reduction loop at its start
      for (std::size_t k = 0; k < temporal.size(); ++k) {
        base[temporal[k].dim] += index[k] * temporal[k].stride;
        if (index[k] != 0 && is_reduction(temporal[k].dim)) first_touch = false;
      }
      for (std::size_t p = 0; p < parents.size(); ++p) {
        clear();
        for (std::size_t c = 0; c < children.size(); ++c) {
          Box& old = held[p * children.size() + c];
          const Box now = tensor_box(o, plus(plus(base, parents[p]), children[c]), extent, b_);
          if (now == old) continue;
          if (now.size() > down.block) down.block = now.size();
          evict(old, now, c);
          if (!psums || !first_touch) {
            down.fills += difference(now, old);
            sent.emplace_back(now, old);
            sent_group.push_back(groups[c]);
          }
          old = now;
        }
        up.reads += shared_reads(sent, sent_group);
        if (psums) up.updates += shared_reads(evicted, evicted_group);
      }
      more = false;
      for (std::size_t k = temporal.size(); k-- > 0;) {
        if (++index[k] < temporal[k].factor) {
          more = true;
          break;
        }
        index[k] = 0;
      }
    }
    if (!psums) return;
    for (std::size_t p = 0; p < parents.size(); ++p) {  // the last blocks go up at the end
      clear();
      for (std::size_t c = 0; c < children.size(); ++c) evict(held[p * children.size() + c], Box{}, c);
      up.updates += shared_reads(evicted, evicted_group);
    }
  }

  // The compute units under `keeper`, the innermost level that keeps o: one
  // operand read per compute, shared by units that need the same value at
  // once; for outputs one update per compute (units that reduce together
  // write once) and a read of the running sum for all but the first.
  void into_compute(Operand o, int keeper) {
    std::vector<FlatLoop> fan;
    for (const FlatLoop& x : loops_)
      if (x.spatial && x.level >= keeper) fan.push_back(x);
    // Which units share a value is a matter of the window's shape, not of
    // where it sits, so it is counted away from the input's edges.
    LoopBounds unclamped = b_;
    unclamped.padding = 0;
    unclamped.H = unclamped.W = INT64_MAX / 4;
    std::vector<std::pair<Box, Box>> points;
    for (const DimArray& at : offsets(fan)) points.emplace_back(tensor_box(o, at, kOnes, unclamped), Box{});
    const uint64_t distinct = shared_reads(points, sharing_groups(fan, o));
    const uint64_t keepers = static_cast<uint64_t>(out_.level[keeper].instances_used);
    TensorAccesses& k = out_.level[keeper][o];
    if (o != Operand::Outputs) {
      k.reads += out_.cycles * distinct * keepers;
      return;
    }
    k.updates += out_.cycles * distinct * keepers;
    // Each keeper instance starts every output it covers from zero once.
    uint64_t firsts = keepers;
    const DimArray whole = b_.extent;
    for (int d = 0; d < kDims; ++d) {
      if (is_reduction(d)) continue;
      int64_t across = 1;
      for (const FlatLoop& x : loops_)
        if (x.spatial && x.level < keeper && x.dim == d) across *= x.factor;
      firsts *= static_cast<uint64_t>(whole[d] / across);
    }
    k.reads += out_.cycles * distinct * keepers - firsts;
  }

  const LevelNest& nest_;
  const LoopBounds& b_;
  std::vector<FlatLoop> loops_;
  LevelNestCounts out_;
};

}  // namespace

void check_level_nest(const LevelNest& nest, const LoopBounds& b) {
  if (nest.levels.empty()) throw std::invalid_argument("a nest needs at least one storage level");
  DimArray product = kOnes;
  for (const StorageLevel& l : nest.levels)
    for (const auto* loops : {&l.temporal, &l.spatial})
      for (const LevelLoop& x : *loops) {
        if (x.factor < 1) throw std::invalid_argument(fmt::format("level '{}': factor {}{} is below 1", l.name, dim_name(x.dim), x.factor));
        product[x.dim] *= x.factor;
      }
  for (int d = 0; d < kDims; ++d)
    if (product[d] != b.extent[d])
      throw std::invalid_argument(fmt::format("the factors of {} multiply to {}, but the layer's {} is {}", dim_name(d),
                                              product[d], dim_name(d), b.extent[d]));
}

LevelNestCounts count_level_accesses(const LevelNest& nest, const LoopBounds& b) {
  check_level_nest(nest, b);
  return Counter(nest, b).run();
}

}  // namespace qnnsim
