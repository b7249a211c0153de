// The transfers between a level and the next one down that keeps a tensor,
// summed without visiting the blocks.
//
// A block is a box: one interval per tensor axis, and each loop moves exactly
// one axis (or none: a dimension the tensor does not depend on). What one
// child gains in a step is |new| - |new ∩ old| = Π|new_a| - Π|new_a ∩ old_a|,
// so a sum over steps of that difference splits into one sum per axis. The
// steps fall into classes by which loop moved (the loops outside it take every
// position, it advances by one, the loops inside it go back from their last
// position to their first), plus the first fill and the last drain. Within a
// class the positions along each axis and the other axes' positions combine
// freely, so the class sums to a product of per-axis sums.
//
// Children that need the same values share a read (a multicast): in a step
// the parent sends |U_k (new_k \ old_k)| over the children k. The children
// form a grid, one coordinate per fan-out loop, and a child's window along an
// axis depends only on its coordinates along that axis, so a value x is sent
// exactly when every axis a has x_a in U_a (some child's new window) and some
// axis has x_a in D_a (some child's new window less its old). Hence
// sent = Π|U_a| - Π(|U_a| - |D_a|): per-axis unions of intervals, which hold
// whether the children's windows are equal, apart, or partly overlapping
// (neighbouring PEs sliding over the same input rows). Children of a network
// that multicasts per dimension share only within their group, and the
// groups are a grid too.
#include "schedule/level_loops.h"

#include "schedule/closed_form_memo.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <boost/container/small_vector.hpp>

namespace qnnsim {

namespace {

int axis_of(Operand o, int d) {
  switch (o) {
    case Operand::Weights: return d == kG ? 0 : d == kM ? 1 : d == kC ? 2 : d == kR ? 3 : d == kS ? 4 : -1;
    case Operand::Inputs:
      return d == kN ? 0 : d == kG ? 1 : d == kC ? 2 : (d == kP || d == kR) ? 3 : (d == kQ || d == kS) ? 4 : -1;
    case Operand::Outputs:
    case Operand::Accumulator: return d == kN ? 0 : d == kG ? 1 : d == kM ? 2 : d == kP ? 3 : d == kQ ? 4 : -1;
  }
  return -1;
}

// One loop's positions in a class of steps: new index from `lo` to `hi`
// (exclusive), the old block's index `shift` below it; or a fixed pair.
struct Positions {
  const FlatLoop* loop;
  int64_t lo, hi, shift;  // new index i in [lo, hi), old index i - shift
};

// A std::vector, one per axis for every pair a thread counts
// (scratch_positions): clearing it keeps its storage, and its push_back is
// cheaper than a small_vector's, which counted for a tenth of the level
// search's instructions (callgrind, ResNet-50 on the Eyeriss level design).
using PositionList = std::vector<Positions>;
using KidList = boost::container::small_vector<const FlatLoop*, 8>;  // the children's loops along one axis

// Values two intervals share.
uint64_t common(const Interval& a, const Interval& b) {
  return static_cast<uint64_t>(std::max<int64_t>(0, std::min(a.hi, b.hi) - std::max(a.lo, b.lo)));
}

std::array<PositionList, kBoxAxes>& scratch_positions() {
  thread_local std::array<PositionList, kBoxAxes> lists;
  return lists;
}

class ClosedForm {
 public:
  ClosedForm(const PairLoops& p, const LoopBounds& b, ClosedFormMemo* memo) : p_(p), b_(b), memo_(memo) {
    if (memo_) memo_->use_layer(b);
    for (int d = 0; d < kDims; ++d) axis_[d] = axis_of(p.o, d);
    for (const FlatLoop& x : p.child_fan) {
      if (axis_[x.dim] >= 0) children_on_[axis_[x.dim]] = true;
      else children_per_share_ *= static_cast<uint64_t>(x.factor);
    }
    for (const FlatLoop& x : p.parent_fan)
      if (axis_[x.dim] < 0) parent_copies_ *= static_cast<uint64_t>(x.factor);
    for (const FlatLoop& x : p.child_fan)
      if (axis_[x.dim] >= 0) kids_[axis_[x.dim]].push_back(&x);
  }

