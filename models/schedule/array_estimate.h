#pragma once
// The array mapper's closed-form estimate of one candidate, cheap enough to
// rank every candidate the search enumerates (array_candidates.h): DRAM
// traffic by the static reuse of the DRAM loops, network traffic by that of
// the buffer loops (kept tensors) or every pass (streamed ones), and compute
// from full passes. The front runners are then scored exactly
// (exact_estimate). Internal to models/schedule.
#include <array>
#include <cstdint>
#include <optional>
#include <utility>

#include "schedule/search_support.h"

namespace qnnsim::search {

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

// What a candidate's estimate takes from its tile and PE factors alone, not
// from its loop orders: worked out once per tile that fits, then read by
// each of the orders the search tries on it.
struct CandidateShape {
  DimArray tiles{}, ppt{};    // per dimension: DRAM-level trips, passes per tile
  int64_t tile_count = 1;
  double passes = 1;
  // The PEs hold their inputs, and their partial sums, whole across passes (pe_holding.h).
  bool holds_inputs = false, holds_outputs = false;
  double inputs_per_tile = 0;  // input values the tiles read, halos included
  double window_bits = 0;      // one pass's input window in bits
  double compute_cycles = 0;   // every pass back to back, fills hidden but the first
  // Per operand: the DRAM-level and buffer-level trips of the dimensions it
  // depends on, so a refetch factor times it counts the operand's transfers.
  std::array<double, kOperands> relevant_trips{1, 1, 1};
  double head_cycles = 0;  // the network's head latency to a pass's PEs (NocSpec::head_cycles)
  // On a network whose rate depends on the route (NocSpec::rate_by_route):
  // the cycles a bit takes to (from) a pass's PEs, by Tensor, and those of a
  // partial sum read back into them.
  std::array<double, 3> cycles_per_bit{};
  double readback_cycles_per_bit = 0;
};

// How often each tensor is fetched again under one loop order: into the
// buffer (weights the buffer does not keep come from DRAM at every fetch
// into the PEs) and into the PEs (Operand order), outputs' counted as sums
// going out.
struct Refetches {
  double weights_from_dram = 1, inputs_from_dram = 1;
  std::array<double, kOperands> into_pes{1, 1, 1};
  // Each factor the smaller of the two's.
  Refetches least(const Refetches& o) const;
  bool operator==(const Refetches& o) const {
    return weights_from_dram == o.weights_from_dram && inputs_from_dram == o.inputs_from_dram && into_pes == o.into_pes;
  }
};

class Estimator {
 public:
  Estimator(const ArchSpec& arch, const Layer& l, const LoopBounds& b);

  // Input values that blocks of `tp` output rows read over the whole layer, halos included.
  double input_values(int64_t tp) const;

  // `opt[d]`: the tile option the candidate takes in each dimension (its
  // tile, pass, tile count and passes per tile, worked out once per option).
  CandidateShape shape(const Mapping& m, const std::array<const TileOption*, kDims>& opt);
  // The estimate of a mapping whose tile and PE factors gave `s`, in two
  // halves: the refetch factors its loop orders give the tile, and the
  // figures that follow from them. Each figure grows with every factor, so
  // the least factors of several orders give figures none of those orders
  // goes below.
  Refetches refetches(const std::array<int, kDims>& dram_order, const std::array<int, kDims>& glb_order,
                      const CandidateShape& s) const;
  Estimate with_refetches(const CandidateShape& s, const TileNeed& need, const Refetches& r) const;
  // No loop order of the tile gives figures below these: the estimate with
  // every tensor fetched once, but for operands streamed into the PEs at
  // every pass, whose factor no order changes; each figure grows with every
  // refetch factor.
  PlanScore lower_bound(const CandidateShape& s, const TileNeed& need) const;

 private:
  int64_t E(int d) const { return b_.extent[static_cast<std::size_t>(d)]; }
  // Whether operand `o` enters the PEs afresh at every pass: the dataflow
  // does not keep it there, or the PEs cannot hold it whole (inputs, partial sums).
  // refetches and lower_bound must agree on it, or the bound could exceed
  // an estimate.
  bool streamed(Operand o, const CandidateShape& s) const;
  // Neighbouring candidates mostly share their PE factors and their pass's
  // shape: each of these is worked out again only when its inputs change.
  // Whether the PEs hold their inputs and their partial sums whole (pe_holding.h).
  std::pair<bool, bool> holds_for(const DimArray& pe);
  uint64_t pass_cycles_for(uint64_t iterations, int64_t rows_used, int64_t cols_used);
  int64_t head_cycles_for(int64_t rows_used, int64_t cols_used);
  // NocSpec::cycles_per_bit, asked again only when the region or copies of
  // `flow` (a Tensor, or kReadback) change.
  double cycles_per_bit_for(std::size_t flow, bool to_pes, int64_t rows_used, int64_t cols_used, int64_t copies,
                            bool from_dram);
  static constexpr std::size_t kReadback = 3;
  // Input values one pass reads: its window, halos included. Passes that
  // differ only in a filter tap read overlapping windows, each sent in full.
  double pass_window(const DimArray& pass) const;
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
  std::pair<bool, bool> holds_{};
  std::optional<std::array<uint64_t, 3>> cycles_for_;
  uint64_t pass_cycles_ = 0;
  std::optional<std::pair<int64_t, int64_t>> head_for_;
  int64_t head_cycles_ = 0;
  bool rate_by_route_ = false;
  // Neighbouring candidates mostly share their region: each tensor's last answer.
  std::array<std::pair<std::array<int64_t, 3>, double>, 4> last_cycles_per_bit_{};
};

}  // namespace qnnsim::search
