// The array mapper's search (see mapper.h for what it searches and how it
// ranks): the product of the candidates (array_candidates.h) and canonical
// loop orders, ranked by the closed-form estimate (array_estimate.h), with
// the front runners scored exactly on laid-out plans.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "schedule/array_candidates.h"
#include "schedule/array_estimate.h"
#include "schedule/im2col.h"
#include "schedule/row_lanes.h"
#include "schedule/search_support.h"

namespace qnnsim::search {

namespace {

constexpr std::array<int, kDims> kWeightsOuter{kG, kM, kN, kP, kQ, kC, kR, kS};
constexpr std::array<int, kDims> kInputsOuter{kN, kP, kQ, kG, kM, kC, kR, kS};
constexpr std::array<int, kDims> kOutputsStay{kN, kG, kM, kP, kQ, kC, kR, kS};
constexpr std::array<int, kDims> kWeightsStay{kG, kM, kC, kR, kS, kN, kP, kQ};

// The loop orders each tile is estimated in, DRAM's and the buffer's.
constexpr std::array<std::pair<std::array<int, kDims>, std::array<int, kDims>>, 4> kLoopOrders{
    {{kWeightsOuter, kOutputsStay}, {kWeightsOuter, kWeightsStay}, {kInputsOuter, kOutputsStay}, {kInputsOuter, kWeightsStay}}};

// The loops of one level of more than one trip (`trips` per dimension),
// outermost first, as one number: each loop's dimension + 1, in base kDims + 1.
uint64_t level_sequence(const std::array<int, kDims>& order, const DimArray& trips) {
  uint64_t key = 0;
  for (int d : order)
    if (trips[static_cast<std::size_t>(d)] > 1) key = key * (kDims + 1) + static_cast<uint64_t>(d) + 1;
  return key;
}

// For each of kLoopOrders, the first order that makes the same nest of a
// tile. A loop of one trip is no loop: two orders whose loops of more trips
// come in the same sequence at both levels make the same nest, whose
// estimate is the same.
std::array<uint8_t, kLoopOrders.size()> same_nest_as(const CandidateShape& s) {
  // The orders pair two DRAM orders with two buffer orders (in kLoopOrders' order below).
  const uint64_t weights_outer = level_sequence(kWeightsOuter, s.tiles), inputs_outer = level_sequence(kInputsOuter, s.tiles);
  const uint64_t outputs_stay = level_sequence(kOutputsStay, s.ppt), weights_stay = level_sequence(kWeightsStay, s.ppt);
  const std::array<std::pair<uint64_t, uint64_t>, kLoopOrders.size()> keys{
      {{weights_outer, outputs_stay}, {weights_outer, weights_stay}, {inputs_outer, outputs_stay}, {inputs_outer, weights_stay}}};
  std::array<uint8_t, kLoopOrders.size()> first{};
  for (std::size_t k = 0; k < kLoopOrders.size(); ++k)
    first[k] = static_cast<uint8_t>(std::find(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(k), keys[k]) - keys.begin());
  return first;
}

constexpr std::size_t kExactlyScored = 8;
constexpr std::size_t kMostScored = 24;
constexpr int64_t kMostTilesScored = 1 << 16;

using Candidate = std::pair<Estimate, Mapping>;

// The candidates worth scoring exactly under one objective: the best
// kMostScored by the estimate, ties broken by less DRAM traffic, then by the
// order of enumeration (so the search is deterministic).
class FrontRunners {
 public:
  explicit FrontRunners(Objective objective) : objective_(objective) {}

  void offer(const Estimate& e, const Mapping& m, uint64_t id) {
    // A full heap keeps only candidates better than its worst.
    if (heap_.size() == kMostScored && !before(e, id, heap_.front().first.first, heap_.front().second)) return;
    heap_.push_back({{e, m}, id});
    std::push_heap(heap_.begin(), heap_.end(), by_estimate());
    if (heap_.size() > kMostScored) {
      std::pop_heap(heap_.begin(), heap_.end(), by_estimate());
      heap_.pop_back();
    }
  }
  bool empty() const { return heap_.empty(); }

