// The array mapper's search (see mapper.h for what it searches and how it
// ranks): spatial unrollings, PE loop factors that fit the scratchpads, buffer
// tiles and canonical loop orders, ranked by a closed-form estimate, with the
// front runners scored exactly on laid-out plans.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "schedule/im2col.h"
#include "schedule/psum_holding.h"
#include "schedule/search_support.h"

namespace qnnsim::search {

namespace {

constexpr std::size_t kSpatialCandidates = 6;     // row x column unrollings searched
constexpr std::size_t kMostWorkPeCandidates = 2;  // PE factor sets with most work, beside the smallest

// A spatial unrolling of one axis: up to two dimensions the dataflow allows
// on it, with how much of the axis and of the dimensions it uses.
struct AxisChoice {
  DimArray f = kOnes;
  double efficiency = 0;
  unsigned dims = 0;  // bit set of the unrolled dimensions
};

// For every set of at most two dimensions the axis allows, the unrolling
// that uses the axis best; and leaving the axis unused. One per set keeps the
// candidates diverse: which dimensions go in space decides the reuse, not
// only how full the array is.
std::vector<AxisChoice> axis_choices(const LoopBounds& b, const std::array<bool, kDims>& allowed, int64_t size) {
  std::map<unsigned, AxisChoice> best;
  best[0] = {kOnes, 1.0 / static_cast<double>(size), 0};
  const auto consider = [&](const DimArray& f) {
    double e = 1.0;
    int64_t used = 1;
    unsigned dims = 0;
    for (int d = 0; d < kDims; ++d) {
      const int64_t D = b.extent[static_cast<std::size_t>(d)], x = f[static_cast<std::size_t>(d)];
      e *= static_cast<double>(D) / static_cast<double>(ceil_div(D, x) * x);
      used *= x;
      if (x > 1) dims |= 1u << d;
    }
    e *= static_cast<double>(used) / static_cast<double>(size);
    auto it = best.find(dims);
    if (it == best.end() || e > it->second.efficiency) best[dims] = {f, e, dims};
  };
  for (int d1 = 0; d1 < kDims; ++d1) {
    if (!allowed[static_cast<std::size_t>(d1)]) continue;
    for (int64_t f1 = 2; f1 <= std::min(size, b.extent[static_cast<std::size_t>(d1)]); ++f1) {
      DimArray f = kOnes;
      f[static_cast<std::size_t>(d1)] = f1;
      consider(f);
      for (int d2 = d1 + 1; d2 < kDims; ++d2) {
        if (!allowed[static_cast<std::size_t>(d2)]) continue;
        for (int64_t f2 = 2; f2 * f1 <= size && f2 <= b.extent[static_cast<std::size_t>(d2)]; ++f2) {
          DimArray g = f;
          g[static_cast<std::size_t>(d2)] = f2;
          consider(g);
        }
      }
    }
  }
  std::vector<AxisChoice> out;
  for (const auto& [dims, c] : best) out.push_back(c);
  return out;
}

// Row and column unrollings that share no dimension, the fullest arrays first.
std::vector<std::pair<DimArray, DimArray>> spatial_candidates(const ArchSpec& arch, const LoopBounds& b) {
  const Dataflow& flow = arch.dataflow;
  const auto rc = axis_choices(b, flow.rows, arch.pe_array->rows());
  const auto cc = axis_choices(b, flow.cols, arch.pe_array->cols());
  std::vector<std::pair<double, std::pair<DimArray, DimArray>>> pairs;
  for (const auto& r : rc)
    for (const auto& c : cc) {
      if ((r.dims & c.dims) != 0) continue;
      // Whole dimensions that cannot loop in a PE must be all in space.
      bool whole = true;
      for (int d = 0; d < kDims; ++d) {
        const auto i = static_cast<std::size_t>(d);
        if (!flow.pe[i] && !flow.covers_whole(d, b.extent[i], r.f[i] * c.f[i], arch.pe_array->rows(), arch.pe_array->cols()))
          whole = false;
      }
      if (whole) pairs.push_back({r.efficiency * c.efficiency, {r.f, c.f}});
    }
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& c) { return a.first > c.first; });
  std::vector<std::pair<DimArray, DimArray>> out;
  for (std::size_t i = 0; i < pairs.size() && i < kSpatialCandidates; ++i) out.push_back(pairs[i].second);
  return out;
}

