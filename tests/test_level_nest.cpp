// The level analysis (schedule/level_nest) against a reference that knows
// nothing of boxes, unions or first-visit rules: it steps through every
// temporal position of the nest, lists the tensor points each instance's
// block covers (an input block as its whole window), and counts fills,
// multicast reads, spatially reduced updates and partial-sum refills with
// sets of points. Small nests, so every point is
// enumerated; they cover bypass, multicast, spatial reduction, sliding
// windows with padding and refills of partial sums.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

#include "schedule/closed_form_memo.h"
#include "schedule/level_nest.h"
#include "support.h"

using namespace qnnsim;

namespace {

using Point = std::array<int64_t, 5>;
using Points = std::set<Point>;

struct Loop {
  int dim;
  int64_t factor;
  int level;
  bool spatial;
  int64_t stride;
  bool per_value;
};

std::vector<Loop> flat(const LevelNest& n) {
  std::vector<Loop> loops;
  for (std::size_t l = 0; l < n.levels.size(); ++l) {
    for (auto x : n.levels[l].temporal) loops.push_back({x.dim, x.factor, int(l), false, 1, true});
    for (auto x : n.levels[l].spatial) loops.push_back({x.dim, x.factor, int(l), true, 1, n.levels[l].multicast_per_value});
  }
  DimArray inner = kOnes;
  for (auto it = loops.rbegin(); it != loops.rend(); ++it) {
    it->stride = inner[it->dim];
    inner[it->dim] *= it->factor;
  }
  return loops;
}

// Every index vector over `loops` (outermost first).
std::vector<std::vector<int64_t>> all_indices(const std::vector<Loop>& loops) {
  std::vector<std::vector<int64_t>> out{{}};
  for (const Loop& x : loops) {
    std::vector<std::vector<int64_t>> next;
    for (const auto& v : out)
      for (int64_t i = 0; i < x.factor; ++i) {
        auto w = v;
        w.push_back(i);
        next.push_back(w);
      }
    out.swap(next);
  }
  return out;
}

// The tensor point one MAC touches, or nothing when it reads padding.
bool point_of(Operand o, const DimArray& at, const LoopBounds& b, Point& p) {
  switch (o) {
    case Operand::Weights: p = {at[kG], at[kM], at[kC], at[kR], at[kS]}; return true;
    case Operand::Outputs: p = {at[kN], at[kG], at[kM], at[kP], at[kQ]}; return true;
    default: {
      const int64_t h = at[kP] * b.stride + at[kR] * b.dilation - b.padding;
      const int64_t w = at[kQ] * b.stride + at[kS] * b.dilation - b.padding;
      p = {at[kN], at[kG], at[kC], h, w};
      return h >= 0 && h < b.H && w >= 0 && w < b.W;
    }
  }
}

struct Reference {
  const LevelNest& nest;
  const LoopBounds& b;
  std::vector<Loop> loops = flat(nest);

  // Points of o in the block level L holds when the loops above it are at `above` (their dims' offsets).
  Points block(Operand o, int level, const DimArray& base) const {
    std::vector<Loop> inside;
    for (const Loop& x : loops)
      if (x.level >= level) inside.push_back(x);
    Points pts;
    for (const auto& idx : all_indices(inside)) {
      DimArray at = base;
      for (std::size_t k = 0; k < inside.size(); ++k) at[inside[k].dim] += idx[k] * inside[k].stride;
      Point p;
      if (point_of(o, at, b, p)) pts.insert(p);
    }
    if (o != Operand::Inputs || pts.empty()) return pts;
    // A block of inputs is fetched as its window: every row and column from
    // the first it reads to the last, with any that a stride skips (the
    // convention of the level analysis, of rows_read, and of Timeloop).
    std::array<std::set<int64_t>, 3> lead;  // N, G, C
    int64_t h0 = INT64_MAX, h1 = INT64_MIN, w0 = INT64_MAX, w1 = INT64_MIN;
    for (const Point& p : pts) {
      for (int a = 0; a < 3; ++a) lead[a].insert(p[a]);
      h0 = std::min(h0, p[3]), h1 = std::max(h1, p[3]), w0 = std::min(w0, p[4]), w1 = std::max(w1, p[4]);
    }
    Points window;
    for (int64_t n : lead[0])
      for (int64_t g : lead[1])
        for (int64_t c : lead[2])
          for (int64_t h = h0; h <= h1; ++h)
            for (int64_t w = w0; w <= w1; ++w) window.insert({n, g, c, h, w});
    return window;
  }

