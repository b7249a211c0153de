#include "schedule/ws_schedule.h"

#include "schedule/plan_counts.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

namespace qnnsim {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Candidate block sizes for a dimension of extent n: every distinct ceil(n / k).
// Those are the sizes that split n into k nearly equal blocks, about 2*sqrt(n) of them.
std::vector<int64_t> block_sizes(int64_t n) {
  std::set<int64_t> s;
  for (int64_t k = 1; k <= n; ++k) s.insert(ceil_div(n, k));
  return {s.begin(), s.end()};
}

// Input rows that output rows [p0, p0 + pt) read, clamped to the unpadded input.
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

[[noreturn]] void does_not_fit(const ArchSpec& arch, const Layer& l, double need_bits, const std::string& parts) {
  throw ConfigError(arch.glb->node().location_of("size"), arch.glb->capacity_key(),
                    fmt::format("the global buffer ({:.0f} bits) cannot hold one tile of layer '{}' ({}): the smallest "
                                "double-buffered tile needs {:.0f} bits ({})",
                                arch.glb->capacity_bits(), l.name, l.where.file, need_bits, parts));
}

struct Estimate {
  // A default estimate is worse than any real one, whatever the objective.
  double seconds = std::numeric_limits<double>::infinity();
  double energy_pj = std::numeric_limits<double>::infinity();
  double dram_bits = 0;
  int64_t tiles = 0;

