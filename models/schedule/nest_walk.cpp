#include "schedule/nest_walk.h"

#include <algorithm>

#include "schedule/pe_holding.h"

namespace qnnsim {

namespace {
uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }
constexpr std::size_t idx(int d) { return static_cast<std::size_t>(d); }
}  // namespace

NestWalker::NestWalker(const ArchSpec& arch, const Layer& layer, const LoopBounds& bounds, const Mapping& mapping,
                       const Dataflow& flow)
    : arch_(arch), layer_(layer), b_(bounds), m_(mapping), flow_(flow) {
  for (int d = 0; d < kDims; ++d) {
    e_[idx(d)] = dim_extents(m_, b_, d);
    tiles_ *= u(e_[idx(d)].tiles());
  }
  for (int k = kDims - 1; k >= 0; --k) {
    const int d = m_.dram_order[idx(k)];
    if (e_[idx(d)].tiles() > 1) looping_dims_[idx(looping_++)] = d;
  }
  for (int d = 0; d < kDims; ++d) {
    const DimExtents& e = e_[idx(d)];
    const int64_t size = std::min(e.tile, e.dim);
    first_tile_.block[idx(d)] = {0, size, std::min(e.pass, size)};
    first_tile_.trips[idx(d)] = (size + e.pass - 1) / e.pass;
  }
  const std::vector<LoopRef> dram = loops_above(m_, b_, false), both = loops_above(m_, b_, true);
  for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs}) {
    const auto i = static_cast<std::size_t>(o);
    glb_cut_[i] = cut_position(dram, o);
    // What the PEs cannot hold whole enters them (leaves them) at every pass (pe_holding.h).
    const bool held =
        o == Operand::Weights || (o == Operand::Inputs && !flow_.keeps(o)) || pe_holds(arch_, b_, m_.pe, o);
    pe_cut_[i] = held_cut(held, o, both.data(), both.size());
    pe_level_[i] = counted_levels(both, pe_cut_[i]);
  }
}

NestWalker::TilePoint NestWalker::tile_point(uint64_t index) const {
  // Only the loops that run more than once move a tile from the first; the
  // run asks for a tile's place several times a tile, so the others are not
  // divided by again.
  TilePoint tp = first_tile_;
  for (int i = 0; i < looping_; ++i) {
    const int d = looping_dims_[idx(i)];
    const DimExtents& e = e_[idx(d)];
    const uint64_t n = u(e.tiles()), next = index / n;
    const auto t = static_cast<int64_t>(index - next * n);
    index = next;
    const int64_t start = t * e.tile, size = std::min(e.tile, e.dim - start);
    tp.t[idx(d)] = t;
    tp.block[idx(d)] = {start, size, std::min(e.pass, size)};
    tp.trips[idx(d)] = (size + e.pass - 1) / e.pass;
  }
  return tp;
}

void NestWalker::tile_class(uint64_t tile_index, std::vector<uint64_t>& out) const {
  const TilePoint tp = tile_point(tile_index);
  for (int d = 0; d < kDims; ++d) {
    out.push_back(u(tp.block[idx(d)].size));
    // A reduction loop's first tile finds no partial sums, and its last
    // completes the outputs (tile(), pass()).
    if (is_reduction(d)) {
      const int64_t t = tp.t[idx(d)];
      out.push_back((t > 0 ? 1u : 0u) | (t + 1 < e_[idx(d)].tiles() ? 2u : 0u));
    }
  }
  // Which loop advanced to reach the tile, and which advances after it,
  // decide what is fetched again and which holdings end, but only through
  // comparisons with the operands' cuts: loops between the same two cuts act
  // alike (rows of images at the end of one image and inside it, say).
  out.push_back(cut_sides(dram_advanced(tp.t)));
  out.push_back(cut_sides(dram_next(tp.t)));
  // Output rows and filter rows decide which input rows a tile reads only where
  // its window meets the feature map's edge (LoopBounds::rows_read clamps
  // there); a window inside the map reads a count of rows that its sizes
  // alone decide, wherever it lies, and so does every window of its passes,
  // which lie inside it. Such tiles, most of a large map's, are one class.
  for (auto [out_dim, tap_dim] : {std::pair{kP, kR}, std::pair{kQ, kS}}) {
    if (window_inside(out_dim, tp.t[idx(out_dim)], tp.t[idx(tap_dim)])) {
      out.push_back(0);
    } else {
      out.push_back(1);
      out.push_back(u(tp.t[idx(out_dim)]));
      out.push_back(u(tp.t[idx(tap_dim)]));
    }
  }
}