  PairCounts run() {
    const std::size_t n = p_.temporal.size();
    add_class(-1);  // the first fill: every loop at its start, nothing held before
    for (std::size_t k = 0; k < n; ++k) add_class(static_cast<int>(k));
    if (p_.o == Operand::Outputs) add_class(static_cast<int>(n));  // the last drain
    out_.child_block = 1;
    for (uint64_t m : largest_) out_.child_block *= m;
    return out_;
  }

 private:
  // Class k: loop k advanced (k = -1: the first step, k = n: after the last).
  void add_class(int k) {
    const int n = static_cast<int>(p_.temporal.size());
    const bool first = k < 0, last = k == n;
    // Between two middle classes k - 1 and k only loops k - 1 (now at every
    // position) and k (now advancing) changed: an axis neither moves keeps
    // its sums, and its positions are not listed.
    const int moved_before = k >= 1 && !last ? axis_[p_.temporal[k - 1].dim] : -2;
    const int moved_now = k >= 1 && !last ? axis_[p_.temporal[k].dim] : -2;
    std::array<bool, kBoxAxes> again;
    for (int a = 0; a < kBoxAxes; ++a) {
      again[a] = moved_before == -2 || a == moved_before || a == moved_now;
      if (again[a]) outer_[a].clear();
    }
    std::array<PositionList, kBoxAxes>& outer = outer_;
    uint64_t mult = parent_copies_, mult_first = parent_copies_;  // the positions of loops on no axis; those where outputs start from zero
    for (int j = 0; j < n; ++j) {
      const FlatLoop& x = p_.temporal[j];
      Positions pos{&x, 0, 1, 0};  // the first step: at the start (nothing held before)
      if (last) pos = {&x, x.factor - 1, x.factor, 0};  // after the last step: the final blocks
      else if (!first && j < k) pos = {&x, 0, x.factor, 0};
      else if (!first && j == k) pos = {&x, 1, x.factor, 1};
      else if (!first) pos = {&x, 0, 1, -(x.factor - 1)};  // reset: new at 0, old at its last index
      const int a = axis_[x.dim];
      const uint64_t count = static_cast<uint64_t>(pos.hi - pos.lo);
      if (a >= 0) {
        if (again[a]) outer[a].push_back(pos);
      } else {
        mult *= count;
        // Outputs start from zero only while every reduction loop is at its start.
        mult_first *= is_reduction(x.dim) ? (pos.lo == 0 ? 1 : 0) : count;
      }
    }
    for (const FlatLoop& x : p_.parent_fan) {
      const int a = axis_[x.dim];
      if (a >= 0 && again[a]) outer[a].push_back({&x, 0, x.factor, 0});
    }
    const uint64_t children_per_share = children_per_share_;

    std::array<AxisSums, kBoxAxes>& s = sums_;
    for (int a = 0; a < kBoxAxes; ++a)
      if (again[a]) {
        s[a] = AxisSums{};
        sum_axis(a, outer[a], /*no_new=*/last, /*no_old=*/first, s[a]);
      }
    const auto product = [&](uint64_t AxisSums::*field) {
      uint64_t v = 1;
      for (const AxisSums& x : s) v *= x.*field;
      return v;
    };
    const uint64_t shared_gain = product(&AxisSums::shared_new) - product(&AxisSums::shared_new_not_gained);
    const uint64_t each_gain = product(&AxisSums::each_new) - product(&AxisSums::each_kept);
    if (p_.o != Operand::Outputs) {
      out_.parent_reads += mult * shared_gain;
      out_.child_fills += mult * children_per_share * each_gain;
      return;
    }
    // Partial sums: a block visited before comes back from the parent; the
    // block that leaves goes up (children reducing together send one update).
    const uint64_t refills = first ? 0 : mult - mult_first;
    out_.parent_reads += refills * shared_gain;
    out_.child_fills += refills * children_per_share * each_gain;
    out_.parent_updates += mult * (product(&AxisSums::shared_old) - product(&AxisSums::shared_old_not_lost));
    out_.child_drains += mult * children_per_share * (product(&AxisSums::each_old) - product(&AxisSums::each_kept));
  }

