#include "schedule/ws_schedule.h"

#include <algorithm>
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
  double seconds = std::numeric_limits<double>::infinity();
  double dram_bits = 0;
  int64_t tiles = 0;
  bool better_than(const Estimate& o) const {
    if (seconds != o.seconds) return seconds < o.seconds;
    if (dram_bits != o.dram_bits) return dram_bits < o.dram_bits;
    return tiles < o.tiles;
  }
};

// ---- array layers (conv, fc, dwconv) --------------------------------------

struct ArrayChoice {
  int64_t n_t = 1, p_t = 1, u_t = 1;  // images, output rows, and units (groups, or channels when groups == 1)
  bool weights_outer = true;          // loop order at the DRAM level
};

struct ArrayShape {
  int64_t N, g, K, m_per_group, c_per_group, units;
  bool grouped;
  int64_t wbits, ibits, obits, abits;
};

ArrayShape array_shape(const Layer& l, int64_t batch) {
  ArrayShape s{};
  s.N = batch;
  s.g = l.groups;
  s.K = l.reduction_size();
  s.m_per_group = l.M / l.groups;
  s.c_per_group = l.C / l.groups;
  s.grouped = l.groups > 1;
  s.units = s.grouped ? l.groups : l.M;
  s.wbits = l.precision.weights.bits;
  s.ibits = l.precision.inputs.bits;
  s.obits = l.precision.outputs.bits;
  s.abits = l.precision.accumulator.bits;
  return s;
}

// Output channels and input channels that `u` units span.
int64_t unit_out_channels(const ArrayShape& s, int64_t u) { return s.grouped ? u * s.m_per_group : u; }
int64_t unit_in_channels(const ArrayShape& s, const Layer& l, int64_t u) { return s.grouped ? u * s.c_per_group : l.C; }

