#include "schedule/level_walk.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "schedule/key_table.h"
#include "schedule/level_loops.h"

namespace qnnsim {

namespace {

DimArray plus(DimArray a, const DimArray& b) {
  for (int d = 0; d < kDims; ++d) a[d] += b[d];
  return a;
}

// What one move of a pair's blocks transfers.
struct PairMoves {
  uint64_t fills = 0, block = 0, drains = 0;  // the children's
  uint64_t reads = 0, updates = 0;            // the parent's
  bool changed = false;                       // a child took a new block
};

// The transfers of one tensor between a level and the next one down keeping it.
struct Pair {
  Operand o = Operand::Weights;
  int parent = 0, child = 0;
  PairLoops loops;  // its temporal loops are the walk's outermost ones, as many as it has
  std::vector<DimArray> parents, children;
  std::vector<std::vector<int64_t>> groups;
  DimArray span{};  // what every instance's block together covers, along each dimension
  DimArray base{};  // the position of the blocks the children hold
  bool started = false;
  KeyTable<PairMoves> moves;  // by how the blocks moved (see Walk::step_pair)
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
    step_.in.resize(nest.levels.size());
    step_.changed.assign(nest.levels.size(), {});
    for (std::size_t r = 0; r <= nest.levels.size(); ++r) {
      LevelNestCounts& c = r < nest.levels.size() ? step_.in[r] : step_.out;
      c.level.resize(nest.levels.size());
      for (std::size_t l = 0; l < nest.levels.size(); ++l) c.level[l].instances_used = product_above(int(l));
      c.computes_used = computes_used_;
    }
    step_.compute = step_.out;
    for (int t = 0; t < kOperands; ++t) {
      const auto o = static_cast<Operand>(t);
      std::vector<int> chain;
      for (std::size_t l = 0; l < nest.levels.size(); ++l)
        if (nest.levels[l].keeps[static_cast<std::size_t>(t)]) chain.push_back(int(l));
      if (chain.empty()) throw std::invalid_argument(fmt::format("no level keeps the {}", tensor_name(o)));
      front_block_[t] = tensor_box(o, DimArray{}, extent_at(chain.front()), b).size();
      front_[t] = chain.front();
      for (std::size_t j = 0; j + 1 < chain.size(); ++j) pairs_.push_back(make_pair(o, chain[j], chain[j + 1]));
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
      for (Pair& p : pairs_) step_pair(p, index);
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
      more = false;
      for (std::size_t k = outer_.size(); k-- > 0;) {
        if (++index[k] < outer_[k].factor) {
          more = true;
          break;
        }
        index[k] = 0;
      }
    }
    // The last blocks' partial sums go up once everything is computed.
    clear();
    for (Pair& p : pairs_) {
      if (p.o != Operand::Outputs) continue;
      for (std::size_t a = 0; a < p.parents.size(); ++a) {
        evicted_.clear();
        evicted_group_.clear();
        for (std::size_t c = 0; c < p.children.size(); ++c)
          step_.out.level[p.child][p.o].drains += evict(p, box(p, p.base, a, c), Box{}, c);
        step_.out.level[p.parent][p.o].updates += shared_reads(evicted_, evicted_group_);
      }
    }
    step_.last = true;
    visit(step_);
  }

 private:
  int64_t product_above(int level) const {
    int64_t n = 1;
    for (const FlatLoop& x : loops_)
      if (x.spatial && x.level < level) n *= x.factor;
    return n;
  }
  DimArray extent_at(int level) const {
    DimArray e = kOnes;
    for (const FlatLoop& x : loops_)
      if (x.level >= level) e[x.dim] *= x.factor;
    return e;
  }

  Pair make_pair(Operand o, int parent, int child) const {
    Pair p;
    p.o = o;
    p.parent = parent;
    p.child = child;
    p.loops = pair_loops(loops_, o, parent, child, PairLoopsForm::AsNested);
    p.parents = offsets(p.loops.parent_fan);
    p.children = offsets(p.loops.child_fan);
    p.groups = sharing_groups(p.loops.child_fan, o);
    p.span = p.loops.extent;
    for (const FlatLoops* fan : {&p.loops.parent_fan, &p.loops.child_fan})
      for (const FlatLoop& x : *fan) p.span[x.dim] += (x.factor - 1) * x.stride;
    return p;
  }

  // As count_level_accesses' into_compute (level_nest.cpp), a step at a time.
  AtCompute at_compute(Operand o, int keeper) const {
    AtCompute c;
    c.o = o;
    c.keeper = keeper;
    FlatLoops fan;
    for (const FlatLoop& x : loops_)
      if (x.spatial && x.level >= keeper) fan.push_back(x);
    // Which units share a value is a matter of the window's shape, not of where it sits.
    LoopBounds unclamped = b_;
    unclamped.padding = 0;
    unclamped.H = unclamped.W = INT64_MAX / 4;
    std::vector<std::pair<Box, Box>> points;
    for (const DimArray& at : offsets(fan)) points.emplace_back(tensor_box(o, at, kOnes, unclamped), Box{});
    const auto keepers = static_cast<uint64_t>(product_above(keeper));
    c.per_cycle = shared_reads(points, sharing_groups(fan, o)) * keepers;
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
    for (auto& c : step_.changed) c = {};
    for (LevelNestCounts* c : {&step_.out, &step_.compute}) {
      for (LevelAccesses& a : c->level) a.tensor = {};
      c->computes = 0;
      c->cycles = 0;
    }
    step_.cycles = 0;
    step_.last = false;
  }

