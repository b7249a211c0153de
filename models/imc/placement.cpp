#include "imc/placement.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "imc/segments.h"

namespace qnnsim {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

[[noreturn]] void fail_layer(const Layer& l, const std::string& message) {
  throw ConfigError(l.where, "layers." + l.name, message);
}

bool log_domain(Scheme s) { return s == Scheme::PowerOfTwo || s == Scheme::LogRadix4; }

// A crossbar stores fixed-point slices and DACs apply fixed-point input
// slices: anything else needs another encoding first. Log-domain weights
// (+-2^k) are integers, stored at the width of their codes (below).
void check_storable(const Layer& l) {
  for (Tensor t : {Tensor::Weights, Tensor::Inputs}) {
    const Scheme s = l.precision[t].scheme;
    if (scheme_is_integer(s) || (t == Tensor::Weights && log_domain(s))) continue;
    const std::string why =
        s == Scheme::Codebook
            ? "a codebook weight is an index into a table of values, and a cell multiplies by the value it holds"
            : std::string("crossbars hold fixed-point weight slices and DACs apply fixed-point input slices");
    fail_layer(l, fmt::format("{} are {}: {}; quantize them uniformly (or binary, ternary, or for weights "
                              "power_of_two or log_radix4) to run on an in-memory chip",
                              tensor_name(t), scheme_name(s), why));
  }
}

// The bits a weight takes in the cells. A log-domain code is the power of
// two itself: a cell multiplies by the value it holds and cannot shift, so
// the crossbar stores the integer +-2^k at integer_code_bits (workload/
// precision.h), as eval slices it (numerics/crossbar_numerics.h). Other
// weights are stored at their width.
int stored_weight_bits(const TensorPrecision& w) {
  return log_domain(w.scheme) ? integer_code_bits(w.scheme, w.bits) : w.bits;
}

// The ADC bits a column of `rows` +1/-1 products needs to tell all its sums
// apart: n + 1 values, -n to n in steps of 2.
int xnor_sum_bits_needed(int64_t rows) {
  return static_cast<int>(std::ceil(std::log2(static_cast<double>(rows + 1)) - 1e-9));
}

// Reads an input vector takes. An XNOR-SRAM row's two wordlines drive +1
// (one on), -1 (the other) or 0 (neither): a binary or ternary input goes in
// one read, the macro's ternary XNOR-and-accumulate (Yin, Jiang, Seo, Seok,
// JSSC 2020), as eval runs it (numerics/xnor_sram_numerics.h). Every other
// input goes in DAC-wide bit-planes.
int input_steps(const ImcArch& arch, const TensorPrecision& in) {
  if (arch.ima.crossbar.is_xnor_sram() && (in.scheme == Scheme::Binary || in.scheme == Scheme::Ternary)) return 1;
  return (in.bits + arch.ima.dac.bits - 1) / arch.ima.dac.bits;
}

LayerPlacement place_crossbar_layer(const ImcArch& arch, const Layer& l) {
  check_storable(l);
  const CrossbarSpec& x = arch.ima.crossbar;
  if (x.is_xnor_sram() && l.precision.weights.bits != 1)
    fail_layer(l, fmt::format("weights are {}-bit; an XNOR-SRAM cell holds one +1/-1 weight: binarize them (bits: 1, "
                              "scheme: binary)",
                              l.precision.weights.bits));
  const int stored_bits = stored_weight_bits(l.precision.weights);
  const int64_t per_weight = x.columns_per_weight(stored_bits);
  if (per_weight > x.cols)
    fail_layer(l, fmt::format("a {}-bit weight needs {} columns of {}-bit cells; the crossbar has {}", stored_bits,
                              per_weight, x.bits_per_cell, x.cols));
  LayerPlacement p;
  p.on_crossbars = true;
  const int64_t g = l.groups, k = l.reduction_size(), m = l.M / l.groups;
  const int64_t weights_per_crossbar = x.cols / per_weight;
  if (k <= x.rows && m <= weights_per_crossbar) {
    // Whole groups fit one crossbar: pack them on its diagonal.
    const int64_t per_crossbar = std::min(x.rows / k, weights_per_crossbar / m);
    p.crossbars = ceil_div(g, per_crossbar);
    p.fullest_rows = std::min(g, per_crossbar) * k;
    p.rows_driven = g * k;
    p.columns_read = g * m * per_weight;
  } else {
    const int64_t row_blocks = ceil_div(k, x.rows), col_blocks = ceil_div(m, weights_per_crossbar);
    p.crossbars = g * row_blocks * col_blocks;
    p.fullest_rows = std::min(k, x.rows);
    p.rows_driven = g * k * col_blocks;          // each column block sees the whole input vector
    p.columns_read = g * m * per_weight * row_blocks;  // each row block yields a partial sum per column
  }
  p.cells_used = g * k * m * per_weight;
  p.imas = ceil_div(p.crossbars, arch.ima.crossbars);
  p.steps = input_steps(arch, l.precision.inputs);
  p.positions = l.P * l.Q;
  // The busiest ADC converts its share of the columns read in one IMA.
  const int64_t per_ima = ceil_div(p.columns_read, p.imas);
  const int64_t per_adc = std::min(ceil_div(per_ima, arch.ima.adcs()), arch.ima.adc.columns_per_adc);
  p.step_s = std::max(x.read_time_s, static_cast<double>(per_adc) * arch.ima.adc.conversion_time_s());
  if (x.is_xnor_sram()) {
    p.adc_bits_needed = xnor_sum_bits_needed(x.rows);
    p.clip_fraction = signed_sum_clip_fraction(p.fullest_rows, arch.ima.adc.levels, arch.ima.adc.step);
    return p;
  }
  p.adc_bits_needed = adc_bits_needed(x.rows, arch.ima.dac.bits, x.bits_per_cell, x.flipped_columns);
  p.clip_fraction = adc_clip_fraction(p.fullest_rows, arch.ima.dac.bits, x.bits_per_cell,
                                      l.precision.inputs.density, arch.ima.adc.bits, x.flipped_columns);
  return p;
}

}  // namespace

