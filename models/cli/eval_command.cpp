#include "cli/eval_command.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "arch/arch_spec.h"
#include "core/output_file.h"
#include "core/version.h"
#include "numerics/eval_error.h"
#include "numerics/evaluate.h"

namespace qnnsim::cli {

namespace {

constexpr int kExitBadInput = 2;

using numerics::EvalError;
using numerics::LayerBits;

// "8/4" -> weights 8, activations 4.
std::optional<LayerBits> parse_pair(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  LayerBits b;
  try {
    std::size_t used = 0;
    b.weights = std::stoi(text.substr(0, slash), &used);
    if (used != slash) return std::nullopt;
    b.activations = std::stoi(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return b;
}

numerics::EvalOptions to_options(const EvalArgs& a) {
  numerics::EvalOptions o;
  o.model = a.model;
  // A bare name is a shipped model: `eval mnist_cnn_fashion`.
  namespace fs = std::filesystem;
  std::error_code ec;
  if (a.model.find('/') == std::string::npos && a.model.find(".onnx") == std::string::npos && !fs::exists(a.model, ec)) {
    const fs::path folder = fs::path(data_dir()) / "workloads" / "models";
    o.model = (folder / (a.model + ".onnx")).string();
    if (!fs::exists(o.model, ec)) {
      std::vector<std::string> shipped;
      for (const auto& e : fs::directory_iterator(folder, ec))
        if (e.path().extension() == ".onnx") shipped.push_back(e.path().stem().string());
      std::sort(shipped.begin(), shipped.end());  // the directory's own order varies
      std::string names;
      for (const std::string& n : shipped) names += (names.empty() ? "" : ", ") + n;
      throw EvalError("'" + a.model + "' is neither a file nor a shipped model (shipped: " +
                      (names.empty() ? "none" : names) + ")");
    }
  }
  o.data = a.data;
  o.limit = a.limit;
  for (const std::string& b : a.bits) {
    const auto eq = b.find('=');
    const std::optional<LayerBits> pair = parse_pair(eq == std::string::npos ? b : b.substr(eq + 1));
    if (!pair) throw EvalError("--bits '" + b + "': expected W/A (weight and activation bits, as 8/8) or LAYER=W/A");
    if (eq == std::string::npos) o.quant.bits = *pair;
    else o.quant.layer_bits[b.substr(0, eq)] = *pair;
  }
  o.quant.accumulator.bits = a.accumulator;
  o.quant.accumulator.overflow = a.overflow == "saturate" ? numerics::Overflow::saturate : numerics::Overflow::wrap;
  o.quant.symmetric_activations = a.scheme == "symmetric";
  o.quant.per_channel_weights = a.weight_scales == "per-channel";
  o.quant.requant = a.requantize == "fixed" ? numerics::Requant::fixed : numerics::Requant::real;
  o.quant.calibration.method = a.calibrate == "percentile" ? numerics::RangeMethod::percentile
                               : a.calibrate == "mse"      ? numerics::RangeMethod::mse
                                                           : numerics::RangeMethod::minmax;
  o.quant.calibration.images = a.calibration_images;
  o.quant.calibration.percentile = a.percentile;
  return o;
}

std::string bits_text(const LayerBits& b) { return fmt::format("{}/{}", b.weights, b.activations); }

void print_table(const numerics::EvalOptions& o, const numerics::EvalResult& r) {
  const numerics::QuantOptions& q = o.quant;
  std::cout << fmt::format("qnnsim eval: {} on {} (test split, {} images)\n", r.network, r.data, r.images);
  std::cout << fmt::format(
      "quantized: weights symmetric {}, activations {}, accumulator {} bits ({}), {} requantization; ranges {} on {} "
      "training images\n\n",
      q.per_channel_weights ? "per channel" : "per tensor", q.symmetric_activations ? "symmetric" : "asymmetric",
      q.accumulator.bits, numerics::overflow_name(q.accumulator.overflow), numerics::requant_name(q.requant),
      numerics::range_method_name(q.calibration.method), r.calibration_images);
  std::cout << fmt::format("{:<28} {:>5} {:>10} {:>10}\n", "layer", "W/A", "MACs", "overflow");
  for (const numerics::LayerResult& l : r.layers)
    std::cout << fmt::format("{:<28} {:>5} {:>10} {:>9.4f}%\n", l.name, bits_text(l.bits), l.macs,
                             l.outputs ? 100.0 * double(l.overflowed) / double(l.outputs) : 0.0);
  std::cout << fmt::format("\ntop-1 float      {:6.2f}%  ({:.2f} s, {:.2f} s of processor time)\n", 100 * r.float_accuracy(),
                           r.float_s, r.float_cpu_s);
  std::cout << fmt::format("top-1 quantized  {:6.2f}%  ({:.2f} s, {:.2f} s of processor time; calibration {:.2f} s)\n",
                           100 * r.quant_accuracy(), r.quant_s, r.quant_cpu_s, r.calibration_s);
  std::cout << fmt::format("difference       {:+.2f} points; the two agree on {:.2f}% of images\n",
                           100 * (r.quant_accuracy() - r.float_accuracy()),
                           r.images ? 100.0 * double(r.agree) / double(r.images) : 0.0);
}

std::string to_json(const numerics::EvalOptions& o, const numerics::EvalResult& r) {
  nlohmann::json j;
  j["model"] = r.network;
  j["model_file"] = o.model;
  j["data"] = r.data;
  j["images"] = r.images;
  j["float_accuracy_fraction"] = r.float_accuracy();
  j["quantized_accuracy_fraction"] = r.quant_accuracy();
  j["accuracy_difference_points"] = 100 * (r.quant_accuracy() - r.float_accuracy());
  j["agreement_fraction"] = r.images ? double(r.agree) / double(r.images) : 0.0;
  j["float_s"] = r.float_s;
  j["quantized_s"] = r.quant_s;
  j["calibration_s"] = r.calibration_s;
  j["float_cpu_s"] = r.float_cpu_s;
  j["quantized_cpu_s"] = r.quant_cpu_s;
  j["calibration_cpu_s"] = r.calibration_cpu_s;
  const numerics::QuantOptions& q = o.quant;
  j["quantization"] = {{"weight_bits", q.bits.weights},
                       {"activation_bits", q.bits.activations},
                       {"accumulator_bits", q.accumulator.bits},
                       {"overflow", numerics::overflow_name(q.accumulator.overflow)},
                       {"activations", q.symmetric_activations ? "symmetric" : "asymmetric"},
                       {"weight_scales", q.per_channel_weights ? "per-channel" : "per-tensor"},
                       {"requantization", numerics::requant_name(q.requant)},
                       {"calibration", numerics::range_method_name(q.calibration.method)},
                       {"calibration_images", r.calibration_images}};
  if (q.calibration.method == numerics::RangeMethod::percentile) j["quantization"]["percentile"] = q.calibration.percentile;
  j["layers"] = nlohmann::json::array();
  for (const numerics::LayerResult& l : r.layers)
    j["layers"].push_back({{"name", l.name},
                           {"onnx_node", l.onnx},
                           {"weight_bits", l.bits.weights},
                           {"activation_bits", l.bits.activations},
                           {"macs", l.macs},
                           {"overflow_fraction", l.outputs ? double(l.overflowed) / double(l.outputs) : 0.0}});
  j["provenance"] = {{"qnnsim_version", qnnsim_version()}, {"commit", qnnsim_commit()}};
  return j.dump(2) + "\n";
}

}  // namespace

CLI::App* add_eval_command(CLI::App& app, EvalArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "eval", "Top-1 accuracy of an ONNX model on a data set, in float and through integer MACs at given widths");
  cmd->add_option("MODEL", a.model, "the ONNX model, or a shipped name (workloads/models/NAME.onnx)")->required();
  cmd->add_option("--data", a.data, "fashion-mnist (Debian's dataset-fashion-mnist), or a folder of MNIST-layout idx files");
  cmd->add_option("--limit", a.limit, "score the first N test images (default: all)");
  cmd->add_option("--bits", a.bits, "W/A weight and activation bits of every layer (default 8/8), or LAYER=W/A; repeatable");
  cmd->add_option("--accumulator", a.accumulator, "accumulator bits (default 32)");
  cmd->add_option("--overflow", a.overflow, "what the accumulator does past its range: wrap or saturate")
      ->check(CLI::IsMember({"wrap", "saturate"}));
  cmd->add_option("--scheme", a.scheme, "activations: asymmetric (unsigned codes, a zero point) or symmetric")
      ->check(CLI::IsMember({"asymmetric", "symmetric"}));
  cmd->add_option("--weight-scales", a.weight_scales, "per-channel or per-tensor")
      ->check(CLI::IsMember({"per-channel", "per-tensor"}));
  cmd->add_option("--requantize", a.requantize,
                  "the output stage: real (a double multiplier) or fixed (a 31-bit integer multiplier and a shift)")
      ->check(CLI::IsMember({"real", "fixed"}));
  cmd->add_option("--calibrate", a.calibrate, "activation ranges: minmax, percentile or mse")
      ->check(CLI::IsMember({"minmax", "percentile", "mse"}));
  cmd->add_option("--calibration-images", a.calibration_images, "training images the ranges are taken on (default 1000)");
  cmd->add_option("--percentile", a.percentile, "with --calibrate percentile: the percentile kept (default 99.99)");
  cmd->add_option("--json", a.json, "write the results as JSON to FILE");
  cmd->add_flag("--quiet", a.quiet, "print nothing on success");
  return cmd;
}

int run_eval(const EvalArgs& a) {
  std::optional<OutputFile> json;
  if (!a.json.empty()) json.emplace(a.json);  // an unwritable path fails before the evaluation
  numerics::EvalOptions o;
  numerics::EvalResult r;
  try {
    o = to_options(a);
    r = numerics::evaluate(o);
  } catch (const EvalError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  if (!a.quiet) print_table(o, r);
  if (json) json->commit(to_json(o, r));
  return 0;
}

}  // namespace qnnsim::cli
