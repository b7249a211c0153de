#include "schedule/level_loops.h"

namespace qnnsim {

namespace {

DimArray plus(DimArray a, const DimArray& b) {
  for (int d = 0; d < kDims; ++d) a[d] += b[d];
  return a;
}

}  // namespace

// Steps through every position of the temporal loops above the child, keeps
// the block each child instance holds, and counts what changes.
PairCounts enumerate_pair(const PairLoops& pl, const LoopBounds& b) {
    const Operand o = pl.o;
    const FlatLoops& temporal = pl.temporal;
    const FlatLoops& child_fan = pl.child_fan;
    const bool psums = o == Operand::Outputs;
    const DimArray& extent = pl.extent;
    const std::vector<DimArray> parents = offsets(pl.parent_fan), children = offsets(child_fan);
    const std::vector<std::vector<int64_t>> groups = sharing_groups(child_fan, o);
    std::vector<Box> held(parents.size() * children.size());
    std::vector<std::pair<Box, Box>> sent, evicted;
    std::vector<std::vector<int64_t>> sent_group, evicted_group;
    PairCounts n;

    const auto evict = [&](const Box& old, const Box& now, std::size_t c) {
      if (!psums || old.empty()) return;
      const uint64_t leaving = difference(old, now);
      if (leaving == 0) return;
      n.child_drains += leaving;
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
          const Box now = tensor_box(o, plus(plus(base, parents[p]), children[c]), extent, b);
          if (now == old) continue;
          if (now.size() > n.child_block) n.child_block = now.size();
          evict(old, now, c);
          if (!psums || !first_touch) {
            n.child_fills += difference(now, old);
            sent.emplace_back(now, old);
            sent_group.push_back(groups[c]);
          }
          old = now;
        }
        n.parent_reads += shared_reads(sent, sent_group);
        if (psums) n.parent_updates += shared_reads(evicted, evicted_group);
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
    if (!psums) return n;
    for (std::size_t p = 0; p < parents.size(); ++p) {  // the last blocks go up at the end
      clear();
      for (std::size_t c = 0; c < children.size(); ++c) evict(held[p * children.size() + c], Box{}, c);
      n.parent_updates += shared_reads(evicted, evicted_group);
    }
    return n;
}

}  // namespace qnnsim