  double score(Objective o) const {
    switch (o) {
      case Objective::Energy: return energy_pj;
      case Objective::Latency: return seconds;
      case Objective::Edp: return energy_pj * seconds;
    }
    return seconds;
  }
  // The objective first; estimates within 1% count as equal (the estimate is
  // not that precise), and then the other figure decides (latency for an
  // energy objective, energy otherwise), then less DRAM traffic, then fewer tiles.
  bool better_than(const Estimate& o, Objective obj) const {
    const double a = score(obj), b = o.score(obj);
    if (a < 0.99 * b) return true;
    if (b < 0.99 * a) return false;
    const Objective other = obj == Objective::Energy ? Objective::Latency : Objective::Energy;
    const double x = score(other), y = o.score(other);
    if (x < 0.99 * y) return true;
    if (y < 0.99 * x) return false;
    if (dram_bits != o.dram_bits) return dram_bits < o.dram_bits;
    return tiles < o.tiles;
  }
};

// DRAM bits per raw bit of activations (compression, if the DRAM has it), for estimates.
double activation_ratio(const ArchSpec& arch, int64_t bits, double density) {
  constexpr uint64_t kSample = 1 << 20;
  return static_cast<double>(arch.dram->activation_bits(kSample, static_cast<int>(bits), density)) /
         (static_cast<double>(kSample) * static_cast<double>(bits));
}

// A tile's first weights cannot load before its data is in the buffer, and with
// two slots that is often only just in time: count one exposed weight load
// per tile of an array layer (a few cycles; it matters for tiny tiles).
double tile_bubbles(const ArchSpec& arch, const Layer& l, int64_t tiles) {
  if (!layer_uses_array(l.type)) return 0;
  return static_cast<double>(tiles) * static_cast<double>(arch.pe_array->weight_load_cycles(static_cast<int>(arch.pe_array->rows()))) *
         arch.tech.period_s();
}

Estimate exact_estimate(const ArchSpec& arch, const Layer& l, const LayerPlan& plan) {
  const PlanAnalysis a = analyze_plan(arch, l, plan);
  Estimate e;
  const double bw = arch.dram->bandwidth_bits_per_s();
  e.tiles = static_cast<int64_t>(plan.tiles.size());
  e.dram_bits = static_cast<double>(a.dram_bits);
  const GlbTile first = plan.tiles.front();
  const GlbTile last = plan.tiles.back();
  const double ends = static_cast<double>(first.weight_load_bits + first.input_dram_bits + last.output_store_bits) / bw;
  const double dram_s = e.dram_bits / bw + static_cast<double>(e.tiles) * arch.dram->latency_s();
  e.seconds = std::max(a.bound.seconds + tile_bubbles(arch, l, e.tiles), dram_s) + ends;
  e.energy_pj = a.dynamic_energy_pj + leakage_pj(arch, e.seconds);
  return e;
}

// ---- array layers (conv, fc, dwconv) --------------------------------------
//
// A buffer tile covers gt groups x mt output channels of each group x ct input
// channels of each group x nt images x pt output rows (all Q columns). Either
// gt > 1 whole groups (mt and ct cover the group), or one group split into
// channel blocks. When the input channels are split (c blocks > 1) the c loop
// is innermost at the DRAM level, so partial sums stay in the buffer across c
// blocks and reach DRAM once, at output width.

struct ArrayShape {
  int64_t N, g, Mg, Cg, RS;
  int64_t wbits, ibits, obits, abits;
};

ArrayShape array_shape(const Layer& l, int64_t batch) {
  return {batch,
          l.groups,
          l.M / l.groups,
          l.C / l.groups,
          l.R * l.S,
          l.precision.weights.bits,
          l.precision.inputs.bits,
          l.precision.outputs.bits,
          l.precision.accumulator.bits};
}

// Array steps needed to reduce over `channels` input channels: rows-tall blocks of channels x R x S.
int64_t k_steps(const ArrayShape& s, int64_t channels, int64_t rows) { return ceil_div(channels * s.RS, rows); }

// Sum of k_steps over the c blocks of size ct.
int64_t k_steps_all_blocks(const ArrayShape& s, int64_t ct, int64_t rows) {
  const int64_t full = s.Cg / ct, rem = s.Cg % ct;
  return full * k_steps(s, ct, rows) + (rem > 0 ? k_steps(s, rem, rows) : 0);
}

// The bits one tile of blocking `m` needs in the buffer, both slots.
double array_tile_need(const Layer& l, const ArrayShape& s, const WsMapping& m, std::string* parts) {
  const RowBlocks rb = row_blocks(l, m.p);
  const double wt = static_cast<double>(m.g) * m.m * m.c * s.RS * s.wbits;
  const double it = static_cast<double>(m.n) * m.g * m.c * rb.max_rows * l.W * s.ibits;
  const double ot = static_cast<double>(m.n) * m.g * m.m * m.p * l.Q * s.abits;
  if (parts) *parts = fmt::format("weights {:.0f}, inputs {:.0f}, partial sums {:.0f} bits per slot", wt, it, ot);
  return kBufferSlots * (wt + it + ot);
}

// Checks a given blocking against the layer and the array; names the broken constraint.
void check_array_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, const WsMapping& m, const ConfigNode& where) {
  const ArrayShape s = array_shape(l, batch);
  const int64_t cols = arch.pe_array->cols();
  const auto range = [&](const char* key, int64_t v, int64_t hi) {
    if (v < 1 || v > hi)
      where.fail(key, fmt::format("layer '{}': {} must be from 1 to {}, found {}", l.name, key, hi, v));
  };
  range("N", m.n, s.N);
  range("P", m.p, l.P);
  range("G", m.g, s.g);
  range("M", m.m, s.Mg);
  range("C", m.c, s.Cg);
  if (m.g > 1 && (m.m != s.Mg || m.c != s.Cg))
    where.fail("G", fmt::format("layer '{}': a tile of {} whole groups takes all {} output and {} input channels of "
                                "each group", l.name, m.g, s.Mg, s.Cg));
  if (m.m < s.Mg && m.m % cols != 0)
    where.fail("M", fmt::format("layer '{}': an output-channel block of {} must be a multiple of the array's {} "
                                "columns, or all {} channels", l.name, m.m, cols, s.Mg));
  std::string parts;
  const double need = array_tile_need(l, s, m, &parts);
  if (need > arch.glb->capacity_bits())
    where.fail_here(fmt::format("layer '{}': this tile does not fit the global buffer: two slots need {:.0f} bits ({}), "
                                "the buffer holds {:.0f}", l.name, need, parts, arch.glb->capacity_bits()));
}

LayerPlan layout_array_layer(const ArchSpec& arch, const Layer& l, int64_t batch, const WsMapping& best);

// Candidates the closed-form estimate ranks best are laid out and scored exactly.
constexpr std::size_t kExactlyScored = 8;
constexpr std::size_t kMostScored = 24;
constexpr int64_t kMostTilesScored = 1 << 16;