  // The counts of what level r receives this step, listed once.
  LevelNestCounts& receive(int r) {
    if (std::find(step_.received.begin(), step_.received.end(), r) == step_.received.end()) step_.received.push_back(r);
    return step_.in[static_cast<std::size_t>(r)];
  }

  Box box(const Pair& p, const DimArray& base, std::size_t parent, std::size_t child) const {
    return tensor_box(p.o, plus(plus(base, p.parents[parent]), p.children[child]), p.loops.extent, b_);
  }

  // A block of partial sums replaced by `now`: what leaves it goes up.
  uint64_t evict(const Pair& p, const Box& old, const Box& now, std::size_t c) {
    if (p.o != Operand::Outputs || old.empty()) return 0;
    const uint64_t leaving = difference(old, now);
    if (leaving == 0) return 0;
    evicted_.emplace_back(old, now);
    evicted_group_.push_back(p.groups[c]);
    return leaving;
  }

  // Whether no child's input window at `base` reaches the padding or past the
  // image's edge: then the children's windows are the same boxes wherever
  // the blocks sit, moved as a whole.
  bool inside_image(const Pair& p, const DimArray& base) const {
    if (p.o != Operand::Inputs) return true;  // weights and outputs are never cut at an edge
    const auto inside = [&](int out, int tap, int64_t size) {
      const int64_t lo = base[out] * b_.stride + base[tap] * b_.dilation - b_.padding;
      const int64_t hi = (base[out] + p.span[out] - 1) * b_.stride + (base[tap] + p.span[tap] - 1) * b_.dilation - b_.padding;
      return lo >= 0 && hi < size;
    };
    return inside(kP, kR, b_.H) && inside(kQ, kS, b_.W);
  }

  // What moving the blocks from `from` to `to` transfers, as enumerate_pair
  // (level_enumeration.cpp) counts one position; `first` when the children
  // held nothing before.
  PairMoves move(const Pair& p, const DimArray& from, const DimArray& to, bool first, bool first_touch) {
    const bool psums = p.o == Operand::Outputs;
    PairMoves n;
    for (std::size_t a = 0; a < p.parents.size(); ++a) {
      sent_.clear();
      sent_group_.clear();
      evicted_.clear();
      evicted_group_.clear();
      for (std::size_t c = 0; c < p.children.size(); ++c) {
        const Box old = first ? Box{} : box(p, from, a, c);
        const Box now = box(p, to, a, c);
        if (now == old) continue;
        n.changed = true;
        n.block = std::max(n.block, now.size());
        n.drains += evict(p, old, now, c);
        if (!psums || !first_touch) {
          n.fills += difference(now, old);
          sent_.emplace_back(now, old);
          sent_group_.push_back(p.groups[c]);
        }
      }
      n.reads += shared_reads(sent_, sent_group_);
      if (psums) n.updates += shared_reads(evicted_, evicted_group_);
    }
    return n;
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
    key_.clear();
    key_.push_back(first);
    key_.push_back(first_touch);
    if (!first && inside_image(p, p.base) && inside_image(p, base)) {
      for (int d = 0; d < kDims; ++d) key_.push_back(base[d] - p.base[d]);
    } else {
      key_.push_back(-1);  // where, not how far
      key_.insert(key_.end(), base.begin(), base.end());
      if (!first) key_.insert(key_.end(), p.base.begin(), p.base.end());
    }
    PairMoves n;
    if (const PairMoves* known = p.moves.find(key_)) {
      n = *known;
    } else {
      n = move(p, p.base, base, first, first_touch);
      p.moves.insert(key_, n);
    }
    p.started = true;
    p.base = base;
    if (n.changed) step_.changed[static_cast<std::size_t>(p.child)][static_cast<std::size_t>(p.o)] = true;
    if (n.fills > 0 || n.reads > 0 || n.block > 0) {
      LevelNestCounts& in = receive(p.child);
      TensorAccesses& child = in.level[p.child][p.o];
      child.fills += n.fills;
      child.block = std::max(child.block, n.block);
      in.level[p.parent][p.o].reads += n.reads;
    }
    step_.out.level[p.child][p.o].drains += n.drains;
    step_.out.level[p.parent][p.o].updates += n.updates;
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
  std::vector<Pair> pairs_;
  std::vector<AtCompute> compute_;
  LevelStep step_;
  std::vector<std::pair<Box, Box>> sent_, evicted_;
  std::vector<std::vector<int64_t>> sent_group_, evicted_group_;
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