LayerPlan plan_array_layer(const ArchSpec& arch, const Layer& l, int64_t batch) {
  const ArrayShape s = array_shape(l, batch);
  const ArraySpec& pe = *arch.pe_array;
  const int64_t rows = pe.rows(), cols = pe.cols();
  const double cap = arch.glb->capacity_bits();
  const double bw = arch.dram->bandwidth_bits_per_s();
  const double period = arch.tech.period_s();

  // Channel blocks are whole multiples of the array width unless they cover all of M.
  std::vector<int64_t> unit_sizes;
  if (s.grouped) {
    unit_sizes = block_sizes(s.units);
  } else {
    for (int64_t b : block_sizes(ceil_div(s.units, cols))) unit_sizes.push_back(std::min(s.units, b * cols));
  }
  const int64_t fill = rows + cols - 2;
  const double steps_per_vector_block =
      static_cast<double>(s.g * ceil_div(s.m_per_group, cols) * ceil_div(s.K, rows));
  const double cycles_per_vector = static_cast<double>(pe.compute_cycles(1, l.precision) / static_cast<uint64_t>(1 + fill));
  const double w_total = static_cast<double>(l.M) * s.K * s.wbits;
  const double out_total = static_cast<double>(s.N) * l.output_count() * s.obits;

  ArrayChoice best;
  Estimate best_est;
  double smallest_need = std::numeric_limits<double>::infinity();
  std::string smallest_parts;
  for (int64_t p_t : block_sizes(l.P)) {
    const RowBlocks rb = row_blocks(l, p_t);
    for (int64_t n_t : block_sizes(s.N)) {
      const int64_t np_blocks = ceil_div(s.N, n_t) * rb.count;
      for (int64_t u_t : unit_sizes) {
        const double wt = static_cast<double>(unit_out_channels(s, u_t)) * s.K * s.wbits;
        const double it = static_cast<double>(n_t) * unit_in_channels(s, l, u_t) * rb.max_rows * l.W * s.ibits;
        const double ot = static_cast<double>(n_t) * unit_out_channels(s, u_t) * p_t * l.Q * s.abits;
        const double need = kBufferSlots * (wt + it + ot);
        if (need > cap) {
          if (need < smallest_need) {
            smallest_need = need;
            smallest_parts = fmt::format("weights {:.0f}, inputs {:.0f}, partial sums {:.0f} bits per slot", wt, it, ot);
          }
          continue;
        }
        const int64_t w_blocks = ceil_div(s.units, u_t);
        // All input rows of all images, once, with the halo of every row block.
        const double in_once = static_cast<double>(s.N) * l.C * rb.sum_rows * l.W * s.ibits;
        double compute_cycles = steps_per_vector_block *
                                (static_cast<double>(s.N) * l.P * l.Q + static_cast<double>(np_blocks) * fill) *
                                cycles_per_vector;
        if (!pe.double_buffered_weights())
          compute_cycles += steps_per_vector_block * np_blocks * static_cast<double>(pe.weight_load_cycles(static_cast<int>(rows)));
        for (bool weights_outer : {true, false}) {
          const double in_bits = (weights_outer && !s.grouped) ? in_once * w_blocks : in_once;
          const double w_bits = (weights_outer || w_blocks == 1) ? w_total : w_total * np_blocks;
          Estimate e;
          e.dram_bits = in_bits + w_bits + out_total;
          e.tiles = w_blocks * np_blocks;
          const double ends = (wt + it) / bw + static_cast<double>(n_t) * unit_out_channels(s, u_t) * p_t * l.Q * s.obits / bw;
          // Each tile's load and store waits one DRAM access latency.
          const double dram_s = e.dram_bits / bw + static_cast<double>(e.tiles) * arch.dram->latency_s();
          e.seconds = std::max(compute_cycles * period, dram_s) + ends;
          if (e.better_than(best_est)) {
            best_est = e;
            best = {n_t, p_t, u_t, weights_outer};
          }
        }
      }
    }
  }
  if (best_est.tiles == 0) does_not_fit(arch, l, smallest_need, smallest_parts);

  // Lay out the tiles of the chosen blocking in the chosen loop order.
  LayerPlan plan;
  plan.uses_array = true;
  struct Block {
    int64_t first, size;
  };
  std::vector<Block> ublocks, nblocks, pblocks;
  for (int64_t u = 0; u < s.units; u += best.u_t) ublocks.push_back({u, std::min(best.u_t, s.units - u)});
  for (int64_t n = 0; n < s.N; n += best.n_t) nblocks.push_back({n, std::min(best.n_t, s.N - n)});
  for (int64_t p = 0; p < l.P; p += best.p_t) pblocks.push_back({p, std::min(best.p_t, l.P - p)});

  const auto make_tile = [&](const Block& u, const Block& n, const Block& p, bool load_w, bool load_i) {
    GlbTile t;
    const int64_t out_ch = unit_out_channels(s, u.size);
    const uint64_t outputs = static_cast<uint64_t>(n.size * out_ch * p.size * l.Q);
    t.weight_load_bits = load_w ? static_cast<uint64_t>(out_ch * s.K * s.wbits) : 0;
    t.input_load_bits =
        load_i ? static_cast<uint64_t>(n.size * unit_in_channels(s, l, u.size) * input_rows(l, p.first, p.size) * l.W * s.ibits)
               : 0;
    t.output_read_bits = outputs * static_cast<uint64_t>(s.abits);
    t.output_store_bits = outputs * static_cast<uint64_t>(s.obits);
    t.group_first = s.grouped ? u.first : 0;
    t.groups = s.grouped ? u.size : 1;
    t.m_first = s.grouped ? 0 : u.first;
    t.m_per_group = s.grouped ? s.m_per_group : u.size;
    t.reduction = s.K;
    t.vectors = static_cast<uint64_t>(n.size * p.size * l.Q);
    plan.footprint_bits = std::max<uint64_t>(
        plan.footprint_bits,
        static_cast<uint64_t>(kBufferSlots) *
            (static_cast<uint64_t>(out_ch * s.K * s.wbits) +
             static_cast<uint64_t>(n.size * unit_in_channels(s, l, u.size) * input_rows(l, p.first, p.size) * l.W * s.ibits) +
             t.output_read_bits));
    plan.tiles.push_back(t);
  };
  if (best.weights_outer) {
    for (const auto& u : ublocks) {
      bool first = true;
      for (const auto& n : nblocks)
        for (const auto& p : pblocks) {
          make_tile(u, n, p, first, true);
          first = false;
        }
    }
  } else {
    bool first_tile = true;
    for (const auto& n : nblocks)
      for (const auto& p : pblocks) {
        bool first_u = true;
        for (const auto& u : ublocks) {
          make_tile(u, n, p, ublocks.size() > 1 || first_tile, first_u || s.grouped);
          first_u = false;
          first_tile = false;
        }
      }
  }
  plan.tiling = fmt::format("{} tiles of n{} p{} {}{}, {}", plan.tiles.size(), best.n_t, best.p_t,
                            s.grouped ? "g" : "m", best.u_t, best.weights_outer ? "weights outer" : "inputs outer");
  return plan;
}

