// The array mapper's closed-form estimate (array_estimate.h).
#include "schedule/array_estimate.h"

#include <algorithm>
#include <tuple>

#include "schedule/pe_holding.h"

namespace qnnsim::search {

Estimator::Estimator(const ArchSpec& arch, const Layer& l, const LoopBounds& b) : arch_(arch), l_(l), b_(b) {
  const LayerPrecision& p = l.precision;
  bw_ = arch.dram->bandwidth_bits_per_s();
  period_ = arch.tech.period_s();
  e_dram_ = arch.dram->action_energy_pj({"dram", "read_bits", 0});
  e_glb_bit_ = arch.glb->action_energy_pj({kBufferGroup, "read", 0}) / static_cast<double>(arch.glb->width_bits());
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
  rate_by_route_ = arch.noc->rate_by_route();
  for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
    for (int d = 0; d < kDims; ++d)
      if (relevant(o, d)) depends_on_[static_cast<std::size_t>(o)] |= 1u << d;
}

double Estimator::input_values(int64_t tp) const {
  int64_t sum = 0;
  for (int64_t p0 = 0; p0 < E(kP); p0 += tp) sum += b_.rows_read(p0, std::min(tp, E(kP) - p0), 0, E(kR));
  return static_cast<double>(E(kN) * E(kG) * b_.input_channels(E(kC))) * static_cast<double>(sum) *
         static_cast<double>(cols_read_all_);
}

// `opt[d]`: the tile option the candidate takes in each dimension (its
// tile, pass, tile count and passes per tile, worked out once per option).
CandidateShape Estimator::shape(const Mapping& m, const std::array<const TileOption*, kDims>& opt) {
  CandidateShape s;
  DimArray pass{};
  int64_t iters = 1, rows_used = 1, cols_used = 1;
  DimArray trips{};
  for (int d = 0; d < kDims; ++d) {
    const auto i = static_cast<std::size_t>(d);
    pass[i] = opt[i]->pass;
    s.tiles[i] = opt[i]->tiles;
    s.ppt[i] = opt[i]->passes_per_tile;
    s.tile_count *= s.tiles[i];
    trips[i] = s.tiles[i] * s.ppt[i];
    s.passes *= static_cast<double>(trips[i]);
    iters *= m.pe[i];
    rows_used *= m.rows[i];
    cols_used *= m.cols[i];
  }
  // Every trip over those of the dimensions an operand does not depend on
  // (fewer than those it does): whole numbers, so the quotient is exact.
  for (std::size_t o = 0; o < kOperands; ++o) {
    int64_t others = 1;
    for (unsigned dims = ~depends_on_[o] & ((1u << kDims) - 1); dims != 0; dims &= dims - 1)
      others *= trips[static_cast<std::size_t>(__builtin_ctz(dims))];
    s.relevant_trips[o] = s.passes / static_cast<double>(others);
  }
  std::tie(s.holds_inputs, s.holds_outputs) = holds_for(m.pe);
  s.head_cycles = static_cast<double>(head_cycles_for(rows_used, cols_used));
  if (rate_by_route_) {
    // A value reaches its own copy in every PE along the spatial dimensions
    // its operand does not depend on (nest_counts.cpp counts them so).
    for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs}) {
      const auto oi = static_cast<std::size_t>(o);
      int64_t copies = 1;
      if (o != Operand::Outputs)
        for (std::size_t d = 0; d < kDims; ++d)
          if (!(depends_on_[oi] & (1u << d))) copies *= m.rows[d] * m.cols[d];
      s.cycles_per_bit[oi] = cycles_per_bit_for(oi, o != Operand::Outputs, rows_used, cols_used, copies,
                                                o == Operand::Weights && weights_through_);
    }
    // Partial sums read back go to each PE its own: one copy.
    s.readback_cycles_per_bit = cycles_per_bit_for(kReadback, true, rows_used, cols_used, 1, false);
  }
  s.inputs_per_tile = opt[kP]->input_values;
  s.window_bits = pass_window(pass) * l_.precision.inputs.bits;
  const double one_pass = static_cast<double>(pass_cycles_for(static_cast<uint64_t>(iters), rows_used, cols_used));
  // Passes that follow one another straight on hide their fill; the first pays it.
  const double overlap = static_cast<double>(arch_.pe_array->pass_overlap_cycles(l_.precision));
  s.compute_cycles = s.passes * (one_pass - overlap) + overlap;
  return s;
}

