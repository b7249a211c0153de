#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/config_node.h"
#include "workload/workload.h"

namespace qnnsim {

namespace {

// Bounds on single values; real networks are far below them. Derived counts are checked too.
constexpr int64_t kMaxChannels = 1 << 20;
constexpr int64_t kMaxExtent = 1 << 16;
constexpr int64_t kMaxFilter = 1 << 10;
constexpr int64_t kMaxEntries = int64_t{1} << 30;  // rows of an embedding table
constexpr long double kMaxCount = 1099511627776.0L;  // 2^40 per image; x 2^16 batch x 64 bits stays below 2^63

const std::map<std::string, LayerType> kLayerTypes = {
    {"conv", LayerType::Conv},       {"fc", LayerType::FC},           {"dwconv", LayerType::DWConv},
    {"maxpool", LayerType::MaxPool}, {"avgpool", LayerType::AvgPool}, {"add", LayerType::Add}, {"mul", LayerType::Mul},
    {"matmul", LayerType::MatMul},   {"softmax", LayerType::Softmax}, {"layernorm", LayerType::LayerNorm},
    {"gelu", LayerType::Gelu},       {"transpose", LayerType::Transpose}, {"concat", LayerType::Concat},
    {"split", LayerType::Split},     {"pad", LayerType::Pad},     {"kv_cache", LayerType::KvCache},    {"embedding", LayerType::Embedding},
};

LayerType parse_type(const ConfigNode& node) {
  const std::string name = node.text("type");
  const auto it = kLayerTypes.find(name);
  if (it == kLayerTypes.end())
    node.fail("type", "unknown layer type '" + name + "'; expected one of " + layer_type_names());
  return it->second;
}

// Outputs along one axis. With ceil_mode (pooling, as in ONNX and PyTorch)
// a last, partial window counts too, provided it starts inside the input or
// its leading padding.
int64_t output_extent(int64_t in, int64_t filter, int64_t stride, int64_t pad, int64_t dil, bool ceil_mode) {
  const int64_t span = dil * (filter - 1) + 1;
  if (in + 2 * pad < span) return 0;
  if (!ceil_mode) return (in + 2 * pad - span) / stride + 1;
  int64_t out = (in + 2 * pad - span + stride - 1) / stride + 1;
  if ((out - 1) * stride >= in + pad) --out;
  return out;
}

std::string shape_text(const Shape& s) {
  return std::to_string(s.C) + "x" + std::to_string(s.H) + "x" + std::to_string(s.W) + " (CxHxW)";
}

// A weight scale belongs to a layer with weights, and a list of them has one
// per output channel.
void check_weight_scales(const ConfigNode& node, const Layer& l) {
  const std::vector<double>& scale = l.precision.weights.scale;
  if (scale.empty()) return;
  const ConfigNode w = node.child("weights");
  if (!layer_uses_array(l.type) || layer_streams_weights(l.type))
    w.fail("scale", std::string("a ") + layer_type_name(l.type) + " layer has no weights to scale");
  if (scale.size() > 1 && int64_t(scale.size()) != l.M)
    w.fail("scale", "expected one scale per output channel, " + std::to_string(l.M) + " (M), found " +
                        std::to_string(scale.size()));
}

Layer parse_layer(const ConfigNode& node, const LayerPrecision& defaults) {
  node.expect_map("a layer");
  Layer l;
  l.where = node.location();
  l.name = node.text("name");
  // Names appear in reports (CSV, JSON, tables): keep them to plain identifiers.
  if (l.name.empty() || l.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
                            std::string::npos)
    node.fail("name", "a layer name uses only letters, digits, '_', '.' and '-', found '" + l.name + "'");
  l.type = parse_type(node);
  if (node.has("from")) {
    l.from = node.text_list("from");
    if (l.from.empty()) node.fail("from", "expected the names of the producing layers; leave 'from' out to mean the previous layer");
  }
  l.precision = parse_layer_precision(node, defaults);
  l.inputs_density_given = node.has("inputs") && node.child("inputs").has("density");
  if (const auto ws = node.optional_child("weight_stats")) {
    ws->expect_map("statistics of the layer's weights {density, min, max, int_min, int_max}");
    WeightStatistics& st = l.weight_stats;
    st.given = true;
    st.density = ws->number("density");
    if (!(st.density >= 0 && st.density <= 1)) ws->fail("density", "expected the fraction of non-zero weights, from 0 to 1");
    // The real range, the stored integers' range, or both; integer weights
    // whose scale the model does not give have only the second.
    st.real_range = ws->has("min") || ws->has("max");
    st.int_range = ws->has("int_min") || ws->has("int_max");
    if (!st.real_range && !st.int_range) ws->fail_here("expected min and max, or int_min and int_max");
    if (st.real_range) {
      st.min = ws->number("min");
      st.max = ws->number("max");
      if (st.min > st.max) ws->fail("min", "min is above max");
    }
    if (st.int_range) {
      st.int_min = ws->integer("int_min", INT64_MIN);
      st.int_max = ws->integer("int_max", INT64_MIN);
      if (st.int_min > st.int_max) ws->fail("int_min", "int_min is above int_max");
    }
    ws->reject_unknown_keys();
  }

  int64_t appended = 0;  // a KV cache: positions appended
  if (l.type == LayerType::MatMul) {
    // Per head: a rows x inner matrix times an inner x cols one (see layer.h).
    l.groups = node.integer_in("heads", 1, kMaxChannels, 1);
    const int64_t inner = node.integer_in("inner", 1, kMaxChannels), cols = node.integer_in("cols", 1, kMaxChannels);
    l.H = node.integer_in("rows", 1, kMaxExtent);
    if (l.groups * inner > kMaxChannels || l.groups * cols > kMaxChannels)
      node.fail("heads", "heads x inner and heads x cols must each be at most " + std::to_string(kMaxChannels));
    l.C = l.groups * inner;
    l.M = l.groups * cols;
    l.W = 1;
  } else if (l.type == LayerType::Embedding) {
    // One id per token in, one row of `features` values per token out (see layer.h).
    l.entries = node.integer_in("entries", 1, kMaxEntries);
    l.M = node.integer_in("features", 1, kMaxChannels);
    l.H = node.integer_in("tokens", 1, kMaxExtent);
    l.C = 1;
    l.W = 1;
  } else {
    l.C = node.integer_in("C", 1, kMaxChannels);
  }
  switch (l.type) {
    case LayerType::Conv:
      l.H = node.integer_in("H", 1, kMaxExtent);
      l.W = node.integer_in("W", 1, kMaxExtent);
      l.M = node.integer_in("M", 1, kMaxChannels);
      l.R = node.integer_in("R", 1, kMaxFilter);
      l.S = node.integer_in("S", 1, kMaxFilter);
      l.dilation = node.integer_in("dilation", 1, kMaxFilter, 1);
      l.groups = node.integer_in("groups", 1, kMaxChannels, 1);
      if (l.C % l.groups != 0) node.fail("groups", "groups must divide C (" + std::to_string(l.C) + ")");
      if (l.M % l.groups != 0) node.fail("groups", "groups must divide M (" + std::to_string(l.M) + ")");
      break;
    case LayerType::DWConv:
      l.H = node.integer_in("H", 1, kMaxExtent);
      l.W = node.integer_in("W", 1, kMaxExtent);
      l.R = node.integer_in("R", 1, kMaxFilter);
      l.S = node.integer_in("S", 1, kMaxFilter);
      l.dilation = node.integer_in("dilation", 1, kMaxFilter, 1);
      l.M = l.C;
      l.groups = l.C;
      break;
    case LayerType::FC:
      l.H = l.W = 1;
      l.M = node.integer_in("M", 1, kMaxChannels);
      break;
    case LayerType::MaxPool:
    case LayerType::AvgPool:
      l.H = node.integer_in("H", 1, kMaxExtent);
      l.W = node.integer_in("W", 1, kMaxExtent);
      l.R = node.integer_in("R", 1, kMaxFilter);
      l.S = node.integer_in("S", 1, kMaxFilter);
      l.M = l.C;
      break;
    case LayerType::Add:
    case LayerType::Mul:
      l.H = node.integer_in("H", 1, kMaxExtent);
      l.W = node.integer_in("W", 1, kMaxExtent);
      l.M = l.C;
      l.broadcast_row = node.flag("broadcast_row", false);
      break;
    case LayerType::MatMul:
    case LayerType::Embedding: break;
    case LayerType::Softmax:
    case LayerType::LayerNorm:
    case LayerType::Gelu:
    case LayerType::Transpose:
    case LayerType::Concat:
    case LayerType::Split:
    case LayerType::Pad:
      // The layer's output shape; a token sequence has W = 1.
      l.H = node.integer_in("H", 1, kMaxExtent);
      l.W = node.integer_in("W", 1, kMaxExtent, 1);
      l.M = l.C;
      break;
    case LayerType::KvCache:
      l.H = node.integer_in("H", 1, kMaxExtent);
      l.W = 1;
      l.M = l.C;
      appended = node.integer_in("append", 1, l.H, 1);
      break;
  }
  const bool pooling = l.type == LayerType::MaxPool || l.type == LayerType::AvgPool;
  const bool ceil_mode = pooling && node.flag("ceil_mode", false);
  if (node.has("activations")) {
    if (layer_moves_data(l.type))
      node.fail("activations", std::string("a ") + layer_type_name(l.type) + " layer moves data and computes nothing, "
                               "so it applies no activation function; put it on the layer that computes the values");
    for (const ConfigNode& f : node.child("activations").items()) {
      ActivationFunction fn;
      if (!parse_activation_function(f.as_text(), &fn))
        f.fail_here("unknown activation function '" + f.as_text() + "'; expected one of " + activation_function_names() +
                    " (ReLU and clipping are the requantizer's clamp and need none)");
      l.activations.push_back(fn);
    }
  }
  // The ONNX node a layer was imported from, kept for the user; the run does not read it.
  if (node.has("onnx_node")) node.text("onnx_node");
  if (l.type != LayerType::FC && !layer_combines_two(l.type) && !layer_is_transformer_only(l.type)) {
    l.stride = node.integer_in("stride", 1, kMaxFilter, 1);
    l.padding = node.integer_in("padding", 0, kMaxFilter, 0);
    if (l.padding >= l.R || l.padding >= l.S)
      node.fail("padding", "padding " + std::to_string(l.padding) + " must be smaller than the filter (R, S)");
  }
  node.reject_unknown_keys();
  check_weight_scales(node, l);
  if (const std::string problem = l.ids_problem(); !problem.empty()) {
    if (node.has("inputs")) node.child("inputs").fail("bits", problem);
    node.fail_here(problem + " (set inputs: {bits: B} on the layer)");
  }

  l.P = output_extent(l.H, l.R, l.stride, l.padding, l.dilation, ceil_mode);
  l.Q = output_extent(l.W, l.S, l.stride, l.padding, l.dilation, ceil_mode);
  if (l.type == LayerType::KvCache) {  // it writes the positions it appends
    l.P = appended;
    l.Q = 1;
  }
  if (l.P < 1 || l.Q < 1)
    node.fail("R", "the filter (" + std::to_string(l.R) + "x" + std::to_string(l.S) +
                       ", dilation " + std::to_string(l.dilation) + ") does not fit the padded input " +
                       std::to_string(l.H) + "x" + std::to_string(l.W));
  // Keep every per-image count far inside 64 bits, so that batch x count x bits cannot wrap.
  const long double macs = static_cast<long double>(l.M) * l.P * l.Q * (l.C / l.groups) * l.R * l.S;
  const long double values = static_cast<long double>(std::max(l.M * l.P, l.C * l.H)) * std::max(l.Q, l.W);
  if (macs > kMaxCount || values > kMaxCount || static_cast<long double>(l.M) * l.C * l.R * l.S > kMaxCount)
    node.fail_here("layer '" + l.name + "' is too large to count: more than 2^40 MACs, weights or values per image");
  if (static_cast<long double>(l.entries) * l.M > kMaxCount)
    node.fail("entries", "layer '" + l.name + "': a table of more than 2^40 values is too large to count");
  return l;
}

// The transformer layers read their producers' values in whatever layout
// (a reshape moves nothing): only the number of values must agree. A
// matmul's two operands hold heads x rows x inner and heads x inner x cols
// values; a concat's producers together at most its output (the rest is the
// model's constants, such as a class token); a split's producer at least
// its output; the others exactly their output.
void check_volumes(const ConfigNode& node, const Layer& l, const std::vector<std::string>& from,
                   const std::map<std::string, Shape>& produced, const std::map<std::string, int>& produced_bits) {
  const std::string key = l.from.empty() ? "C" : "from";
  const std::string type = layer_type_name(l.type);
  const std::string who = "layer '" + l.name + "': ";
  if (l.type == LayerType::MatMul && from.size() != 2)
    node.fail(key, who + "matmul takes 2 producers (the rows x inner and the inner x cols operands), found " +
                       std::to_string(from.size()));
  if (l.type != LayerType::MatMul && l.type != LayerType::Concat && from.size() != 1)
    node.fail(key, who + type + " takes 1 producer, found " + std::to_string(from.size()));
  int64_t total = 0;
  for (std::size_t k = 0; k < from.size(); ++k) {
    const auto it = produced.find(from[k]);
    if (it == produced.end()) node.fail(key, "'" + from[k] + "' is not the network input nor an earlier layer");
    const int64_t got = it->second.volume();
    total += got;
    if (l.type == LayerType::MatMul) {
      const int64_t want = k == 0 ? l.input_count() : l.weight_count();
      if (got != want)
        node.fail(key, who + "matmul operand " + std::to_string(k + 1) + " holds heads x " +
                           (k == 0 ? "rows x inner = " : "inner x cols = ") + std::to_string(want) + " values, but '" +
                           from[k] + "' outputs " + shape_text(it->second) + " = " + std::to_string(got));
    }
    const auto bits = produced_bits.find(from[k]);
    if (bits != produced_bits.end() && bits->second != l.operand_bits(k))
      node.fail(l.from.empty() ? "name" : "from",
                who + "reads '" + from[k] + "' at " + std::to_string(l.operand_bits(k)) + " bits but it writes " +
                    std::to_string(bits->second) + "-bit outputs; set " +
                    (k == 1 && layer_streams_weights(l.type) ? "weights" : "inputs") +
                    ".bits here equal to that layer's outputs.bits");
  }
  const int64_t out = l.output_count();
  if (l.type == LayerType::MatMul) return;
  if (l.type == LayerType::Embedding) {  // one id per token
    if (total != l.input_count())
      node.fail(key, who + "embedding of " + std::to_string(l.H) + " tokens reads one id per token, but '" + from[0] +
                         "' outputs " + std::to_string(total) + " values");
    return;
  }
  // A concat's output holds its producers and perhaps a constant (a class
  // token), a pad's its producer and the zeros around it.
  const bool grows = l.type == LayerType::Concat || l.type == LayerType::Pad;
  const bool ok = grows ? total <= out : l.type == LayerType::Split ? total >= out : total == out;
  if (!ok)
    node.fail(key, who + type + " " + shape_text(l.output_shape()) + " = " + std::to_string(out) + " values " +
                       (grows ? "cannot hold the " : l.type == LayerType::Split ? "is more than the "
                                                                                : "does not match the ") +
                       std::to_string(total) + " values its producer" + (from.size() > 1 ? "s" : "") + " output");
}

// Every layer must consume exactly what its producers output.
void check_chaining(const std::vector<ConfigNode>& nodes, const Workload& w) {
  std::map<std::string, Shape> produced{{"input", w.input}};
  std::map<std::string, int> produced_bits;  // the network input takes any width
  std::map<std::string, TensorPrecision> produced_quant;  // outputs' scales, where given
  std::set<std::string> sequences;            // layers whose outputs are token sequences of any layout
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    const ConfigNode& node = nodes[i];
    const std::string key = l.from.empty() ? "C" : "from";
    if (produced.count(l.name)) node.fail("name", "layer name '" + l.name + "' is used twice (or is reserved)");
    const std::vector<std::string> from = producers_of(w, i);
    if (l.inputs_density_given && (from.size() != 1 || from[0] != "input"))
      node.fail("inputs", "the density of this layer's inputs is the outputs.density of the layer that writes them; "
                          "set it there (only a layer fed by the network input sets inputs.density)");
    if (layer_combines_two(l.type) && from.size() != 2)
      node.fail("from", std::string(layer_type_name(l.type)) + " takes 2 producers, found " + std::to_string(from.size()));
    if (layer_is_transformer_only(l.type)) {
      check_volumes(node, l, from, produced, produced_bits);
      produced[l.name] = l.output_shape();
      produced_bits[l.name] = l.precision.outputs.bits;
      sequences.insert(l.name);
      continue;
    }
    // Several producers of another layer are concatenated along channels.
    const bool concat = !layer_combines_two(l.type) && from.size() > 1;
    int64_t channels = 0, volume = 0;
    for (const auto& p : from) {
      const auto it = produced.find(p);
      if (it == produced.end())
        node.fail("from", "'" + p + "' is not the network input nor an earlier layer");
      const Shape& got = it->second;
      channels += got.C;
      volume += got.volume();
      if (l.broadcast_row && &p == &from.back()) {
        // The row applied at every position: C values per image, in whatever layout its producer holds them.
        if (got.volume() != l.C)
          node.fail(key, "this " + std::string(layer_type_name(l.type)) + "'s second producer '" + p +
                             "' is one row applied at every position (broadcast_row), "
                         "so it must output C=" + std::to_string(l.C) + " values; it outputs " + shape_text(got) +
                         " = " + std::to_string(got.volume()));
      } else if (l.type == LayerType::FC) {
        if (!concat && got.volume() != l.C)
          node.fail(key, "fc input features C=" + std::to_string(l.C) + " do not match '" + p +
                             "', which outputs " + shape_text(got) + " = " + std::to_string(got.volume()) +
                             " values");
      } else if (!concat && sequences.count(p)) {
        // A transformer layer's output is held in whatever layout the next
        // layer reads (a reshape moves nothing): only the values must agree.
        if (got.volume() != l.input_shape().volume())
          node.fail(key, "layer input " + shape_text(l.input_shape()) + " does not hold the " +
                             std::to_string(got.volume()) + " values '" + p + "' outputs");
      } else if (concat ? (got.H != l.H || got.W != l.W) : !(got == l.input_shape())) {
        node.fail(key, "layer input " + shape_text(l.input_shape()) + " does not match '" + p +
                           "', which outputs " + shape_text(got));
      }
      // Stored once, the tensor has one scale: a reader says the one its producer wrote.
      const auto quant = produced_quant.find(p);
      const TensorPrecision& in = l.precision.inputs;
      if (from.size() == 1 && !layer_combines_two(l.type) && quant != produced_quant.end() && !in.scale.empty() &&
          !quant->second.scale.empty() &&
          (in.scale != quant->second.scale || in.zero_point.value_or(0) != quant->second.zero_point.value_or(0)))
        nodes[i].child("inputs").fail("scale", "this layer reads '" + p + "' with scale " + fmt::format("{}", in.scale[0]) +
                                                   " and zero point " + std::to_string(in.zero_point.value_or(0)) +
                                                   " but it writes its outputs with scale " +
                                                   fmt::format("{}", quant->second.scale[0]) + " and zero point " +
                                                   std::to_string(quant->second.zero_point.value_or(0)));
      // Data is stored at the producer's output width and read at this layer's input width.
      const auto bits = produced_bits.find(p);
      if (bits != produced_bits.end() && bits->second != l.precision.inputs.bits)
        node.fail(l.from.empty() ? "name" : "from",
                  "this layer reads " + std::to_string(l.precision.inputs.bits) + "-bit inputs but '" + p + "' writes " +
                      std::to_string(bits->second) + "-bit outputs; set inputs.bits here equal to that layer's outputs.bits");
    }
    if (concat && (l.type == LayerType::FC ? volume != l.C : channels != l.C))
      node.fail(key, std::string(l.type == LayerType::FC ? "fc input features C=" : "layer input channels C=") +
                         std::to_string(l.C) + " are not the " + std::to_string(l.type == LayerType::FC ? volume : channels) +
                         " its producers output together (several producers are concatenated along channels)");
    produced[l.name] = l.output_shape();
    produced_bits[l.name] = l.precision.outputs.bits;
    produced_quant[l.name] = l.precision.outputs;
  }
}

}  // namespace