// A PE loop is free when no kept tensor's scratchpad space depends on it:
// the PE then takes the whole tile's extent (more passes could only refetch more).
std::array<bool, kDims> free_pe_loops(const Dataflow& flow) {
  std::array<bool, kDims> free_pe{};
  for (int d = 0; d < kDims; ++d) {
    bool f = flow.pe[static_cast<std::size_t>(d)];
    for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
      if (flow.keeps(o) && relevant(o, d) && d != flow.slide) f = false;
    if (is_reduction(d) && !flow.keeps(Operand::Outputs)) f = false;
    free_pe[static_cast<std::size_t>(d)] = f;
  }
  return free_pe;
}

bool fits_scratchpads(const ArchSpec& arch, const LoopBounds& b, const DimArray& pe) {
  const Dataflow& flow = arch.dataflow;
  for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
    if (flow.keeps(o) && pe_need(o, b, pe, flow.slide) > arch.pe_array->spad_capacity(o)) return false;
  return true;
}

// Tile sizes to try, in units of passes: the block sizes of n (see
// block_sizes), thinned to a geometric ladder (each at least 15% above the
// last) except that exact divisors of n are always kept. The estimate
// changes smoothly between neighbouring sizes; divisors leave no partial
// edge tile, which is where the cost jumps.
std::vector<int64_t> tile_ladder(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t s : block_sizes(n))
    if (out.empty() || n % s == 0 || static_cast<double>(s) >= 1.15 * static_cast<double>(out.back())) out.push_back(s);
  return out;
}

// A mapping of the given spatial and PE factors whose buffer tile is a single pass.
Mapping one_pass_tile(const LoopBounds& b, const DimArray& rows, const DimArray& cols, const DimArray& pe,
                      const std::array<bool, kDims>& free_pe) {
  Mapping m;
  m.rows = rows;
  m.cols = cols;
  for (int d = 0; d < kDims; ++d) {
    const auto i = static_cast<std::size_t>(d);
    m.pe[i] = free_pe[i] ? 1 : pe[i];
    // Q, R and S tiles take the whole dimension (rows of the input stay whole).
    if (d == kQ || d == kR || d == kS) m.glb[i] = ceil_div(b.extent[i], std::min(b.extent[i], m.pe[i] * rows[i] * cols[i]));
  }
  return m;
}

// PE factors of the constrained PE loops that fit the scratchpads, and whose
// smallest buffer tile (one pass) fits the buffer: the few with most work in
// the PEs (most reuse there), and the one with least (the smallest passes, so
// the smallest tiles, for a tight buffer).
std::vector<DimArray> pe_candidates(const ArchSpec& arch, const Layer& l, const LoopBounds& b, const DimArray& rows,
                                    const DimArray& cols, const std::array<bool, kDims>& free_pe) {
  DimArray spatial{};
  for (int d = 0; d < kDims; ++d) spatial[static_cast<std::size_t>(d)] = rows[static_cast<std::size_t>(d)] * cols[static_cast<std::size_t>(d)];
  const Dataflow& flow = arch.dataflow;
  std::vector<DimArray> pes{kOnes};
  for (int d = 0; d < kDims; ++d) {
    const auto i = static_cast<std::size_t>(d);
    if (!flow.pe[i] || free_pe[i]) continue;
    std::vector<DimArray> next;
    for (const DimArray& base : pes)
      for (int64_t f : block_sizes(ceil_div(b.extent[i], spatial[i]))) {
        // a whole dimension split over more passes than it needs
        if (!flow.covers_whole(d, b.extent[i], f * spatial[i], arch.pe_array->rows(), arch.pe_array->cols())) continue;
        DimArray x = base;
        x[i] = f;
        if (fits_scratchpads(arch, b, x)) next.push_back(x);
      }
    pes.swap(next);
  }
  const auto work = [](const DimArray& x) {
    int64_t w = 1;
    for (int64_t v : x) w *= v;
    return w;
  };
  const BufferPartitions& parts = arch.glb->partitions();
  pes.erase(std::remove_if(pes.begin(), pes.end(),
                           [&](const DimArray& x) {
                             return !parts.fits(
                                 tile_need(l, b, one_pass_tile(b, rows, cols, x, free_pe), *arch.glb, *arch.pe_array).by_tensor());
                           }),
            pes.end());
  std::stable_sort(pes.begin(), pes.end(), [&](const DimArray& a, const DimArray& c) { return work(a) > work(c); });
  if (pes.size() > kMostWorkPeCandidates + 1) {
    pes[kMostWorkPeCandidates] = pes.back();
    pes.resize(kMostWorkPeCandidates + 1);
  }
  return pes;
}