  // Sums along axis a over its outer positions and its children.
  void sum_axis(int a, const PositionList& outer, bool no_new, bool no_old, AxisSums& s) {
    // Along the input's rows and columns, a call that walks one window (no
    // loop moving the axis, or loops held at one position, and one child
    // along it) counts two intervals, quicker than keying and looking them
    // up. (Counting up to 8 windows directly ran more instructions than the
    // lookups it saved: ResNet-50 on the Eyeriss level design under callgrind.)
    if (!clipped(a)) {
      sum_unclipped_axis(a, outer, no_new, no_old, s);
    } else if (!memo_ || one_window(a, outer)) {
      sum_axis_sums(a, outer, no_new, no_old, s);
    } else {
      const ClosedFormMemo::Key key = memo_key(a, outer, no_new, no_old);
      if (const AxisSums* known = memo_->find(key)) {
        s = *known;
      } else {
        sum_axis_sums(a, outer, no_new, no_old, s);
        memo_->store(key, s);
      }
    }
    largest_[a] = std::max(largest_[a], s.largest);
  }

  // Only the input's rows and columns are clipped: their windows stop at the
  // padding. Every other axis indexes a dimension of the layer directly.
  bool clipped(int a) const { return p_.o == Operand::Inputs && a >= 3; }

  // Along an axis that is never clipped, each outer position sees the same
  // windows moved as one (the children's, new and old alike: the old block
  // lies the same distance behind the new at every position of a class), and
  // sizes, overlaps and unions do not change when everything moves together.
  // So the sums are those at one position times the positions: the walk
  // over the outer loops' positions is not needed, and the memo is keyed by
  // what remains (the old block's offset, the children, the extent).
  void sum_unclipped_axis(int a, const PositionList& outer, bool no_new, bool no_old, AxisSums& s) {
    uint64_t positions = 1;
    DimArray behind{};  // the old block's offset from the new one
    for (const Positions& x : outer) {
      positions *= static_cast<uint64_t>(x.hi - x.lo);
      behind[x.loop->dim] -= x.shift * x.loop->stride;
    }
    const KidList& kids = kids_[a];
    AxisSums one;
    if (!memo_ || kids.empty()) {
      add_children(a, kids, DimArray{}, behind, no_new, no_old, one);
    } else {
      ClosedFormMemo::Key key{static_cast<int64_t>(p_.o), a, no_new, no_old, -4};
      for (int d = 0; d < kDims; ++d)
        if (axis_[d] == a) key.insert(key.end(), {d, p_.extent[d], no_old || no_new ? 0 : behind[d]});
      key.push_back(-1);
      for (const FlatLoop* x : kids) key.insert(key.end(), {x->dim, x->stride, x->factor, x->multicast_per_value});
      if (const AxisSums* known = memo_->find(key)) {
        one = *known;
      } else {
        add_children(a, kids, DimArray{}, behind, no_new, no_old, one);
        memo_->store(key, one);
      }
    }
    s = AxisSums{one.shared_new * positions,      one.shared_old * positions,
                 one.shared_new_not_gained * positions, one.shared_old_not_lost * positions,
                 one.each_new * positions,        one.each_kept * positions,
                 one.each_old * positions,        one.largest};
  }

  // Whether sum_axis_sums walks one window along axis a: every outer loop at
  // one position and one child along it.
  bool one_window(int a, const PositionList& outer) const {
    if (children_on_[a]) return false;
    for (const Positions& x : outer)
      if (x.hi - x.lo != 1) return false;
    return true;
  }

  // Everything the sum along axis a depends on (the layer's bounds aside,
  // which the memo holds fixed): the tensor and axis, which ends of the class
  // are empty, the child's extent in the axis' dimensions, the loops that move
  // the axis with their positions in the class, and the children along it.
  ClosedFormMemo::Key memo_key(int a, const PositionList& outer, bool no_new, bool no_old) const {
    ClosedFormMemo::Key k{static_cast<int64_t>(p_.o), a, no_new, no_old};
    for (int d = 0; d < kDims; ++d)
      if (axis_[d] == a) k.insert(k.end(), {d, p_.extent[d]});
    for (const Positions& x : outer) k.insert(k.end(), {x.loop->dim, x.loop->stride, x.lo, x.hi, x.shift});
    k.push_back(-1);  // the children follow
    for (const FlatLoop& x : p_.child_fan)
      if (axis_[x.dim] == a) k.insert(k.end(), {x.dim, x.stride, x.factor, x.multicast_per_value});
    return k;
  }

