#include "schedule/plan_counts.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace qnnsim {

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Step shapes of one array tile: `count` steps of r reduction rows x c output columns.
struct StepShape {
  uint64_t count, r, c;
};

// The reduction splits into full blocks of `rows` and a remainder, and the
// channels into full blocks of `cols` and a remainder: at most four shapes.
std::vector<StepShape> step_shapes(const GlbTile& t, int64_t rows, int64_t cols) {
  const auto split = [](int64_t extent, int64_t block) {
    std::vector<std::pair<uint64_t, uint64_t>> parts;  // (how many, size)
    if (extent / block > 0) parts.emplace_back(extent / block, block);
    if (extent % block > 0) parts.emplace_back(1, extent % block);
    return parts;
  };
  std::vector<StepShape> out;
  for (const auto& [nk, r] : split(t.reduction, rows))
    for (const auto& [nm, c] : split(t.m_per_group, cols))
      out.push_back({nk * nm * static_cast<uint64_t>(t.groups), r, c});
  return out;
}

// Plain counters on the hot path of the mapper; labelled and priced once at the end.
struct Counter {
  const ArchSpec& arch;
  uint64_t dram_read = 0, dram_write = 0, glb_read = 0, glb_write = 0, noc_sent = 0, noc_delivered = 0;
  uint64_t macs = 0, gated = 0, vector_ops = 0;
  double compute_s = 0;  // the array or vector unit busy, for the latency bound
  std::array<uint64_t, 65> spad_read{}, spad_write{};  // by operand width in bits

  uint64_t words(uint64_t bits) const { return ceil_div(bits, static_cast<uint64_t>(arch.glb->width_bits())); }
  // `times` transfers of `bits` each: word accesses round up per transfer.
  void glb(uint64_t& counter, uint64_t bits, uint64_t times = 1) {
    if (bits > 0) counter += words(bits) * times;
  }
  void noc(uint64_t bits, uint64_t destinations, uint64_t times = 1) {
    noc_sent += bits * times;
    noc_delivered += bits * destinations * times;
  }

  std::vector<PricedAction> priced(const LayerPrecision& p, bool uses_array) const {
    std::vector<PricedAction> out;
    const auto put = [&](const ComponentSpec& c, ActionDesc a, uint64_t n) {
      if (n > 0) out.push_back({&c, std::move(a), n});
    };
    put(*arch.dram, {"dram", "read_bits", 0}, dram_read);
    put(*arch.dram, {"dram", "write_bits", 0}, dram_write);
    put(*arch.glb, {arch.glb->instance(), "read", 0}, glb_read);
    put(*arch.glb, {arch.glb->instance(), "write", 0}, glb_write);
    put(*arch.noc, {"noc", "sent_bits", 0}, noc_sent);
    put(*arch.noc, {"noc", "delivered_bits", 0}, noc_delivered);
    if (uses_array) put(*arch.pe_array, arch.pe_array->mac_action(p), macs);
    put(*arch.pe_array, {"mac", "gated", 0}, gated);
    for (int b = 0; b <= 64; ++b) {
      put(*arch.pe_array, {"spad", "read", b}, spad_read[static_cast<std::size_t>(b)]);
      put(*arch.pe_array, {"spad", "write", b}, spad_write[static_cast<std::size_t>(b)]);
    }
    put(*arch.vector_unit, {"vector", "op", p.outputs.bits}, vector_ops);
    return out;
  }
};