int NestWalker::dram_advanced(const Index& t) const {
  for (int k = kDims - 1; k >= 0; --k)
    if (t[idx(m_.dram_order[idx(k)])] > 0) return k;
  return -1;  // the layer's first tile
}

int NestWalker::dram_next(const Index& t) const {
  for (int k = kDims - 1; k >= 0; --k) {
    const int d = m_.dram_order[idx(k)];
    if (t[idx(d)] + 1 < e_[idx(d)].tiles()) return k;
  }
  return -1;  // the layer's last tile: every holding ends
}

uint64_t NestWalker::cut_sides(int position) const {
  uint64_t sides = 0;
  for (const auto* cuts : {&glb_cut_, &pe_cut_})
    for (int cut : *cuts) sides = sides << 1 | (position <= cut ? 1u : 0u);
  return sides;
}

bool NestWalker::window_inside(int out_dim, int64_t t_out, int64_t t_tap) const {
  const int tap_dim = out_dim == kP ? kR : kS;
  const DimExtents &eo = e_[idx(out_dim)], &et = e_[idx(tap_dim)];
  const int64_t o_start = t_out * eo.tile, o_size = std::min(eo.tile, eo.dim - o_start);
  const int64_t t_start = t_tap * et.tile, t_size = std::min(et.tile, et.dim - t_start);
  const int64_t size = out_dim == kP ? b_.H : b_.W;
  const int64_t taps = out_dim == kP ? b_.flat_r : b_.flat_s;
  const int64_t t0 = b_.flattened() ? 0 : t_start, nt = b_.flattened() ? taps : t_size;
  const int64_t lo = o_start * b_.stride + t0 * b_.dilation - b_.padding;
  const int64_t hi = (o_start + o_size - 1) * b_.stride + (t0 + nt - 1) * b_.dilation - b_.padding;
  return lo >= 0 && hi < size;
}

NestWalker::ClassRun NestWalker::same_class_run(uint64_t index, uint64_t period, uint64_t checked) const {
  ClassRun best;
  if (period == 0) return best;
  const TilePoint tp = tile_point(index);
  std::array<int, kDims> position{};  // each dimension's place in the DRAM order
  for (int k = 0; k < kDims; ++k) position[idx(m_.dram_order[idx(k)])] = k;
  uint64_t stride = 1;
  for (int k = kDims - 1; k >= 0; stride *= u(e_[idx(m_.dram_order[idx(k)])].tiles()), --k) {
    if (stride % period != 0 || stride > checked) continue;
    const int d = m_.dram_order[idx(k)];
    const int64_t n = e_[idx(d)].tiles();
    // The dimension whose index shares this one's window test, if any.
    const int out = d == kP || d == kR ? kP : d == kQ || d == kS ? kQ : -1;
    const int partner = out < 0 ? -1 : d == out ? (out == kP ? kR : kS) : out;
    const auto steps_alike = [&](int64_t w) {
      if (w < 2 || w > n - 2) return false;  // neither step may be the first or the last
      if (partner < 0) return true;
      // A partner inside this loop takes every index under each step; one outside keeps its own.
      const bool inner = position[idx(partner)] > k;
      const int64_t from = inner ? 0 : tp.t[idx(partner)];
      const int64_t to = inner ? e_[idx(partner)].tiles() - 1 : from;
      for (int64_t x = from; x <= to; ++x)
        for (int64_t y : {w - 1, w})
          if (!(d == out ? window_inside(out, y, x) : window_inside(out, x, y))) return false;
      return true;
    };
    const int64_t v = tp.t[idx(d)];
    int64_t w = v;
    while (steps_alike(w)) ++w;
    const uint64_t run = w > v ? u(w - v) * stride - index % stride : 0;
    if (run > best.tiles) best = {run, stride};
  }
  return best;
}

NestWalker::Index NestWalker::pass_indices(const TilePoint& tp, uint64_t pass_index) const {
  Index p{};
  for (int k = kDims - 1; k >= 0; --k) {
    const int d = m_.glb_order[idx(k)];
    const uint64_t n = u(tp.trips[idx(d)]);
    p[idx(d)] = static_cast<int64_t>(pass_index % n);
    pass_index /= n;
  }
  return p;
}

int NestWalker::advanced_at(const Index& t, const Index& p) const {
  for (int k = kDims - 1; k >= 0; --k)
    if (p[idx(m_.glb_order[idx(k)])] > 0) return kDims + k;
  return dram_advanced(t);
}

