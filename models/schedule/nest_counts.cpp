#include "schedule/nest_counts.h"

#include <algorithm>

#include "schedule/nest_blocks.h"
#include "schedule/pe_holding.h"

namespace qnnsim {

namespace {

struct Context {
  const ArchSpec& arch;
  const Layer& layer;
  const LoopBounds& b;
  const Mapping& m;
  std::array<DimExtents, kDims> e;

  uint64_t words(uint64_t bits) const {
    const uint64_t w = static_cast<uint64_t>(arch.glb->width_bits());
    return (bits + w - 1) / w;
  }
  // `n` fetches of `values` of operand o each into the PEs: buffer words, or
  // DRAM bits for a tensor the buffer does not keep (activations as DRAM
  // holds them, compressed or raw).
  void fetch_from_parent(Operand o, OperandCounts& x, uint64_t n, uint64_t values) const {
    if (arch.glb->keeps(o)) {
      x.glb_read_words += n * words(stored_bits(o, values));
    } else if (o == Operand::Inputs) {
      const LayerPrecision& p = layer.precision;
      x.dram_bits += n * arch.dram->activation_bits(values, p.inputs.bits, p.inputs.density);
    } else {
      x.dram_bits += n * stored_bits(o, values);
    }
  }
  // Bits `values` of operand o take in storage and on the network: weights
  // as the array stores them (raw, or compressed), the others raw.
  uint64_t stored_bits(Operand o, uint64_t values) const {
    if (o == Operand::Weights) return arch.pe_array->weight_bits(values, layer.precision);
    return values * bits_of(o);
  }
  uint64_t bits_of(Operand o) const {
    const LayerPrecision& p = layer.precision;
    return static_cast<uint64_t>(o == Operand::Weights  ? p.weights.bits
                                 : o == Operand::Inputs ? p.inputs.bits
                                                        : p.accumulator.bits);
  }
};

uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }

// Per-dimension factors of one operand's fetches at a storage point whose
// loops above are counted to `level` per dimension: the values one fetch
// holds (distinct, as read from the parent) and how many reach the PEs in
// all (delivered, with multicast copies). Input windows pair P with R and Q
// with S. With `first_only`, reduction dimensions keep only their first block
// (the fetches that begin an output's accumulation).
struct FetchFactors {
  std::vector<Factor<1>> distinct;
  // (distinct values, copies) of each fetch, without input windows: the
  // copies of a fetch are the PEs each of its values reaches.
  std::vector<Factor<2>> copies;
  uint64_t delivered = 1;  // summed over all fetches
  uint64_t fetches = 1;
};

FetchFactors fetch_factors(const Context& c, Operand o, const std::array<int, kDims>& level, bool to_pe,
                           bool first_only) {
  FetchFactors f;
  f.distinct.reserve(kDims);
  f.copies.reserve(kDims);
  const auto add = [&](Factor<1> factor, uint64_t delivered_sum) {
    uint64_t n = 0;
    for (const auto& [v, cnt] : factor) n += cnt;
    f.fetches *= n;
    f.delivered *= delivered_sum;
    f.distinct.push_back(std::move(factor));
  };
  for (int d = 0; d < kDims; ++d) {
    const bool window = o == Operand::Inputs && (d == kP || d == kQ || d == kR || d == kS);
    if (window) continue;
    const DimExtents& e = c.e[static_cast<std::size_t>(d)];
    BlockClasses blocks = dim_classes(e, level[static_cast<std::size_t>(d)]);
    if (first_only && is_reduction(d)) blocks = BlockClasses(Block{0, blocks.front().size, 1, blocks.front().first_pass});
    Factor<1> factor;
    Factor<2> joint;
    factor.reserve(blocks.size());
    joint.reserve(blocks.size());
    uint64_t delivered = 0;
    for (const Block& blk : blocks) {
      const bool rel = relevant(o, d);
      // Inputs along a flattened C: the channels the block's taps read.
      const int64_t size = o == Operand::Inputs && d == kC ? c.b.input_channels(blk.size) : blk.size;
      const uint64_t value = rel ? u(size) : 1;
      factor.push_back({{value}, blk.count});
      // Multicast: a PE along a dimension the operand does not depend on gets its own copy.
      const uint64_t copies = rel ? value : (to_pe ? u(e.positions(blk.first_pass)) : 1);
      delivered += copies * blk.count;
      joint.push_back({{value, rel ? 1 : copies}, blk.count});
    }
    f.copies.push_back(std::move(joint));
    add(std::move(factor), delivered);
  }
  if (o == Operand::Inputs) {
    // Windows: the input rows (columns) a block of outputs and of filter taps reads.
    for (auto [out, tap] : {std::pair{kP, kR}, std::pair{kQ, kS}}) {
      const DimExtents& eo = c.e[static_cast<std::size_t>(out)];
      const DimExtents& et = c.e[static_cast<std::size_t>(tap)];
      // Copied in: clang before 16 cannot capture a structured binding (the sanitizer build).
      const auto span = [&, out = out](int64_t o0, int64_t no, int64_t t0, int64_t nt) {
        return out == kP ? c.b.rows_read(o0, no, t0, nt) : c.b.cols_read(o0, no, t0, nt);
      };
      Factor<1> factor;
      uint64_t delivered = 0;
      const std::vector<Block> taps = dim_blocks(et, level[static_cast<std::size_t>(tap)]);
      for (const Block& bo : dim_blocks(eo, level[static_cast<std::size_t>(out)]))
        for (const Block& bt : taps) {
          factor.push_back({{u(span(bo.start, bo.size, bt.start, bt.size))}, 1});
          if (!to_pe) continue;
          // Each PE along a spatial window dimension holds its own window.
          const int64_t so = eo.spatial ? eo.pe : bo.size, st = et.spatial ? et.pe : bt.size;
          for (int64_t i = 0; i < bo.size; i += so)
            for (int64_t j = 0; j < bt.size; j += st)
              delivered += u(span(bo.start + i, std::min(so, bo.size - i), bt.start + j, std::min(st, bt.size - j)));
        }
      add(std::move(factor), delivered);
    }
  }
  return f;
}

// DRAM <-> buffer: tile loads of weights and inputs, and each output block's one store.
void count_dma(const Context& c, NestCounts& k) {
  const LayerPrecision& p = c.layer.precision;
  const std::vector<LoopRef> loops = loops_above(c.m, c.b, false);
  for (Operand o : {Operand::Weights, Operand::Inputs}) {
    if (!c.arch.glb->keeps(o)) continue;  // fetched from DRAM by the passes instead
    const FetchFactors f = fetch_factors(c, o, counted_levels(loops, cut_position(loops, o)), false, false);
    OperandCounts& x = k[o];
    for (const auto& [v, n] : product_classes(f.distinct)) {
      const uint64_t values = v[0];
      const int bits = o == Operand::Weights ? p.weights.bits : p.inputs.bits;
      x.dram_bits += n * (o == Operand::Weights ? c.stored_bits(o, values)
                                                : c.arch.dram->activation_bits(values, bits, p.inputs.density));
      x.glb_dma_words += n * c.words(c.stored_bits(o, values));
    }
  }
  // Outputs leave the buffer once, complete: every output block at tile level.
  std::array<int, kDims> level{};
  for (int d = 0; d < kDims; ++d) level[static_cast<std::size_t>(d)] = is_reduction(d) ? 0 : 1;
  const FetchFactors f = fetch_factors(c, Operand::Outputs, level, false, false);
  for (const auto& [v, n] : product_classes(f.distinct)) {
    k[Operand::Outputs].dram_bits += n * c.arch.dram->activation_bits(v[0], p.outputs.bits, p.outputs.density);
    k[Operand::Outputs].glb_dma_words += n * c.words(v[0] * u(p.accumulator.bits));
  }
}

// Passes: MACs, cycles, and the operands that stream through the PEs.
void count_passes(const Context& c, const Dataflow& flow, NestCounts& k) {
  const ArraySpec& pe = *c.arch.pe_array;
  const LayerPrecision& p = c.layer.precision;
  // Per pass: macs, iterations per PE, rows used, cols used, streamed values of W, I, O.
  const auto pass_factors = [&](bool first_only) {
    std::vector<Factor<7>> factors;
    for (int d = 0; d < kDims; ++d) {
      const auto i = static_cast<std::size_t>(d);
      const DimExtents& e = c.e[i];
      BlockClasses blocks = dim_classes(e, 2);
      if (first_only && is_reduction(d)) blocks = BlockClasses(Block{0, std::min(e.pass, e.dim), 1, 0});
      Factor<7> f;
      for (const Block& blk : blocks) {
        const uint64_t x = u(blk.size), iters = u(std::min(e.pe, blk.size));
        std::array<uint64_t, 7> v{x, iters, c.m.rows[i] > 1 ? u(e.positions(blk.size)) : 1,
                                  c.m.cols[i] > 1 ? u(e.positions(blk.size)) : 1, 0, 0, 0};
        for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
          v[4 + static_cast<std::size_t>(o)] = relevant(o, d) ? x : iters;
        f.push_back({v, blk.count});
      }
      factors.push_back(std::move(f));
    }
    return product_classes(factors);
  };
  // Passes that follow one another straight on hide their fill (pe.pass_overlap_cycles):
  // at least the layer's first pays it.
  const uint64_t overlap = pe.pass_overlap_cycles(p);
  uint64_t overlap_paid = 0;
  bool first_class = true;
  for (const auto& [v, n] : pass_factors(false)) {
    const int64_t head = c.arch.noc->head_cycles(static_cast<int64_t>(v[2]), static_cast<int64_t>(v[3]));
    k.least_head_cycles = first_class ? head : std::min(k.least_head_cycles, head);
    first_class = false;
    k.passes += n;
    k.macs += n * v[0];
    const uint64_t active = pe.active_macs(v[0], p);
    k.active_macs += n * active;
    const uint64_t sums = pe.unit_sums(v[0], v[1], static_cast<int64_t>(v[2]), static_cast<int64_t>(v[3]), p);
    const auto accesses = pe.mac_accesses(v[0], active, sums, p);
    if (k.mac_accesses.empty())
      for (const auto& [a, count] : accesses) k.mac_accesses.push_back({a, 0});
    for (std::size_t i = 0; i < accesses.size(); ++i) k.mac_accesses[i].second += n * accesses[i].second;
    const uint64_t pass = pe.pass_cycles(v[1], static_cast<int64_t>(v[2]), static_cast<int64_t>(v[3]), p);
    k.compute_cycles += n * (overlap < pass ? pass - overlap : pass);
    if (overlap < pass) overlap_paid = overlap;
    for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs}) {
      if (flow.keeps(o)) continue;
      OperandCounts& x = k[o];
      const uint64_t bits = c.stored_bits(o, v[4 + static_cast<std::size_t>(o)]);
      x.fetches += n;
      x.noc_sent_bits += n * bits;
      if (o == Operand::Outputs) {
        // Partial sums leave the array reduced; the buffer accumulates them.
        x.noc_delivered_bits += n * bits;
        x.glb_write_words += n * c.words(bits);
        x.glb_read_words += n * c.words(bits);  // less the first passes, below
      } else {
        x.noc_delivered_bits += n * c.stored_bits(o, v[0]);  // every MAC receives its operand
        c.fetch_from_parent(o, x, n, v[4 + static_cast<std::size_t>(o)]);
      }
    }
  }
  k.compute_cycles += overlap_paid;
  if (!flow.keeps(Operand::Outputs))
    for (const auto& [v, n] : pass_factors(true))
      k[Operand::Outputs].glb_read_words -= n * c.words(c.bits_of(Operand::Outputs) * v[6]);
}