// ---- vector layers (maxpool, avgpool, add) ---------------------------------

LayerPlan plan_vector_layer(const ArchSpec& arch, const Layer& l, int64_t batch) {
  const double cap = arch.glb->capacity_bits();
  const double bw = arch.dram->bandwidth_bits_per_s();
  const int64_t inputs_per_output = l.type == LayerType::Add ? 2 : 1;
  const int64_t ibits = l.precision.inputs.bits, obits = l.precision.outputs.bits;
  const double ops_per_output = static_cast<double>(l.vector_ops()) / static_cast<double>(l.output_count());
  const double lanes = static_cast<double>(arch.vector_unit->lanes());

  int64_t best_n = 0, best_p = 0;
  Estimate best_est;
  double smallest_need = std::numeric_limits<double>::infinity();
  for (int64_t p_t : block_sizes(l.P)) {
    const RowBlocks rb = row_blocks(l, p_t);
    for (int64_t n_t : block_sizes(batch)) {
      const double it = static_cast<double>(n_t) * inputs_per_output * l.C * rb.max_rows * l.W * ibits;
      const double ot = static_cast<double>(n_t) * l.C * p_t * l.Q * obits;
      const double need = kBufferSlots * (it + ot);
      if (need > cap) {
        smallest_need = std::min(smallest_need, need);
        continue;
      }
      Estimate e;
      e.tiles = ceil_div(batch, n_t) * rb.count;
      e.dram_bits = static_cast<double>(batch) * inputs_per_output * l.C * rb.sum_rows * l.W * ibits +
                    static_cast<double>(batch) * l.output_count() * obits;
      const double cycles = std::ceil(static_cast<double>(batch) * l.vector_ops() / lanes);
      const double dram_s = e.dram_bits / bw + static_cast<double>(e.tiles) * arch.dram->latency_s();
      e.seconds = std::max(cycles * arch.tech.period_s(), dram_s) + (it + ot) / bw;
      if (e.better_than(best_est)) {
        best_est = e;
        best_n = n_t;
        best_p = p_t;
      }
    }
  }
  if (best_est.tiles == 0) does_not_fit(arch, l, smallest_need, "inputs and outputs");

  LayerPlan plan;
  for (int64_t n = 0; n < batch; n += best_n)
    for (int64_t p = 0; p < l.P; p += best_p) {
      const int64_t nt = std::min(best_n, batch - n), pt = std::min(best_p, l.P - p);
      GlbTile t;
      const uint64_t outputs = static_cast<uint64_t>(nt * l.C * pt * l.Q);
      t.input_load_bits = static_cast<uint64_t>(nt * inputs_per_output * l.C * input_rows(l, p, pt) * l.W * ibits);
      t.output_read_bits = outputs * static_cast<uint64_t>(obits);
      t.output_store_bits = outputs * static_cast<uint64_t>(obits);
      t.vector_ops = static_cast<uint64_t>(static_cast<double>(outputs) * ops_per_output);
      t.vector_in_bits = t.input_load_bits;
      t.vector_out_bits = t.output_read_bits;
      plan.footprint_bits = std::max<uint64_t>(plan.footprint_bits, kBufferSlots * (t.input_load_bits + t.output_read_bits));
      plan.tiles.push_back(t);
    }
  plan.tiling = fmt::format("{} tiles of n{} p{}", plan.tiles.size(), best_n, best_p);
  return plan;
}

}  // namespace

LayerPlan plan_layer_ws(const ArchSpec& arch, const Layer& layer, int64_t batch) {
  return layer_uses_array(layer.type) ? plan_array_layer(arch, layer, batch) : plan_vector_layer(arch, layer, batch);
}

std::vector<LayerPlan> plan_workload(const ArchSpec& arch, const Workload& w) {
  std::vector<LayerPlan> plans;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    const std::string problem = layer_uses_array(l.type) ? arch.pe_array->precision_problem(l.precision)
                                                         : arch.vector_unit->precision_problem(l.precision);
    if (!problem.empty())
      throw ConfigError(l.where, "layers[" + std::to_string(i) + "] (" + l.name + ")",
                        problem + " (architecture '" + arch.file + "')");
    plans.push_back(plan_layer_ws(arch, l, w.batch));
  }
  return plans;
}

}  // namespace qnnsim