  // Whether every candidate scoring no less than `bound` would be turned
  // away: the heap is full and its worst scores below the bound. Ties are
  // not turned away here (offer breaks them by DRAM traffic and order).
  bool refuses_from(const PlanScore& bound) const {
    return heap_.size() == kMostScored && bound.value(objective_) > heap_.front().first.first.score(objective_);
  }

  // Calls visit(id, mapping) for each candidate held, in no particular order.
  template <class Visit>
  void each(Visit&& visit) const {
    for (const Entry& e : heap_) visit(e.second, e.first.second);
  }

  // The best by the estimate alone (for a layer whose every front runner is
  // too large to lay out and score exactly).
  const Mapping& best_estimated() const {
    return std::min_element(heap_.begin(), heap_.end(), by_estimate())->first.second;
  }

  // Best first: the best kExactlyScored by the estimate, and any other within
  // 1% of the best, leaving out plans too large to lay out.
  std::vector<Mapping> to_score() {
    std::sort_heap(heap_.begin(), heap_.end(), by_estimate());
    std::vector<Mapping> out;
    if (heap_.empty()) return out;
    const double best = heap_.front().first.first.score(objective_);
    for (std::size_t i = 0; i < heap_.size(); ++i) {
      const Estimate& e = heap_[i].first.first;
      if (i >= kExactlyScored && e.score(objective_) > 1.01 * best) break;
      if (e.tiles <= kMostTilesScored) out.push_back(heap_[i].first.second);
    }
    return out;
  }

 private:
  using Entry = std::pair<Candidate, uint64_t>;
  bool before(const Estimate& a, uint64_t a_id, const Estimate& c, uint64_t c_id) const {
    const double x = a.score(objective_), y = c.score(objective_);
    if (x != y) return x < y;
    if (a.dram_bits != c.dram_bits) return a.dram_bits < c.dram_bits;
    return a_id < c_id;
  }
  bool before(const Entry& a, const Entry& c) const { return before(a.first.first, a.second, c.first.first, c.second); }
  struct ByEstimate {
    const FrontRunners* self;
    bool operator()(const Entry& a, const Entry& c) const { return self->before(a, c); }
  };
  ByEstimate by_estimate() const { return {this}; }

  Objective objective_;
  std::vector<Entry> heap_;
};

// Sets dimension d of `m` to buffer tiles of `tile`: the PE factor takes the
// tile where the PE loop is free (pe_factor 0), else stays `pe_factor`, and
// the buffer factor counts the passes. `m`'s rows and columns must be set.
void set_tile(Mapping& m, const LoopBounds& b, int d, int64_t tile, int64_t pe_factor) {
  const auto i = static_cast<std::size_t>(d);
  const int64_t spatial = m.rows[i] * m.cols[i];
  m.pe[i] = pe_factor == 0 ? ceil_div(tile, spatial) : pe_factor;
  m.glb[i] = ceil_div(tile, std::min(b.extent[i], m.pe[i] * spatial));
}

// The option dimension d of `m` takes: its tile, pass, trip counts and (for
// P) the input values its tiles read.
TileOption tile_option(const Mapping& m, const LoopBounds& b, int d, const Estimator& estimate) {
  const auto i = static_cast<std::size_t>(d);
  const DimExtents e = dim_extents(m, b, d);
  TileOption o;
  o.tile = e.tile;
  o.pe = m.pe[i];
  o.glb = m.glb[i];
  o.extent = e.tile;
  o.pass = e.pass;
  o.tiles = ceil_div(e.dim, e.tile);
  o.passes_per_tile = ceil_div(e.tile, e.pass);
  if (d == kP) o.input_values = estimate.input_values(e.tile);
  return o;
}

// Which of two exactly scored plans wins. The latency objective takes the
// lower latency outright (energy only breaks exact ties): a user asking for
// the fastest mapping gets it, never a slower one that saves energy.
bool exactly_better(const Estimate& a, const Estimate& b, Objective objective) {
  if (objective != Objective::Latency) return a.better_than(b, objective);
  if (a.figures.seconds != b.figures.seconds) return a.figures.seconds < b.figures.seconds;
  return a.better_than(b, Objective::Energy);
}

// Which batch tiles one try_factor call tries: the fewest images a pass
// takes and the whole batch, or the tiles in between.
enum class BatchTiles { Extremes, Between };

// One layer's search, in two stages, so that its cost grows far less with
// the batch (issue 19). The batch tile is the one extent whose ladder
// lengthens with the batch. The search rests on the unrollings and PE
// factors that lead at the two ends of that ladder (one image a tile; the
// whole batch, as fully connected layers want) being the ones that are best
// at the tiles in between, where most layers' best tiles lie. The first
// stage ranks every unrolling, PE factor, tile and loop order at those two
// batch tiles; the second tries the tiles in between, with every loop order
// again, on just the unrollings and PE factors the front runners came from
// and, along the other dimensions, the tile extents they chose. Its
// candidates take ids after the first stage's, so exact ties go to the
// ends. At batch 1 neither stage tries more than one batch tile, and the
// search is the one it was.
class ArraySearch {
 public:
  ArraySearch(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective)
      : arch_(arch), l_(l), batch_(batch), objective_(objective), split_(loop_bounds(l, batch)),
        parts_(arch.glb->partitions()), free_pe_(free_pe_loops(arch.dataflow)) {
    fronts_.emplace_back(objective);
    // Under the latency objective the EDP and energy objectives' front
    // runners are scored too, so the fastest plan found is never slower than
    // the one either of them picks.
    if (objective == Objective::Latency) {
      fronts_.emplace_back(Objective::Edp);
      fronts_.emplace_back(Objective::Energy);
    }
  }