Refetches Refetches::least(const Refetches& o) const {
  Refetches r;
  r.weights_from_dram = std::min(weights_from_dram, o.weights_from_dram);
  r.inputs_from_dram = std::min(inputs_from_dram, o.inputs_from_dram);
  for (std::size_t i = 0; i < kOperands; ++i) r.into_pes[i] = std::min(into_pes[i], o.into_pes[i]);
  return r;
}

Refetches Estimator::refetches(const std::array<int, kDims>& dram_order, const std::array<int, kDims>& glb_order,
                               const CandidateShape& s) const {
  // How often each value of a tensor is fetched again, into the buffer or
  // into the PEs. A tensor's cut (loop_nest.h) is its innermost loop that
  // iterates and that it depends on: over the DRAM loops for the buffer, over
  // both levels for the PEs. The loops at or outside the cut that the tensor
  // does not depend on multiply up to its refetch factor. One sweep over the
  // loops, outermost first (DRAM, then buffer), keeps each tensor's running
  // product of such loops and takes it at each loop the tensor depends on,
  // so the last taken is the product up to the cut. A loop of one trip
  // changes no cut and no product, and most of the sixteen have one.
  std::array<double, kOperands> running{1, 1, 1}, to_buffer{1, 1, 1}, to_pe{1, 1, 1};
  for (int level = 0; level < 2; ++level)
    for (std::size_t k = 0; k < kDims; ++k) {
      const auto d = static_cast<std::size_t>(level == 0 ? dram_order[k] : glb_order[k]);
      const int64_t f = level == 0 ? s.tiles[d] : s.ppt[d];
      if (f <= 1) continue;
      for (std::size_t o = 0; o < kOperands; ++o) {
        if (depends_on_[o] & (1u << d)) {
          to_pe[o] = running[o];
          if (level == 0) to_buffer[o] = running[o];
        } else {
          running[o] *= static_cast<double>(f);
        }
      }
    }
  const auto refetch = [&](Operand o, bool into_pes) {
    const auto i = static_cast<std::size_t>(o);
    return into_pes && streamed(o, s) ? running[i] : into_pes ? to_pe[i] : to_buffer[i];
  };
  return {refetch(Operand::Weights, weights_through_), refetch(Operand::Inputs, false),
          {refetch(Operand::Weights, true), refetch(Operand::Inputs, true), refetch(Operand::Outputs, true)}};
}

PlanScore Estimator::lower_bound(const CandidateShape& s, const TileNeed& need) const {
  // An operand streamed into the PEs (refetches above) is fetched once per
  // trip of every loop it does not depend on, whatever their order: that
  // factor is exact. Every other factor is at least 1.
  std::array<double, kOperands> every_pass{1, 1, 1};
  for (std::size_t o = 0; o < kOperands; ++o)
    for (std::size_t d = 0; d < kDims; ++d)
      if (!(depends_on_[o] & (1u << d))) every_pass[o] *= static_cast<double>(s.tiles[d] * s.ppt[d]);
  const auto into_pes = [&](Operand o) { return streamed(o, s) ? every_pass[static_cast<std::size_t>(o)] : 1.0; };
  const double weights_from_dram = weights_through_ ? into_pes(Operand::Weights) : 1.0;
  return with_refetches(s, need,
                        {weights_from_dram, 1, {into_pes(Operand::Weights), into_pes(Operand::Inputs), into_pes(Operand::Outputs)}})
      .figures;
}

