#include "schedule/level_loops.h"

namespace qnnsim {

namespace {

DimArray plus(DimArray a, const DimArray& b) {
  for (int d = 0; d < kDims; ++d) a[d] += b[d];
  return a;
}

}  // namespace

PairStepper::PairStepper(const PairLoops& p, const LoopBounds& b)
    : p_(p), b_(b), parents_(offsets(p.parent_fan)), children_(offsets(p.child_fan)), groups_(sharing_groups(p.child_fan, p.o)) {
  span_ = p.extent;
  for (const FlatLoops* fan : {&p.parent_fan, &p.child_fan})
    for (const FlatLoop& x : *fan) span_[x.dim] += (x.factor - 1) * x.stride;
}

Box PairStepper::box(const DimArray& base, std::size_t parent, std::size_t child) const {
  return tensor_box(p_.o, plus(plus(base, parents_[parent]), children_[child]), p_.extent, b_);
}

PairMove PairStepper::move(const DimArray* from, const DimArray* to, bool first_touch) {
  const bool psums = p_.o == Operand::Outputs;
  PairMove n;
  for (std::size_t a = 0; a < parents_.size(); ++a) {
    sent_.clear();
    sent_group_.clear();
    evicted_.clear();
    evicted_group_.clear();
    for (std::size_t c = 0; c < children_.size(); ++c) {
      const Box old = from ? box(*from, a, c) : Box{};
      const Box now = to ? box(*to, a, c) : Box{};
      if (now == old) continue;
      n.changed = true;
      n.block = std::max(n.block, now.size());
      // A block of partial sums replaced: what leaves it goes up.
      if (psums && !old.empty()) {
        if (const uint64_t leaving = difference(old, now); leaving > 0) {
          n.drains += leaving;
          evicted_.emplace_back(old, now);
          evicted_group_.push_back(groups_[c]);
        }
      }
      if (!psums || !first_touch) {
        n.fills += difference(now, old);
        sent_.emplace_back(now, old);
        sent_group_.push_back(groups_[c]);
      }
    }
    n.reads += shared_reads(sent_, sent_group_);
    if (psums) n.updates += shared_reads(evicted_, evicted_group_);
  }
  return n;
}

// Steps through every position of the temporal loops above the child and
// counts what each move of the blocks changes.
PairCounts enumerate_pair(const PairLoops& pl, const LoopBounds& b) {
  const FlatLoops& temporal = pl.temporal;
  PairStepper stepper(pl, b);
  PairCounts n;
  const auto add = [&n](const PairMove& m) {
    n.child_fills += m.fills;
    n.child_block = std::max(n.child_block, m.block);
    n.child_drains += m.drains;
    n.parent_reads += m.reads;
    n.parent_updates += m.updates;
  };
  std::vector<int64_t> index(temporal.size(), 0);
  DimArray held{};
  bool holding = false;
  for (bool more = true; more;) {
    DimArray base{};
    bool first_touch = true;  // the outputs' first visit: every reduction loop at its start
    for (std::size_t k = 0; k < temporal.size(); ++k) {
      base[temporal[k].dim] += index[k] * temporal[k].stride;
      if (index[k] != 0 && is_reduction(temporal[k].dim)) first_touch = false;
    }
    if (!holding || base != held) add(stepper.move(holding ? &held : nullptr, &base, first_touch));
    held = base;
    holding = true;
    more = next_position(index, temporal);
  }
  if (pl.o == Operand::Outputs) add(stepper.move(&held, nullptr, true));  // the last blocks go up at the end
  return n;
}

uint64_t distinct_operand_values(Operand o, const FlatLoops& fan, const LoopBounds& b) {
  LoopBounds unclamped = b;
  unclamped.padding = 0;
  unclamped.H = unclamped.W = INT64_MAX / 4;
  std::vector<std::pair<Box, Box>> points;
  for (const DimArray& at : offsets(fan)) points.emplace_back(tensor_box(o, at, kOnes, unclamped), Box{});
  return shared_reads(points, sharing_groups(fan, o));
}

}  // namespace qnnsim