WsMapping search_array_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective) {
  const ArrayShape s = array_shape(l, batch);
  const ArraySpec& pe = *arch.pe_array;
  const int64_t rows = pe.rows(), cols = pe.cols();
  const double cap = arch.glb->capacity_bits();
  const double bw = arch.dram->bandwidth_bits_per_s();
  const double period = arch.tech.period_s();
  const int64_t fill = rows + cols - 2;
  const double cycles_per_vector = static_cast<double>(pe.compute_cycles(1, l.precision)) / static_cast<double>(1 + fill);
  const double w_total = static_cast<double>(l.M) * s.Cg * s.RS * s.wbits;
  const double in_ratio = activation_ratio(arch, s.ibits, l.precision.inputs.density);
  const double out_total = static_cast<double>(s.N) * l.output_count() * s.obits *
                           activation_ratio(arch, s.obits, l.precision.outputs.density);
  const double m_steps = static_cast<double>(ceil_div(s.Mg, cols));

  // (gt, mt) pairs: whole groups, or channel blocks (multiples of the array width) of one group.
  std::vector<std::pair<int64_t, int64_t>> gm;
  for (int64_t gt : block_sizes(s.g)) gm.emplace_back(gt, s.Mg);
  for (int64_t b : block_sizes(ceil_div(s.Mg, cols)))
    if (b * cols < s.Mg) gm.emplace_back(1, b * cols);
  std::vector<int64_t> c_sizes = block_sizes(s.Cg);

  // Energy per bit moved or per weight loaded, for the closed-form estimate.
  const double e_dram = arch.dram->action_energy_pj({"dram", "read_bits", 0});
  const double e_glb_bit = arch.glb->action_energy_pj({arch.glb->instance(), "read", 0}) /
                           static_cast<double>(arch.glb->width_bits());
  const double e_noc = arch.noc->action_energy_pj({"noc", "sent_bits", 0});
  const double e_weight_in_pe = arch.pe_array->action_energy_pj({"spad", "write", l.precision.weights.bits});
  const double all_weights = static_cast<double>(l.M) * s.Cg * s.RS;
  const double npq = static_cast<double>(s.N) * l.P * l.Q;

  // Only the best kMostScored candidates are kept (a max-heap on the strict
  // order below), so memory stays small however large the space.
  using Candidate = std::pair<Estimate, WsMapping>;
  uint64_t enumerated = 0;  // the order of discovery breaks exact ties, as a stable sort would
  std::vector<std::pair<Candidate, uint64_t>> candidates;
  const auto before = [&](const std::pair<Candidate, uint64_t>& a, const std::pair<Candidate, uint64_t>& b) {
    const double x = a.first.first.score(objective), y = b.first.first.score(objective);
    if (x != y) return x < y;
    if (a.first.first.dram_bits != b.first.first.dram_bits) return a.first.first.dram_bits < b.first.first.dram_bits;
    if (a.first.first.tiles != b.first.first.tiles) return a.first.first.tiles < b.first.first.tiles;
    return a.second < b.second;
  };
  double smallest_need = std::numeric_limits<double>::infinity();
  std::string smallest_parts;
  for (int64_t pt : block_sizes(l.P)) {
    const RowBlocks rb = row_blocks(l, pt);
    // All input rows of all images and channels, once, with the halo of every row block.
    const double in_once = static_cast<double>(s.N) * l.C * rb.sum_rows * l.W * s.ibits * in_ratio;
    for (int64_t nt : block_sizes(s.N)) {
      const int64_t np_blocks = ceil_div(s.N, nt) * rb.count;
      const double vectors = static_cast<double>(s.N) * l.P * l.Q + static_cast<double>(np_blocks) * fill;
      for (const auto& [gt, mt] : gm) {
        const int64_t m_blocks = ceil_div(s.Mg, mt);  // per group
        const int64_t w_blocks = ceil_div(s.g, gt) * m_blocks;
        const double ot = static_cast<double>(nt) * gt * mt * pt * l.Q * s.abits;
        for (int64_t ct : c_sizes) {
          if (gt > 1 && ct != s.Cg) continue;  // whole groups take all their channels
          const double wt = static_cast<double>(gt) * mt * ct * s.RS * s.wbits;
          const double it = static_cast<double>(nt) * gt * ct * rb.max_rows * l.W * s.ibits;
          const double need = kBufferSlots * (wt + it + ot);
          if (need > cap) {
            if (need < smallest_need) {
              smallest_need = need;
              smallest_parts = fmt::format("weights {:.0f}, inputs {:.0f}, partial sums {:.0f} bits per slot", wt, it, ot);
            }
            continue;
          }
          const int64_t c_blocks = ceil_div(s.Cg, ct);
          double compute_cycles = static_cast<double>(s.g) * m_steps *
                                  static_cast<double>(k_steps_all_blocks(s, ct, rows)) * vectors * cycles_per_vector;
          if (!pe.double_buffered_weights())
            compute_cycles += static_cast<double>(s.g) * m_steps * static_cast<double>(k_steps_all_blocks(s, ct, rows)) *
                              np_blocks * static_cast<double>(pe.weight_load_cycles(static_cast<int>(rows)));
          for (bool weights_outer : {true, false}) {
            const bool inputs_once = !weights_outer && c_blocks == 1;
            const bool weights_once = c_blocks == 1 && (weights_outer || w_blocks == 1);
            Estimate e;
            e.dram_bits = in_once * (inputs_once ? 1.0 : static_cast<double>(m_blocks)) +
                          w_total * (weights_once ? 1.0 : static_cast<double>(np_blocks)) + out_total;
            e.tiles = w_blocks * np_blocks * c_blocks;
            // Each tile's load and store waits one DRAM access latency.
            const double dram_s = e.dram_bits / bw + static_cast<double>(e.tiles) * arch.dram->latency_s();
            const double ends = (wt + it) / bw + static_cast<double>(nt) * gt * mt * pt * l.Q * s.obits / bw;
            e.seconds = std::max(compute_cycles * period + tile_bubbles(arch, l, e.tiles), dram_s) + ends;
            // What changes with the blocking: DRAM traffic and buffer fills, weights
            // reloaded into the array per (n, p) block, and partial sums read back
            // and written per reduction step.
            const double k_total = static_cast<double>(k_steps_all_blocks(s, ct, rows));
            const double psum_bits = static_cast<double>(s.g) * s.Mg * npq * s.abits;
            e.energy_pj = e.dram_bits * (e_dram + e_glb_bit) +
                          all_weights * np_blocks * (s.wbits * (e_glb_bit + e_noc) + e_weight_in_pe) +
                          psum_bits * (2 * k_total - 1) * e_glb_bit;
            candidates.push_back({{e, WsMapping{nt, pt, gt, mt, ct, weights_outer}}, enumerated++});
            std::push_heap(candidates.begin(), candidates.end(), before);
            if (candidates.size() > kMostScored) {
              std::pop_heap(candidates.begin(), candidates.end(), before);
              candidates.pop_back();
            }
          }
        }
      }
    }
  }
  if (candidates.empty()) does_not_fit(arch, l, smallest_need, smallest_parts);

  // Score the front runners on their laid-out plans: the best eight by the
  // estimate, and any other within 1% of the best (which the 1% tie rule
  // could still prefer), up to kMostScored. Plans of very many tiles are
  // ranked by the estimate alone, so that scoring stays cheap.
  std::sort_heap(candidates.begin(), candidates.end(), before);
  const double best_estimate = candidates.front().first.first.score(objective);
  WsMapping best = candidates.front().first.second;
  Estimate best_exact;
  std::size_t scored = 0;
  for (std::size_t i = 0; i < candidates.size() && scored < kMostScored; ++i) {
    const auto& [estimate, mapping] = candidates[i].first;
    if (i >= kExactlyScored && estimate.score(objective) > 1.01 * best_estimate) break;
    if (estimate.tiles > kMostTilesScored) continue;
    const LayerPlan plan = layout_array_layer(arch, l, batch, mapping);
    const Estimate exact = exact_estimate(arch, l, plan);
    ++scored;
    if (best_exact.tiles == 0 || exact.better_than(best_exact, objective)) {
      best_exact = exact;
      best = mapping;
    }
  }
  return best;
}

