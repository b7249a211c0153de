#include "schedule/plan_counts.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "schedule/nest_counts.h"

namespace qnnsim {

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Plain counters on the hot path of the mapper; labelled and priced once at the end.
struct Counter {
  const ArchSpec& arch;
  uint64_t dram_read = 0, dram_write = 0, glb_read = 0, glb_write = 0, noc_sent = 0, noc_delivered = 0;
  std::array<double, 3> noc_sent_by{};  // by tensor, for networks of their own
  // By tensor: the bits and transfers the PEs wait for at the pass that
  // moves them, and the least head latency of a pass (NocSpec::busy_cycles).
  std::array<double, 3> noc_waited_by{}, noc_waits_by{};
  double noc_readback = 0;  // of noc_sent_by's partial sums, those read back into the PEs
  double head_cycles = 0;
  // Where the network's rate depends on the route: cycles per bit by tensor,
  // and the array's time with its weight loads at that rate.
  std::optional<NocSpec::Routes> noc_routes{};
  double routed_compute_s = 0;
  uint64_t macs = 0, gated = 0, link_bits = 0, requantized = 0, zero_point_adds = 0;
  VectorOps vector{};
  double compute_s = 0;  // the array or vector unit busy, for the latency bound
  std::array<uint64_t, 65> spad_read{}, spad_write{};  // by operand width in bits

  uint64_t words(uint64_t bits) const { return ceil_div(bits, static_cast<uint64_t>(arch.glb->width_bits())); }
  // `times` transfers of `bits` each: word accesses round up per transfer.
  void glb(uint64_t& counter, uint64_t bits, uint64_t times = 1) {
    if (bits > 0) counter += words(bits) * times;
  }


  // Calls visit(component, action, count) for each action that happened.
  // The mapper prices every plan it scores this way, so no list is built.
  template <class Visit>
  void each_priced(const LayerPrecision& p, bool uses_array, Visit&& visit) const {
    const auto put = [&](const ComponentSpec& c, const ActionDesc& a, uint64_t n) {
      if (n > 0) visit(c, a, n);
    };
    put(*arch.dram, {"dram", "read_bits", 0}, dram_read);
    put(*arch.dram, {"dram", "write_bits", 0}, dram_write);
    put(*arch.glb, {kBufferGroup, "read", 0}, glb_read);
    put(*arch.glb, {kBufferGroup, "write", 0}, glb_write);
    put(*arch.noc, {"noc", "sent_bits", 0}, noc_sent);
    put(*arch.noc, {"noc", "delivered_bits", 0}, noc_delivered);
    if (uses_array) put(*arch.pe_array, arch.pe_array->mac_action(p), macs);
    put(*arch.pe_array, {"mac", "gated", 0}, gated);
    put(*arch.pe_array, {"link", "bits", 0}, link_bits);
    // A width no operand has is skipped before its action is named: the
    // names are strings, and the mapper prices every plan it scores.
    for (int b = 0; b <= 64; ++b) {
      if (const uint64_t n = spad_read[static_cast<std::size_t>(b)]; n > 0) put(*arch.pe_array, {"spad", "read", b}, n);
      if (const uint64_t n = spad_write[static_cast<std::size_t>(b)]; n > 0) put(*arch.pe_array, {"spad", "write", b}, n);
    }
    put(*arch.vector_unit, {"vector", "op", p.outputs.bits}, vector.add);
    put(*arch.vector_unit, {"vector", "mult", p.outputs.bits}, vector.mult);
    put(*arch.vector_unit, {"vector", "exp", p.outputs.bits}, vector.exp);
    put(*arch.vector_unit, {"vector", "divide", p.outputs.bits}, vector.divide);
    put(*arch.vector_unit, {"vector", "sqrt", p.outputs.bits}, vector.sqrt);
    if (uses_array) {
      const ActionDesc r = arch.vector_unit->requant_action(p);
      if (!r.action.empty()) put(*arch.vector_unit, r, requantized);
      const ActionDesc z = arch.vector_unit->zero_point_action(p);
      if (!z.action.empty()) put(*arch.vector_unit, z, zero_point_adds);
    }
  }