  // Counts between `parent` and `child` (child == levels.size(): the compute units).
  void between(Operand o, int parent, int child, LevelNestCounts& c) const {
    const bool compute = child == int(nest.levels.size());
    std::vector<Loop> temporal, up_fan, down_fan;
    for (const Loop& x : loops) {
      if (x.level >= child) continue;
      if (!x.spatial) temporal.push_back(x);
      else (x.level < parent ? up_fan : down_fan).push_back(x);
    }
    const auto ups = all_indices(up_fan), downs = all_indices(down_fan);
    std::map<std::pair<std::size_t, std::size_t>, Points> held, ever;
    const auto offset = [](const std::vector<Loop>& ls, const std::vector<int64_t>& idx, DimArray& at) {
      for (std::size_t k = 0; k < ls.size(); ++k) at[ls[k].dim] += idx[k] * ls[k].stride;
    };
    const bool psums = o == Operand::Outputs;
    std::map<std::size_t, Points> keeper_seen;  // outputs each parent instance has accumulated before
    Points keeper_seen_now;
    for (const auto& t : all_indices(temporal)) {
      for (std::size_t u = 0; u < ups.size(); ++u) {
        // A read is shared only among children the network can reach at once.
        std::map<std::vector<int64_t>, Points> sent_to, evicted_from;
        for (std::size_t d = 0; d < downs.size(); ++d) {
          std::vector<int64_t> group;
          for (std::size_t k = 0; k < down_fan.size(); ++k)
            if (!down_fan[k].per_value && relevant(o, down_fan[k].dim)) group.push_back(downs[d][k]);
          Points& sent = sent_to[group];
          Points& evicted = evicted_from[group];
          DimArray at{};
          offset(temporal, t, at);
          offset(up_fan, ups[u], at);
          offset(down_fan, downs[d], at);
          if (compute) {
            // One operand per compute, read even where it is padding; for
            // outputs one update, and a read of the running sum if there is one.
            Point p;
            point_of(o, at, b, p);
            if (psums) {
              evicted.insert(p);
              if (keeper_seen[u].count(p)) sent.insert(p);
              keeper_seen_now.insert(p);
            } else {
              sent.insert(p);
            }
            continue;
          }
          const Points now = block(o, child, at);
          Points& old = held[{u, d}];
          Points& seen = ever[{u, d}];
          for (const Point& x : now) {
            if (old.count(x)) continue;
            if (psums && !seen.count(x)) continue;  // its first visit starts from zero
            sent.insert(x);
            c.level[child][o].fills++;
          }
          if (psums)
            for (const Point& x : old)
              if (!now.count(x)) evicted.insert(x);
          seen.insert(now.begin(), now.end());
          old = now;
        }
        for (const auto& [g, pts] : sent_to) c.level[parent][o].reads += pts.size();
        if (psums)
          for (const auto& [g, pts] : evicted_from) c.level[parent][o].updates += pts.size();
        keeper_seen[u].insert(keeper_seen_now.begin(), keeper_seen_now.end());
        keeper_seen_now.clear();
      }
    }
    if (psums && !compute)
      for (std::size_t u = 0; u < ups.size(); ++u) {
        std::map<std::vector<int64_t>, Points> evicted_from;
        for (std::size_t d = 0; d < downs.size(); ++d) {
          std::vector<int64_t> group;
          for (std::size_t k = 0; k < down_fan.size(); ++k)
            if (!down_fan[k].per_value && relevant(o, down_fan[k].dim)) group.push_back(downs[d][k]);
          evicted_from[group].insert(held[{u, d}].begin(), held[{u, d}].end());
        }
        for (const auto& [g, pts] : evicted_from) c.level[parent][o].updates += pts.size();
      }
  }