// One block of a loop split into blocks of `size`: where it starts and how long it is.
struct Block {
  int64_t first, size;
};
Block block_at(int64_t extent, int64_t size, int64_t index) {
  const int64_t first = index * size;
  return {first, std::min(size, extent - first)};
}

// Lays out the tiles of a blocking in its loop order (generated on demand).
LayerPlan layout_array_layer(const ArchSpec& arch, const Layer& l, int64_t batch, const WsMapping& best) {
  const ArrayShape s = array_shape(l, batch);
  const int64_t gb = ceil_div(s.g, best.g), mb = ceil_div(s.Mg, best.m), cb = ceil_div(s.Cg, best.c);
  const int64_t nb = ceil_div(s.N, best.n), pb = ceil_div(l.P, best.p);
  const bool split_c = cb > 1;
  const bool one_weight_block = gb * mb == 1;

  LayerPlan plan;
  plan.uses_array = true;
  plan.mapping = best;
  plan.footprint_bits = static_cast<uint64_t>(array_tile_need(l, s, best, nullptr));
  const DramSpec* dram = arch.dram.get();
  const Layer layer = l;
  plan.tiles = TileRange(static_cast<std::size_t>(gb * mb * nb * pb * cb), [=](std::size_t index) {
    // Decode the tile's block indices in the loop order, innermost (C) first.
    int64_t i = static_cast<int64_t>(index);
    const int64_t ci = i % cb;
    i /= cb;
    int64_t gi, mi, ni, pi;
    bool load_w, load_i;
    if (best.weights_outer) {  // G M N P C
      pi = i % pb, i /= pb;
      ni = i % nb, i /= nb;
      mi = i % mb, gi = i / mb;
      load_w = split_c || (ni == 0 && pi == 0);  // weights change with (g, m) only
      load_i = true;
    } else {  // N P G M C
      mi = i % mb, i /= mb;
      gi = i % gb, i /= gb;
      pi = i % pb, ni = i / pb;
      load_w = split_c || !one_weight_block || (ni == 0 && pi == 0 && gi == 0 && mi == 0);
      load_i = split_c || mi == 0;  // inputs stay while the output channels change
    }
    const Block g = block_at(s.g, best.g, gi), m = block_at(s.Mg, best.m, mi), c = block_at(s.Cg, best.c, ci);
    const Block n = block_at(s.N, best.n, ni), p = block_at(layer.P, best.p, pi);
    GlbTile t;
    const uint64_t outputs = static_cast<uint64_t>(n.size * g.size * m.size * p.size * layer.Q);
    const uint64_t w_bits = static_cast<uint64_t>(g.size * m.size * c.size * s.RS * s.wbits);
    const uint64_t i_values = static_cast<uint64_t>(n.size * g.size * c.size * input_rows(layer, p.first, p.size) * layer.W);
    const bool last_c = c.first + c.size == s.Cg;
    t.weight_load_bits = load_w ? w_bits : 0;
    t.input_load_bits = load_i ? i_values * static_cast<uint64_t>(s.ibits) : 0;
    t.input_dram_bits =
        load_i ? dram->activation_bits(i_values, static_cast<int>(s.ibits), layer.precision.inputs.density) : 0;
    t.output_read_bits = last_c ? outputs * static_cast<uint64_t>(s.abits) : 0;
    t.output_store_bits =
        last_c ? dram->activation_bits(outputs, static_cast<int>(s.obits), layer.precision.outputs.density) : 0;
    t.group_first = g.first;
    t.groups = g.size;
    t.m_first = m.first;
    t.m_per_group = m.size;
    t.k_first = c.first * s.RS;
    t.reduction = c.size * s.RS;
    t.vectors = static_cast<uint64_t>(n.size * p.size * layer.Q);
    return t;
  });
  plan.tiling = fmt::format("{} tiles: {}", plan.tiles.size(), best.one_line(true));
  return plan;
}