  std::vector<PricedAction> priced(const LayerPrecision& p, bool uses_array) const {
    std::vector<PricedAction> out;
    out.reserve(24);  // about as many as a layer has: one allocation instead of a growth per doubling
    each_priced(p, uses_array,
                [&](const ComponentSpec& c, const ActionDesc& a, uint64_t n) { out.push_back({&c, a, n}); });
    return out;
  }
};


// Array layers: the closed-form counts of the mapping's loop nest.
Counter tally_array(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan) {
  Counter k{arch};
  const NestCounts n = count_nest(arch, layer, plan.bounds, plan.mapping, arch.dataflow);
  const LayerPrecision& p = layer.precision;
  for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs}) {
    const OperandCounts& x = n[o];
    (o == Operand::Outputs ? k.dram_write : k.dram_read) += x.dram_bits;
    (o == Operand::Outputs ? k.glb_read : k.glb_write) += x.glb_dma_words;
    k.glb_read += x.glb_read_words;
    k.glb_write += x.glb_write_words;
    k.noc_sent += x.noc_sent_bits;
    k.noc_sent_by[static_cast<std::size_t>(o)] += static_cast<double>(x.noc_sent_bits);
    if (o == Operand::Outputs) k.noc_readback = static_cast<double>(x.noc_readback_bits);
    // A pass waits for its inputs, its streamed weights and its partial sums
    // going out (controller.cpp run_array_tile); weights the PEs keep load
    // beside the pass before, and partial sums read back travel the other way.
    if (o != Operand::Weights || !arch.dataflow.keeps(o)) {
      const std::size_t t = static_cast<std::size_t>(o);
      k.noc_waited_by[t] += static_cast<double>(x.noc_sent_bits - x.noc_readback_bits);
      k.noc_waits_by[t] += static_cast<double>(x.fetches);
    }
    k.noc_delivered += x.noc_delivered_bits;
    const int bits = o == Operand::Weights   ? arch.pe_array->weight_entry_bits(p)
                     : o == Operand::Inputs ? p.inputs.bits
                                            : p.accumulator.bits;
    k.spad_write[static_cast<std::size_t>(bits)] += x.fill_values;
    k.spad_read[static_cast<std::size_t>(bits)] += x.drain_values;
    k.link_bits += x.hop_bits;
  }
  // Every output leaves once, requantized: N x G x M x P x Q of them.
  k.requantized = 1;
  for (int d : {kN, kG, kM, kP, kQ}) k.requantized *= static_cast<uint64_t>(plan.bounds.extent[static_cast<std::size_t>(d)]);
  k.vector += layer.activation_work(static_cast<int64_t>(k.requantized));  // and then through its functions
  // Zero-point sums: K adds per output position, again for every tile over M.
  k.zero_point_adds = k.requantized / static_cast<uint64_t>(plan.bounds.extent[kM]) *
                      static_cast<uint64_t>(layer.reduction_size()) *
                      static_cast<uint64_t>(dim_extents(plan.mapping, plan.bounds, kM).tiles());
  k.macs = n.active_macs;
  k.gated = n.macs - n.active_macs;
  for (const auto& [a, count] : n.mac_accesses)
    (a.action == "read" ? k.spad_read : k.spad_write)[static_cast<std::size_t>(a.bits)] += count;
  k.head_cycles = static_cast<double>(n.least_head_cycles);
  if (arch.noc->rate_by_route()) {
    // The pass's whole region, each value to its transfers' mean copies, as
    // the mesh rounds them (MeshModule::pattern).
    int64_t rows = 1, cols = 1;
    for (std::size_t d = 0; d < kDims; ++d) {
      rows *= plan.mapping.rows[d];
      cols *= plan.mapping.cols[d];
    }
    NocSpec::Routes routes;
    for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs}) {
      const OperandCounts& x = n[o];
      const int64_t copies =
          x.noc_sent_bits == 0 ? 1
                               : std::max<int64_t>(1, std::llround(static_cast<double>(x.noc_delivered_bits) /
                                                                   static_cast<double>(x.noc_sent_bits)));
      const bool from_dram = o == Operand::Weights && !arch.glb->keeps(o);
      routes.cycles_per_bit[static_cast<std::size_t>(o)] =
          arch.noc->cycles_per_bit(o != Operand::Outputs, rows, cols, copies, from_dram);
    }
    // Partial sums read back into the PEs: each PE its own.
    routes.readback_bits = static_cast<double>(n[Operand::Outputs].noc_readback_bits);
    routes.readback_cycles_per_bit = arch.noc->cycles_per_bit(true, rows, cols, 1, false);
    k.noc_routes = routes;
  }
  double cycles = static_cast<double>(n.compute_cycles);
  double routed_cycles = cycles;
  // With a single set of weight registers the array waits while each weight
  // tile arrives: at least the longer of taking it in and sending it, the
  // head's latency included. Weights the PEs do not keep stream in beside
  // the inputs while a pass computes (controller.cpp run_array_tile): no
  // registers to wait for.
  if (!arch.pe_array->double_buffered_weights() && arch.dataflow.keeps(Operand::Weights)) {
    std::array<double, 3> weight_bits{};
    weight_bits[static_cast<std::size_t>(Operand::Weights)] = static_cast<double>(n[Operand::Weights].noc_sent_bits);
    const double heads = arch.dataflow.keeps(Operand::Weights)
                             ? static_cast<double>(n[Operand::Weights].fetches) * k.head_cycles
                             : 0.0;
    cycles += std::max(static_cast<double>(n.weight_load_cycles), arch.noc->busy_cycles(weight_bits) + heads);
    const auto w = static_cast<std::size_t>(Operand::Weights);
    if (k.noc_routes)
      routed_cycles += std::max(static_cast<double>(n.weight_load_cycles),
                                weight_bits[w] * k.noc_routes->cycles_per_bit[w] + heads);
  }
  k.routed_compute_s = routed_cycles * arch.tech.period_s();
  k.compute_s = cycles * arch.tech.period_s();
  return k;
}