  void sum_axis_sums(int a, const PositionList& outer, bool no_new, bool no_old, AxisSums& s) {
    const KidList& kids = kids_[a];
    boost::container::small_vector<int64_t, 12> idx(outer.size());
    for (std::size_t i = 0; i < outer.size(); ++i) idx[i] = outer[i].lo;
    for (bool more = true; more;) {
      DimArray base_new{}, base_old{};
      for (std::size_t i = 0; i < outer.size(); ++i) {
        base_new[outer[i].loop->dim] += idx[i] * outer[i].loop->stride;
        base_old[outer[i].loop->dim] += (idx[i] - outer[i].shift) * outer[i].loop->stride;
      }
      add_children(a, kids, base_new, base_old, no_new, no_old, s);
      more = false;
      for (std::size_t i = outer.size(); i-- > 0;) {
        if (++idx[i] < outer[i].hi) {
          more = true;
          break;
        }
        idx[i] = outer[i].lo;
      }
    }
  }

  // Children's windows along an axis, and what each gains or gives up.
  struct Group {
    std::vector<Interval> news, olds, gained, lost;
    void clear() { news.clear(), olds.clear(), gained.clear(), lost.clear(); }
  };

  // One child's window now and before, along axis a.
  static void count_child(const Interval& now, const Interval& before, AxisSums& s) {
    s.each_new += static_cast<uint64_t>(now.size());
    s.each_old += static_cast<uint64_t>(before.size());
    s.each_kept += common(now, before);
    s.largest = std::max<uint64_t>(s.largest, static_cast<uint64_t>(now.size()));
  }

  void add_children(int a, const KidList& kids, const DimArray& base_new, const DimArray& base_old,
                    bool no_new, bool no_old, AxisSums& s) {
    if (kids.empty()) {  // one child along this axis: nothing to share
      const Interval now = no_new ? Interval{} : tensor_axis(p_.o, a, base_new, p_.extent, b_);
      const Interval before = no_old ? Interval{} : tensor_axis(p_.o, a, base_old, p_.extent, b_);
      count_child(now, before, s);
      const uint64_t kept = common(now, before);
      s.shared_new += static_cast<uint64_t>(now.size());
      s.shared_old += static_cast<uint64_t>(before.size());
      s.shared_new_not_gained += kept;
      s.shared_old_not_lost += kept;
      return;
    }
    // The children along this axis, grouped by what they may share: their
    // indices along fan-outs that multicast per dimension. Where every
    // network multicasts per value (the usual case) they form one group.
    bool one_group = true;
    for (const FlatLoop* x : kids) one_group = one_group && x->multicast_per_value;
    std::map<std::vector<int64_t>, Group> groups;
    Group& single = scratch_;
    single.clear();
    boost::container::small_vector<int64_t, 8> k(kids.size(), 0);
    for (bool more = true; more;) {
      DimArray nb = base_new, ob = base_old;
      std::vector<int64_t> key;
      for (std::size_t i = 0; i < kids.size(); ++i) {
        nb[kids[i]->dim] += k[i] * kids[i]->stride;
        ob[kids[i]->dim] += k[i] * kids[i]->stride;
        if (!one_group && !kids[i]->multicast_per_value) key.push_back(k[i]);
      }
      const Interval now = no_new ? Interval{} : tensor_axis(p_.o, a, nb, p_.extent, b_);
      const Interval before = no_old ? Interval{} : tensor_axis(p_.o, a, ob, p_.extent, b_);
      count_child(now, before, s);
      Group& g = one_group ? single : groups[key];
      g.news.push_back(now);
      g.olds.push_back(before);
      minus(now, before, g.gained);
      minus(before, now, g.lost);
      more = false;
      for (std::size_t i = kids.size(); i-- > 0;) {
        if (++k[i] < kids[i]->factor) {
          more = true;
          break;
        }
        k[i] = 0;
      }
    }
    const auto add_group = [&s](Group& g) {
      const uint64_t u_new = union_size(g.news), u_old = union_size(g.olds);
      s.shared_new += u_new;
      s.shared_old += u_old;
      s.shared_new_not_gained += u_new - union_size(g.gained);
      s.shared_old_not_lost += u_old - union_size(g.lost);
    };
    if (one_group) add_group(single);
    for (auto& [key, g] : groups) add_group(g);
  }

