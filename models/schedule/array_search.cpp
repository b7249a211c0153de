// The array mapper's search (see mapper.h for what it searches and how it
// ranks): the product of the candidates (array_candidates.h) and canonical
// loop orders, ranked by the closed-form estimate (array_estimate.h), with
// the front runners scored exactly on laid-out plans.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "schedule/array_candidates.h"
#include "schedule/array_estimate.h"
#include "schedule/im2col.h"
#include "schedule/search_support.h"

namespace qnnsim::search {

namespace {

constexpr std::array<int, kDims> kWeightsOuter{kG, kM, kN, kP, kQ, kC, kR, kS};
constexpr std::array<int, kDims> kInputsOuter{kN, kP, kQ, kG, kM, kC, kR, kS};
constexpr std::array<int, kDims> kOutputsStay{kN, kG, kM, kP, kQ, kC, kR, kS};
constexpr std::array<int, kDims> kWeightsStay{kG, kM, kC, kR, kS, kN, kP, kQ};

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

// Which of two exactly scored plans wins. The latency objective takes the
// lower latency outright (energy only breaks exact ties): a user asking for
// the fastest mapping gets it, never a slower one that saves energy.
bool exactly_better(const Estimate& a, const Estimate& b, Objective objective) {
  if (objective != Objective::Latency) return a.better_than(b, objective);
  if (a.figures.seconds != b.figures.seconds) return a.figures.seconds < b.figures.seconds;
  return a.better_than(b, Objective::Energy);
}

}  // namespace

Mapping search_array_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective) {
  const LoopBounds split = loop_bounds(l, batch);
  const BufferPartitions& parts = arch.glb->partitions();
  const std::array<bool, kDims> free_pe = free_pe_loops(arch.dataflow);

  uint64_t enumerated = 0;
  // Under the latency objective the EDP objective's front runners are scored
  // too, so the fastest plan found is never slower than the one EDP picks.
  std::vector<FrontRunners> fronts{FrontRunners(objective)};
  if (objective == Objective::Latency) fronts.emplace_back(Objective::Edp);
  double smallest_need = std::numeric_limits<double>::infinity();
  std::string smallest_parts;

  // Enumerates the mappings over bounds `b`: the reduction split into
  // factors of C, R and S, or flattened (im2col.h).
  const auto enumerate = [&](const LoopBounds& b, bool im2col) {
    const auto E = [&](int d) { return b.extent[static_cast<std::size_t>(d)]; };
    Estimator estimate(arch, l, b);
    // What each candidate of one PE factor takes, kept from one factor to the
    // next: most layers try thousands of tiles, and growing these afresh for
    // every factor cost more than filling them.
    struct Fitting {
      DimArray pe, glb;
      TileNeed need;
      CandidateShape shape;
      PlanScore bound;  // no order of this tile estimates below it
    };
    // A tile no loop order can bring into any front is not estimated. The
    // fronts only get harder to enter, so a tile refused once is refused for
    // good; leaving it out keeps the others' order, which breaks ties.
    const auto refused = [&](const PlanScore& bound) {
      return std::all_of(fronts.begin(), fronts.end(), [&](const FrontRunners& front) { return front.refuses_from(bound); });
    };
    std::vector<Fitting> fitting;
    std::array<std::vector<TileOption>, kDims> tile_opts;
    for (const auto& [rf, cf] : spatial_candidates(arch, b)) {
      DimArray sp{};
      for (int d = 0; d < kDims; ++d) sp[static_cast<std::size_t>(d)] = rf[static_cast<std::size_t>(d)] * cf[static_cast<std::size_t>(d)];
      const std::vector<DimArray> pes = pe_candidates(arch, l, b, rf, cf, free_pe);
      if (pes.empty()) {  // not even one pass fits: say how much the smallest needs
        const TileNeed need = tile_need(l, b, one_pass_tile(b, rf, cf, kOnes, free_pe), *arch.glb, *arch.pe_array);
        if (need.total() < smallest_need) {
          smallest_need = need.total();
          smallest_parts = need.parts();
        }
      }
      for (const DimArray& pf : pes) {
        // Per dimension, the tile extents to try: multiples of the pass extent.
        // Q, R and S tiles take the whole dimension (rows of the input stay whole).
        for (int d = 0; d < kDims; ++d) {
          const auto i = static_cast<std::size_t>(d);
          tile_opts[i].clear();
          const int64_t pass = std::min(E(d), (free_pe[i] ? 1 : pf[i]) * sp[i]);
          std::vector<int64_t> extents;
          if (d == kQ || d == kR || d == kS || arch.dataflow.whole[i]) {
            extents = {E(d)};
          } else {
            for (int64_t k : tile_ladder(ceil_div(E(d), pass))) {
              const int64_t tile = std::min(E(d), k * pass);
              // A flattened reduction's buffer tiles hold whole channels (im2col.h).
              if (d == kC && im2col && !whole_channel_tile(b, tile)) continue;
              extents.push_back(tile);
            }
          }
          for (int64_t tile : extents) {
            Mapping one;  // this dimension's factors, for dim_extents
            one.rows[i] = rf[i];
            one.cols[i] = cf[i];
            one.pe[i] = free_pe[i] ? ceil_div(tile, sp[i]) : pf[i];
            one.glb[i] = ceil_div(tile, std::min(E(d), one.pe[i] * sp[i]));
            TileOption o;
            o.tile = tile;
            o.pe = one.pe[i];
            o.glb = one.glb[i];
            o.extent = dim_extents(one, b, d).tile;
            o.pass = std::min(E(d), o.pe * sp[i]);
            o.tiles = ceil_div(E(d), tile);
            o.passes_per_tile = ceil_div(tile, o.pass);
            if (d == kP) o.input_values = estimate.input_values(tile);
            tile_opts[i].push_back(o);
          }
        }
        Mapping m;
        m.rows = rf;
        m.cols = cf;
        m.im2col = im2col;
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
        // The tiles that fit the buffer and the scratchpads, found once: the
        // loop orders below change neither. Options come smallest first in
        // every dimension, and a tile's need grows with each extent: once a
        // tile overflows, so does every tile larger in one more dimension.
        // `overflows_x` says the loops inside x overflowed at their smallest
        // options, so x's larger options are not tried. Skipped tiles need no
        // less than the one that overflowed, so the smallest need stays the same.
        fitting.clear();
        const auto first = [&](int d, const TileOption& o) {
          return &o == &tile_opts[static_cast<std::size_t>(d)].front();
        };
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
                  const TileNeed need = tile_need(l, b, extents, *arch.glb, *arch.pe_array);
                  if (!parts.fits(need.by_tensor())) {
                    if (need.total() < smallest_need) {
                      smallest_need = need.total();
                      smallest_parts = need.parts();
                    }
                    overflows_p = first(kP, op);
                    break;
                  }
                  // Free PE loops grew: check the scratchpads again.
                  if (m.pe != pf && !fits_scratchpads(arch, b, m.pe)) continue;
                  const CandidateShape shape = estimate.shape(m, chosen);
                  const PlanScore bound = estimate.lower_bound(shape, need);
                  if (!refused(bound)) fitting.push_back({m.pe, m.glb, need, shape, bound});
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
        for (const auto& dram_order : {kWeightsOuter, kInputsOuter})
          for (const auto& glb_order : {kOutputsStay, kWeightsStay}) {
            m.dram_order = dram_order;
            m.glb_order = glb_order;
            for (const Fitting& f : fitting) {
              if (refused(f.bound)) continue;
              m.pe = f.pe;
              m.glb = f.glb;
              const Estimate e = estimate(m, f.shape, f.need);
              for (FrontRunners& front : fronts) front.offer(e, m, enumerated);
              ++enumerated;
            }
          }
      }
    }
  };
  enumerate(split, false);
  // Flattened too when that fills the rows better than any split can, or
  // when no split fits at all (a flattened tile may hold fewer whole
  // channels); otherwise (C a multiple of the rows, say) the split's choice
  // stands and the search costs no more. Split candidates come first, so
  // ties keep them.
  if (im2col_allowed(arch, l)) {
    const LoopBounds flat = flatten_reduction(split);
    const auto fullest = [&](const LoopBounds& b) {
      double best = 0;
      for (const AxisChoice& c : axis_choices(b, arch.dataflow.rows, arch.pe_array->rows()))
        best = std::max(best, c.efficiency);
      return best;
    };
    if (fronts[0].empty() || fullest(flat) > fullest(split)) enumerate(flat, true);
  }
  // No candidate reached the buffer check: the array itself cannot take the layer.
  if (fronts[0].empty() && !std::isfinite(smallest_need))
    throw ConfigError(arch.pe_array->node().location(), arch.pe_array->node().path(),
                      fmt::format("layer '{}' ({}) has no mapping on a {}x{} array under {}: no unrolling meets the "
                                  "dataflow's constraints within the scratchpads (row stationary, for one, needs "
                                  "each filter's {} rows on the array's rows)",
                                  l.name, l.where.file, arch.pe_array->rows(), arch.pe_array->cols(),
                                  arch.dataflow.name, l.R));
  if (fronts[0].empty()) does_not_fit(arch, l, smallest_need, smallest_parts);

  // Score the front runners exactly on their laid-out plans, each once.
  std::vector<Mapping> scored;
  Mapping best = fronts[0].best_estimated();
  Estimate best_exact;
  for (FrontRunners& front : fronts)
    for (const Mapping& mapping : front.to_score()) {
      if (std::find(scored.begin(), scored.end(), mapping) != scored.end()) continue;
      scored.push_back(mapping);
      const Estimate exact = exact_estimate(arch, l, layout_array_layer(arch, l, batch, mapping));
      if (best_exact.tiles == 0 || exactly_better(exact, best_exact, objective)) {
        best_exact = exact;
        best = mapping;
      }
    }
  return best;
}

}  // namespace qnnsim::search