constexpr std::array<int, kDims> kWeightsOuter{kG, kM, kN, kP, kQ, kC, kR, kS};
constexpr std::array<int, kDims> kInputsOuter{kN, kP, kQ, kG, kM, kC, kR, kS};
constexpr std::array<int, kDims> kOutputsStay{kN, kG, kM, kP, kQ, kC, kR, kS};
constexpr std::array<int, kDims> kWeightsStay{kG, kM, kC, kR, kS, kN, kP, kQ};

constexpr std::size_t kExactlyScored = 8;
constexpr std::size_t kMostScored = 24;
constexpr int64_t kMostTilesScored = 1 << 16;

// One tile extent to try in one dimension, with what a candidate taking it
// sets in its mapping (PE and buffer factors) and what the buffer check and
// the estimate read: the same figures the mapping gives (dim_extents), worked
// out once per option instead of once per candidate.
struct TileOption {
  int64_t tile = 1;             // the extent searched
  int64_t pe = 1, glb = 1;      // the mapping's factors
  int64_t extent = 1;           // dim_extents(...).tile: what the buffer holds
  int64_t pass = 1;             // one pass's extent
  int64_t tiles = 1;            // DRAM-level trip count
  int64_t passes_per_tile = 1;  // buffer-level trip count
  double input_values = 0;      // P only: input values tiles of this many rows read (Estimator::input_values)
};

// The closed-form estimate of one candidate: DRAM traffic by the static
// reuse of the DRAM loops, network traffic by that of the buffer loops (kept
// tensors) or every pass (streamed ones), and compute from full passes.
class Estimator {
 public:
  Estimator(const ArchSpec& arch, const Layer& l, const LoopBounds& b) : arch_(arch), l_(l), b_(b) {
    const LayerPrecision& p = l.precision;
    bw_ = arch.dram->bandwidth_bits_per_s();
    period_ = arch.tech.period_s();
    e_dram_ = arch.dram->action_energy_pj({"dram", "read_bits", 0});
    e_glb_bit_ = arch.glb->action_energy_pj({arch.glb->instance(), "read", 0}) / static_cast<double>(arch.glb->width_bits());
    e_noc_ = arch.noc->action_energy_pj({"noc", "sent_bits", 0});
    w_total_ = static_cast<double>(E(kG) * E(kM) * E(kC) * E(kR) * E(kS));
    o_total_ = static_cast<double>(E(kN) * E(kG) * E(kM) * E(kP) * E(kQ));
    in_ratio_ = activation_ratio(arch, p.inputs.bits, p.inputs.density);
    out_dram_ = o_total_ * p.outputs.bits * activation_ratio(arch, p.outputs.bits, p.outputs.density);
    cols_read_all_ = b.cols_read(0, E(kQ), 0, E(kS));
    // Bits per weight as the array stores them (raw, or compressed), over a
    // large sample so a block's rounding does not show.
    constexpr uint64_t kSample = uint64_t{1} << 20;
    w_bits_ = static_cast<double>(arch.pe_array->weight_bits(kSample, p)) / static_cast<double>(kSample);
    noc_ = arch.noc->shape();
    weights_through_ = !arch.glb->keeps(Tensor::Weights);
    double_buffered_weights_ = arch.pe_array->double_buffered_weights();
    dram_latency_s_ = arch.dram->latency_s();
    for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
      for (int d = 0; d < kDims; ++d)
        if (relevant(o, d)) depends_on_[static_cast<std::size_t>(o)] |= 1u << d;
  }