// ---- vector layers (maxpool, avgpool, add) ---------------------------------

double vector_tile_need(const Layer& l, const WsMapping& m) {
  const int64_t inputs_per_output = l.type == LayerType::Add ? 2 : 1;
  const RowBlocks rb = row_blocks(l, m.p);
  return kBufferSlots * (static_cast<double>(m.n) * inputs_per_output * m.c * rb.max_rows * l.W * l.precision.inputs.bits +
                         static_cast<double>(m.n) * m.c * m.p * l.Q * l.precision.outputs.bits);
}

void check_vector_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, const WsMapping& m, const ConfigNode& where) {
  if (m.n < 1 || m.n > batch) where.fail("N", fmt::format("layer '{}': N must be from 1 to {}, found {}", l.name, batch, m.n));
  if (m.p < 1 || m.p > l.P) where.fail("P", fmt::format("layer '{}': P must be from 1 to {}, found {}", l.name, l.P, m.p));
  if (m.c < 1 || m.c > l.C) where.fail("C", fmt::format("layer '{}': C must be from 1 to {}, found {}", l.name, l.C, m.c));
  const double need = vector_tile_need(l, m);
  if (need > arch.glb->capacity_bits())
    where.fail_here(fmt::format("layer '{}': this tile does not fit the global buffer: two slots need {:.0f} bits, the "
                                "buffer holds {:.0f}", l.name, need, arch.glb->capacity_bits()));
}