Estimate Estimator::with_refetches(const CandidateShape& s, const TileNeed& need, const Refetches& r) const {
  const LayerPrecision& p = l_.precision;
  const double weights_from_dram = r.weights_from_dram, inputs_from_dram = r.inputs_from_dram;
  const std::array<double, kOperands>& into_pes = r.into_pes;
  Estimate e;
  // Weights the buffer does not keep come from DRAM at every fetch into the PEs.
  e.dram_bits = w_total_ * w_bits_ * weights_from_dram + s.inputs_per_tile * p.inputs.bits * in_ratio_ * inputs_from_dram +
                out_dram_;
  e.tiles = s.tile_count;
  // Bits sent over the network, by tensor: every fetch of a kept tensor,
  // every pass of a streamed one; partial sums go out, and come back in to
  // continue an accumulation.
  std::array<double, 3> sent{};
  sent[0] = w_total_ * w_bits_ * into_pes[0];
  sent[1] = s.window_bits * into_pes[1] * s.relevant_trips[1];
  sent[2] = o_total_ * p.accumulator.bits * (2 * into_pes[2] - 1);
  // Each operand's transfers into the PEs (out of them for partial sums):
  // a fetch is one for every trip of the loops it depends on.
  std::array<double, kOperands> transfers{};
  for (std::size_t o = 0; o < kOperands; ++o) transfers[o] = into_pes[o] * s.relevant_trips[o];
  // A pass waits for its inputs, streamed weights and partial sums going
  // out, each transfer the head's latency after its bits (plan_counts.cpp).
  const bool weights_kept = !streamed(Operand::Weights, s);
  const std::array<double, 3> waited{weights_kept ? 0 : sent[0], sent[1], o_total_ * p.accumulator.bits * into_pes[2]};
  const std::array<double, 3> waits{weights_kept ? 0 : transfers[0], transfers[1], transfers[2]};
  // On a mesh each tensor at its route's rate; the partial sums read back
  // cross it only where the PEs keep them (streamed, the buffer adds them).
  NocSpec::Routes routes;
  if (rate_by_route_) {
    routes.cycles_per_bit = s.cycles_per_bit;
    routes.readback_bits = o_total_ * p.accumulator.bits * (into_pes[2] - 1);
    routes.readback_cycles_per_bit = streamed(Operand::Outputs, s) ? 0.0 : s.readback_cycles_per_bit;
  }
  double compute = s.compute_cycles;
  // With one set of weight registers the array waits for each weight tile;
  // streamed weights arrive beside the inputs while a pass computes.
  if (!double_buffered_weights_ && weights_kept)
    compute += (rate_by_route_ ? sent[0] * s.cycles_per_bit[0] : noc_.busy_cycles({sent[0], 0, 0})) +
               transfers[0] * s.head_cycles;
  const double noc = noc_.busy_cycles(sent, waited, waits, s.head_cycles, rate_by_route_ ? &routes : nullptr);
  const double dram_s = e.dram_bits / bw_ + static_cast<double>(e.tiles) * dram_latency_s_;
  const double core = std::max(compute, noc) * period_;
  // One slot: a tile's load and store wait for the compute of the one before.
  e.figures.seconds = (need.slots == 1 ? core + dram_s : std::max(core, dram_s)) + (need.w + need.i) / bw_;
  e.figures.energy_pj = e.dram_bits * (e_dram_ + e_glb_bit_) + (sent[0] + sent[1] + sent[2]) * (e_glb_bit_ + e_noc_);
  return e;
}

bool Estimator::streamed(Operand o, const CandidateShape& s) const {
  // Inputs a PE cannot hold whole enter it at every pass, and partial sums
  // leave it after every pass (pe_holding.h).
  return !arch_.dataflow.keeps(o) || (o == Operand::Inputs && !s.holds_inputs) ||
         (o == Operand::Outputs && !s.holds_outputs);
}

std::pair<bool, bool> Estimator::holds_for(const DimArray& pe) {
  if (!held_for_ || *held_for_ != pe) {
    held_for_ = pe;
    holds_ = {pe_holds(arch_, b_, pe, Operand::Inputs), pe_holds(arch_, b_, pe, Operand::Outputs)};
  }
  return holds_;
}

uint64_t Estimator::pass_cycles_for(uint64_t iterations, int64_t rows_used, int64_t cols_used) {
  const std::array<uint64_t, 3> shape{iterations, static_cast<uint64_t>(rows_used), static_cast<uint64_t>(cols_used)};
  if (!cycles_for_ || *cycles_for_ != shape) {
    cycles_for_ = shape;
    pass_cycles_ = arch_.pe_array->pass_cycles(iterations, rows_used, cols_used, l_.precision);
  }
  return pass_cycles_;
}

int64_t Estimator::head_cycles_for(int64_t rows_used, int64_t cols_used) {
  const std::pair<int64_t, int64_t> region{rows_used, cols_used};
  if (!head_for_ || *head_for_ != region) {
    head_for_ = region;
    head_cycles_ = arch_.noc->head_cycles(rows_used, cols_used);
  }
  return head_cycles_;
}

double Estimator::cycles_per_bit_for(std::size_t flow, bool to_pes, int64_t rows_used, int64_t cols_used,
                                     int64_t copies, bool from_dram) {
  const std::array<int64_t, 3> key{rows_used, cols_used, copies};
  auto& last = last_cycles_per_bit_[flow];
  if (last.first != key)  // no region is 0 x 0, so the empty entry never answers
    last = {key, arch_.noc->cycles_per_bit(to_pes, rows_used, cols_used, copies, from_dram)};
  return last.second;
}

// Input values one pass reads: its window, halos included. Passes that
// differ only in a filter tap read overlapping windows, each sent in full.
double Estimator::pass_window(const DimArray& pass) const {
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

}  // namespace qnnsim::search