double LayerPlacement::image_s() const {
  if (!on_crossbars) return vector_s;
  return static_cast<double>(ceil_div(positions, copies)) * steps * step_s;
}

std::pair<int64_t, int64_t> layer_tiles(const ImcArch& arch, const LayerPlacement& p) {
  const int64_t last = p.first_ima + std::max<int64_t>(p.ima_span, 1) - 1;
  return {p.first_ima / arch.tile.imas, last / arch.tile.imas};
}

ChipPlacement place_network(const ImcArch& arch, const Workload& w) {
  ChipPlacement chip;
  chip.adc_bits_needed = arch.ima.crossbar.is_xnor_sram()
                             ? xnor_sum_bits_needed(arch.ima.crossbar.rows)
                             : adc_bits_needed(arch.ima.crossbar.rows, arch.ima.dac.bits,
                                               arch.ima.crossbar.bits_per_cell, arch.ima.crossbar.flipped_columns);
  chip.layers.resize(w.layers.size());
  for (std::size_t i = 0; i < w.layers.size(); ++i)
    if (layer_uses_array(w.layers[i].type)) chip.layers[i] = place_crossbar_layer(arch, w.layers[i]);

  // Segments: consecutive layers while their single copies fit the chip.
  std::vector<std::vector<std::size_t>> segments(1);
  int64_t used = 0, total_one_copy = 0;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    LayerPlacement& p = chip.layers[i];
    total_one_copy += p.imas;
    if (p.imas > arch.total_imas()) {
      if (!arch.weight_reload)
        fail_layer(w.layers[i], fmt::format("one copy of this layer needs {} IMAs ({} crossbars); the chip has {} ({} "
                                            "tiles x {} IMAs). Set weight_reload: true in the architecture to run it "
                                            "in parts, or use a larger chip",
                                            p.imas, p.crossbars, arch.total_imas(), arch.tiles, arch.tile.imas));
      p.parts = (p.imas + arch.total_imas() - 1) / arch.total_imas();
    }
    if (used + p.resident_imas() > arch.total_imas() || p.parts > 1) {
      if (!segments.back().empty()) segments.emplace_back();
      used = 0;
    }
    used += p.resident_imas();
    segments.back().push_back(i);
    if (p.parts > 1) used = arch.total_imas();  // a layer in parts has the chip to itself
  }
  if (segments.size() > 1 && !arch.weight_reload)
    throw ConfigError(SourceLocation{w.file, 0, 0}, "layers",
                      fmt::format("workload '{}' needs {} IMAs for one copy of every layer's weights; '{}' has {} ({} "
                                  "tiles x {} IMAs). Use a larger chip, or set weight_reload: true in the "
                                  "architecture to run it in {} programmed segments",
                                  w.name, total_one_copy, arch.name, arch.total_imas(), arch.tiles, arch.tile.imas,
                                  segments.size()));
  // Reloading: the boundaries that let the slow layers have copies, rather
  // than the fewest segments.
  if (segments.size() > 1) segments = choose_segments(arch, w, chip.layers);

  chip.segments = static_cast<int>(segments.size());
  chip.rewrites_weights = chip.segments > 1;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    int64_t seg_used = 0;
    for (std::size_t i : segments[s]) {
      chip.layers[i].segment = static_cast<int>(s);
      seg_used += chip.layers[i].resident_imas();
    }
    replicate(arch, chip.layers, segments[s], seg_used);
    chip.segment_imas.push_back(seg_used);
    // Place copies in layer order; a pool or add works in its producer's tiles.
    int64_t next = 0;
    for (std::size_t i : segments[s]) {
      LayerPlacement& p = chip.layers[i];
      if (p.on_crossbars) {
        p.first_ima = next;
        p.ima_span = p.resident_imas() * p.copies;
        next += p.ima_span;
      }
    }
  }
  // Digital layers sit with a producer (the network input: tile 0) and run
  // one operation per cycle in each of its tiles. With segments, that is the
  // producer in the latest segment: a join runs once all its inputs exist,
  // and an input from an earlier segment comes back through the chip I/O.
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    index[w.layers[i].name] = i;
    LayerPlacement& p = chip.layers[i];
    if (p.on_crossbars) continue;
    const LayerPlacement* host = nullptr;
    for (const std::string& name : producers_of(w, i))
      if (index.count(name) && (host == nullptr || chip.layers[index[name]].segment > host->segment))
        host = &chip.layers[index[name]];
    if (host != nullptr) {
      p.first_ima = host->first_ima;
      p.ima_span = host->ima_span;
      p.segment = host->segment;
    }
    const auto tiles = layer_tiles(arch, p);
    p.vector_s = static_cast<double>(w.layers[i].vector_ops()) /
                 (arch.tech.clock_hz * static_cast<double>(tiles.second - tiles.first + 1));
  }
  chip.spills_out.assign(w.layers.size(), false);
  chip.spilled_inputs.resize(w.layers.size());
  for (std::size_t i = 0; i < w.layers.size(); ++i)
    for (const std::string& name : producers_of(w, i)) {
      if (name == "input") continue;
      const std::size_t j = index.at(name);
      if (chip.layers[j].segment == chip.layers[i].segment) continue;
      chip.spills_out[j] = true;
      chip.spilled_inputs[i].push_back(j);
    }
  return chip;
}

}  // namespace qnnsim