  // Input values that blocks of `tp` output rows read over the whole layer, halos included.
  double input_values(int64_t tp) const {
    int64_t sum = 0;
    for (int64_t p0 = 0; p0 < E(kP); p0 += tp) sum += b_.rows_read(p0, std::min(tp, E(kP) - p0), 0, E(kR));
    return static_cast<double>(E(kN) * E(kG) * b_.input_channels(E(kC))) * static_cast<double>(sum) *
           static_cast<double>(cols_read_all_);
  }

  // `opt[d]`: the tile option the candidate takes in each dimension (its
  // tile, pass, tile count and passes per tile, worked out once per option).
  Estimate operator()(const Mapping& m, const std::array<const TileOption*, kDims>& opt, const TileNeed& need) {
    const Dataflow& flow = arch_.dataflow;
    const LayerPrecision& p = l_.precision;
    DimArray tiles{}, ppt{}, pass{};
    for (int d = 0; d < kDims; ++d) {
      const auto i = static_cast<std::size_t>(d);
      pass[i] = opt[i]->pass;
      tiles[i] = opt[i]->tiles;
      ppt[i] = opt[i]->passes_per_tile;
    }
    // The nest's loops that run more than once, outermost first: DRAM loops,
    // then buffer loops (`dram_loops` of them). A loop of one trip changes no
    // cut and no refetch factor, and most of the sixteen have one.
    std::array<int64_t, 2 * kDims> factor{};
    std::array<unsigned, 2 * kDims> dim_bit{};  // the loop's dimension as a bit, against depends_on_
    int loops = 0, dram_loops = 0;
    for (int level = 0; level < 2; ++level) {
      for (std::size_t k = 0; k < kDims; ++k) {
        const auto d = static_cast<std::size_t>(level == 0 ? m.dram_order[k] : m.glb_order[k]);
        const int64_t f = level == 0 ? tiles[d] : ppt[d];
        if (f <= 1) continue;
        factor[static_cast<std::size_t>(loops)] = f;
        dim_bit[static_cast<std::size_t>(loops)] = 1u << d;
        ++loops;
      }
      if (level == 0) dram_loops = loops;
    }
    const bool holds_outputs = holds_outputs_for(m.pe);
    // Each operand's cut (loop_nest.h) over the DRAM loops and over both
    // levels, found in one sweep over the loops.
    std::array<int, kOperands> dram_cut{-1, -1, -1}, pe_cut{-1, -1, -1};
    for (int k = 0; k < loops; ++k)
      for (std::size_t o = 0; o < kOperands; ++o)
        if (depends_on_[o] & dim_bit[static_cast<std::size_t>(k)]) {
          pe_cut[o] = k;
          if (k < dram_loops) dram_cut[o] = k;
        }
    // How often each value of a tensor is fetched again, into the buffer or into the PEs.
    // Each dimension has one loop per level, whose factor is its tile count
    // (DRAM) or passes per tile (buffer), so the loops at or outside the cut
    // that the tensor does not depend on multiply up to its refetch factor.
    const auto refetch = [&](Operand o, bool to_pe) {
      // Partial sums a PE cannot hold whole leave it after every pass (psum_holding.h).
      const bool every_pass = to_pe && (!flow.keeps(o) || (o == Operand::Outputs && !holds_outputs));
      const int cut = every_pass ? loops - 1 : (to_pe ? pe_cut : dram_cut)[static_cast<std::size_t>(o)];
      const unsigned depends = depends_on_[static_cast<std::size_t>(o)];
      double f = 1;
      for (int i = 0; i <= cut; ++i)
        if (!(depends & dim_bit[static_cast<std::size_t>(i)])) f *= static_cast<double>(factor[static_cast<std::size_t>(i)]);
      return f;
    };
    const double inputs_per_tile = opt[kP]->input_values;
    Estimate e;
    // Weights the buffer does not keep come from DRAM at every fetch into the PEs.
    e.dram_bits = w_total_ * w_bits_ * refetch(Operand::Weights, weights_through_) +
                  inputs_per_tile * p.inputs.bits * in_ratio_ * refetch(Operand::Inputs, false) + out_dram_;
    e.tiles = 1;
    double passes = 1;
    int64_t iters = 1, rows_used = 1, cols_used = 1;
    for (int d = 0; d < kDims; ++d) {
      const auto i = static_cast<std::size_t>(d);
      e.tiles *= tiles[i];
      passes *= static_cast<double>(tiles[i] * ppt[i]);
      iters *= m.pe[i];
      rows_used *= m.rows[i];
      cols_used *= m.cols[i];
    }
    // Bits sent over the network, by tensor: every fetch of a kept tensor,
    // every pass of a streamed one; partial sums go out, and come back in to
    // continue an accumulation.
    std::array<double, 3> sent{};
    sent[0] = w_total_ * w_bits_ * refetch(Operand::Weights, true);
    sent[1] = pass_window(pass) * p.inputs.bits * refetch(Operand::Inputs, true);
    for (int d = 0; d < kDims; ++d)
      if (relevant(Operand::Inputs, d)) sent[1] *= static_cast<double>(tiles[static_cast<std::size_t>(d)] * ppt[static_cast<std::size_t>(d)]);
    sent[2] = o_total_ * p.accumulator.bits * (2 * refetch(Operand::Outputs, true) - 1);
    const double one_pass = static_cast<double>(pass_cycles_for(static_cast<uint64_t>(iters), rows_used, cols_used));
    // Passes that follow one another straight on hide their fill; the first pays it.
    const double overlap = static_cast<double>(arch_.pe_array->pass_overlap_cycles(l_.precision));
    double compute = passes * (one_pass - overlap) + overlap;
    // With one set of weight registers the array waits for each weight tile.
    if (!double_buffered_weights_) compute += noc_.busy_cycles({sent[0], 0, 0});
    const double noc = noc_.busy_cycles(sent);
    const double dram_s = e.dram_bits / bw_ + static_cast<double>(e.tiles) * dram_latency_s_;
    const double core = std::max(compute, noc) * period_;
    // One slot: a tile's load and store wait for the compute of the one before.
    e.figures.seconds = (need.slots == 1 ? core + dram_s : std::max(core, dram_s)) + (need.w + need.i) / bw_;
    e.figures.energy_pj = e.dram_bits * (e_dram_ + e_glb_bit_) + (sent[0] + sent[1] + sent[2]) * (e_glb_bit_ + e_noc_);
    return e;
  }