bool NestWalker::holding_ends(const Index& t, const Index& p, const std::array<int64_t, kDims>& trips, int cut) const {
  for (int k = kDims - 1; k >= 0; --k) {
    const int d = m_.glb_order[idx(k)];
    if (p[idx(d)] + 1 < trips[idx(d)]) return kDims + k <= cut;
  }
  return dram_next(t) <= cut;  // -1 at the layer's last pass: it ends every holding
}

NestWalker::Span NestWalker::block(int d, int level, const TilePoint& tp, const Index& p) const {
  const DimExtents& e = e_[idx(d)];
  if (level == 0) return {0, e.dim, std::min(e.pass, e.dim)};
  const Span& tile = tp.block[idx(d)];
  if (level == 1) return tile;
  const int64_t start = tile.start + p[idx(d)] * e.pass, size = std::min(e.pass, tile.start + tile.size - start);
  return {start, size, size};
}

std::pair<uint64_t, uint64_t> NestWalker::held_values(Operand o, const TilePoint& tp, const Index& p) const {
  const std::array<int, kDims>& level = pe_level_[static_cast<std::size_t>(o)];
  uint64_t distinct = 1, delivered = 1;
  for (int d = 0; d < kDims; ++d) {
    if (o == Operand::Inputs && (d == kP || d == kQ || d == kR || d == kS)) continue;
    const Span s = block(d, level[idx(d)], tp, p);
    if (relevant(o, d)) {
      // Inputs along a flattened C: the channels the block's taps read.
      const int64_t size = o == Operand::Inputs && d == kC ? b_.input_channels(s.size) : s.size;
      distinct *= u(size);
      delivered *= u(size);
    } else {
      delivered *= u(e_[idx(d)].positions(s.first_pass));
    }
  }
  if (o == Operand::Inputs) {
    for (auto [out, tap] : {std::pair{kP, kR}, std::pair{kQ, kS}}) {
      const Span so = block(out, level[idx(out)], tp, p), st = block(tap, level[idx(tap)], tp, p);
      // Copied in: clang before 16 cannot capture a structured binding (the sanitizer build).
      const auto span = [&, out = out](int64_t o0, int64_t no, int64_t t0, int64_t nt) {
        return u(out == kP ? b_.rows_read(o0, no, t0, nt) : b_.cols_read(o0, no, t0, nt));
      };
      distinct *= span(so.start, so.size, st.start, st.size);
      const int64_t co = e_[idx(out)].spatial ? e_[idx(out)].pe : so.size;
      const int64_t ct = e_[idx(tap)].spatial ? e_[idx(tap)].pe : st.size;
      uint64_t sum = 0;
      for (int64_t i = 0; i < so.size; i += co)
        for (int64_t j = 0; j < st.size; j += ct)
          sum += span(so.start + i, std::min(co, so.size - i), st.start + j, std::min(ct, st.size - j));
      delivered *= sum;
    }
  }
  return {distinct, delivered};
}

TileMoves NestWalker::tile(uint64_t index) const {
  const TilePoint tp = tile_point(index);
  const Index& t = tp.t;
  const LayerPrecision& prec = layer_.precision;
  const int advanced = dram_advanced(t);
  TileMoves x;
  x.passes = 1;
  for (int64_t n : tp.trips) x.passes *= u(n);
  const auto tile_block = [&](int d) { return tp.block[idx(d)]; };
  // Weights the buffer does not keep are not loaded with the tile: each
  // pass that fetches them reads them from DRAM (see ArrayPass::Move).
  if (arch_.glb->keeps(Tensor::Weights) && advanced <= glb_cut_[static_cast<std::size_t>(Operand::Weights)]) {
    uint64_t values = 1;
    for (int d : {kG, kM, kC, kR, kS}) values *= u(tile_block(d).size);
    x.weight_load_bits = arch_.pe_array->weight_bits(values, prec);
  }
  if (advanced <= glb_cut_[static_cast<std::size_t>(Operand::Inputs)]) {
    const Span p = tile_block(kP), q = tile_block(kQ), r = tile_block(kR), s = tile_block(kS);
    const uint64_t values = u(tile_block(kN).size * tile_block(kG).size * b_.input_channels(tile_block(kC).size)) *
                            u(b_.rows_read(p.start, p.size, r.start, r.size)) *
                            u(b_.cols_read(q.start, q.size, s.start, s.size));
    x.input_load_bits = values * u(prec.inputs.bits);
    x.input_dram_bits = arch_.dram->activation_bits(values, prec.inputs.bits, prec.inputs.density);
  }
  // Outputs leave once their reduction is complete: at the last tile over C, R and S.
  bool complete = true;
  for (int d : {kC, kR, kS}) complete = complete && t[idx(d)] + 1 == e_[idx(d)].tiles();
  if (complete) {
    uint64_t values = 1;
    for (int d : {kN, kG, kM, kP, kQ}) values *= u(tile_block(d).size);
    x.output_values = values;
    x.output_positions = values / u(tile_block(kM).size);
    x.output_read_bits = values * u(prec.accumulator.bits);
    x.output_store_bits = arch_.dram->activation_bits(values, prec.outputs.bits, prec.outputs.density);
  }
  return x;
}

