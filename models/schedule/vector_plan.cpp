// Pooling, residual adds, softmax, layer norm, GELU and the data-movement
// layers (transpose, concat, split) run on the vector unit beside the
// buffer, or only through it. Their tiles are blocks of images, channels and
// output rows (with the input rows' halo), chosen to fit the buffer
// double-buffered and to minimise the objective; only DRAM and buffer
// traffic change with the blocking. A softmax or layer norm tile holds every
// channel of its positions, which it normalises over.
#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "schedule/search_support.h"

namespace qnnsim::search {

namespace {

int64_t input_rows(const Layer& l, int64_t p0, int64_t pt) {
  const int64_t lo = std::max<int64_t>(0, p0 * l.stride - l.padding);
  const int64_t hi = std::min<int64_t>(l.H - 1, (p0 + pt - 1) * l.stride - l.padding + (l.R - 1) * l.dilation);
  return hi - lo + 1;
}

// Sum and maximum of input rows over the blocks of `pt` output rows.
struct RowBlocks {
  int64_t count = 0, sum_rows = 0, max_rows = 0;
};
RowBlocks row_blocks(const Layer& l, int64_t pt) {
  RowBlocks b;
  for (int64_t p0 = 0; p0 < l.P; p0 += pt) {
    const int64_t h = input_rows(l, p0, std::min(pt, l.P - p0));
    b.count += 1;
    b.sum_rows += h;
    b.max_rows = std::max(b.max_rows, h);
  }
  return b;
}

// Input values of a tile of n images, c channels and `rows` input rows. An
// add or mul reads a second operand of the same shape, or, where it
// broadcasts a row (an attention mask, a squeeze-excite scale), that row's c
// values once per image of the tile.
double tile_input_values(const Layer& l, int64_t n, int64_t c, int64_t rows) {
  const double one = static_cast<double>(n) * c * rows * l.W;
  if (!layer_combines_two(l.type)) return one;
  return one + (l.broadcast_row ? static_cast<double>(n) * c : one);
}

// One block of a loop split into blocks of `size`: where it starts and how long it is.
struct Span {
  int64_t first, size;
};
Span block_at(int64_t extent, int64_t size, int64_t index) {
  const int64_t first = index * size;
  return {first, std::min(size, extent - first)};
}

// Buffer bits a tile of a vector layer occupies, by tensor (no weights), over all slots.
std::array<double, 3> vector_tile_bits(const Layer& l, const VectorTiling& m, int slots) {
  const RowBlocks rb = row_blocks(l, m.p);
  return {0, slots * tile_input_values(l, m.n, m.c, rb.max_rows) * l.precision.inputs.bits,
          slots * static_cast<double>(m.n) * m.c * m.p * l.Q * l.precision.outputs.bits};
}

double vector_tile_need(const Layer& l, const VectorTiling& m, int slots) {
  const std::array<double, 3> bits = vector_tile_bits(l, m, slots);
  return bits[1] + bits[2];
}

}  // namespace

void check_vector_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, const VectorTiling& m, const ConfigNode& where) {
  if (m.n < 1 || m.n > batch) where.fail("N", fmt::format("layer '{}': N must be from 1 to {}, found {}", l.name, batch, m.n));
  if (m.p < 1 || m.p > l.P) where.fail("P", fmt::format("layer '{}': P must be from 1 to {}, found {}", l.name, l.P, m.p));
  if (m.c < 1 || m.c > l.C) where.fail("C", fmt::format("layer '{}': C must be from 1 to {}, found {}", l.name, l.C, m.c));
  if (layer_normalizes_channels(l.type) && m.c != l.C)
    where.fail("C", fmt::format("layer '{}' ({}) normalises over all {} channels: C must be {}, found {}", l.name,
                                layer_type_name(l.type), l.C, l.C, m.c));
  const std::string overflow = arch.glb->partitions().overflow(vector_tile_bits(l, m, arch.glb->tile_slots()));
  if (!overflow.empty())
    where.fail_here(fmt::format("layer '{}': this tile does not fit the global buffer with {} slot(s): {}", l.name,
                                arch.glb->tile_slots(), overflow));
}