int64_t Workload::macs_per_image() const {
  int64_t sum = 0;
  for (const auto& l : layers) sum += l.macs();
  return sum;
}

void require_resident_weight_layers(const Workload& w, const std::string& design) {
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    if (layer_is_transformer_only(l.type))
      throw ConfigError(l.where, "layers[" + std::to_string(i) + "] (" + l.name + ")",
                        std::string(l.type == LayerType::Embedding ? "an " : "a ") + layer_type_name(l.type) +
                            " layer cannot run on " + design + ", which keeps every weight resident and has no unit for " +
                            layer_type_name(l.type) +
                            " layers; run this workload on a PE-array design (such as arch/systolic_ws.yaml)");
  }
}

std::vector<std::string> producers_of(const Workload& w, std::size_t i) {
  if (!w.layers[i].from.empty()) return w.layers[i].from;
  return {i == 0 ? std::string("input") : w.layers[i - 1].name};
}

void derive_input_densities(Workload& w) {
  std::map<std::string, std::pair<double, double>> written;  // density and values of each layer's output
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    Layer& l = w.layers[i];
    const auto from = producers_of(w, i);
    if (!(from.size() == 1 && from[0] == "input")) {
      // Weighted by values: a concatenation's density is that of all its values.
      // A matmul's second operand is the nest's weights: it has its own density.
      const std::size_t operands = layer_streams_weights(l.type) ? 1 : from.size();
      if (operands < from.size()) {
        const std::string& b = from[1];
        l.precision.weights.density = b == "input" ? w.layers.front().precision.inputs.density : written.at(b).first;
      }
      double nonzero = 0, values = 0;
      for (std::size_t k = 0; k < operands; ++k) {
        const std::string& p = from[k];
        const auto [d, n] = p == "input" ? std::pair{w.layers.front().precision.inputs.density,
                                                      static_cast<double>(w.input.volume())}
                                         : written.at(p);
        nonzero += d * n;
        values += n;
      }
      l.precision.inputs.density = nonzero / values;
    }
    written[l.name] = {l.precision.outputs.density, static_cast<double>(l.output_count())};
  }
}

