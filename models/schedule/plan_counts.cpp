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

struct Counter {
  const ArchSpec& arch;
  ActionCounts counts;
  void add(const ComponentSpec& c, const std::string& label, uint64_t n) {
    if (n > 0) counts[c.instance() + ":" + label] += n;
  }
  uint64_t words(uint64_t bits) const { return ceil_div(bits, static_cast<uint64_t>(arch.glb->width_bits())); }
  void glb(const std::string& action, uint64_t bits) {
    if (bits > 0) add(*arch.glb, arch.glb->instance() + "." + action, words(bits));
  }
  void noc(uint64_t bits, uint64_t destinations) {
    if (bits == 0) return;
    add(*arch.noc, "noc.sent_bits", bits);
    add(*arch.noc, "noc.delivered_bits", bits * destinations);
  }
};

std::string spad(const char* action, int bits) { return std::string("spad.") + action + "." + std::to_string(bits) + "b"; }

}  // namespace

ActionCounts count_plan_actions(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan) {
  Counter k{arch, {}};
  const LayerPrecision& p = layer.precision;
  const uint64_t wbits = static_cast<uint64_t>(p.weights.bits), ibits = static_cast<uint64_t>(p.inputs.bits);
  const uint64_t abits = static_cast<uint64_t>(p.accumulator.bits);
  const int64_t rows = arch.pe_array->rows(), cols = arch.pe_array->cols();
  const std::string mac = arch.pe_array->mac_action(p).label();
  bool first_tile = true;
  GlbTile previous;
  for (const GlbTile& t : plan.tiles) {
    // DMA in, write-back out.
    for (uint64_t bits : {t.weight_load_bits, t.input_load_bits}) {
      k.add(*arch.dram, "dram.read_bits", bits);
      k.glb("write", bits);
    }
    k.glb("read", t.output_read_bits);
    k.add(*arch.dram, "dram.write_bits", t.output_store_bits);

    if (!plan.uses_array) {
      k.glb("read", t.vector_in_bits);
      k.glb("write", t.vector_out_bits);
      k.add(*arch.vector_unit, "vector.op." + std::to_string(p.outputs.bits) + "b", t.vector_ops);
      continue;
    }
    const uint64_t v = t.vectors;
    for (const StepShape& s : step_shapes(t, rows, cols)) {
      const uint64_t macs = s.count * v * s.r * s.c;
      k.add(*arch.pe_array, mac, macs);
      for (int bits : {p.weights.bits, p.inputs.bits, p.accumulator.bits}) k.add(*arch.pe_array, spad("read", bits), macs);
      for (int bits : {p.inputs.bits, p.accumulator.bits}) k.add(*arch.pe_array, spad("write", bits), macs);
      // Each step loads its weight tile, streams inputs in and partial sums out.
      k.add(*arch.pe_array, spad("write", p.weights.bits), s.count * s.r * s.c);
      for (uint64_t i = 0; i < s.count; ++i) {
        k.glb("read", s.r * s.c * wbits);
        k.noc(s.r * s.c * wbits, 1);
        k.glb("read", v * s.r * ibits);
        k.noc(v * s.r * ibits, s.c);
        k.noc(v * s.c * abits, 1);
        k.glb("write", v * s.c * abits);
      }
    }
    // Partial sums are read back for every step but those that start the group's reduction.
    const int64_t k_blocks_in_tile = (t.reduction + rows - 1) / rows;
    for (int64_t kb = 0; kb < k_blocks_in_tile; ++kb) {
      if (t.k_first + kb * rows == 0) continue;
      const uint64_t m_full = static_cast<uint64_t>(t.m_per_group / cols), m_rem = static_cast<uint64_t>(t.m_per_group % cols);
      for (uint64_t g = 0; g < static_cast<uint64_t>(t.groups); ++g) {
        for (uint64_t m = 0; m < m_full; ++m) k.glb("read", v * static_cast<uint64_t>(cols) * abits);
        if (m_rem > 0) k.glb("read", v * m_rem * abits);
      }
    }
    // The first step skips its weight load when the previous tile's last step left
    // the same weight tile (same group, channel block and reduction block) in the array.
    const auto last_key = [&](const GlbTile& x) {
      return std::array<int64_t, 3>{x.group_first + x.groups - 1, x.m_first + (x.m_per_group - 1) / cols * cols,
                                    x.k_first + (x.reduction - 1) / rows * rows};
    };
    if (!first_tile && last_key(previous) == std::array<int64_t, 3>{t.group_first, t.m_first, t.k_first}) {
      const uint64_t n = static_cast<uint64_t>(std::min(rows, t.reduction) * std::min(cols, t.m_per_group));
      k.counts[arch.pe_array->instance() + ":" + spad("write", p.weights.bits)] -= n;
      k.counts[arch.glb->instance() + ":" + arch.glb->instance() + ".read"] -= k.words(n * wbits);
      k.counts[arch.noc->instance() + ":noc.sent_bits"] -= n * wbits;
      k.counts[arch.noc->instance() + ":noc.delivered_bits"] -= n * wbits;
    }
    first_tile = false;
    previous = t;
  }
  return k.counts;
}

LatencyBound plan_latency_bound(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan) {
  const ActionCounts c = count_plan_actions(arch, layer, plan);
  const auto get = [&](const std::string& key) {
    const auto it = c.find(key);
    return it == c.end() ? 0.0 : static_cast<double>(it->second);
  };
  const double period = arch.tech.period_s();
  double compute = 0;
  for (const GlbTile& t : plan.tiles) {
    if (!plan.uses_array) {
      compute += std::ceil(static_cast<double>(t.vector_ops) / static_cast<double>(arch.vector_unit->lanes())) * period;
      continue;
    }
    for (const StepShape& s : step_shapes(t, arch.pe_array->rows(), arch.pe_array->cols()))
      compute += static_cast<double>(s.count) *
                 static_cast<double>(arch.pe_array->compute_cycles(t.vectors, layer.precision)) * period;
  }
  const std::string& g = arch.glb->instance();
  const std::string& d = arch.dram->instance();
  const double dram = (get(d + ":dram.read_bits") + get(d + ":dram.write_bits")) / arch.dram->bandwidth_bits_per_s();
  const double buffer = (get(g + ":" + g + ".read") + get(g + ":" + g + ".write")) /
                        static_cast<double>(arch.glb->banks()) * period;
  const double noc = get(arch.noc->instance() + ":noc.sent_bits") / static_cast<double>(arch.noc->width_bits()) * period;
  LatencyBound b{compute, "compute"};
  for (const auto& [t, name] : {std::pair{dram, "dram"}, std::pair{buffer, "buffer"}, std::pair{noc, "noc"}})
    if (t > b.seconds) b = {t, name};
  return b;
}

}  // namespace qnnsim
