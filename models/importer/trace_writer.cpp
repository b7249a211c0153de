// The trace as YAML, once every width is known.
#include "importer/translator.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace qnnsim::onnx_import {

std::string Translator::precision_field(const char* tensor, const std::optional<Quantized>& q) {
  if (!q) return "";
  const bool per_channel = q->per_channel && std::string(tensor) == "weights" &&
                           (q->scheme == Scheme::UniformSymmetric || q->scheme == Scheme::UniformAsymmetric);
  return fmt::format(", {}: {{bits: {}, scheme: {}{}}}", tensor, q->bits, scheme_name(q->scheme),
                     per_channel ? ", granularity: per_channel" : "");
}

std::string Translator::yaml() {
  std::string y = "# Imported from an ONNX model by `qnnsim import`.\n";
  if (!precision_note_.empty()) {
    y += precision_note_;
  } else if (quantized_) {
    y += "# Widths and schemes come from the model's quantization nodes; a tensor without\n";
    y += "# one keeps the default below (8-bit uniform, 32-bit accumulators).\n";
    notes_.push_back("widths from the model's quantization nodes; the rest at the default 8-bit uniform");
  } else {
    y += "# The graph has no quantization nodes: the precision below is qnnsim's default,\n";
    y += "# 8-bit uniform with 32-bit accumulators. Change it here or with --bits.\n";
    notes_.push_back("no quantization nodes: every tensor gets the default 8-bit uniform precision");
  }
  if (folded_bn_) notes_.push_back("BatchNormalization folded into the convolutions before it");
  if (!unfolded_bn_.empty()) {
    std::string names;
    for (const std::string& b : unfolded_bn_) names += (names.empty() ? "" : ", ") + b;
    notes_.push_back(fmt::format("{} BatchNormalization(s) read no convolution's output alone ({}): no layer takes "
                                 "in their per-channel scale and shift, which the trace leaves uncosted",
                                 unfolded_bn_.size(), names));
  }
  if (uncosted_functions_ > 0)
    notes_.push_back(fmt::format("{} activation functions are not costed: they apply to the network input or to a "
                                 "layer that only moves data, which applies none",
                                 uncosted_functions_));
  y += "# weight_stats: density (fraction not zero) and range (min, max: real values) of each\n";
  y += "# layer's weights; int_min, int_max: the stored integers of integer weights.\n";
  y += fmt::format("network: {}\nbatch: {}\n", network_name(), batch_);
  y += "precision:\n";
  y += "  weights:     {bits: 8, scheme: uniform_symmetric}\n";
  y += "  inputs:      {bits: 8, scheme: uniform_asymmetric}\n";
  y += "  outputs:     {bits: 8, scheme: uniform_asymmetric}\n";
  y += fmt::format("  accumulator: {{bits: {}, scheme: uniform_symmetric}}\n", accumulator_bits_);
  y += fmt::format("input: {{C: {}, H: {}, W: {}}}\nlayers:\n", input_.C, input_.H, input_.W);
  std::string previous = "input";
  for (const Record& r : records_) {
    std::string line = fmt::format("  - {{name: {}, {}", r.name, r.fields);
    if (!(r.from.size() == 1 && r.from[0] == previous)) line += fmt::format(", from: [{}]", fmt::join(r.from, ", "));
    const auto given = layer_precision_.find(r.name);
    if (given != layer_precision_.end())
      line += given->second;
    else
      line += precision_field("weights", r.weights) + precision_field("inputs", r.inputs) +
              precision_field("outputs", r.outputs);
    if (!r.activations.empty()) line += fmt::format(", activations: [{}]", fmt::join(r.activations, ", "));
    if (r.stats) line += ", weight_stats: " + stats_field(*r.stats);
    // A JSON string is a YAML double-quoted scalar: any node name survives.
    if (!r.onnx_node.empty()) line += ", onnx_node: " + nlohmann::json(r.onnx_node).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    y += line + "}\n";
    previous = r.name;
  }
  return y;
}

std::string Translator::stats_field(const WeightStats& s) {
  std::string f = fmt::format("{{density: {:.6g}", s.density);
  if (s.min) f += fmt::format(", min: {:.6g}, max: {:.6g}", *s.min, *s.max);
  if (s.int_min) f += fmt::format(", int_min: {}, int_max: {}", *s.int_min, *s.int_max);
  return f + "}";
}

std::string Translator::network_name() const {
  std::string n = g_.graph().name().empty() ? "imported" : g_.graph().name();
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  return n;
}

}  // namespace qnnsim::onnx_import
