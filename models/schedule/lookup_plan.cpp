// Embedding lookups on the PE-array designs: data movement, planned like the
// other data-movement layers but reading only the table rows the ids
// select. A tile is a block of images and tokens: it loads the block's ids
// (the layer's inputs) and then the rows they select (at the weights'
// width) from DRAM into the buffer, and stores the rows to DRAM as the
// layer's outputs. No unit computes on them, and the rest of the table is
// never read: per image the lookup reads tokens x features x weight bits.
#include <algorithm>

#include <fmt/format.h>

#include "schedule/search_support.h"

namespace qnnsim::search {

namespace {

// Buffer bits a tile of n images and p tokens occupies, by tensor (the rows
// in the weights' partition), over all slots.
std::array<double, 3> lookup_tile_bits(const Layer& l, int64_t n, int64_t p, int slots) {
  const double tokens = static_cast<double>(n) * static_cast<double>(p);
  return {slots * tokens * static_cast<double>(l.M) * l.precision.weights.bits, slots * tokens * l.precision.inputs.bits,
          slots * tokens * static_cast<double>(l.M) * l.precision.outputs.bits};
}

double sum(const std::array<double, 3>& bits) { return bits[0] + bits[1] + bits[2]; }

}  // namespace

void check_lookup_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, const VectorTiling& m,
                          const ConfigNode& where) {
  if (m.n < 1 || m.n > batch) where.fail("N", fmt::format("layer '{}': N must be from 1 to {}, found {}", l.name, batch, m.n));
  if (m.p < 1 || m.p > l.P) where.fail("P", fmt::format("layer '{}': P must be from 1 to {}, found {}", l.name, l.P, m.p));
  if (m.c != 1) where.fail("C", fmt::format("layer '{}' (embedding) reads one id per token: C must be 1, found {}", l.name, m.c));
  const std::string overflow =
      arch.glb->partitions().overflow(lookup_tile_bits(l, m.n, m.p, arch.glb->tile_slots()));
  if (!overflow.empty())
    where.fail_here(fmt::format("layer '{}': this tile does not fit the global buffer with {} slot(s): {}", l.name,
                                arch.glb->tile_slots(), overflow));
}

VectorTiling search_lookup_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective) {
  const double bw = arch.dram->bandwidth_bits_per_s();
  const int slots = arch.glb->tile_slots();
  const double values = static_cast<double>(batch) * static_cast<double>(l.P);  // ids, and rows read
  // What moves is the same whatever the blocking: the ids, the rows they select, the outputs.
  const double dram_bits =
      values * (l.precision.inputs.bits * activation_ratio(arch, l.precision.inputs.bits, l.precision.inputs.density) +
                static_cast<double>(l.M) * l.precision.weights.bits +
                static_cast<double>(l.M) * l.precision.outputs.bits *
                    activation_ratio(arch, l.precision.outputs.bits, l.precision.outputs.density));
  const double e_dram = arch.dram->action_energy_pj({"dram", "read_bits", 0});
  VectorTiling best;
  Estimate best_est;
  double smallest_need = std::numeric_limits<double>::infinity();
  for (int64_t p_t : block_sizes(l.P))
    for (int64_t n_t : block_sizes(batch)) {
      const std::array<double, 3> bits = lookup_tile_bits(l, n_t, p_t, slots);
      if (!arch.glb->partitions().fits(bits)) {
        smallest_need = std::min(smallest_need, sum(bits));
        continue;
      }
      Estimate e;
      e.tiles = ceil_div(batch, n_t) * ceil_div(l.P, p_t);
      e.dram_bits = dram_bits;
      // DRAM bound: every tile waits for its loads; the first load and the last store are not overlapped.
      e.figures.seconds = dram_bits / bw + static_cast<double>(e.tiles) * arch.dram->latency_s() + sum(bits) / slots / bw;
      e.figures.energy_pj = dram_bits * e_dram;
      if (e.better_than(best_est, objective)) {
        best_est = e;
        best.n = n_t;
        best.p = p_t;
        best.c = 1;
      }
    }
  if (best_est.tiles == 0) does_not_fit(arch, l, smallest_need, "ids, rows and outputs");
  return best;
}

LayerPlan layout_lookup_layer(const ArchSpec& arch, const Layer& l, int64_t batch, const VectorTiling& m) {
  const int64_t nb = ceil_div(batch, m.n), pb = ceil_div(l.P, m.p);
  LayerPlan plan;
  plan.vector = m;
  plan.footprint_bits = static_cast<uint64_t>(sum(lookup_tile_bits(l, m.n, m.p, arch.glb->tile_slots())));
  const DramSpec* dram = arch.dram.get();
  const Layer layer = l;
  plan.tiles = TileRange(static_cast<std::size_t>(nb * pb), [=](std::size_t index) {
    // Loop order N P, tokens innermost.
    const int64_t i = static_cast<int64_t>(index);
    const int64_t p0 = (i % pb) * m.p, n0 = (i / pb) * m.n;
    const auto tokens = static_cast<uint64_t>(std::min(m.n, batch - n0) * std::min(m.p, layer.P - p0));
    const auto row_values = tokens * static_cast<uint64_t>(layer.M);
    const LayerPrecision& prec = layer.precision;
    GlbTile t;
    t.input_load_bits = tokens * static_cast<uint64_t>(prec.inputs.bits);
    t.input_dram_bits = dram->activation_bits(tokens, prec.inputs.bits, prec.inputs.density);
    t.weight_load_bits = row_values * static_cast<uint64_t>(prec.weights.bits);
    t.output_read_bits = row_values * static_cast<uint64_t>(prec.outputs.bits);
    t.output_store_bits = dram->activation_bits(row_values, prec.outputs.bits, prec.outputs.density);
    return t;
  });
  plan.tiling = fmt::format("{} tiles: {}", plan.tiles.size(), m.one_line());
  return plan;
}

}  // namespace qnnsim::search