WsMapping search_vector_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective) {
  const double e_dram = arch.dram->action_energy_pj({"dram", "read_bits", 0});
  const double e_glb_bit = arch.glb->action_energy_pj({arch.glb->instance(), "read", 0}) /
                           static_cast<double>(arch.glb->width_bits());
  const double cap = arch.glb->capacity_bits();
  const double bw = arch.dram->bandwidth_bits_per_s();
  const int64_t inputs_per_output = l.type == LayerType::Add ? 2 : 1;
  const int64_t ibits = l.precision.inputs.bits, obits = l.precision.outputs.bits;
  const double lanes = static_cast<double>(arch.vector_unit->lanes());

  WsMapping best;
  Estimate best_est;
  double smallest_need = std::numeric_limits<double>::infinity();
  const std::vector<int64_t> c_sizes = block_sizes(l.C);
  for (int64_t p_t : block_sizes(l.P)) {
    const RowBlocks rb = row_blocks(l, p_t);
    for (int64_t n_t : block_sizes(batch))
    for (int64_t c_t : c_sizes) {
      const double it = static_cast<double>(n_t) * inputs_per_output * c_t * rb.max_rows * l.W * ibits;
      const double ot = static_cast<double>(n_t) * c_t * p_t * l.Q * obits;
      const double need = kBufferSlots * (it + ot);
      if (need > cap) {
        smallest_need = std::min(smallest_need, need);
        continue;
      }
      Estimate e;
      e.tiles = ceil_div(batch, n_t) * ceil_div(l.C, c_t) * rb.count;
      e.dram_bits = static_cast<double>(batch) * inputs_per_output * l.C * rb.sum_rows * l.W * ibits *
                        activation_ratio(arch, ibits, l.precision.inputs.density) +
                    static_cast<double>(batch) * l.output_count() * obits *
                        activation_ratio(arch, obits, l.precision.outputs.density);
      const double cycles = std::ceil(static_cast<double>(batch) * l.vector_ops() / lanes);
      const double dram_s = e.dram_bits / bw + static_cast<double>(e.tiles) * arch.dram->latency_s();
      e.seconds = std::max(cycles * arch.tech.period_s(), dram_s) + (it + ot) / bw;
      // Only the traffic changes with the blocking (halo rows read again): DRAM and buffer fills.
      e.energy_pj = e.dram_bits * (e_dram + e_glb_bit);
      if (e.better_than(best_est, objective)) {
        best_est = e;
        best.n = n_t;
        best.p = p_t;
        best.c = c_t;
      }
    }
  }
  if (best_est.tiles == 0) does_not_fit(arch, l, smallest_need, "inputs and outputs");
  return best;
}