 private:
  int64_t E(int d) const { return b_.extent[static_cast<std::size_t>(d)]; }
  // Neighbouring candidates mostly share their PE factors and their pass's
  // shape: each of these is worked out again only when its inputs change.
  bool holds_outputs_for(const DimArray& pe) {
    if (!held_for_ || *held_for_ != pe) {
      held_for_ = pe;
      holds_outputs_ = pe_holds_outputs(arch_, b_, pe);
    }
    return holds_outputs_;
  }
  uint64_t pass_cycles_for(uint64_t iterations, int64_t rows_used, int64_t cols_used) {
    const std::array<uint64_t, 3> shape{iterations, static_cast<uint64_t>(rows_used), static_cast<uint64_t>(cols_used)};
    if (!cycles_for_ || *cycles_for_ != shape) {
      cycles_for_ = shape;
      pass_cycles_ = arch_.pe_array->pass_cycles(iterations, rows_used, cols_used, l_.precision);
    }
    return pass_cycles_;
  }
  // Input values one pass reads: its window, halos included. Passes that
  // differ only in a filter tap read overlapping windows, each sent in full.
  double pass_window(const DimArray& pass) const {
    const auto span = [](int64_t outputs, int64_t taps, int64_t stride, int64_t dilation, int64_t size) {
      return std::min(size, (outputs - 1) * stride + (taps - 1) * dilation + 1);
    };
    // Flattened (im2col.h): the pass's share of its channels' windows, the
    // way a split pass counts the window of its channels and taps.
    if (b_.flattened())
      return static_cast<double>(pass[kN] * pass[kG]) * static_cast<double>(pass[kC]) /
             static_cast<double>(b_.flat_r * b_.flat_s) *
             static_cast<double>(span(pass[kP], b_.flat_r, b_.stride, b_.dilation, b_.H)) *
             static_cast<double>(span(pass[kQ], b_.flat_s, b_.stride, b_.dilation, b_.W));
    return static_cast<double>(pass[kN] * pass[kG] * pass[kC]) *
           static_cast<double>(span(pass[kP], pass[kR], b_.stride, b_.dilation, b_.H)) *
           static_cast<double>(span(pass[kQ], pass[kS], b_.stride, b_.dilation, b_.W));
  }
  const ArchSpec& arch_;
  const Layer& l_;
  const LoopBounds& b_;
  double bw_ = 0, period_ = 0, e_dram_ = 0, e_glb_bit_ = 0, e_noc_ = 0;
  double w_total_ = 0, w_bits_ = 0, o_total_ = 0, in_ratio_ = 0, out_dram_ = 0;
  int64_t cols_read_all_ = 0;
  NocSpec::Shape noc_;
  bool weights_through_ = false, double_buffered_weights_ = false;
  double dram_latency_s_ = 0;
  std::array<unsigned, kOperands> depends_on_{};  // per operand, bit d set when relevant(operand, d)
  std::optional<DimArray> held_for_;
  bool holds_outputs_ = false;
  std::optional<std::array<uint64_t, 3>> cycles_for_;
  uint64_t pass_cycles_ = 0;
};

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
        std::array<std::vector<TileOption>, kDims> tile_opts;
        for (int d = 0; d < kDims; ++d) {
          const auto i = static_cast<std::size_t>(d);
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
        for (const auto& dram_order : {kWeightsOuter, kInputsOuter})
          for (const auto& glb_order : {kOutputsStay, kWeightsStay}) {
            m.dram_order = dram_order;
            m.glb_order = glb_order;
            for (const TileOption& on : tile_opts[kN]) {
              take(kN, on);
              for (const TileOption& og : tile_opts[kG]) {
                take(kG, og);
                for (const TileOption& om : tile_opts[kM]) {
                  take(kM, om);
                  for (const TileOption& oc : tile_opts[kC]) {
                    take(kC, oc);
                    for (const TileOption& op : tile_opts[kP]) {
                      take(kP, op);
                      const TileNeed need = tile_need(l, b, extents, *arch.glb, *arch.pe_array);
                      if (!parts.fits(need.by_tensor())) {
                        if (need.total() < smallest_need) {
                          smallest_need = need.total();
                          smallest_parts = need.parts();
                        }
                        continue;
                      }
                      // Free PE loops grew: check the scratchpads again.
                      if (m.pe != pf && !fits_scratchpads(arch, b, m.pe)) continue;
                      const Estimate e = estimate(m, chosen, need);
                      for (FrontRunners& front : fronts) front.offer(e, m, enumerated);
                      ++enumerated;
                    }
                  }
                }
              }
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
