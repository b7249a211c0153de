#include "schedule/level_loops.h"

#include <map>

namespace qnnsim {

FlatLoops flatten(const LevelNest& nest) {
  FlatLoops loops;
  std::size_t n = 0;
  for (const StorageLevel& l : nest.levels) n += l.temporal.size() + l.spatial.size();
  loops.reserve(n);
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

int64_t instances_of(const FlatLoops& loops, int level) {
  int64_t p = 1;
  for (const FlatLoop& x : loops)
    if (x.level < level && x.spatial) p *= x.factor;
  return p;
}

DimArray block_extent(const FlatLoops& loops, int level) {
  DimArray e = kOnes;
  for (const FlatLoop& x : loops)
    if (x.level >= level) e[x.dim] *= x.factor;
  return e;
}

bool next_position(std::vector<int64_t>& index, const FlatLoops& loops) {
  for (std::size_t k = loops.size(); k-- > 0;) {
    if (++index[k] < loops[k].factor) return true;
    index[k] = 0;
  }
  return false;
}

std::vector<DimArray> offsets(const FlatLoops& loops) {
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

std::vector<std::vector<int64_t>> sharing_groups(const FlatLoops& loops, Operand o) {
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

namespace {

// Two neighbouring loops that move none of o's axes act as one loop of both
// factors (the block stays put while either steps; for partial sums both are
// reductions), and so do two neighbouring loops of one dimension whose outer
// one steps over exactly the inner one's span (their positions run as one
// loop's). A loop on no axis keeps no stride (its steps move nothing).
void merge_temporal(Operand o, FlatLoops& temporal) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < temporal.size(); ++i) {
    FlatLoop x = temporal[i];
    const bool moves = relevant(o, x.dim);
    if (!moves) x.stride = 0;
    if (kept > 0) {
      FlatLoop& outer = temporal[kept - 1];
      if ((!moves && !relevant(o, outer.dim)) || (moves && outer.dim == x.dim && outer.stride == x.stride * x.factor)) {
        outer.factor *= x.factor;
        outer.stride = x.stride;
        continue;
      }
    }
    temporal[kept++] = x;
  }
  temporal.resize(kept);
}

}  // namespace

PairLoops pair_loops(const FlatLoops& loops, Operand o, int parent, int child, PairLoopsForm form) {
  PairLoops p;
  p.o = o;
  p.extent = kOnes;
  p.temporal.reserve(loops.size());
  for (const FlatLoop& x : loops) {
    if (x.level >= child) {
      p.extent[x.dim] *= x.factor;
      continue;
    }
    if (!x.spatial) p.temporal.push_back(x);
    else (x.level < parent ? p.parent_fan : p.child_fan).push_back(x);
  }
  // Loops inside the innermost one that moves o's block change nothing for o.
  while (!p.temporal.empty() && !relevant(o, p.temporal.back().dim)) p.temporal.pop_back();
  if (form == PairLoopsForm::Merged) merge_temporal(o, p.temporal);
  return p;
}

}  // namespace qnnsim
