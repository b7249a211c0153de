// Array layers: checks given mappings against the layer, the array, the
// dataflow and the buffer, and lays a mapping out as a plan. The search is in
// array_search.cpp (see mapper.h for what it searches and how it ranks).
#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "schedule/im2col.h"
#include "schedule/row_lanes.h"
#include "schedule/search_support.h"

namespace qnnsim {

using search::ceil_div;

namespace search {

std::string TileNeed::parts() const {
  return fmt::format("weights {:.0f}, inputs {:.0f}, partial sums {:.0f} bits per slot", w, i, o);
}

namespace {
int64_t span(int64_t outputs, int64_t taps, int64_t stride, int64_t dilation, int64_t size) {
  return std::min(size, (outputs - 1) * stride + (taps - 1) * dilation + 1);
}

}  // namespace

TileNeed tile_need(const Layer& l, const LoopBounds& b, const Mapping& m, const BufferSpec& buffer, const ArraySpec& pe) {
  DimArray t{};
  for (int d = 0; d < kDims; ++d) t[static_cast<std::size_t>(d)] = dim_extents(m, b, d).tile;
  return tile_need(l, b, t, buffer, pe);
}

TileNeed tile_need(const Layer& l, const LoopBounds& b, const DimArray& t, const BufferSpec& buffer, const ArraySpec& pe) {
  const LayerPrecision& p = l.precision;
  TileNeed n;
  n.slots = buffer.tile_slots();
  // Weights as the array stores them: raw, or compressed.
  if (buffer.keeps(Tensor::Weights))
    n.w = static_cast<double>(pe.weight_bits(static_cast<uint64_t>(t[kG] * t[kM] * t[kC] * t[kR] * t[kS]), p));
  // Flattened (im2col): the stored feature map of the tile's channels, windows not expanded (im2col.h).
  const int64_t taps_r = b.flattened() ? b.flat_r : t[kR], taps_s = b.flattened() ? b.flat_s : t[kS];
  n.i = static_cast<double>(t[kN] * t[kG] * b.input_channels(t[kC])) *
        static_cast<double>(span(t[kP], taps_r, b.stride, b.dilation, b.H)) *
        static_cast<double>(span(t[kQ], taps_s, b.stride, b.dilation, b.W)) * p.inputs.bits;
  n.o = static_cast<double>(t[kN] * t[kG] * t[kM] * t[kP] * t[kQ]) * p.accumulator.bits;
  return n;
}

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

}  // namespace search

namespace {

using search::pe_need;
using search::tile_need;
using search::TileNeed;

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
  const LoopBounds b = mapping_bounds(l, batch, m);
  const auto fail = [&](const std::string& key, const std::string& what) {
    where.fail(key, fmt::format("layer '{}': {}", l.name, what));
  };
  if (m.im2col) {
    const std::string problem = im2col_problem(arch, l);
    if (!problem.empty()) fail("im2col", "cannot flatten the reduction: " + problem);
    for (int d : {kR, kS}) {
      const auto i = static_cast<std::size_t>(d);
      for (auto [key, f] : {std::pair{"pe", m.pe[i]}, std::pair{"rows", m.rows[i]}, std::pair{"cols", m.cols[i]},
                            std::pair{"glb", m.glb[i]}})
        if (f != 1)
          fail(key, fmt::format("under im2col {} is part of the flattened C x R x S: give the factor on C, not {}{}",
                                dim_name(d), dim_name(d), f));
    }
    const int64_t tile = dim_extents(m, b, kC).tile;
    if (!whole_channel_tile(b, tile))
      fail("glb", fmt::format("under im2col a buffer tile holds whole channels: its {} of the flattened C x R x S "
                              "= {} must be a multiple of R x S = {} or all of it",
                              tile, b.extent[kC], b.flat_r * b.flat_s));
  }
  const search::RowAxis row_lanes = search::row_axis(arch, l.precision);
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
    if (m.rows[i] > 1 && flow.rows[i] && !row_lanes.allowed[i])
      fail("rows", fmt::format("at {}x{} bits each PE sums {} products of one output inside itself, so the rows hold "
                               "lanes of C alone (C x R x S under im2col), not {}",
                               l.precision.weights.bits, l.precision.inputs.bits, row_lanes.lanes, n));
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
  for (int d = 0; d < kDims; ++d) {
    const auto i = static_cast<std::size_t>(d);
    const int64_t reach = flow.whole_reach(d, b.extent[i], arch.pe_array->rows(), arch.pe_array->cols());
    const int64_t covered = m.pe[i] * m.rows[i] * m.cols[i];
    if (!flow.covers_whole(d, b.extent[i], covered, arch.pe_array->rows(), arch.pe_array->cols()))
      fail(flow.pe[i] ? "pe" : "rows",
           fmt::format("the {} dataflow keeps {} whole: all {} of it fit in {} pass(es) of up to {} on this array, "
                       "but this mapping covers {} per pass and takes {}",
                       flow.name, dim_name(d), b.extent[i], Dataflow::whole_passes(b.extent[i], reach), reach,
                       std::min(b.extent[i], covered), Dataflow::whole_passes(b.extent[i], covered)));
  }
  if (row_lanes.lanes > 1 && rows > row_lanes.size)
    fail("rows", fmt::format("the row factors multiply to {}, the array's {} rows of {}-lane PEs reduce {} at {}x{} bits",
                             rows, arch.pe_array->rows(), row_lanes.lanes, row_lanes.size, l.precision.weights.bits,
                             l.precision.inputs.bits));
  if (row_lanes.lanes == 1 && rows > arch.pe_array->rows())
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
  const TileNeed need = tile_need(l, b, m, *arch.glb, *arch.pe_array);
  const std::string overflow = arch.glb->partitions().overflow(need.by_tensor());
  if (!overflow.empty())
    fail("glb", fmt::format("this tile does not fit the global buffer: with {} slot(s) of {}, {}", need.slots,
                            need.parts(), overflow));
}

namespace search {

LayerPlan layout_array_layer(const ArchSpec& arch, const Layer& l, int64_t batch, const Mapping& m, bool described) {
  LayerPlan plan;
  plan.uses_array = true;
  plan.mapping = m;
  plan.bounds = mapping_bounds(l, batch, m);
  plan.footprint_bits = static_cast<uint64_t>(tile_need(l, plan.bounds, m, *arch.glb, *arch.pe_array).total());
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
    t.output_values = x.output_values;
    t.output_positions = x.output_positions;
    t.index = i;
    t.passes = x.passes;
    return t;
  });
  if (described) plan.tiling = fmt::format("{} tiles: {}", plan.tiles.size(), m.one_line(plan.bounds));
  return plan;
}

}  // namespace search
}  // namespace qnnsim