LayerPlan layout_vector_layer(const ArchSpec& arch, const Layer& l, int64_t batch, const WsMapping& m) {
  const int64_t nb = ceil_div(batch, m.n), cb = ceil_div(l.C, m.c), pb = ceil_div(l.P, m.p);
  LayerPlan plan;
  plan.mapping = m;
  plan.footprint_bits = static_cast<uint64_t>(vector_tile_need(l, m));
  const DramSpec* dram = arch.dram.get();
  const Layer layer = l;
  plan.tiles = TileRange(static_cast<std::size_t>(nb * cb * pb), [=](std::size_t index) {
    // Loop order N C P, innermost (P) first.
    const int64_t i = static_cast<int64_t>(index);
    const Block p = block_at(layer.P, m.p, i % pb), c = block_at(layer.C, m.c, (i / pb) % cb);
    const Block n = block_at(batch, m.n, i / (pb * cb));
    const int64_t inputs_per_output = layer.type == LayerType::Add ? 2 : 1;
    const int64_t ibits = layer.precision.inputs.bits, obits = layer.precision.outputs.bits;
    GlbTile t;
    const uint64_t outputs = static_cast<uint64_t>(n.size * c.size * p.size * layer.Q);
    const uint64_t in_values =
        static_cast<uint64_t>(n.size * inputs_per_output * c.size * input_rows(layer, p.first, p.size) * layer.W);
    t.input_load_bits = in_values * static_cast<uint64_t>(ibits);
    t.input_dram_bits = dram->activation_bits(in_values, static_cast<int>(ibits), layer.precision.inputs.density);
    t.output_read_bits = outputs * static_cast<uint64_t>(obits);
    t.output_store_bits = dram->activation_bits(outputs, static_cast<int>(obits), layer.precision.outputs.density);
    t.vector_ops = outputs * static_cast<uint64_t>(layer.vector_ops() / layer.output_count());
    t.vector_in_bits = t.input_load_bits;
    t.vector_out_bits = t.output_read_bits;
    return t;
  });
  plan.tiling = fmt::format("{} tiles: {}", plan.tiles.size(), m.one_line(false));
  return plan;
}

}  // namespace

PlanScore score_plan(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan) {
  const Estimate e = exact_estimate(arch, layer, plan);
  return {e.seconds, e.energy_pj};
}

double PlanScore::value(Objective o) const {
  switch (o) {
    case Objective::Energy: return energy_pj;
    case Objective::Latency: return seconds;
    case Objective::Edp: return energy_pj * seconds;
  }
  return seconds;
}

std::string WsMapping::one_line(bool uses_array) const {
  if (!uses_array) return fmt::format("N{} C{} P{} | N C P", n, c, p);
  return fmt::format("N{} P{} G{} M{} C{} | {} | rows C*R*S, cols M", n, p, g, m, c,
                     weights_outer ? "G M N P C" : "N P G M C");
}

LayerPlan plan_layer_ws(const ArchSpec& arch, const Layer& layer, int64_t batch, const GivenMapping* given,
                        Objective objective) {
  const bool array = layer_uses_array(layer.type);
  WsMapping m;
  if (given != nullptr) {
    m = given->mapping;
    if (array)
      check_array_mapping(arch, layer, batch, m, given->where);
    else
      check_vector_mapping(arch, layer, batch, m, given->where);
  } else {
    m = array ? search_array_mapping(arch, layer, batch, objective) : search_vector_mapping(arch, layer, batch, objective);
  }
  return array ? layout_array_layer(arch, layer, batch, m) : layout_vector_layer(arch, layer, batch, m);
}

std::vector<LayerPlan> plan_workload(const ArchSpec& arch, const Workload& w, const GivenMappings* given,
                                     Objective objective, std::vector<double>* search_seconds) {
  std::vector<LayerPlan> plans;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    const std::string problem = layer_uses_array(l.type) ? arch.pe_array->precision_problem(l.precision)
                                                         : arch.vector_unit->precision_problem(l.precision);
    if (!problem.empty())
      throw ConfigError(l.where, "layers[" + std::to_string(i) + "] (" + l.name + ")",
                        problem + " (architecture '" + arch.file + "')");
    const GivenMapping* mine = nullptr;
    if (given != nullptr) {
      const auto it = given->layers.find(l.name);
      if (it == given->layers.end())
        throw ConfigError(given->layers_location, "layers." + l.name,
                          "no mapping for layer '" + l.name + "'; a mappings file must map every layer of the workload");
      mine = &it->second;
    }
    const auto started = std::chrono::steady_clock::now();
    plans.push_back(plan_layer_ws(arch, l, w.batch, mine, objective));
    if (search_seconds != nullptr)
      search_seconds->push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  return plans;
}

}  // namespace qnnsim
