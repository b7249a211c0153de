#include "workload/precision.h"

#include <array>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "core/quantity.h"

namespace qnnsim {

namespace {
const std::array<std::pair<const char*, Scheme>, 9> kSchemes = {{
    {"uniform_symmetric", Scheme::UniformSymmetric},
    {"uniform_asymmetric", Scheme::UniformAsymmetric},
    {"binary", Scheme::Binary},
    {"ternary", Scheme::Ternary},
    {"power_of_two", Scheme::PowerOfTwo},
    {"log_radix4", Scheme::LogRadix4},
    {"float", Scheme::Float},
    {"float_e5m2", Scheme::FloatE5M2},
    {"codebook", Scheme::Codebook},
}};

constexpr std::array<Tensor, 4> kTensors = {Tensor::Weights, Tensor::Inputs, Tensor::Outputs,
                                            Tensor::Accumulator};
}  // namespace

const char* scheme_name(Scheme s) {
  for (const auto& [name, scheme] : kSchemes)
    if (scheme == s) return name;
  return "?";
}

bool parse_scheme_name(const std::string& name, Scheme* out) {
  for (const auto& [n, scheme] : kSchemes)
    if (name == n) {
      *out = scheme;
      return true;
    }
  return false;
}

bool scheme_is_integer(Scheme s) {
  return s == Scheme::UniformSymmetric || s == Scheme::UniformAsymmetric || s == Scheme::Binary ||
         s == Scheme::Ternary;
}

int integer_code_bits(Scheme scheme, int bits) {
  switch (scheme) {
    case Scheme::UniformSymmetric: return bits;
    case Scheme::Binary:
    case Scheme::Ternary: return 2;
    case Scheme::PowerOfTwo:
    case Scheme::LogRadix4: {
      const int step = scheme == Scheme::PowerOfTwo ? 1 : 2;
      return step * ((1 << (bits - 1)) - 1) + 2;
    }
    default: return 0;
  }
}

const char* tensor_name(Tensor t) {
  switch (t) {
    case Tensor::Weights: return "weights";
    case Tensor::Inputs: return "inputs";
    case Tensor::Outputs: return "outputs";
    case Tensor::Accumulator: return "accumulator";
  }
  return "?";
}

bool parse_tensor_name(const std::string& name, Tensor* out) {
  for (Tensor t : kTensors)
    if (name == tensor_name(t)) {
      *out = t;
      return true;
    }
  return false;
}

TensorPrecision& LayerPrecision::operator[](Tensor t) {
  switch (t) {
    case Tensor::Weights: return weights;
    case Tensor::Inputs: return inputs;
    case Tensor::Outputs: return outputs;
    case Tensor::Accumulator: return accumulator;
  }
  return weights;
}

const TensorPrecision& LayerPrecision::operator[](Tensor t) const {
  return const_cast<LayerPrecision&>(*this)[t];
}

namespace {

// A scale is a positive, finite number: a list of them for per-channel weights.
std::vector<double> parse_scale(const ConfigNode& node) {
  const ConfigNode s = node.child("scale");
  const auto one = [&](const std::string& text, const ConfigNode& at, bool item) {
    const auto v = parse_number(text);
    if (!v || !(*v > 0)) {
      const std::string why = "expected a positive, finite scale (real value per code step), found '" + text + "'";
      if (item) at.fail_here(why);
      node.fail("scale", why);
    }
    return *v;
  };
  if (s.is_scalar()) return {one(s.as_text(), s, false)};
  if (!s.is_sequence()) node.fail("scale", "expected a number, or a list of one per output channel");
  std::vector<double> out;
  for (const ConfigNode& item : s.items()) {
    if (!item.is_scalar()) item.fail_here("expected a number (one output channel's scale)");
    out.push_back(one(item.as_text(), item, true));
  }
  if (out.empty()) node.fail("scale", "expected at least one scale");
  return out;
}

// Scale and zero point, once the width, scheme and granularity are known.
void parse_quantization(const ConfigNode& node, Tensor t, bool per_layer, TensorPrecision* out) {
  const bool given = node.has("scale") || node.has("zero_point");
  if (!given) return;
  const std::string key = node.has("scale") ? "scale" : "zero_point";
  if (!per_layer)
    node.fail(key, "scales and zero points belong to one layer's tensors; give them in the layer, not in the default "
                   "precision");
  if (t == Tensor::Accumulator) node.fail(key, "the accumulator holds sums of codes; it has no scale or zero point");
  // A binary or ternary activation has a scale (alpha, real = alpha * code;
  // numerics/binary_activations.h, ternary_activations.h) and a power-of-two
  // activation one (2^e_min, log_activations.h), as a codebook activation
  // (the entries' unit, codebook_activations.h), but none has a zero point;
  // those weight schemes take their scales from the weights where they run.
  const bool coded = out->scheme == Scheme::Binary || out->scheme == Scheme::Ternary ||
                     out->scheme == Scheme::PowerOfTwo || out->scheme == Scheme::Codebook;
  const bool coded_scale = coded && t != Tensor::Weights && key == "scale" && !node.has("zero_point");
  if (out->scheme != Scheme::UniformSymmetric && out->scheme != Scheme::UniformAsymmetric && !coded_scale)
    node.fail(key, std::string("scale and zero_point describe uniform_symmetric and uniform_asymmetric tensors, and a "
                               "scale alone a binary, ternary, power_of_two or codebook activation, not ") +
                       scheme_name(out->scheme) + (coded && t != Tensor::Weights ? " with a zero point" : ""));
  if (!node.has("scale")) node.fail("zero_point", "a zero point needs its scale (give scale too)");
  out->scale = parse_scale(node);
  if (out->scale.size() > 1 && out->granularity != Granularity::PerChannel)
    node.fail("scale", "a list of scales (one per output channel) needs granularity: per_channel; a per_tensor "
                       "tensor has one scale");
  if (node.has("zero_point")) {
    const bool symmetric = out->scheme == Scheme::UniformSymmetric;
    const int64_t top = symmetric ? 0 : (int64_t{1} << out->bits) - 1;
    const int64_t z = node.integer("zero_point", INT64_MIN);
    if (z < 0 || z > top)
      node.fail("zero_point", symmetric ? "expected 0: a uniform_symmetric tensor's zero point is 0, found " +
                                              std::to_string(z)
                                        : "expected a code of the unsigned " + std::to_string(out->bits) +
                                              "-bit range, 0 to " + std::to_string(top) + ", found " + std::to_string(z));
    out->zero_point = z;
  }
  if (out->scheme == Scheme::PowerOfTwo) {  // 2^e_min: a power of two
    int e = 0;
    if (std::frexp(out->scale[0], &e) != 0.5)
      node.fail("scale", fmt::format("a power_of_two activation's scale is 2^e_min, its smallest nonzero value, a "
                                     "power of two; found {}", out->scale[0]));
  }
}

// A ternary activation's threshold (delta), with its scale.
void parse_threshold(const ConfigNode& node, Tensor t, TensorPrecision* out) {
  if (!node.has("threshold")) return;
  if (out->scheme != Scheme::Ternary || t == Tensor::Weights || t == Tensor::Accumulator)
    node.fail("threshold", std::string("a threshold belongs to a ternary activation (inputs or outputs); ") +
                               (t == Tensor::Weights ? "ternary weights take theirs from the weights"
                                                     : std::string("this tensor is ") + scheme_name(out->scheme)));
  if (!node.has("scale")) node.fail("threshold", "a ternary activation's threshold needs its scale (give scale too)");
  const std::string text = node.text("threshold");
  const auto v = parse_number(text);
  if (!v || !(*v >= 0) || !std::isfinite(*v))
    node.fail("threshold", "expected a non-negative, finite number (|x| above it is coded +-1), found '" + text + "'");
  out->threshold = *v;
}

// A codebook activation's entries, with its scale: one unsigned integer per
// index, ascending (numerics/codebook_activations.h).
void parse_entries(const ConfigNode& node, Tensor t, TensorPrecision* out) {
  if (!node.has("entries")) return;
  if (out->scheme != Scheme::Codebook || t == Tensor::Weights || t == Tensor::Accumulator)
    node.fail("entries", std::string("entries belong to a codebook activation (inputs or outputs); ") +
                             (t == Tensor::Weights ? "codebook weights take theirs from the weights"
                                                   : std::string("this tensor is ") + scheme_name(out->scheme)));
  if (!node.has("scale")) node.fail("entries", "a codebook activation's entries need their scale (give scale too)");
  const ConfigNode list = node.child("entries");
  const std::size_t count = std::size_t{1} << out->bits;
  if (!list.is_sequence() || list.items().size() != count)
    node.fail("entries", fmt::format("expected a list of {} integers, one per {}-bit index", count, out->bits));
  for (const ConfigNode& item : list.items()) {
    const auto v = item.is_scalar() ? parse_number(item.as_text()) : std::nullopt;
    if (!v || *v != std::floor(*v) || *v < 0 || *v > 65535)
      item.fail_here("expected an unsigned integer entry of at most 16 bits (0 to 65535)");
    if (!out->entries.empty() && *v < out->entries.back())
      item.fail_here("expected the entries in ascending order, as an index's order is its value's");
    out->entries.push_back(int64_t(*v));
  }
}

}  // namespace

std::string tensor_precision_yaml(const TensorPrecision& p) {
  std::string y = fmt::format("{{bits: {}, scheme: {}", p.bits, scheme_name(p.scheme));
  if (p.granularity == Granularity::PerChannel) y += ", granularity: per_channel";
  // fmt's default for a double is the shortest text that reads back as the same value.
  if (p.scale.size() == 1 && p.granularity != Granularity::PerChannel) y += fmt::format(", scale: {}", p.scale[0]);
  else if (!p.scale.empty()) y += fmt::format(", scale: [{}]", fmt::join(p.scale, ", "));
  if (p.zero_point) y += fmt::format(", zero_point: {}", *p.zero_point);
  if (p.threshold) y += fmt::format(", threshold: {}", *p.threshold);
  if (!p.entries.empty()) y += fmt::format(", entries: [{}]", fmt::join(p.entries, ", "));
  return y + "}";
}

TensorPrecision parse_tensor_precision(const ConfigNode& node, Tensor t, const TensorPrecision& base,
                                       bool per_layer) {
  node.expect_map("a tensor precision like {bits: 8, scheme: uniform_symmetric}");
  TensorPrecision out = base;
  out.scale.clear();  // not inherited: a scale is calibrated for one tensor at one width
  out.zero_point.reset();
  out.threshold.reset();
  out.entries.clear();
  // Stored operands are 1 to 16 bits, or fp32 (checked below, once the scheme
  // is known); accumulators may be wider.
  const int max_bits = t == Tensor::Accumulator ? 64 : 32;
  if (node.has("bits")) {
    out.bits = static_cast<int>(node.integer("bits", 1));
    if (out.bits > max_bits)
      node.fail("bits", "expected 1 to " + std::to_string(max_bits) + " bits for " + tensor_name(t) +
                            ", found " + std::to_string(out.bits));
  }
  if (node.has("scheme")) {
    const std::string name = node.text("scheme");
    bool found = false;
    for (const auto& [n, s] : kSchemes)
      if (name == n) {
        out.scheme = s;
        found = true;
      }
    if (!found) {
      std::string known;
      for (const auto& [n, s] : kSchemes) known += (known.empty() ? "" : ", ") + std::string(n);
      node.fail("scheme", "unknown quantization scheme '" + name + "'; expected one of " + known);
    }
  }
  if (node.has("granularity")) {
    const std::string g = node.text("granularity");
    if (g != "per_tensor" && g != "per_channel")
      node.fail("granularity", "expected per_tensor or per_channel (one scale for the tensor, or one per output channel), "
                               "found '" + g + "'");
    out.granularity = g == "per_channel" ? Granularity::PerChannel : Granularity::PerTensor;
  }
  if (node.has("density")) {
    if (t == Tensor::Accumulator)
      node.fail("density", "density applies to weights (pruned weights) and to inputs and outputs (activation "
                           "sparsity), not to the accumulator");
    out.density = node.number("density");
    if (!(out.density > 0 && out.density <= 1))
      node.fail("density", "expected the fraction of non-zero values, above 0 and at most 1");
  }
  // Read below, once the width and scheme are checked.
  (void)node.optional_child("scale");
  (void)node.optional_child("zero_point");
  (void)node.optional_child("threshold");
  (void)node.optional_child("entries");
  node.reject_unknown_keys();
  const auto fail_pair = [&](const std::string& why) {
    node.fail(node.has("bits") ? "bits" : "scheme", std::string(scheme_name(out.scheme)) + " " + why +
                                                        ", found " + std::to_string(out.bits) + " bits");
  };
  if (out.scheme == Scheme::Binary && out.bits != 1) fail_pair("needs exactly 1 bit");
  if (out.scheme == Scheme::Ternary && out.bits != 2) fail_pair("needs exactly 2 bits");
  if (t != Tensor::Accumulator && out.scheme != Scheme::Float && out.bits > 16)
    node.fail(node.has("bits") ? "bits" : "scheme", "expected 1 to 16 bits for " + std::string(tensor_name(t)) +
                                                        " (32 only as float), found " + std::to_string(out.bits));
  if (out.scheme == Scheme::Float && out.bits != 8 && out.bits != 16 && out.bits != 32)
    fail_pair("needs 8, 16 or 32 bits");
  if (out.scheme == Scheme::FloatE5M2 && out.bits != 8) fail_pair("needs exactly 8 bits");
  // Every integer-coded weight scheme has a scale (binary's and ternary's
  // alpha, a log code's top, a codebook's table) that may be one per output channel.
  if (out.granularity == Granularity::PerChannel &&
      (t != Tensor::Weights || out.scheme == Scheme::Float || out.scheme == Scheme::FloatE5M2))
    node.fail("granularity", "per-channel scales apply to weights that are not float (one scale, or one table, per "
                             "output channel)");
  parse_quantization(node, t, per_layer, &out);
  parse_threshold(node, t, &out);
  parse_entries(node, t, &out);
  return out;
}

LayerPrecision parse_layer_precision(const ConfigNode& node, const LayerPrecision& base, bool per_layer) {
  LayerPrecision out = base;
  for (Tensor t : kTensors) {
    out[t].scale.clear();
    out[t].zero_point.reset();
    out[t].threshold.reset();
    out[t].entries.clear();
    if (const auto child = node.optional_child(tensor_name(t)))
      out[t] = parse_tensor_precision(*child, t, base[t], per_layer);
  }
  return out;
}

}  // namespace qnnsim