  LevelNestCounts run() const {
    LevelNestCounts c;
    c.level.resize(nest.levels.size());
    for (int t = 0; t < kOperands; ++t) {
      const Operand o = static_cast<Operand>(t);
      std::vector<int> chain;
      for (std::size_t l = 0; l < nest.levels.size(); ++l)
        if (nest.levels[l].keeps[t]) chain.push_back(int(l));
      chain.push_back(int(nest.levels.size()));
      for (std::size_t j = 0; j + 1 < chain.size(); ++j) between(o, chain[j], chain[j + 1], c);
    }
    return c;
  }
};

LevelLoop L(int dim, int64_t f) { return {dim, f}; }

void same_counts(const LevelNest& n, const LoopBounds& b) {
  const LevelNestCounts got = count_level_accesses(n, b);
  const LevelNestCounts stepped = count_level_accesses(n, b, LevelCountMethod::Enumerate);
  const LevelNestCounts want = Reference{n, b}.run();
  for (std::size_t l = 0; l < n.levels.size(); ++l)
    for (int t = 0; t < kOperands; ++t) {
      INFO("closed form against stepping: level " << n.levels[l].name << ", " << tensor_name(static_cast<Tensor>(t)));
      CHECK(got.level[l].tensor[t].reads == stepped.level[l].tensor[t].reads);
      CHECK(got.level[l].tensor[t].fills == stepped.level[l].tensor[t].fills);
      CHECK(got.level[l].tensor[t].updates == stepped.level[l].tensor[t].updates);
      CHECK(got.level[l].tensor[t].drains == stepped.level[l].tensor[t].drains);
      CHECK(got.level[l].tensor[t].block == stepped.level[l].tensor[t].block);
    }
  for (std::size_t l = 0; l < n.levels.size(); ++l)
    for (int t = 0; t < kOperands; ++t) {
      if (!n.levels[l].keeps[t]) continue;
      INFO("level " << n.levels[l].name << ", " << tensor_name(static_cast<Tensor>(t)));
      CHECK(got.level[l].tensor[t].reads == want.level[l].tensor[t].reads);
      CHECK(got.level[l].tensor[t].fills == want.level[l].tensor[t].fills);
      CHECK(got.level[l].tensor[t].updates == want.level[l].tensor[t].updates);
    }
}

LoopBounds bounds(DimArray extent, int64_t H, int64_t W, int64_t stride, int64_t padding) {
  LoopBounds b;
  b.extent = extent;
  b.H = H;
  b.W = W;
  b.stride = stride;
  b.padding = padding;
  return b;
}

constexpr std::array<bool, 3> kAll{true, true, true};
constexpr std::array<bool, 3> kWeights{true, false, false};
constexpr std::array<bool, 3> kInputs{false, true, false};
constexpr std::array<bool, 3> kOutputs{false, false, true};
constexpr std::array<bool, 3> kNone{false, false, false};

}  // namespace

TEST_CASE("level analysis equals a point-by-point reference on a weight-stationary nest with registers",
          "[levels][analytic]") {
  // N1 G1 M8 C4 P6 Q6 R3 S3, padding 1: a 6x6 image.
  const LoopBounds b = bounds({1, 1, 8, 4, 6, 6, 3, 3}, 6, 6, 1, 1);
  LevelNest n;
  n.levels = {{"dram", kAll, {L(kQ, 2)}, {}},
              {"glb", kAll, {L(kS, 3), L(kP, 2), L(kM, 2)}, {L(kC, 2), L(kM, 2)}},
              {"spad", kWeights, {L(kR, 3), L(kQ, 3), L(kC, 2)}, {}},
              {"wreg", kWeights, {L(kP, 3), L(kM, 2)}, {}},
              {"ireg", kInputs, {}, {}},
              {"oreg", kOutputs, {}, {}}};
  same_counts(n, b);
}

TEST_CASE("level analysis equals a point-by-point reference on an output-stationary nest that bypasses the buffer",
          "[levels][analytic]") {
  const LoopBounds b = bounds({2, 1, 4, 3, 4, 4, 3, 3}, 4, 4, 1, 1);
  LevelNest n;
  n.levels = {{"dram", kAll, {L(kP, 2), L(kN, 2), L(kM, 2)}, {}},
              {"glb", kWeights, {L(kQ, 4), L(kR, 3)}, {}},
              {"noc", kNone, {}, {L(kM, 2), L(kS, 3)}},
              {"spad", {false, true, true}, {L(kC, 3), L(kP, 2)}, {}},
              {"oreg", kOutputs, {}, {}}};
  same_counts(n, b);
}

TEST_CASE("level analysis equals a point-by-point reference with spatial sliding windows and a strided layer",
          "[levels][analytic]") {
  // Row-stationary style: filter rows and output rows spread across PEs, so
  // neighbours share input rows (diagonal multicast) and reduce partial sums.
  const LoopBounds b = bounds({1, 1, 4, 2, 5, 5, 3, 3}, 11, 11, 2, 1);
  LevelNest n;
  n.levels = {{"dram", kAll, {L(kM, 2)}, {}},
              {"glb", kAll, {L(kC, 2), L(kQ, 5)}, {L(kR, 3), L(kP, 5)}},
              {"spad", kAll, {L(kM, 2), L(kS, 3)}, {}}};
  same_counts(n, b);
}