// Vector layers: one pass over the plan's tiles.
Counter tally(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan) {
  if (plan.uses_array) return tally_array(arch, layer, plan);
  Counter k{arch};
  const uint64_t lanes = static_cast<uint64_t>(arch.vector_unit->lanes());
  uint64_t cycles = 0;  // summed as integers: a sum of seconds would round at every tile
  // Tiles alike are counted once, times their number: a vector layer's
  // layout groups them, so the sum costs the same at any batch.
  plan.tiles.each_distinct([&](const GlbTile& t, uint64_t times) {
    k.dram_read += (t.weight_load_bits + t.input_dram_bits) * times;  // weights: an embedding's rows
    k.glb(k.glb_write, t.weight_load_bits, times);
    k.glb(k.glb_write, t.input_load_bits, times);
    k.glb(k.glb_read, t.output_read_bits, times);
    k.dram_write += t.output_store_bits * times;
    k.glb(k.glb_read, t.vector_in_bits, times);
    k.glb(k.glb_write, t.vector_out_bits, times);
    k.vector += t.vector.times(times);
    cycles += ceil_div(arch.vector_unit->lane_cycles(t.vector, layer.precision.outputs.bits), lanes) * times;
  });
  k.compute_s = static_cast<double>(cycles) * arch.tech.period_s();
  return k;
}

LatencyBound bound_of(const ArchSpec& arch, const Counter& k) {
  const double period = arch.tech.period_s();
  const double dram = static_cast<double>(k.dram_read + k.dram_write) / arch.dram->bandwidth_bits_per_s();
  const double buffer = static_cast<double>(k.glb_read + k.glb_write) / static_cast<double>(arch.glb->banks()) * period;
  std::array<double, 3> sent = k.noc_sent_by;
  if (arch.noc->reads_back_beside_inputs()) {
    // Partial sums read back go toward the PEs with the inputs, not out.
    sent[static_cast<std::size_t>(Tensor::Outputs)] -= k.noc_readback;
    sent[static_cast<std::size_t>(Tensor::Inputs)] += k.noc_readback;
  }
  const double noc = arch.noc->busy_cycles(sent, k.noc_waited_by, k.noc_waits_by, k.head_cycles) * period;
  LatencyBound b{k.compute_s, "compute"};
  for (const auto& [t, name] : {std::pair{dram, "dram"}, std::pair{buffer, "buffer"}, std::pair{noc, "noc"}})
    if (t > b.seconds) b = {t, name};
  return b;
}

}  // namespace

std::vector<PricedAction> price_plan_actions(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan) {
  return tally(arch, layer, plan).priced(layer.precision, plan.uses_array);
}

PlanAnalysis analyze_plan(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan) {
  const Counter k = tally(arch, layer, plan);
  PlanAnalysis a;
  a.dram_bits = k.dram_read + k.dram_write;
  a.bound = bound_of(arch, k);
  if (k.noc_routes) {
    const double noc =
        arch.noc->busy_cycles(k.noc_sent_by, k.noc_waited_by, k.noc_waits_by, k.head_cycles, &*k.noc_routes);
    a.routed_core_s = std::max(k.routed_compute_s, noc * arch.tech.period_s());
  }
  k.each_priced(layer.precision, plan.uses_array, [&](const ComponentSpec& c, const ActionDesc& action, uint64_t n) {
    a.dynamic_energy_pj += static_cast<double>(n) * c.action_energy_pj(action);
  });
  return a;
}

ActionCounts count_plan_actions(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan) {
  ActionCounts counts;
  for (const PricedAction& a : price_plan_actions(arch, layer, plan))
    if (a.count > 0) counts[a.component->instance() + ":" + a.action.label()] += a.count;
  return counts;
}

double leakage_pj(const ArchSpec& arch, double seconds) {
  double pj = 0;
  for (const ComponentSpec* c : arch.components()) pj += c->leakage_w() * seconds * 1e12;
  return pj;
}

LatencyBound plan_latency_bound(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan) {
  return bound_of(arch, tally(arch, layer, plan));
}

}  // namespace qnnsim
