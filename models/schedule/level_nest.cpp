#include "schedule/level_nest.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "schedule/closed_form_memo.h"
#include "schedule/level_loops.h"

namespace qnnsim {

namespace {

class Counter {
 public:
  Counter(const LevelNest& nest, const LoopBounds& b, LevelCountMethod method, ClosedFormMemo* memo)
      : nest_(nest), b_(b), method_(method), memo_(memo), loops_(flatten(nest)) {
    out_.level.resize(nest.levels.size());
    for (std::size_t l = 0; l < nest.levels.size(); ++l) out_.level[l].instances_used = instances_of(loops_, int(l));
    out_.cycles = 1;
    out_.computes_used = 1;
    for (const FlatLoop& x : loops_) {
      if (x.spatial) out_.computes_used *= x.factor;
      else out_.cycles *= static_cast<uint64_t>(x.factor);
    }
    out_.computes = out_.cycles * static_cast<uint64_t>(out_.computes_used);
  }

  LevelNestCounts run() {
    for (int t = 0; t < kOperands; ++t) count(static_cast<Operand>(t));
    return out_;
  }

  // The transfers of o between every two levels that keep it, and into the compute units.
  void count(Operand o) {
    count_transfers(o);
    count_at_compute(o);
  }
  void count_transfers(Operand o) {
    const Chain chain = keepers(o);
    out_.level[chain.front()][o].block = box_at(o, chain.front(), DimArray{}).size();
    for (std::size_t j = 0; j + 1 < chain.size(); ++j) between(o, chain[j], chain[j + 1]);
  }
  void count_at_compute(Operand o) { into_compute(o, keepers(o).back()); }

  const LevelNestCounts& counts() const { return out_; }

 private:
  using Chain = boost::container::small_vector<int, 12>;  // held inline: a search counts thousands of nests
  // The levels that keep o, outermost first.
  Chain keepers(Operand o) const {
    Chain chain;
    for (std::size_t l = 0; l < nest_.levels.size(); ++l)
      if (nest_.levels[l].keeps[static_cast<std::size_t>(o)]) chain.push_back(int(l));
    if (chain.empty()) throw std::invalid_argument(fmt::format("no level keeps the {}", tensor_name(o)));
    return chain;
  }

  Box box_at(Operand o, int level, const DimArray& base) const { return tensor_box(o, base, block_extent(loops_, level), b_); }

  // Transfers between `parent` and `child`, the next level down that keeps o.
  void between(Operand o, int parent, int child) {
    const bool stepping = method_ == LevelCountMethod::Enumerate;
    const PairLoops pl = pair_loops(loops_, o, parent, child, stepping ? PairLoopsForm::AsNested : PairLoopsForm::Merged);
    const PairCounts n =
        stepping ? enumerate_pair(pl, b_) : closed_form_pair(pl, b_, memo_);
    out_.level[parent][o].reads += n.parent_reads;
    out_.level[parent][o].updates += n.parent_updates;
    TensorAccesses& down = out_.level[child][o];
    down.fills += n.child_fills;
    down.drains += n.child_drains;
    down.block = std::max(down.block, n.child_block);
  }

  // The compute units under `keeper`, the innermost level that keeps o: one
  // operand read per compute, shared by units that need the same value at
  // once; for outputs one update per compute (units that reduce together
  // write once) and a read of the running sum for all but the first.
  void into_compute(Operand o, int keeper) {
    FlatLoops fan;
    for (const FlatLoop& x : loops_)
      if (x.spatial && x.level >= keeper) fan.push_back(x);
    const uint64_t distinct = distinct_operands(o, fan);
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

  // The distinct values of o the compute units under one keeper read at once.
  // It depends on the fan-out's loops alone (and the layer's strides), which a
  // search's nests mostly share: the memo keeps it by them.
  uint64_t distinct_operands(Operand o, const FlatLoops& fan) const {
    ClosedFormMemo::Key key;
    if (memo_) {
      memo_->use_layer(b_);
      key.push_back(static_cast<int64_t>(o));
      for (const FlatLoop& x : fan) key.insert(key.end(), {x.dim, x.factor, x.stride, int64_t{x.multicast_per_value}});
      if (const uint64_t* known = memo_->find_operands(key)) return *known;
    }
    const uint64_t distinct = distinct_operand_values(o, fan, b_);
    if (memo_) memo_->store_operands(key, distinct);
    return distinct;
  }

  const LevelNest& nest_;
  const LoopBounds& b_;
  LevelCountMethod method_;
  ClosedFormMemo* memo_;
  FlatLoops loops_;
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
        // A product past 64 bits is past the extent: keep it at the largest value, which says so.
        if (__builtin_mul_overflow(product[x.dim], x.factor, &product[x.dim])) product[x.dim] = INT64_MAX;
      }
  for (int d = 0; d < kDims; ++d)
    if (product[d] != b.extent[d])
      throw std::invalid_argument(
          product[d] == INT64_MAX
              ? fmt::format("the factors of {} multiply past 2^63, but the layer's {} is {}", dim_name(d), dim_name(d), b.extent[d])
              : fmt::format("the factors of {} multiply to {}, but the layer's {} is {}", dim_name(d), product[d], dim_name(d),
                            b.extent[d]));
}

LevelNestCounts count_level_accesses(const LevelNest& nest, const LoopBounds& b, LevelCountMethod method,
                                     ClosedFormMemo* memo) {
  check_level_nest(nest, b);
  return Counter(nest, b, method, memo).run();
}

class LevelNestCounter::Impl : public Counter {
 public:
  using Counter::Counter;
};

LevelNestCounter::LevelNestCounter(const LevelNest& nest, const LoopBounds& b, ClosedFormMemo* memo) {
  check_level_nest(nest, b);
  impl_ = std::make_unique<Impl>(nest, b, LevelCountMethod::ClosedForm, memo);
}
LevelNestCounter::~LevelNestCounter() = default;
void LevelNestCounter::count(Operand o) { impl_->count(o); }
void LevelNestCounter::count_at_compute(Operand o) { impl_->count_at_compute(o); }
void LevelNestCounter::count_transfers(Operand o) { impl_->count_transfers(o); }
const LevelNestCounts& LevelNestCounter::counts() const { return impl_->counts(); }

}  // namespace qnnsim

namespace qnnsim {

std::string level_nest_text(const LevelNest& n) {
  std::string s;
  for (const StorageLevel& l : n.levels) {
    if (l.temporal.empty() && l.spatial.empty()) continue;
    s += (s.empty() ? "" : " | ") + l.name;
    for (const LevelLoop& x : l.temporal) s += fmt::format(" {}{}", dim_name(x.dim), x.factor);
    if (!l.spatial.empty()) {
      s += " (";
      for (std::size_t i = 0; i < l.spatial.size(); ++i)
        s += fmt::format("{}{}{}", i ? " " : "", dim_name(l.spatial[i].dim), l.spatial[i].factor);
      s += ")";
    }
  }
  return s;
}

}  // namespace qnnsim
