#include "schedule/level_walk.h"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "schedule/key_table.h"
#include "schedule/level_loops.h"

namespace qnnsim {

namespace {

// The transfers of one tensor between a level and the next one down keeping it.
struct Pair {
  Pair(Operand o, int parent, int child, PairLoops loops, const LoopBounds& b)
      : o(o), parent(parent), child(child), loops(std::move(loops)), stepper(this->loops, b) {}
  Pair(const Pair&) = delete;  // the stepper refers to `loops`
  Operand o;
  int parent, child;
  PairLoops loops;     // its temporal loops are the walk's outermost ones, as many as it has
  PairStepper stepper;
  DimArray base{};     // the position of the blocks the children hold
  bool started = false;
  KeyTable<PairMove> moves;  // by how the blocks moved (see Walk::step_pair)
};

// The compute units' accesses to the innermost level keeping a tensor.
struct AtCompute {
  Operand o = Operand::Weights;
  int keeper = 0;
  uint64_t per_cycle = 0;  // distinct values the units under all keeper instances read (or update) a cycle
  uint64_t firsts = 0;     // outputs a step that starts them from zero begins (no read of a running sum)
};

class Walk {
 public:
  Walk(const LevelNest& nest, const LoopBounds& b) : b_(b), loops_(flatten(nest)) {
    check_level_nest(nest, b);
    last_ = static_cast<int>(nest.levels.size()) - 1;
    for (const FlatLoop& x : loops_) {
      if (!x.spatial && x.level < last_) outer_.push_back(x);
      if (!x.spatial && x.level == last_) burst_ *= static_cast<uint64_t>(x.factor);
      if (x.spatial) computes_used_ *= x.factor;
    }
    LevelNestCounts none;
    none.level.resize(nest.levels.size());
    for (std::size_t l = 0; l < nest.levels.size(); ++l) none.level[l].instances_used = instances_of(loops_, int(l));
    none.computes_used = computes_used_;
    step_.in.assign(nest.levels.size(), none);
    step_.out.assign(nest.levels.size(), none);
    step_.compute = none;
    step_.changed.assign(nest.levels.size(), {});
    for (int t = 0; t < kOperands; ++t) {
      const auto o = static_cast<Operand>(t);
      std::vector<int> chain;
      for (std::size_t l = 0; l < nest.levels.size(); ++l)
        if (nest.levels[l].keeps[static_cast<std::size_t>(t)]) chain.push_back(int(l));
      if (chain.empty()) throw std::invalid_argument(fmt::format("no level keeps the {}", tensor_name(o)));
      front_block_[t] = tensor_box(o, DimArray{}, block_extent(loops_, chain.front()), b).size();
      front_[t] = chain.front();
      for (std::size_t j = 0; j + 1 < chain.size(); ++j)
        pairs_.push_back(std::make_unique<Pair>(o, chain[j], chain[j + 1],
                                                pair_loops(loops_, o, chain[j], chain[j + 1], PairLoopsForm::AsNested), b));
      compute_.push_back(at_compute(o, chain.back()));
    }
  }

  void run(const std::function<void(const LevelStep&)>& visit) {
    std::vector<int64_t> index(outer_.size(), 0);
    for (bool more = true; more;) {
      clear();
      if (first_step_)
        for (int t = 0; t < kOperands; ++t) {
          receive(front_[t]).level[front_[t]].tensor[t].block = front_block_[t];
          step_.changed[front_[t]][t] = true;
        }
      first_step_ = false;
      for (auto& p : pairs_) step_pair(*p, index);
      bool starts_outputs = true;  // every reduction loop above the innermost level at its start
      for (std::size_t k = 0; k < outer_.size(); ++k)
        if (index[k] != 0 && is_reduction(outer_[k].dim)) starts_outputs = false;
      for (const AtCompute& c : compute_) {
        TensorAccesses& a = step_.compute.level[c.keeper][c.o];
        const uint64_t n = burst_ * c.per_cycle;
        if (c.o != Operand::Outputs) {
          a.reads = n;
          continue;
        }
        a.updates = n;
        a.reads = n - (starts_outputs ? c.firsts : 0);
      }
      step_.cycles = burst_;
      step_.compute.cycles = burst_;
      step_.compute.computes = burst_ * static_cast<uint64_t>(computes_used_);
      visit(step_);
      more = next_position(index, outer_);
    }
    // The last blocks' partial sums go up once everything is computed.
    clear();
    for (auto& p : pairs_)
      if (p->o == Operand::Outputs) add(*p, p->stepper.move(&p->base, nullptr, true));
    step_.last = true;
    visit(step_);
  }

 private:
  // As count_level_accesses' into_compute (level_nest.cpp), a step at a time.
  AtCompute at_compute(Operand o, int keeper) const {
    AtCompute c;
    c.o = o;
    c.keeper = keeper;
    FlatLoops fan;
    for (const FlatLoop& x : loops_)
      if (x.spatial && x.level >= keeper) fan.push_back(x);
    const auto keepers = static_cast<uint64_t>(instances_of(loops_, keeper));
    c.per_cycle = distinct_operand_values(o, fan, b_) * keepers;
    // A step that starts outputs from zero starts those its burst covers under every keeper.
    DimArray covered = kOnes;
    for (const FlatLoop& x : loops_)
      if ((x.spatial && x.level >= keeper) || (!x.spatial && x.level == last_)) covered[x.dim] *= x.factor;
    c.firsts = keepers;
    for (int d = 0; d < kDims; ++d)
      if (!is_reduction(d)) c.firsts *= static_cast<uint64_t>(covered[d]);
    return c;
  }

