#include "schedule/mapper.h"

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
  return static_cast<double>(tiles) * static_cast<double>(arch.pe_array->weight_load_cycles(arch.pe_array->rows())) *
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

namespace {

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
                    std::vector<LoopRef> loops;
                    DimArray tiles{}, ppt{};
                    for (int d = 0; d < kDims; ++d) {
                      const auto i = static_cast<std::size_t>(d);
                      tiles[i] = ceil_div(E(d), tile[i]);
                      ppt[i] = ceil_div(tile[i], std::min(E(d), m.pe[i] * sp[i]));
                    }
                    for (int d : dram_order) loops.push_back({d, 1, tiles[static_cast<std::size_t>(d)]});
                    const auto reuse = [&](Operand o, bool to_pe) {
                      std::vector<LoopRef> ls = loops;
                      if (to_pe)
                        for (int d : glb_order) ls.push_back({d, 2, ppt[static_cast<std::size_t>(d)]});
                      const std::array<int, kDims> lv = counted_levels(ls, cut_position(ls, o));
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
                    e.seconds = std::max(compute, dram_s) + (need.w + need.i) / bw;
                    e.energy_pj = e.dram_bits * (e_dram + e_glb_bit) + pe_bits * (e_glb_bit + e_noc);
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

// ---- vector layers (maxpool, avgpool, add) ---------------------------------

// One block of a loop split into blocks of `size`: where it starts and how long it is.
struct Span {
  int64_t first, size;
};
Span block_at(int64_t extent, int64_t size, int64_t index) {
  const int64_t first = index * size;
  return {first, std::min(size, extent - first)};
}

double vector_tile_need(const Layer& l, const VectorTiling& m) {
  const int64_t inputs_per_output = l.type == LayerType::Add ? 2 : 1;
  const RowBlocks rb = row_blocks(l, m.p);
  return kBufferSlots * (static_cast<double>(m.n) * inputs_per_output * m.c * rb.max_rows * l.W * l.precision.inputs.bits +
                         static_cast<double>(m.n) * m.c * m.p * l.Q * l.precision.outputs.bits);
}

void check_vector_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, const VectorTiling& m, const ConfigNode& where) {
  if (m.n < 1 || m.n > batch) where.fail("N", fmt::format("layer '{}': N must be from 1 to {}, found {}", l.name, batch, m.n));
  if (m.p < 1 || m.p > l.P) where.fail("P", fmt::format("layer '{}': P must be from 1 to {}, found {}", l.name, l.P, m.p));
  if (m.c < 1 || m.c > l.C) where.fail("C", fmt::format("layer '{}': C must be from 1 to {}, found {}", l.name, l.C, m.c));
  const double need = vector_tile_need(l, m);
  if (need > arch.glb->capacity_bits())
    where.fail_here(fmt::format("layer '{}': this tile does not fit the global buffer: two slots need {:.0f} bits, the "
                                "buffer holds {:.0f}", l.name, need, arch.glb->capacity_bits()));
}

VectorTiling search_vector_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective) {
  const double e_dram = arch.dram->action_energy_pj({"dram", "read_bits", 0});
  const double e_glb_bit = arch.glb->action_energy_pj({arch.glb->instance(), "read", 0}) /
                           static_cast<double>(arch.glb->width_bits());
  const double cap = arch.glb->capacity_bits();
  const double bw = arch.dram->bandwidth_bits_per_s();
  const int64_t inputs_per_output = l.type == LayerType::Add ? 2 : 1;
  const int64_t ibits = l.precision.inputs.bits, obits = l.precision.outputs.bits;
  const double lanes = static_cast<double>(arch.vector_unit->lanes());

  VectorTiling best;
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

LayerPlan layout_vector_layer(const ArchSpec& arch, const Layer& l, int64_t batch, const VectorTiling& m) {
  const int64_t nb = ceil_div(batch, m.n), cb = ceil_div(l.C, m.c), pb = ceil_div(l.P, m.p);
  LayerPlan plan;
  plan.vector = m;
  plan.footprint_bits = static_cast<uint64_t>(vector_tile_need(l, m));
  const DramSpec* dram = arch.dram.get();
  const Layer layer = l;
  plan.tiles = TileRange(static_cast<std::size_t>(nb * cb * pb), [=](std::size_t index) {
    // Loop order N C P, innermost (P) first.
    const int64_t i = static_cast<int64_t>(index);
    const Span p = block_at(layer.P, m.p, i % pb), c = block_at(layer.C, m.c, (i / pb) % cb);
    const Span n = block_at(batch, m.n, i / (pb * cb));
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
  plan.tiling = fmt::format("{} tiles: {}", plan.tiles.size(), m.one_line());
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

std::string VectorTiling::one_line() const { return fmt::format("N{} C{} P{} | N C P", n, c, p); }

LayerPlan plan_layer(const ArchSpec& arch, const Layer& layer, int64_t batch, const GivenMapping* given,
                     Objective objective) {
  if (!layer_uses_array(layer.type)) {
    VectorTiling v;
    if (given != nullptr) {
      v = given->vector;
      check_vector_mapping(arch, layer, batch, v, given->where);
    } else {
      v = search_vector_mapping(arch, layer, batch, objective);
    }
    return layout_vector_layer(arch, layer, batch, v);
  }
  Mapping m;
  if (given != nullptr) {
    m = given->mapping;
    check_mapping(arch, layer, batch, m, given->where);
  } else {
    m = search_array_mapping(arch, layer, batch, objective);
  }
  return layout_array_layer(arch, layer, batch, m);
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
    plans.push_back(plan_layer(arch, l, w.batch, mine, objective));
    if (search_seconds != nullptr)
      search_seconds->push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  return plans;
}

}  // namespace qnnsim