TEST_CASE("level analysis equals a point-by-point reference when the network multicasts per dimension",
          "[levels][analytic]") {
  // As above, but PEs whose windows coincide along a dimension the inputs
  // depend on each get their own read (Timeloop's default network).
  const LoopBounds b = bounds({1, 1, 4, 2, 5, 5, 3, 3}, 11, 11, 2, 1);
  LevelNest n;
  n.levels = {{"dram", kAll, {L(kM, 2)}, {}},
              {"glb", kAll, {L(kC, 2), L(kQ, 5)}, {L(kR, 3), L(kP, 5), L(kM, 2)}, false},
              {"spad", kAll, {L(kS, 3)}, {}}};
  same_counts(n, b);
  const LevelNestCounts per_dimension = count_level_accesses(n, b);
  n.levels[1].multicast_per_value = true;
  const LevelNestCounts per_value = count_level_accesses(n, b);
  CHECK(per_dimension.level[1][Operand::Inputs].reads > per_value.level[1][Operand::Inputs].reads);
  CHECK(per_dimension.level[1][Operand::Weights].reads == per_value.level[1][Operand::Weights].reads);
}

TEST_CASE("a level nest whose factors do not cover the layer is refused, naming the dimension", "[levels]") {
  const LoopBounds b = bounds({1, 1, 8, 4, 6, 6, 3, 3}, 6, 6, 1, 1);
  LevelNest n;
  n.levels = {{"dram", kAll, {L(kQ, 6), L(kP, 6), L(kM, 8), L(kC, 4), L(kR, 3)}, {}}};
  REQUIRE_THROWS_WITH(count_level_accesses(n, b), Catch::Contains("the factors of S multiply to 1") &&
                                                      Catch::Contains("layer's S is 3"));
}

// A nest that spreads the prime factors of every dimension of `extent` over 2
// to 4 levels' temporal loops and fan-outs at random, with random keeps (the
// outermost keeps all), loop orders and networks.
LevelNest random_nest(std::mt19937& rng, const DimArray& extent) {
  const auto pick = [&](std::initializer_list<int64_t> v) {
    return *(v.begin() + std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng));
  };
  LevelNest n;
  const int levels = static_cast<int>(pick({2, 3, 4}));
  n.levels.resize(levels);
  for (int l = 0; l < levels; ++l) {
    n.levels[l].name = "L" + std::to_string(l);
    for (int t = 0; t < kOperands; ++t) n.levels[l].keeps[t] = l == 0 || pick({0, 1}) == 1;
    n.levels[l].multicast_per_value = pick({0, 1}) == 1;
  }
  for (int d = 0; d < kDims; ++d) {
    int64_t rest = extent[d];
    for (int64_t f = 2; rest > 1;) {
      if (rest % f != 0) {
        ++f;
        continue;
      }
      rest /= f;
      StorageLevel& at = n.levels[std::uniform_int_distribution<int>(0, levels - 1)(rng)];
      auto& loops = pick({0, 1, 2}) == 0 ? at.spatial : at.temporal;  // a third of the factors fan out
      loops.insert(loops.begin() + std::uniform_int_distribution<std::size_t>(0, loops.size())(rng), L(d, f));
    }
  }
  return n;
}

std::string describe(const LevelNest& n) {
  std::string shape = "levels:";
  for (const StorageLevel& l : n.levels) {
    shape += " [" + l.name + " keeps " + std::to_string(l.keeps[0]) + std::to_string(l.keeps[1]) + std::to_string(l.keeps[2]);
    for (const LevelLoop& x : l.temporal) shape += " " + std::string(dim_name(x.dim)) + std::to_string(x.factor);
    shape += " |";
    for (const LevelLoop& x : l.spatial) shape += " " + std::string(dim_name(x.dim)) + std::to_string(x.factor);
    shape += l.multicast_per_value ? " per value]" : " per dimension]";
  }
  return shape;
}