  Mapping run();

 private:
  // What one try_factor call was given (an unrolling and PE factor), and
  // the ids of the candidates it offered: [first_id, end_id).
  struct Factor {
    bool im2col = false;
    DimArray rows{}, cols{}, pe{};
    uint64_t first_id = 0, end_id = 0;
    // The second stage's tile extents per dimension other than N: those of
    // the front runners this factor offered (empty in the first stage: all).
    std::array<std::vector<int64_t>, kDims> lead_extents{};
  };

  void enumerate(const LoopBounds& b, bool im2col);
  void try_factor(Estimator& estimate, const LoopBounds& b, Factor& factor, BatchTiles batch_tiles);
  void widen_batch_tiles();
  // A tile no loop order can bring into any front is not estimated. The
  // fronts only get harder to enter, so a tile refused once is refused for
  // good; leaving it out keeps the others' order, which breaks ties.
  bool refused(const PlanScore& bound) const {
    return std::all_of(fronts_.begin(), fronts_.end(), [&](const FrontRunners& front) { return front.refuses_from(bound); });
  }
  void note_need(const TileNeed& need) {
    if (need.total() < smallest_need_) {
      smallest_need_ = need.total();
      smallest_parts_ = need.parts();
    }
  }

  const ArchSpec& arch_;
  const Layer& l_;
  int64_t batch_;
  Objective objective_;
  LoopBounds split_;
  const BufferPartitions& parts_;
  std::array<bool, kDims> free_pe_;
  std::vector<FrontRunners> fronts_;
  std::vector<Factor> factors_;  // in the order the first stage tried them
  // What each tile that fits takes, found once: the loop orders change none
  // of it. Kept from one factor to the next (as are the tile options): most
  // layers try thousands of tiles, and growing these afresh for every factor
  // cost more than filling them.
  struct Fitting {
    DimArray pe, glb;
    TileNeed need;
    CandidateShape shape;
    PlanScore bound;  // no order of this tile estimates below it
    std::array<uint8_t, kLoopOrders.size()> same_nest_as;  // see same_nest_as()
    std::array<Refetches, kLoopOrders.size()> refetches;   // by loop order, the first of each nest's
    std::array<Estimate, kLoopOrders.size()> estimates;    // by loop order, as they are made
    unsigned estimated = 0;                                // bit k: estimates[k] is made
  };
  // Adds the tile to fitting_, unless no loop order of it could enter a front.
  void add_fitting(const Estimator& estimate, const Mapping& m, const TileNeed& need, const CandidateShape& shape);
  std::vector<Fitting> fitting_;
  std::array<std::vector<TileOption>, kDims> tile_opts_;
  uint64_t enumerated_ = 0;
  double smallest_need_ = std::numeric_limits<double>::infinity();
  std::string smallest_parts_;
};

// Enumerates the mappings over bounds `b`: the reduction split into factors
// of C, R and S, or flattened (im2col.h).
void ArraySearch::enumerate(const LoopBounds& b, bool im2col) {
  Estimator estimate(arch_, l_, b);
  for (const auto& [rf, cf] : spatial_candidates(arch_, b, l_.precision)) {
    const std::vector<DimArray> pes = pe_candidates(arch_, l_, b, rf, cf, free_pe_);
    if (pes.empty())  // not even one pass fits: say how much the smallest needs
      note_need(tile_need(l_, b, one_pass_tile(b, rf, cf, kOnes, free_pe_), *arch_.glb, *arch_.pe_array));
    for (const DimArray& pf : pes) {
      Factor factor;
      factor.im2col = im2col;
      factor.rows = rf;
      factor.cols = cf;
      factor.pe = pf;
      try_factor(estimate, b, factor, BatchTiles::Extremes);
      factors_.push_back(factor);
    }
  }
}

void ArraySearch::try_factor(Estimator& estimate, const LoopBounds& b, Factor& factor, BatchTiles batch_tiles) {
  const auto E = [&](int d) { return b.extent[static_cast<std::size_t>(d)]; };
  const DimArray& rf = factor.rows;
  const DimArray& cf = factor.cols;
  const DimArray& pf = factor.pe;
  DimArray sp{};
  for (int d = 0; d < kDims; ++d) sp[static_cast<std::size_t>(d)] = rf[static_cast<std::size_t>(d)] * cf[static_cast<std::size_t>(d)];
  // Per dimension, the tile extents to try: multiples of the pass extent.
  // Q, R and S tiles take the whole dimension (rows of the input stay whole).
  std::array<std::vector<TileOption>, kDims>& tile_opts = tile_opts_;
  for (int d = 0; d < kDims; ++d) {
    const auto i = static_cast<std::size_t>(d);
    tile_opts[i].clear();
    const int64_t pass = std::min(E(d), (free_pe_[i] ? 1 : pf[i]) * sp[i]);
    std::vector<int64_t> extents;
    if (d == kQ || d == kR || d == kS || arch_.dataflow.whole[i]) {
      extents = {E(d)};
    } else {
      for (int64_t k : tile_ladder(ceil_div(E(d), pass))) {
        const int64_t tile = std::min(E(d), k * pass);
        // A flattened reduction's buffer tiles hold whole channels (im2col.h).
        if (d == kC && factor.im2col && !whole_channel_tile(b, tile)) continue;
        extents.push_back(tile);
      }
      // The batch: its extremes first, the tiles between in the second stage.
      if (d == kN) {
        if (batch_tiles == BatchTiles::Extremes) {
          if (extents.size() > 2) extents = {extents.front(), extents.back()};
        } else {
          if (extents.size() <= 2) return;  // nothing between the ends
          extents = std::vector<int64_t>(extents.begin() + 1, extents.end() - 1);
        }
      }
    }
    const std::vector<int64_t>& leads = factor.lead_extents[i];
    for (int64_t tile : extents) {
      Mapping one;  // this dimension's factors, for dim_extents
      one.rows[i] = rf[i];
      one.cols[i] = cf[i];
      set_tile(one, b, d, tile, free_pe_[i] ? 0 : pf[i]);
      const TileOption o = tile_option(one, b, d, estimate);
      if (d != kN && !leads.empty() && std::find(leads.begin(), leads.end(), o.extent) == leads.end()) continue;
      tile_opts[i].push_back(o);
    }
  }
  factor.first_id = enumerated_;
  Mapping m;
  m.rows = rf;
  m.cols = cf;
  m.im2col = factor.im2col;
  std::array<const TileOption*, kDims> chosen{};
  DimArray extents{};
  const auto take = [&](int d, const TileOption& o) {
    const auto i = static_cast<std::size_t>(d);
    chosen[i] = &o;
    m.pe[i] = o.pe;
    m.glb[i] = o.glb;
    extents[i] = o.extent;
  };
  for (int d : {kQ, kR, kS}) take(d, tile_opts[static_cast<std::size_t>(d)].front());
  std::vector<Fitting>& fitting = fitting_;
  fitting.clear();
  // Options come smallest first in every dimension, and a tile's need grows
  // with each extent: once a tile overflows, so does every tile larger in
  // one more dimension. `overflows_x` says the loops inside x overflowed at
  // their smallest options, so x's larger options are not tried. Skipped
  // tiles need no less than the one that overflowed, so the smallest need
  // stays the same.
  const auto first = [&](int d, const TileOption& o) { return &o == &tile_opts[static_cast<std::size_t>(d)].front(); };
  for (const TileOption& on : tile_opts[kN]) {
    take(kN, on);
    bool overflows_g = false;
    for (const TileOption& og : tile_opts[kG]) {
      take(kG, og);
      bool overflows_m = false;
      for (const TileOption& om : tile_opts[kM]) {
        take(kM, om);
        bool overflows_c = false;
        for (const TileOption& oc : tile_opts[kC]) {
          take(kC, oc);
          bool overflows_p = false;
          for (const TileOption& op : tile_opts[kP]) {
            take(kP, op);
            const TileNeed need = tile_need(l_, b, extents, *arch_.glb, *arch_.pe_array);
            if (!parts_.fits(need.by_tensor())) {
              note_need(need);
              overflows_p = first(kP, op);
              break;
            }
            // Free PE loops grew: check the scratchpads again.
            if (m.pe != pf && !fits_scratchpads(arch_, b, m.pe)) continue;
            const CandidateShape shape = estimate.shape(m, chosen);
            add_fitting(estimate, m, need, shape);
          }
          if (overflows_p) {
            overflows_c = first(kC, oc);
            break;
          }
        }
        if (overflows_c) {
          overflows_m = first(kM, om);
          break;
        }
      }
      if (overflows_m) {
        overflows_g = first(kG, og);
        break;
      }
    }
    if (overflows_g) break;
  }
  // An order that makes the same nest as one before it takes that one's
  // estimate. (It is still offered: as a mapping it differs, and the front
  // runners are what they were.)
  for (std::size_t k = 0; k < kLoopOrders.size(); ++k) {
    m.dram_order = kLoopOrders[k].first;
    m.glb_order = kLoopOrders[k].second;
    for (Fitting& f : fitting) {
      if (refused(f.bound)) continue;
      m.pe = f.pe;
      m.glb = f.glb;
      // The nest's estimate, made the first time one of its orders is asked.
      const std::size_t same = f.same_nest_as[k];
      if (!(f.estimated & (1u << same))) f.estimates[same] = estimate.with_refetches(f.shape, f.need, f.refetches[same]);
      f.estimated |= 1u << same;
      const Estimate& e = f.estimates[same];
      for (FrontRunners& front : fronts_) front.offer(e, m, enumerated_);
      ++enumerated_;
    }
  }
  factor.end_id = enumerated_;
}

void ArraySearch::add_fitting(const Estimator& estimate, const Mapping& m, const TileNeed& need,
                              const CandidateShape& shape) {
  // First the bound every order meets (each tensor fetched once, but what
  // streams into the PEs), which is cheap; then, for the tiles it leaves,
  // the tighter one of the orders tried: their least refetch factors.
  const PlanScore loose = estimate.lower_bound(shape, need);
  if (refused(loose)) return;
  Fitting& f = fitting_.emplace_back();
  f.pe = m.pe;
  f.glb = m.glb;
  f.need = need;
  f.shape = shape;
  f.same_nest_as = same_nest_as(shape);
  f.estimated = 0;
  Refetches least;
  for (std::size_t k = 0; k < kLoopOrders.size(); ++k) {
    if (f.same_nest_as[k] != k) continue;
    f.refetches[k] = estimate.refetches(kLoopOrders[k].first, kLoopOrders[k].second, shape);
    least = k == 0 ? f.refetches[k] : least.least(f.refetches[k]);
  }
  const Estimate bound = estimate.with_refetches(shape, need, least);
  f.bound = bound.figures;
  if (refused(f.bound)) {
    fitting_.pop_back();
    return;
  }
  // Where one order's factors are the least (one nest, say), the bound is
  // that order's estimate.
  for (std::size_t k = 0; k < kLoopOrders.size(); ++k)
    if (f.same_nest_as[k] == k && f.refetches[k] == least) {
      f.estimates[k] = bound;
      f.estimated |= 1u << k;
      break;
    }
}

// The second stage: the batch tiles between the extremes, on the unrollings
// and PE factors the front runners came from, in the order the first stage
// tried them.
void ArraySearch::widen_batch_tiles() {
  constexpr auto n = static_cast<std::size_t>(kN);
  if (split_.extent[n] == 1 || arch_.dataflow.whole[n]) return;
  const LoopBounds flat = flatten_reduction(split_);
  std::vector<bool> leads(factors_.size(), false);
  std::vector<Factor> widened = factors_;
  for (const FrontRunners& front : fronts_)
    front.each([&](uint64_t id, const Mapping& m) {
      // Ids rise with the factors (each offered a contiguous run of them).
      const auto it = std::upper_bound(factors_.begin(), factors_.end(), id,
                                       [](uint64_t x, const Factor& f) { return x < f.end_id; });
      if (it == factors_.end() || id < it->first_id) return;
      const auto k = static_cast<std::size_t>(it - factors_.begin());
      leads[k] = true;
      // The tiles it leads with, along every dimension but the batch.
      for (int d = 0; d < kDims; ++d) {
        std::vector<int64_t>& x = widened[k].lead_extents[static_cast<std::size_t>(d)];
        const int64_t e = dim_extents(m, it->im2col ? flat : split_, d).tile;
        if (std::find(x.begin(), x.end(), e) == x.end()) x.push_back(e);
      }
    });
  std::optional<Estimator> split_estimate, flat_estimate;
  for (std::size_t k = 0; k < factors_.size(); ++k) {
    if (!leads[k]) continue;
    Factor factor = widened[k];
    const LoopBounds& b = factor.im2col ? flat : split_;
    std::optional<Estimator>& estimate = factor.im2col ? flat_estimate : split_estimate;
    if (!estimate) estimate.emplace(arch_, l_, b);
    try_factor(*estimate, b, factor, BatchTiles::Between);
  }
}

Mapping ArraySearch::run() {
  enumerate(split_, false);
  // Flattened too when that fills the rows better than any split can, or
  // when no split fits at all (a flattened tile may hold fewer whole
  // channels); otherwise (C a multiple of the rows, say) the split's choice
  // stands and the search costs no more. Split candidates come first, so
  // ties keep them.
  if (im2col_allowed(arch_, l_)) {
    const LoopBounds flat = flatten_reduction(split_);
    const auto fullest = [&](const LoopBounds& b) {
      double best = 0;
      const RowAxis rows = row_axis(arch_, l_.precision);
      for (const AxisChoice& c : axis_choices(b, rows.allowed, rows.size))
        best = std::max(best, c.efficiency);
      return best;
    };
    if (fronts_[0].empty() || fullest(flat) > fullest(split_)) enumerate(flat, true);
  }
  widen_batch_tiles();
  // No candidate reached the buffer check: the array itself cannot take the layer.
  if (fronts_[0].empty() && !std::isfinite(smallest_need_))
    throw ConfigError(arch_.pe_array->node().location(), arch_.pe_array->node().path(),
                      fmt::format("layer '{}' ({}) has no mapping on a {}x{} array under {}: no unrolling meets the "
                                  "dataflow's constraints within the scratchpads (row stationary, for one, needs "
                                  "each filter's {} rows on the array's rows)",
                                  l_.name, l_.where.file, arch_.pe_array->rows(), arch_.pe_array->cols(),
                                  arch_.dataflow.name, l_.R));
  if (fronts_[0].empty()) does_not_fit(arch_, l_, smallest_need_, smallest_parts_);

  // Score the front runners exactly on their laid-out plans, each once.
  std::vector<Mapping> scored;
  Mapping best = fronts_[0].best_estimated();
  Estimate best_exact;
  for (FrontRunners& front : fronts_)
    for (const Mapping& mapping : front.to_score()) {
      if (std::find(scored.begin(), scored.end(), mapping) != scored.end()) continue;
      scored.push_back(mapping);
      const Estimate exact = exact_estimate(arch_, l_, layout_array_layer(arch_, l_, batch_, mapping, false));
      if (best_exact.tiles == 0 || exactly_better(exact, best_exact, objective_)) {
        best_exact = exact;
        best = mapping;
      }
    }
  return best;
}

}  // namespace

Mapping search_array_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective) {
  return ArraySearch(arch, l, batch, objective).run();
}

}  // namespace qnnsim::search
