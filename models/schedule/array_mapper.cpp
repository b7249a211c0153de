// The mapper for array layers: checks given mappings against the layer, the
// array, the dataflow and the buffers, and searches the space the dataflow
// allows (see mapper.h for what it searches and how it ranks).
#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "schedule/search_support.h"

namespace qnnsim {

using search::ceil_div;

namespace {

// Values of a tensor one buffer tile holds (inputs with their halo), per slot.
struct TileNeed {
  double w = 0, i = 0, o = 0;  // bits
  double total() const { return kBufferSlots * (w + i + o); }
  std::string parts() const {
    return fmt::format("weights {:.0f}, inputs {:.0f}, partial sums {:.0f} bits per slot", w, i, o);
  }
};

int64_t span(int64_t outputs, int64_t taps, int64_t stride, int64_t dilation, int64_t size) {
  return std::min(size, (outputs - 1) * stride + (taps - 1) * dilation + 1);
}

TileNeed tile_need(const Layer& l, const LoopBounds& b, const Mapping& m) {
  DimArray t{};
  for (int d = 0; d < kDims; ++d) t[static_cast<std::size_t>(d)] = dim_extents(m, b, d).tile;
  const LayerPrecision& p = l.precision;
  TileNeed n;
  n.w = static_cast<double>(t[kG] * t[kM] * t[kC] * t[kR] * t[kS]) * p.weights.bits;
  n.i = static_cast<double>(t[kN] * t[kG] * t[kC]) * static_cast<double>(span(t[kP], t[kR], b.stride, b.dilation, b.H)) *
        static_cast<double>(span(t[kQ], t[kS], b.stride, b.dilation, b.W)) * p.inputs.bits;
  n.o = static_cast<double>(t[kN] * t[kG] * t[kM] * t[kP] * t[kQ]) * p.accumulator.bits;
  return n;
}

// Values of each kept tensor one PE holds for a pass; a sliding loop counts once.
int64_t pe_need(Operand o, const LoopBounds& b, const DimArray& pe, int slide) {
  DimArray x = pe;
  if (slide >= 0) x[static_cast<std::size_t>(slide)] = 1;
  switch (o) {
    case Operand::Weights: return x[kG] * x[kM] * x[kC] * x[kR] * x[kS];
    case Operand::Inputs:
      return x[kN] * x[kG] * x[kC] * ((x[kP] - 1) * b.stride + (x[kR] - 1) * b.dilation + 1) *
             ((x[kQ] - 1) * b.stride + (x[kS] - 1) * b.dilation + 1);
    default: return x[kN] * x[kG] * x[kM] * x[kP] * x[kQ];
  }
}

bool is_permutation(const std::array<int, kDims>& order) {
  std::array<bool, kDims> seen{};
  for (int d : order) {
    if (d < 0 || d >= kDims || seen[static_cast<std::size_t>(d)]) return false;
    seen[static_cast<std::size_t>(d)] = true;
  }
  return true;
}

}  // namespace

void check_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, const Mapping& m, const ConfigNode& where) {
  const Dataflow& flow = arch.dataflow;
  const LoopBounds b = loop_bounds(l, batch);
  const auto fail = [&](const std::string& key, const std::string& what) {
    where.fail(key, fmt::format("layer '{}': {}", l.name, what));
  };
  int64_t rows = 1, cols = 1;
  for (int d = 0; d < kDims; ++d) {
    const auto i = static_cast<std::size_t>(d);
    const int64_t D = b.extent[i];
    const char* n = dim_name(d);
    for (auto [key, f] : {std::pair{"pe", m.pe[i]}, std::pair{"rows", m.rows[i]}, std::pair{"cols", m.cols[i]},
                          std::pair{"glb", m.glb[i]}})
      if (f < 1) fail(key, fmt::format("factor {} of {} must be at least 1", f, n));
    if (m.rows[i] > 1 && !flow.rows[i]) fail("rows", fmt::format("the {} dataflow does not unroll {} on rows", flow.name, n));
    if (m.cols[i] > 1 && !flow.cols[i]) fail("cols", fmt::format("the {} dataflow does not unroll {} on columns", flow.name, n));
    if (m.pe[i] > 1 && !flow.pe[i]) fail("pe", fmt::format("the {} dataflow does not loop over {} inside a PE", flow.name, n));
    if (m.pe[i] > D) fail("pe", fmt::format("PE factor {}{} exceeds the dimension's {}", n, m.pe[i], D));
    const int64_t spatial = m.rows[i] * m.cols[i];
    if (m.rows[i] > 1 && m.cols[i] > 1) fail("cols", fmt::format("{} is unrolled on both rows and columns", n));
    if (spatial > ceil_div(D, std::min(m.pe[i], D)))
      fail(m.rows[i] > 1 ? "rows" : "cols", fmt::format("{} spread over {} PEs leaves PEs with no work ({} / {} per PE)",
                                                        n, spatial, D, m.pe[i]));
    const int64_t pass = std::min(D, m.pe[i] * spatial);
    if (m.glb[i] > ceil_div(D, pass))
      fail("glb", fmt::format("buffer factor {}{} exceeds the {} passes the dimension needs", n, m.glb[i], ceil_div(D, pass)));
    if (m.pe[i] > 1 && is_reduction(d) && !flow.keeps(Operand::Outputs))
      fail("pe", fmt::format("partial sums stream out of the PEs in the {} dataflow, so a PE cannot accumulate over {}",
                             flow.name, n));
    rows *= m.rows[i];
    cols *= m.cols[i];
  }
  if (rows > arch.pe_array->rows())
    fail("rows", fmt::format("the row factors multiply to {}, the array has {} rows", rows, arch.pe_array->rows()));
  if (cols > arch.pe_array->cols())
    fail("cols", fmt::format("the column factors multiply to {}, the array has {} columns", cols, arch.pe_array->cols()));
  if (!is_permutation(m.dram_order)) fail("dram", "the DRAM loop order must list each of N G M C P Q R S once");
  if (!is_permutation(m.glb_order)) fail("glb", "the buffer loop order must list each of N G M C P Q R S once");
  // Partial sums never go back to DRAM: reduction loops are innermost there.
  bool reduction_seen = false;
  for (int d : m.dram_order) {
    if (dim_extents(m, b, d).tiles() <= 1) continue;
    if (is_reduction(d)) reduction_seen = true;
    else if (reduction_seen)
      fail("dram", fmt::format("{} loops inside a reduction loop at the DRAM level; partial sums would go back to DRAM",
                               dim_name(d)));
  }
  for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs}) {
    if (!flow.keeps(o)) continue;
    const int64_t need = pe_need(o, b, m.pe, flow.slide), have = arch.pe_array->spad_capacity(o);
    if (need > have)
      fail("pe", fmt::format("one PE would hold {} {} values; its scratchpad holds {}", need, tensor_name(o), have));
  }
  const TileNeed need = tile_need(l, b, m);
  if (need.total() > arch.glb->capacity_bits())
    fail("glb", fmt::format("this tile does not fit the global buffer: two slots need {:.0f} bits ({}), the buffer "
                            "holds {:.0f}", need.total(), need.parts(), arch.glb->capacity_bits()));
}

