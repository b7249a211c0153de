#include "workload/precision.h"

#include <array>
#include <utility>

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

TensorPrecision parse_tensor_precision(const ConfigNode& node, Tensor t, const TensorPrecision& base) {
  node.expect_map("a tensor precision like {bits: 8, scheme: uniform_symmetric}");
  TensorPrecision out = base;
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
  if (out.granularity == Granularity::PerChannel &&
      (t != Tensor::Weights || (out.scheme != Scheme::UniformSymmetric && out.scheme != Scheme::UniformAsymmetric)))
    node.fail("granularity", "per-channel scales apply to uniform weights (one scale per output channel)");
  return out;
}

LayerPrecision parse_layer_precision(const ConfigNode& node, const LayerPrecision& base) {
  LayerPrecision out = base;
  for (Tensor t : kTensors)
    if (const auto child = node.optional_child(tensor_name(t)))
      out[t] = parse_tensor_precision(*child, t, base[t]);
  return out;
}

}  // namespace qnnsim