// One pass over the plan's tiles: every action count, and the compute time.
Counter tally(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan) {
  Counter k{arch};
  const double period = arch.tech.period_s();
  const LayerPrecision& p = layer.precision;
  const uint64_t wbits = static_cast<uint64_t>(p.weights.bits), ibits = static_cast<uint64_t>(p.inputs.bits);
  const uint64_t abits = static_cast<uint64_t>(p.accumulator.bits);
  const int64_t rows = arch.pe_array->rows(), cols = arch.pe_array->cols();
  bool first_tile = true;
  GlbTile previous;
  for (const GlbTile& t : plan.tiles) {
    // DMA in, write-back out.
    k.dram_read += t.weight_load_bits + t.input_dram_bits;
    k.glb(k.glb_write, t.weight_load_bits);
    k.glb(k.glb_write, t.input_load_bits);
    k.glb(k.glb_read, t.output_read_bits);
    k.dram_write += t.output_store_bits;

    if (!plan.uses_array) {
      k.glb(k.glb_read, t.vector_in_bits);
      k.glb(k.glb_write, t.vector_out_bits);
      k.vector_ops += t.vector_ops;
      k.compute_s += std::ceil(static_cast<double>(t.vector_ops) / static_cast<double>(arch.vector_unit->lanes())) * period;
      continue;
    }
    const uint64_t v = t.vectors;
    for (const StepShape& s : step_shapes(t, rows, cols)) {
      k.compute_s += static_cast<double>(s.count) *
                     static_cast<double>(arch.pe_array->compute_cycles(v, layer.precision)) * period;
      const uint64_t macs = s.count * v * s.r * s.c;
      const uint64_t active = s.count * arch.pe_array->active_macs(v * s.r * s.c, p);  // rounded per step, as simulated
      k.macs += active;
      k.gated += macs - active;
      k.spad_read[static_cast<std::size_t>(p.weights.bits)] += active;
      for (int bits : {p.inputs.bits, p.accumulator.bits}) k.spad_read[static_cast<std::size_t>(bits)] += macs;
      for (int bits : {p.inputs.bits, p.accumulator.bits}) k.spad_write[static_cast<std::size_t>(bits)] += macs;
      // Each step loads its weight tile, streams inputs in and partial sums out.
      k.spad_write[static_cast<std::size_t>(p.weights.bits)] += s.count * s.r * s.c;
      k.glb(k.glb_read, s.r * s.c * wbits, s.count);
      k.noc(s.r * s.c * wbits, 1, s.count);
      k.glb(k.glb_read, v * s.r * ibits, s.count);
      k.noc(v * s.r * ibits, s.c, s.count);
      k.noc(v * s.c * abits, 1, s.count);
      k.glb(k.glb_write, v * s.c * abits, s.count);
    }
    // Partial sums are read back for every step but those that start the group's reduction:
    // all K blocks of the tile, less the first when the tile starts the reduction.
    const uint64_t k_blocks = static_cast<uint64_t>((t.reduction + rows - 1) / rows) - (t.k_first == 0 ? 1 : 0);
    const uint64_t m_full = static_cast<uint64_t>(t.m_per_group / cols), m_rem = static_cast<uint64_t>(t.m_per_group % cols);
    const uint64_t per_k = static_cast<uint64_t>(t.groups) * k_blocks;
    k.glb(k.glb_read, v * static_cast<uint64_t>(cols) * abits, per_k * m_full);
    k.glb(k.glb_read, v * m_rem * abits, per_k * (m_rem > 0 ? 1 : 0));
    // The first step skips its weight load when the previous tile's last step left
    // the same weight tile (same group, channel block and reduction block) in the array.
    const auto last_key = [&](const GlbTile& x) {
      return std::array<int64_t, 3>{x.group_first + x.groups - 1, x.m_first + (x.m_per_group - 1) / cols * cols,
                                    x.k_first + (x.reduction - 1) / rows * rows};
    };
    if (!first_tile && last_key(previous) == std::array<int64_t, 3>{t.group_first, t.m_first, t.k_first}) {
      const uint64_t n = static_cast<uint64_t>(std::min(rows, t.reduction) * std::min(cols, t.m_per_group));
      k.spad_write[static_cast<std::size_t>(p.weights.bits)] -= n;
      k.glb_read -= k.words(n * wbits);
      k.noc_sent -= n * wbits;
      k.noc_delivered -= n * wbits;
    }
    first_tile = false;
    previous = t;
  }
  return k;
}

LatencyBound bound_of(const ArchSpec& arch, const Counter& k) {
  const double period = arch.tech.period_s();
  const double dram = static_cast<double>(k.dram_read + k.dram_write) / arch.dram->bandwidth_bits_per_s();
  const double buffer = static_cast<double>(k.glb_read + k.glb_write) / static_cast<double>(arch.glb->banks()) * period;
  const double noc = static_cast<double>(k.noc_sent) / static_cast<double>(arch.noc->width_bits()) * period;
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
  for (const PricedAction& x : k.priced(layer.precision, plan.uses_array))
    a.dynamic_energy_pj += static_cast<double>(x.count) * x.component->action_energy_pj(x.action);
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