TEST_CASE("level analysis equals the point-by-point reference on random nests", "[levels][analytic]") {
  // Fixed seed: the same 40 nests every run.
  std::mt19937 rng(20261202);
  const auto pick = [&](std::initializer_list<int64_t> v) {
    return *(v.begin() + std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng));
  };
  for (int trial = 0; trial < 40; ++trial) {
    const int64_t R = pick({1, 2, 3}), stride = pick({1, 2}), padding = R > 1 ? pick({0, 1}) : 0;
    const DimArray extent{pick({1, 2}), 1, pick({2, 4}), pick({1, 2, 3}), pick({2, 3, 4}), pick({2, 4}), R, pick({1, 3})};
    const int64_t H = (extent[kP] - 1) * stride + R - 2 * padding, W = (extent[kQ] - 1) * stride + extent[kS] - 2 * padding;
    const LoopBounds b = bounds(extent, H, W, stride, padding);
    const LevelNest n = random_nest(rng, extent);
    std::string shape = "extents";
    for (int d = 0; d < kDims; ++d) shape += " " + std::string(dim_name(d)) + std::to_string(extent[d]);
    shape += ", stride " + std::to_string(stride) + ", padding " + std::to_string(padding) + "; " + describe(n);
    INFO("trial " << trial << ": " << shape);
    same_counts(n, b);
  }
}

TEST_CASE("level analysis equals the point-by-point reference where PEs' windows partly overlap", "[levels][analytic]") {
  // Filter rows and output rows (or columns) always fan out together, so
  // neighbouring children slide over the same input rows: the case where a
  // multicast's union of children's windows is neither equal nor apart. 150
  // random nests around that fan-out, with random keeps, loop orders,
  // strides, padding and networks.
  std::mt19937 rng(8128);
  const auto pick = [&](std::initializer_list<int64_t> v) {
    return *(v.begin() + std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng));
  };
  for (int trial = 0; trial < 150; ++trial) {
    const int64_t R = pick({2, 3}), S = pick({1, 3}), stride = pick({1, 2}), padding = pick({0, 1});
    const DimArray extent{pick({1, 2}), 1, pick({2, 4}), pick({1, 2}), pick({4, 6}), pick({2, 3}), R, S};
    const int64_t H = (extent[kP] - 1) * stride + R - 2 * padding, W = (extent[kQ] - 1) * stride + S - 2 * padding;
    const LoopBounds b = bounds(extent, H, W, stride, padding);
    // The fan-out: all of R and a factor of P, then a random nest for the rest.
    DimArray rest = extent;
    const int64_t p_fan = extent[kP] % 3 == 0 && pick({0, 1}) ? 3 : 2;
    rest[kR] = 1;
    rest[kP] /= p_fan;
    LevelNest n = random_nest(rng, rest);
    const std::size_t at = static_cast<std::size_t>(std::uniform_int_distribution<int>(0, int(n.levels.size()) - 2)(rng));
    n.levels[at].spatial.push_back(L(kR, R));
    n.levels[at].spatial.push_back(L(kP, p_fan));
    INFO("trial " << trial << ": R" << R << " S" << S << " stride " << stride << " padding " << padding << "; "
                  << describe(n));
    same_counts(n, b);
  }
}

TEST_CASE("counts through a memo shared by many nests equal counts without one", "[levels][analytic]") {
  // A search keeps one memo of per-axis sums for all the nests of a layer
  // (closed_form_memo.h). 300 random nests over two layers, alternating so the
  // memo must also forget a layer when it meets the other (then 100 on one
  // layer, where it fills up): a key that left out
  // something a per-axis sum depends on would hand one nest another's sums.
  std::mt19937 rng(1202);
  const LoopBounds layers[] = {bounds({2, 1, 4, 6, 4, 4, 3, 3}, 4, 4, 1, 1), bounds({1, 1, 6, 4, 3, 6, 3, 1}, 5, 9, 2, 1)};
  ClosedFormMemo memo;
  for (int trial = 0; trial < 300; ++trial) {
    const LoopBounds& b = layers[trial % 2 == 0 || trial > 200 ? 0 : 1];
    const LevelNest n = random_nest(rng, b.extent);
    INFO("trial " << trial << ": " << describe(n));
    const LevelNestCounts plain = count_level_accesses(n, b);
    const LevelNestCounts memoized = count_level_accesses(n, b, LevelCountMethod::ClosedForm, &memo);
    for (std::size_t l = 0; l < n.levels.size(); ++l)
      for (int t = 0; t < kOperands; ++t) {
        INFO("level " << n.levels[l].name << ", " << tensor_name(static_cast<Tensor>(t)));
        CHECK(memoized.level[l].tensor[t].reads == plain.level[l].tensor[t].reads);
        CHECK(memoized.level[l].tensor[t].fills == plain.level[l].tensor[t].fills);
        CHECK(memoized.level[l].tensor[t].updates == plain.level[l].tensor[t].updates);
        CHECK(memoized.level[l].tensor[t].drains == plain.level[l].tensor[t].drains);
        CHECK(memoized.level[l].tensor[t].block == plain.level[l].tensor[t].block);
      }
  }
  CHECK(memo.size() > 0);
}