VectorTiling search_vector_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective) {
  const double e_dram = arch.dram->action_energy_pj({"dram", "read_bits", 0});
  const double e_glb_bit = arch.glb->action_energy_pj({kBufferGroup, "read", 0}) /
                           static_cast<double>(arch.glb->width_bits());
  const BufferPartitions& parts = arch.glb->partitions();
  const double bw = arch.dram->bandwidth_bits_per_s();
  const int64_t ibits = l.precision.inputs.bits, obits = l.precision.outputs.bits;
  const double lanes = static_cast<double>(arch.vector_unit->lanes());

  // What no blocking changes, worked out once: the activations' coding
  // ratios, the outputs' DRAM bits and the vector unit's cycles.
  const double in_ratio = activation_ratio(arch, ibits, l.precision.inputs.density);
  const double out_dram_bits = static_cast<double>(batch) * l.output_count() * obits *
                               activation_ratio(arch, obits, l.precision.outputs.density);
  VectorOps work = l.vector_work(l.output_count());
  work += l.activation_work(l.output_count());
  const double cycles = std::ceil(static_cast<double>(arch.vector_unit->lane_cycles(work, l.precision.outputs.bits)) *
                                  static_cast<double>(batch) / lanes);
  const double compute_s = cycles * arch.tech.period_s();

  VectorTiling best;
  Estimate best_est;
  double smallest_need = std::numeric_limits<double>::infinity();
  const std::vector<int64_t> c_sizes = layer_normalizes_channels(l.type) ? std::vector<int64_t>{l.C} : block_sizes(l.C);
  const std::vector<int64_t> n_sizes = block_sizes(batch);
  for (int64_t p_t : block_sizes(l.P)) {
    const RowBlocks rb = row_blocks(l, p_t);
    // Over all tiles: every input row once (halos again), a broadcast row once per row block.
    const double in_values = l.broadcast_row ? static_cast<double>(batch) * l.C * (rb.sum_rows * l.W + rb.count)
                                             : tile_input_values(l, batch, l.C, rb.sum_rows);
    const double dram_bits = in_values * ibits * in_ratio + out_dram_bits;
    // Sizes come smallest first and a tile's need grows with n_t and with
    // c_t: once a tile overflows, every larger c_t does too, and once the
    // smallest c_t overflows, so does every larger n_t. The tiles skipped
    // need more than the one that overflowed, so the smallest need stays.
    for (int64_t n_t : n_sizes) {
      bool smallest_c_overflows = false;
      for (int64_t c_t : c_sizes) {
        const double it = tile_input_values(l, n_t, c_t, rb.max_rows) * ibits;
        const double ot = static_cast<double>(n_t) * c_t * p_t * l.Q * obits;
        const double need = arch.glb->tile_slots() * (it + ot);
        if (!parts.fits({0, arch.glb->tile_slots() * it, arch.glb->tile_slots() * ot})) {
          smallest_need = std::min(smallest_need, need);
          smallest_c_overflows = c_t == c_sizes.front();
          break;
        }
        Estimate e;
        e.tiles = ceil_div(batch, n_t) * ceil_div(l.C, c_t) * rb.count;
        e.dram_bits = dram_bits;
        const double dram_s = e.dram_bits / bw + static_cast<double>(e.tiles) * arch.dram->latency_s();
        // One slot: a tile's load and store wait for the compute of the one before.
        e.figures.seconds = (arch.glb->tile_slots() == 1 ? compute_s + dram_s : std::max(compute_s, dram_s)) + (it + ot) / bw;
        // Only the traffic changes with the blocking (halo rows read again): DRAM and buffer fills.
        e.figures.energy_pj = e.dram_bits * (e_dram + e_glb_bit);
        if (e.better_than(best_est, objective)) {
          best_est = e;
          best.n = n_t;
          best.p = p_t;
          best.c = c_t;
        }
      }
      if (smallest_c_overflows) break;
    }
  }
  if (best_est.tiles == 0) does_not_fit(arch, l, smallest_need, "inputs and outputs");
  return best;
}