ArrayPass NestWalker::pass(const TilePoint& tp, uint64_t pass_index) const {
  const Index& t = tp.t;
  const Index p = pass_indices(tp, pass_index);
  const int advanced = advanced_at(t, p);
  const LayerPrecision& prec = layer_.precision;
  const std::array<uint64_t, kOperands> bits = {u(prec.weights.bits), u(prec.inputs.bits),
                                                u(prec.accumulator.bits)};
  ArrayPass a;
  a.macs = a.iterations = 1;
  a.rows_used = a.cols_used = 1;
  std::array<uint64_t, kOperands> streamed = {1, 1, 1};
  bool continues = false;  // a reduction loop is past its first block: partial sums exist
  for (int d = 0; d < kDims; ++d) {
    const Span s = block(d, 2, tp, p);
    const DimExtents& e = e_[idx(d)];
    const uint64_t iters = u(std::min(e.pe, s.size));
    a.macs *= u(s.size);
    a.iterations *= iters;
    if (m_.rows[idx(d)] > 1) a.rows_used *= e.positions(s.size);
    if (m_.cols[idx(d)] > 1) a.cols_used *= e.positions(s.size);
    for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
      streamed[static_cast<std::size_t>(o)] *= relevant(o, d) ? u(s.size) : iters;
    if (is_reduction(d) && (t[idx(d)] > 0 || p[idx(d)] > 0)) continues = true;
  }
  // Bits `values` of an operand take: weights as the array stores them.
  const ArraySpec& pe = *arch_.pe_array;
  const auto stored = [&](Operand o, uint64_t values) {
    return o == Operand::Weights ? pe.weight_bits(values, prec) : values * bits[static_cast<std::size_t>(o)];
  };
  for (Operand o : {Operand::Weights, Operand::Inputs}) {
    const auto i = static_cast<std::size_t>(o);
    ArrayPass::Move& mv = o == Operand::Weights ? a.weights : a.inputs;
    if (!flow_.keeps(o)) {
      mv.glb_bits = mv.sent_bits = stored(o, streamed[i]);
      mv.delivered_bits = stored(o, a.macs);
      continue;
    }
    if (advanced > pe_cut_[i]) continue;  // still held from an earlier pass
    const auto [distinct, delivered] = held_values(o, tp, p);
    if (o == Operand::Weights) {
      // Each PE a fetch reaches receives the fetch's stored entries.
      const uint64_t copies = delivered / distinct, entries = pe.weight_entries(distinct, prec);
      const uint64_t sent = entries * static_cast<uint64_t>(pe.weight_entry_bits(prec));
      mv = {sent, sent, copies * sent, copies * entries};
    } else {
      mv = {distinct * bits[i], distinct * bits[i], delivered * bits[i], delivered};
    }
    if (o == Operand::Weights) {
      a.weights_fetched = true;
      a.weight_rows = 1;
      for (int d = 0; d < kDims; ++d) {
        if (m_.rows[idx(d)] <= 1) continue;
        const Span s = block(d, pe_level_[i][idx(d)], tp, p);
        a.weight_rows *= e_[idx(d)].positions(relevant(o, d) ? s.size : s.first_pass);
      }
    }
  }
  const uint64_t abits = bits[static_cast<std::size_t>(Operand::Outputs)];
  if (!flow_.keeps(Operand::Outputs)) {
    const uint64_t out = streamed[static_cast<std::size_t>(Operand::Outputs)] * abits;
    a.psums_out = {out, out, out, 0};
    if (continues) a.psums_in.glb_bits = out;  // the buffer accumulates
    return a;
  }
  const int cut = pe_cut_[static_cast<std::size_t>(Operand::Outputs)];
  if (advanced <= cut && continues) {
    const uint64_t d = held_values(Operand::Outputs, tp, p).first;
    a.psums_in = {d * abits, d * abits, d * abits, d};
    a.psums_in_to_pes = true;
  }
  if (holding_ends(t, p, tp.trips, cut)) {
    const auto [distinct, delivered] = held_values(Operand::Outputs, tp, p);
    a.psums_out = {distinct * abits, distinct * abits, distinct * abits, delivered};
    a.hop_bits = (delivered - distinct) * abits;
  }
  return a;
}

}  // namespace qnnsim