// Operands the PEs keep: fetched into the scratchpads once per change of what they depend on.
void count_kept(const Context& c, const Dataflow& flow, NestCounts& k) {
  const std::vector<LoopRef> loops = loops_above(c.m, c.b, true);
  for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs}) {
    if (!flow.keeps(o)) continue;
    // What the PEs cannot hold whole enters them (leaves them) at every pass (pe_holding.h).
    const bool held = o == Operand::Weights || pe_holds(c.arch, c.b, c.m.pe, o);
    const int cut = held_cut(held, o, loops.data(), loops.size());
    const std::array<int, kDims> level = counted_levels(loops, cut);
    const FetchFactors all = fetch_factors(c, o, level, true, false);
    OperandCounts& x = k[o];
    const uint64_t bits = c.bits_of(o);
    x.fetches += all.fetches;
    uint64_t distinct_values = 0;
    for (const auto& [v, n] : product_classes(all.distinct)) {
      distinct_values += n * v[0];
      if (o == Operand::Outputs)
        x.glb_write_words += n * c.words(v[0] * bits);  // each holding drained back to the buffer
      else
        c.fetch_from_parent(o, x, n, v[0]);
    }
    if (o == Operand::Weights) {
      // Stored entries, fetch by fetch: each copy a PE receives is the
      // fetch's entries (all of them when weights are stored raw).
      const ArraySpec& pe = *c.arch.pe_array;
      const LayerPrecision& p = c.layer.precision;
      for (const auto& [v, n] : product_classes(all.copies)) {
        const uint64_t entries = pe.weight_entries(v[0], p);
        x.noc_sent_bits += n * entries * u(pe.weight_entry_bits(p));
        x.noc_delivered_bits += n * v[1] * entries * u(pe.weight_entry_bits(p));
        x.fill_values += n * v[1] * entries;
      }
      continue;
    }
    if (o != Operand::Outputs) {
      x.noc_sent_bits += distinct_values * bits;
      x.noc_delivered_bits += all.delivered * bits;
      x.fill_values += all.delivered;
      continue;
    }
    // Partial sums: every PE's share is read out, reduced from PE to PE, and
    // the reduced values go to the buffer; a holding that continues an
    // accumulation first reads the earlier partial sums back in.
    x.drain_values += all.delivered;
    x.hop_bits += (all.delivered - distinct_values) * bits;
    x.noc_sent_bits += distinct_values * bits;
    x.noc_delivered_bits += distinct_values * bits;
    uint64_t first_values = 0, first_words = 0;
    for (const auto& [v, n] : product_classes(fetch_factors(c, o, level, true, true).distinct)) {
      first_values += n * v[0];
      first_words += n * c.words(v[0] * bits);
    }
    const uint64_t readback = distinct_values - first_values;
    x.glb_read_words += x.glb_write_words - first_words;
    x.noc_sent_bits += readback * bits;
    x.noc_readback_bits += readback * bits;
    x.noc_delivered_bits += readback * bits;
    x.fill_values += readback;
  }
  // Weight tiles entering the PEs take array time by the rows they fill.
  if (flow.keeps(Operand::Weights)) {
    const std::array<int, kDims> level = counted_levels(loops, cut_position(loops, Operand::Weights));
    std::vector<Factor<1>> rows;
    for (int d = 0; d < kDims; ++d) {
      const auto i = static_cast<std::size_t>(d);
      Factor<1> f;
      for (const Block& blk : dim_classes(c.e[i], level[i])) {
        const int64_t extent = relevant(Operand::Weights, d) ? blk.size : blk.first_pass;
        f.push_back({{c.m.rows[i] > 1 ? u(c.e[i].positions(extent)) : 1}, blk.count});
      }
      rows.push_back(std::move(f));
    }
    for (const auto& [v, n] : product_classes(rows))
      k.weight_load_cycles +=
          n * c.arch.pe_array->weight_load_cycles(c.arch.pe_array->unit_rows(static_cast<int64_t>(v[0]), c.layer.precision));
  }
}

}  // namespace

NestCounts count_nest(const ArchSpec& arch, const Layer& layer, const LoopBounds& b, const Mapping& m,
                      const Dataflow& flow) {
  Context c{arch, layer, b, m, {}};
  NestCounts k;
  k.tiles = 1;
  for (int d = 0; d < kDims; ++d) {
    c.e[static_cast<std::size_t>(d)] = dim_extents(m, b, d);
    k.tiles *= u(c.e[static_cast<std::size_t>(d)].tiles());
  }
  count_dma(c, k);
  count_passes(c, flow, k);
  count_kept(c, flow, k);
  return k;
}

}  // namespace qnnsim