LayerPlan layout_vector_layer(const ArchSpec& arch, const Layer& l, int64_t batch, const VectorTiling& m) {
  const int64_t nb = ceil_div(batch, m.n), cb = ceil_div(l.C, m.c), pb = ceil_div(l.P, m.p);
  LayerPlan plan;
  plan.vector = m;
  plan.footprint_bits = static_cast<uint64_t>(vector_tile_need(l, m, arch.glb->tile_slots()));
  const DramSpec* dram = arch.dram.get();
  const Layer layer = l;
  // A tile depends on its blocks' sizes along N and C and on its block of
  // rows (the halo rows it reads), nothing else.
  const auto tile_of = [=](const Span& n, const Span& c, const Span& p) {
    const int64_t ibits = layer.precision.inputs.bits, obits = layer.precision.outputs.bits;
    GlbTile t;
    const uint64_t outputs = static_cast<uint64_t>(n.size * c.size * p.size * layer.Q);
    const auto in_values =
        static_cast<uint64_t>(tile_input_values(layer, n.size, c.size, input_rows(layer, p.first, p.size)));
    t.input_load_bits = in_values * static_cast<uint64_t>(ibits);
    t.input_dram_bits = dram->activation_bits(in_values, static_cast<int>(ibits), layer.precision.inputs.density);
    t.output_read_bits = outputs * static_cast<uint64_t>(obits);
    t.output_store_bits = dram->activation_bits(outputs, static_cast<int>(obits), layer.precision.outputs.density);
    t.vector = layer.vector_work(static_cast<int64_t>(outputs));
    t.vector += layer.activation_work(static_cast<int64_t>(outputs));
    t.vector_in_bits = t.input_load_bits;
    t.vector_out_bits = t.output_read_bits;
    return t;
  };
  const auto generate = [=](std::size_t index) {
    // Loop order N C P, innermost (P) first.
    const int64_t i = static_cast<int64_t>(index);
    return tile_of(block_at(batch, m.n, i / (pb * cb)), block_at(layer.C, m.c, (i / pb) % cb),
                   block_at(layer.P, m.p, i % pb));
  };
  // Blocks along N and along C take at most two sizes (whole, and the last
  // one's): each size once, with how many blocks have it.
  const auto sizes = [](int64_t extent, int64_t size, int64_t blocks) {
    std::vector<std::pair<Span, uint64_t>> out{{block_at(extent, size, 0), static_cast<uint64_t>(blocks)}};
    const Span last = block_at(extent, size, blocks - 1);
    if (last.size != out[0].first.size) {
      out[0].second -= 1;
      out.push_back({last, 1});
    }
    return out;
  };
  const auto distinct = [=](const TileRange::Visit& visit) {
    for (const auto& [n, n_count] : sizes(batch, m.n, nb))
      for (const auto& [c, c_count] : sizes(layer.C, m.c, cb))
        for (int64_t j = 0; j < pb; ++j) visit(tile_of(n, c, block_at(layer.P, m.p, j)), n_count * c_count);
  };
  plan.tiles = TileRange(static_cast<std::size_t>(nb * cb * pb), generate, distinct);
  // What tile_of takes from a block of rows, by block: its size and the input rows it reads.
  std::vector<std::pair<int64_t, int64_t>> row_block(static_cast<std::size_t>(pb));
  for (int64_t j = 0; j < pb; ++j) {
    const Span p = block_at(layer.P, m.p, j);
    row_block[static_cast<std::size_t>(j)] = {p.size, input_rows(layer, p.first, p.size)};
  }
  // Tiles with the same blocks' sizes and rows are the same tile.
  plan.tiles.set_alike_run([=](uint64_t index, uint64_t period, uint64_t end) {
    const auto n = static_cast<uint64_t>(nb), c = static_cast<uint64_t>(cb), p = static_cast<uint64_t>(pb);
    const auto blocks_of = [&](uint64_t i) {
      return std::tuple{block_at(batch, m.n, static_cast<int64_t>(i / (p * c))).size,
                        block_at(layer.C, m.c, static_cast<int64_t>((i / p) % c)).size, row_block[i % p]};
    };
    if (period == 0) return uint64_t{0};
    uint64_t t = index;
    while (t < end && t >= period && t < n * c * p && blocks_of(t) == blocks_of(t - period)) ++t;
    return t - index;
  });
  plan.tiling = fmt::format("{} tiles: {}", plan.tiles.size(), m.one_line());
  return plan;
}


}  // namespace qnnsim::search