  // x \ y as at most two intervals, appended to `out`.
  static void minus(const Interval& x, const Interval& y, std::vector<Interval>& out) {
    if (x.size() <= 0) return;
    if (y.size() <= 0 || y.hi <= x.lo || y.lo >= x.hi) {
      out.push_back(x);
      return;
    }
    if (x.lo < y.lo) out.push_back({x.lo, y.lo});
    if (y.hi < x.hi) out.push_back({y.hi, x.hi});
  }

  // Values in the union of intervals.
  static uint64_t union_size(std::vector<Interval>& v) {
    std::sort(v.begin(), v.end());
    uint64_t total = 0;
    int64_t reach = INT64_MIN;  // the end of what is counted so far
    for (const Interval& x : v) {
      if (x.size() <= 0) continue;
      const int64_t from = std::max(x.lo, reach);
      if (x.hi > from) total += static_cast<uint64_t>(x.hi - from);
      reach = std::max(reach, x.hi);
    }
    return total;
  }

  const PairLoops& p_;
  const LoopBounds& b_;
  ClosedFormMemo* memo_;
  PairCounts out_;
  std::array<uint64_t, kBoxAxes> largest_{};
  std::array<int, kDims> axis_{};  // the tensor's axis each dimension moves (-1: none)
  std::array<bool, kBoxAxes> children_on_{};  // whether some child loop moves the axis
  std::array<KidList, kBoxAxes> kids_;         // the children's loops along each axis
  // The class's positions of the loops moving each axis: one set a thread,
  // reused by every pair it counts, so that counting a pair allocates
  // nothing. A ClosedForm runs to its end before another is made (nothing in
  // run() counts another pair), so no two use the set at once.
  std::array<PositionList, kBoxAxes>& outer_ = scratch_positions();
  uint64_t children_per_share_ = 1;  // children that differ only where o does not: one read serves them
  uint64_t parent_copies_ = 1;       // parents that differ only where o does not
  std::array<AxisSums, kBoxAxes> sums_{};     // the last class's sums, per axis
  Group scratch_;  // one group's windows, kept between calls so their storage is reused
};

}  // namespace

PairCounts closed_form_pair(const PairLoops& p, const LoopBounds& b, ClosedFormMemo* memo) {
  if (!memo) return ClosedForm(p, b, memo).run();
  memo->use_layer(b);
  // Everything the counts depend on besides the layer: the tensor, the
  // child's block, and each loop's factor and stride, and its dimension
  // where it moves one of o's axes (and, for the children, how their
  // network shares), in order.
  ClosedFormMemo::Key key{static_cast<int64_t>(p.o)};
  key.insert(key.end(), p.extent.begin(), p.extent.end());
  for (const FlatLoop& x : p.temporal) key.insert(key.end(), {axis_of(p.o, x.dim) >= 0 ? x.dim : -3, x.factor, x.stride});
  key.push_back(-1);
  for (const FlatLoop& x : p.parent_fan) key.insert(key.end(), {x.dim, x.factor, x.stride});
  key.push_back(-2);
  for (const FlatLoop& x : p.child_fan) key.insert(key.end(), {x.dim, x.factor, x.stride, int64_t{x.multicast_per_value}});
  if (const PairCounts* known = memo->find_pair(key)) return *known;
  const PairCounts c = ClosedForm(p, b, memo).run();
  memo->store_pair(key, c);
  return c;
}

}  // namespace qnnsim