  void clear() {
    for (const int r : step_.received)
      for (LevelAccesses& a : step_.in[static_cast<std::size_t>(r)].level) a.tensor = {};
    step_.received.clear();
    for (const int c : step_.sent_up)
      for (LevelAccesses& a : step_.out[static_cast<std::size_t>(c)].level) a.tensor = {};
    step_.sent_up.clear();
    for (auto& c : step_.changed) c = {};
    for (LevelAccesses& a : step_.compute.level) a.tensor = {};
    step_.compute.computes = 0;
    step_.compute.cycles = 0;
    step_.cycles = 0;
    step_.last = false;
  }

  // The counts of what level r receives this step, and of what level c
  // sends up, each level listed once.
  LevelNestCounts& receive(int r) { return listed(step_.in, step_.received, r); }
  LevelNestCounts& send_up(int c) { return listed(step_.out, step_.sent_up, c); }
  static LevelNestCounts& listed(std::vector<LevelNestCounts>& counts, std::vector<int>& levels, int l) {
    if (std::find(levels.begin(), levels.end(), l) == levels.end()) levels.push_back(l);
    return counts[static_cast<std::size_t>(l)];
  }

  // Whether no child's input window at `base` reaches the padding or past the
  // image's edge: then the children's windows are the same boxes wherever
  // the blocks sit, moved as a whole.
  bool inside_image(const Pair& p, const DimArray& base) const {
    if (p.o != Operand::Inputs) return true;  // weights and outputs are never cut at an edge
    const auto inside = [&](int out, int tap, int64_t size) {
      const int64_t lo = base[out] * b_.stride + base[tap] * b_.dilation - b_.padding;
      const int64_t hi = (base[out] + p.stepper.span()[out] - 1) * b_.stride + (base[tap] + p.stepper.span()[tap] - 1) * b_.dilation - b_.padding;
      return lo >= 0 && hi < size;
    };
    return inside(kP, kR, b_.H) && inside(kQ, kS, b_.W);
  }

  // The pair at the walk's position. A move is looked up by how far the
  // blocks moved, when every window stays inside the image (the boxes then
  // only translate, which changes no count), and by where they were and go
  // otherwise: a layer repeats few moves many times.
  void step_pair(Pair& p, const std::vector<int64_t>& index) {
    DimArray base{};
    bool first_touch = true;  // the outputs' first visit: every reduction loop at its start
    for (std::size_t k = 0; k < p.loops.temporal.size(); ++k) {
      base[outer_[k].dim] += index[k] * outer_[k].stride;
      if (index[k] != 0 && is_reduction(outer_[k].dim)) first_touch = false;
    }
    if (p.started && base == p.base) return;  // the same blocks as the step before
    const bool first = !p.started;
    // Only the dimensions the tensor's box follows: a move along another changes nothing.
    std::array<int64_t, 3 + 2 * kDims> key{};
    std::size_t size = 0;
    key[size++] = first;
    key[size++] = first_touch;
    if (!first && inside_image(p, p.base) && inside_image(p, base)) {
      for (int d = 0; d < kDims; ++d)
        if (relevant(p.o, d)) key[size++] = base[d] - p.base[d];
    } else {
      key[size++] = -1;  // where, not how far
      for (int d = 0; d < kDims; ++d)
        if (relevant(p.o, d)) {
          key[size++] = base[d];
          key[size++] = first ? 0 : p.base[d];
        }
    }
    key_.assign(key.begin(), key.begin() + static_cast<std::ptrdiff_t>(size));
    PairMove n;
    if (const PairMove* known = p.moves.find(key_)) {
      n = *known;
    } else {
      n = p.stepper.move(first ? nullptr : &p.base, &base, first_touch);
      p.moves.insert(key_, n);
    }
    p.started = true;
    p.base = base;
    add(p, n);
  }

  // A move's transfers, into the step's counts.
  void add(const Pair& p, const PairMove& n) {
    if (n.changed) step_.changed[static_cast<std::size_t>(p.child)][static_cast<std::size_t>(p.o)] = true;
    if (n.fills > 0 || n.reads > 0 || n.block > 0) {
      LevelNestCounts& in = receive(p.child);
      TensorAccesses& child = in.level[p.child][p.o];
      child.fills += n.fills;
      child.block = std::max(child.block, n.block);
      in.level[p.parent][p.o].reads += n.reads;
    }
    if (n.drains > 0 || n.updates > 0) {
      LevelNestCounts& up = send_up(p.child);
      up.level[p.child][p.o].drains += n.drains;
      up.level[p.parent][p.o].updates += n.updates;
    }
  }

  const LoopBounds& b_;
  FlatLoops loops_;
  FlatLoops outer_;  // the temporal loops above the innermost level, outermost first
  int last_ = 0;
  uint64_t burst_ = 1;
  int64_t computes_used_ = 1;
  std::array<uint64_t, kOperands> front_block_{};
  std::array<int, kOperands> front_{};
  bool first_step_ = true;
  std::vector<std::unique_ptr<Pair>> pairs_;
  std::vector<AtCompute> compute_;
  LevelStep step_;
  MemoKey key_;
};

}  // namespace

void walk_level_nest(const LevelNest& nest, const LoopBounds& b, const std::function<void(const LevelStep&)>& visit) {
  Walk(nest, b).run(visit);
}

uint64_t level_walk_steps(const LevelNest& nest) {
  uint64_t n = 1;
  for (std::size_t l = 0; l + 1 < nest.levels.size(); ++l)
    for (const LevelLoop& x : nest.levels[l].temporal) n *= static_cast<uint64_t>(x.factor);
  return n;
}

}  // namespace qnnsim