namespace search {

LayerPlan layout_array_layer(const ArchSpec& arch, const Layer& l, int64_t batch, const Mapping& m) {
  LayerPlan plan;
  plan.uses_array = true;
  plan.mapping = m;
  plan.bounds = loop_bounds(l, batch);
  plan.footprint_bits = static_cast<uint64_t>(tile_need(l, plan.bounds, m).total());
  auto walker = std::make_shared<const NestWalker>(arch, l, plan.bounds, m, arch.dataflow);
  plan.walker = walker;
  plan.tiles = TileRange(static_cast<std::size_t>(walker->tiles()), [walker](std::size_t i) {
    const TileMoves x = walker->tile(i);
    GlbTile t;
    t.weight_load_bits = x.weight_load_bits;
    t.input_load_bits = x.input_load_bits;
    t.input_dram_bits = x.input_dram_bits;
    t.output_read_bits = x.output_read_bits;
    t.output_store_bits = x.output_store_bits;
    t.index = i;
    t.passes = x.passes;
    return t;
  });
  plan.tiling = fmt::format("{} tiles: {}", plan.tiles.size(), m.one_line(plan.bounds));
  return plan;
}

namespace {

// Spatial unrollings of one axis: up to two dimensions the dataflow allows on
// it, ranked by how much of the axis and of the dimensions they use.
struct AxisChoice {
  DimArray f = kOnes;
  double efficiency = 0;
};
std::vector<AxisChoice> axis_choices(const LoopBounds& b, const std::array<bool, kDims>& allowed, int64_t size,
                                     std::size_t keep) {
  std::vector<AxisChoice> out{{kOnes, 1.0 / static_cast<double>(size)}};
  const auto eff = [&](const DimArray& f) {
    double e = 1.0;
    int64_t used = 1;
    for (int d = 0; d < kDims; ++d) {
      const int64_t D = b.extent[static_cast<std::size_t>(d)], x = f[static_cast<std::size_t>(d)];
      e *= static_cast<double>(D) / static_cast<double>(ceil_div(D, x) * x);
      used *= x;
    }
    return e * static_cast<double>(used) / static_cast<double>(size);
  };
  for (int d1 = 0; d1 < kDims; ++d1) {
    if (!allowed[static_cast<std::size_t>(d1)]) continue;
    for (int64_t f1 = 2; f1 <= std::min(size, b.extent[static_cast<std::size_t>(d1)]); ++f1) {
      DimArray f = kOnes;
      f[static_cast<std::size_t>(d1)] = f1;
      out.push_back({f, eff(f)});
      for (int d2 = d1 + 1; d2 < kDims; ++d2) {
        if (!allowed[static_cast<std::size_t>(d2)]) continue;
        for (int64_t f2 = 2; f2 * f1 <= size && f2 <= b.extent[static_cast<std::size_t>(d2)]; ++f2) {
          DimArray g = f;
          g[static_cast<std::size_t>(d2)] = f2;
          out.push_back({g, eff(g)});
        }
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const AxisChoice& a, const AxisChoice& c) { return a.efficiency > c.efficiency; });
  if (out.size() > keep) out.resize(keep);
  // Leaving the axis unused always combines with any choice on the other axis.
  if (std::none_of(out.begin(), out.end(), [](const AxisChoice& a) { return a.f == kOnes; }))
    out.push_back({kOnes, 1.0 / static_cast<double>(size)});
  return out;
}

constexpr std::array<int, kDims> kWeightsOuter{kG, kM, kN, kP, kQ, kC, kR, kS};
constexpr std::array<int, kDims> kInputsOuter{kN, kP, kQ, kG, kM, kC, kR, kS};
constexpr std::array<int, kDims> kOutputsStay{kN, kG, kM, kP, kQ, kC, kR, kS};
constexpr std::array<int, kDims> kWeightsStay{kG, kM, kC, kR, kS, kN, kP, kQ};

constexpr std::size_t kExactlyScored = 8;
constexpr std::size_t kMostScored = 24;
constexpr int64_t kMostTilesScored = 1 << 16;

}  // namespace

Mapping search_array_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective) {
  const Dataflow& flow = arch.dataflow;
  const ArraySpec& pe = *arch.pe_array;
  const LoopBounds b = loop_bounds(l, batch);
  const LayerPrecision& prec = l.precision;
  const double cap = arch.glb->capacity_bits();
  const double bw = arch.dram->bandwidth_bits_per_s();
  const double period = arch.tech.period_s();
  const double e_dram = arch.dram->action_energy_pj({"dram", "read_bits", 0});
  const double e_glb_bit = arch.glb->action_energy_pj({arch.glb->instance(), "read", 0}) /
                           static_cast<double>(arch.glb->width_bits());
  const double e_noc = arch.noc->action_energy_pj({"noc", "sent_bits", 0});
  const auto E = [&](int d) { return b.extent[static_cast<std::size_t>(d)]; };
  const double w_total = static_cast<double>(E(kG) * E(kM) * E(kC) * E(kR) * E(kS));
  const double o_total = static_cast<double>(E(kN) * E(kG) * E(kM) * E(kP) * E(kQ));
  const double in_ratio = activation_ratio(arch, prec.inputs.bits, prec.inputs.density);
  const double out_dram = o_total * prec.outputs.bits * activation_ratio(arch, prec.outputs.bits, prec.outputs.density);
  const int64_t cols_read_all = b.cols_read(0, E(kQ), 0, E(kS));
  std::map<int64_t, int64_t> rows_sum;  // input rows over all P tiles of a size, halos included
  const auto rows_over_tiles = [&](int64_t tp) {
    auto it = rows_sum.find(tp);
    if (it != rows_sum.end()) return it->second;
    int64_t sum = 0;
    for (int64_t p0 = 0; p0 < E(kP); p0 += tp) sum += b.rows_read(p0, std::min(tp, E(kP) - p0), 0, E(kR));
    return rows_sum[tp] = sum;
  };

  // Spatial candidates: the best few row and column unrollings that do not share a dimension.
  std::vector<std::pair<DimArray, DimArray>> spatial;
  {
    const auto rc = axis_choices(b, flow.rows, pe.rows(), 4), cc = axis_choices(b, flow.cols, pe.cols(), 4);
    std::vector<std::pair<double, std::pair<DimArray, DimArray>>> pairs;
    for (const auto& r : rc)
      for (const auto& c : cc) {
        bool clash = false;
        for (int d = 0; d < kDims; ++d) clash = clash || (r.f[static_cast<std::size_t>(d)] > 1 && c.f[static_cast<std::size_t>(d)] > 1);
        if (!clash) pairs.push_back({r.efficiency * c.efficiency, {r.f, c.f}});
      }
    std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& c) { return a.first > c.first; });
    for (std::size_t i = 0; i < pairs.size() && i < 3; ++i) spatial.push_back(pairs[i].second);
  }

  // A PE loop is free when no kept tensor's scratchpad space depends on it:
  // the PE then takes the whole tile's extent (more passes could only refetch more).
  std::array<bool, kDims> free_pe{};
  for (int d = 0; d < kDims; ++d) {
    bool f = flow.pe[static_cast<std::size_t>(d)];
    for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
      if (flow.keeps(o) && relevant(o, d) && d != flow.slide) f = false;
    if (is_reduction(d) && !flow.keeps(Operand::Outputs)) f = false;
    free_pe[static_cast<std::size_t>(d)] = f;
  }

  using Candidate = std::pair<Estimate, Mapping>;
  uint64_t enumerated = 0;
  std::vector<std::pair<Candidate, uint64_t>> heap;
  const auto before = [&](const std::pair<Candidate, uint64_t>& a, const std::pair<Candidate, uint64_t>& c) {
    const double x = a.first.first.score(objective), y = c.first.first.score(objective);
    if (x != y) return x < y;
    if (a.first.first.dram_bits != c.first.first.dram_bits) return a.first.first.dram_bits < c.first.first.dram_bits;
    return a.second < c.second;
  };
  double smallest_need = std::numeric_limits<double>::infinity();
  std::string smallest_parts;

  for (const auto& [rf, cf] : spatial) {
    DimArray sp{};
    for (int d = 0; d < kDims; ++d) sp[static_cast<std::size_t>(d)] = rf[static_cast<std::size_t>(d)] * cf[static_cast<std::size_t>(d)];
    // PE factors of the constrained PE loops: every combination that fits the scratchpads, most work first.
    std::vector<DimArray> pes{kOnes};
    for (int d = 0; d < kDims; ++d) {
      const auto i = static_cast<std::size_t>(d);
      if (!flow.pe[i] || free_pe[i]) continue;
      std::vector<DimArray> next;
      for (const DimArray& base : pes)
        for (int64_t f : block_sizes(ceil_div(E(d), sp[i]))) {
          DimArray x = base;
          x[i] = f;
          bool fits = true;
          for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
            if (flow.keeps(o) && pe_need(o, b, x, flow.slide) > pe.spad_capacity(o)) fits = false;
          if (fits) next.push_back(x);
        }
      pes.swap(next);
    }
    const auto work = [](const DimArray& x) {
      int64_t w = 1;
      for (int64_t v : x) w *= v;
      return w;
    };
    std::stable_sort(pes.begin(), pes.end(), [&](const DimArray& a, const DimArray& c) { return work(a) > work(c); });
    // The two with most work in the PEs (most reuse there), and the least (the
    // smallest passes, so the smallest tiles, for a tight buffer).
    if (pes.size() > 3) {
      pes[2] = pes.back();
      pes.resize(3);
    }

    for (const DimArray& pf : pes) {
      // Per dimension, the tile extents to try: multiples of the pass extent.
      // Q, R and S tiles take the whole dimension (rows of the input stay whole).
      std::array<std::vector<int64_t>, kDims> tile_opts;
      DimArray pass{};
      for (int d = 0; d < kDims; ++d) {
        const auto i = static_cast<std::size_t>(d);
        pass[i] = std::min(E(d), (free_pe[i] ? 1 : pf[i]) * sp[i]);
        if (d == kQ || d == kR || d == kS) {
          tile_opts[i] = {E(d)};
        } else {
          for (int64_t k : block_sizes(ceil_div(E(d), pass[i]))) tile_opts[i].push_back(std::min(E(d), k * pass[i]));
        }
      }
      for (const auto& dram_order : {kWeightsOuter, kInputsOuter})
        for (const auto& glb_order : {kOutputsStay, kWeightsStay})
          for (int64_t tn : tile_opts[kN])
            for (int64_t tg : tile_opts[kG])
              for (int64_t tm : tile_opts[kM])
                for (int64_t tc : tile_opts[kC])
                  for (int64_t tp : tile_opts[kP]) {
                    const DimArray tile{tn, tg, tm, tc, tp, E(kQ), E(kR), E(kS)};
                    Mapping m;
                    m.dram_order = dram_order;
                    m.glb_order = glb_order;
                    for (int d = 0; d < kDims; ++d) {
                      const auto i = static_cast<std::size_t>(d);
                      m.rows[i] = rf[i];
                      m.cols[i] = cf[i];
                      m.pe[i] = free_pe[i] ? ceil_div(tile[i], sp[i]) : pf[i];
                      const int64_t ps = std::min(E(d), m.pe[i] * sp[i]);
                      m.glb[i] = ceil_div(tile[i], ps);
                    }
                    const TileNeed need = tile_need(l, b, m);
                    if (need.total() > cap) {
                      if (need.total() < smallest_need) {
                        smallest_need = need.total();
                        smallest_parts = need.parts();
                      }
                      continue;
                    }
                    if (m.pe != pf) {  // free PE loops grew: check the scratchpads again
                      bool fits = true;
                      for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
                        if (flow.keeps(o) && pe_need(o, b, m.pe, flow.slide) > pe.spad_capacity(o)) fits = false;
                      if (!fits) continue;
                    }
                    // Closed-form estimate: DRAM traffic by the static reuse of
                    // the DRAM loops, and refetches into the PEs by that of the
                    // buffer loops; compute from full passes.
                    std::array<LoopRef, 2 * kDims> loops{};  // DRAM loops, then buffer loops
                    DimArray tiles{}, ppt{};
                    for (int d = 0; d < kDims; ++d) {
                      const auto i = static_cast<std::size_t>(d);
                      tiles[i] = ceil_div(E(d), tile[i]);
                      ppt[i] = ceil_div(tile[i], std::min(E(d), m.pe[i] * sp[i]));
                    }
                    for (std::size_t k = 0; k < kDims; ++k) {
                      loops[k] = {dram_order[k], 1, tiles[static_cast<std::size_t>(dram_order[k])]};
                      loops[kDims + k] = {glb_order[k], 2, ppt[static_cast<std::size_t>(glb_order[k])]};
                    }
                    const auto reuse = [&](Operand o, bool to_pe) {
                      const std::size_t n = to_pe ? 2 * kDims : kDims;
                      const std::array<int, kDims> lv = counted_levels(loops.data(), cut_position(loops.data(), n, o));
                      double f = 1;
                      for (int d = 0; d < kDims; ++d) {
                        const auto i = static_cast<std::size_t>(d);
                        if (relevant(o, d)) continue;
                        if (lv[i] >= 1) f *= static_cast<double>(tiles[i]);
                        if (lv[i] >= 2) f *= static_cast<double>(ppt[i]);
                      }
                      return f;
                    };
                    const double in_values = static_cast<double>(E(kN) * E(kG) * E(kC)) *
                                             static_cast<double>(rows_over_tiles(tp)) * static_cast<double>(cols_read_all);
                    Estimate e;
                    e.dram_bits = w_total * prec.weights.bits * reuse(Operand::Weights, false) +
                                  in_values * prec.inputs.bits * in_ratio * reuse(Operand::Inputs, false) + out_dram;
                    e.tiles = 1;
                    double passes = 1;
                    int64_t iters = 1, rows_used = 1, cols_used = 1;
                    for (int d = 0; d < kDims; ++d) {
                      const auto i = static_cast<std::size_t>(d);
                      e.tiles *= tiles[i];
                      passes *= static_cast<double>(tiles[i] * ppt[i]);
                      iters *= m.pe[i];
                      rows_used *= rf[i];
                      cols_used *= cf[i];
                    }
                    double pe_bits = 0;
                    if (flow.keeps(Operand::Weights)) pe_bits += w_total * prec.weights.bits * reuse(Operand::Weights, true);
                    if (flow.keeps(Operand::Inputs)) pe_bits += in_values * prec.inputs.bits * reuse(Operand::Inputs, true);
                    if (flow.keeps(Operand::Outputs)) pe_bits += 2 * o_total * prec.accumulator.bits * reuse(Operand::Outputs, true);
                    const double compute = passes * static_cast<double>(pe.pass_cycles(static_cast<uint64_t>(iters), rows_used, cols_used, prec)) * period;
                    const double dram_s = e.dram_bits / bw + static_cast<double>(e.tiles) * arch.dram->latency_s();
                    e.figures.seconds = std::max(compute, dram_s) + (need.w + need.i) / bw;
                    e.figures.energy_pj = e.dram_bits * (e_dram + e_glb_bit) + pe_bits * (e_glb_bit + e_noc);
                    // A full heap keeps only candidates better than its worst.
                    if (heap.size() == kMostScored && !before({{e, m}, enumerated}, heap.front())) {
                      ++enumerated;
                      continue;
                    }
                    heap.push_back({{e, m}, enumerated++});
                    std::push_heap(heap.begin(), heap.end(), before);
                    if (heap.size() > kMostScored) {
                      std::pop_heap(heap.begin(), heap.end(), before);
                      heap.pop_back();
                    }
                  }
    }
  }
  if (heap.empty()) does_not_fit(arch, l, smallest_need, smallest_parts);

  // Score the front runners exactly on their laid-out plans: the best eight
  // by the estimate, and any other within 1% of the best, up to kMostScored.
  std::sort_heap(heap.begin(), heap.end(), before);
  const double best_estimate = heap.front().first.first.score(objective);
  Mapping best = heap.front().first.second;
  Estimate best_exact;
  for (std::size_t i = 0; i < heap.size(); ++i) {
    const auto& [estimate, mapping] = heap[i].first;
    if (i >= kExactlyScored && estimate.score(objective) > 1.01 * best_estimate) break;
    if (estimate.tiles > kMostTilesScored) continue;
    const Estimate exact = exact_estimate(arch, l, layout_array_layer(arch, l, batch, mapping));
    if (best_exact.tiles == 0 || exact.better_than(best_exact, objective)) {
      best_exact = exact;
      best = mapping;
    }
  }
  return best;
}

}  // namespace search
}  // namespace qnnsim