std::string apply_density_override(Workload& w, const std::string& spec) {
  const auto eq = spec.find('=');
  Tensor t{};
  if (eq == std::string::npos || !parse_tensor_name(spec.substr(0, eq), &t) ||
      (t != Tensor::Inputs && t != Tensor::Outputs))
    return "--density '" + spec + "': expected inputs=D (the network input) or outputs=D (every layer's outputs)";
  const auto d = parse_number(spec.substr(eq + 1));
  if (!d || !(*d > 0 && *d <= 1))
    return "--density '" + spec + "': the density is the fraction of non-zero values, above 0 and at most 1";
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const auto from = producers_of(w, i);
    const bool fed_by_input = from.size() == 1 && from[0] == "input";
    if (t == Tensor::Outputs || fed_by_input) w.layers[i].precision[t].density = *d;
  }
  derive_input_densities(w);
  return "";
}

Workload load_workload(const std::string& path) { return load_workload(ConfigNode::load_file(path)); }

Workload load_workload(const ConfigNode& root) {
  Workload w;
  w.file = root.file();
  w.name = root.text("network");
  w.batch = root.integer_in("batch", 1, kMaxBatch, 1);
  root.text("source", "");  // optional free-text provenance
  LayerPrecision defaults;
  if (const auto p = root.optional_child("precision")) {
    p->expect_map("the default precision of every tensor");
    defaults = parse_layer_precision(*p, defaults, false);
    p->reject_unknown_keys();
  }
  const ConfigNode in = root.child("input");
  in.expect_map("the network input shape {C, H, W}");
  w.input = {in.integer_in("C", 1, kMaxChannels), in.integer_in("H", 1, kMaxExtent), in.integer_in("W", 1, kMaxExtent)};
  in.reject_unknown_keys();

  const auto nodes = root.child("layers").items();
  if (nodes.empty()) root.fail("layers", "expected at least one layer");
  for (const auto& n : nodes) w.layers.push_back(parse_layer(n, defaults));
  root.reject_unknown_keys();
  check_chaining(nodes, w);
  derive_input_densities(w);
  return w;
}

}  // namespace qnnsim
