#include "cli/quant_args.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "arch/arch_spec.h"
#include "numerics/eval_error.h"
#include "numerics/quant_network.h"
#include "workload/precision.h"

namespace qnnsim::cli {

namespace {

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

// The weight schemes eval runs (numerics/weight_schemes.h), by the trace's names.
constexpr const char* kWeightSchemes[] = {"uniform_symmetric", "binary", "ternary", "power_of_two", "log_radix4",
                                          "codebook", "float", "float_e5m2"};

Scheme parse_weight_scheme(const std::string& option, const std::string& name) {
  for (const char* n : kWeightSchemes) {
    Scheme s{};
    if (name == n && parse_scheme_name(name, &s)) return s;
  }
  std::string known;
  for (const char* n : kWeightSchemes) known += (known.empty() ? "" : ", ") + std::string(n);
  throw EvalError("--weight-scheme '" + option + "': unknown weight scheme '" + name + "'; expected one of " + known +
                  " (or LAYER=SCHEME)");
}

}  // namespace

void add_quant_options(CLI::App* cmd, QuantArgs& a) {
  a.options = {
      cmd->add_option("--bits", a.bits, "W/A weight and activation bits of every layer (default 8/8), or LAYER=W/A; repeatable"),
      cmd->add_option("--weight-scheme", a.weight_schemes,
                      "weights of every layer: uniform_symmetric (default), binary (--bits 1/A), ternary (2/A), "
                      "power_of_two or log_radix4 (2 to 5 bits), codebook (1 to 8 index bits), float (fp8 e4m3 at "
                      "8 bits, fp16 at 16, fp32 at 32; with --scheme float) or float_e5m2 (8 bits); or LAYER=SCHEME; "
                      "repeatable"),
      cmd->add_option("--accumulator", a.accumulator, "accumulator bits (default 32)"),
      cmd->add_option("--scheme", a.scheme,
                      "activations: asymmetric (unsigned codes, a zero point), symmetric, float (fp8 e4m3 at 8 bits, "
                      "fp16 at 16, fp32 at 32), float_e5m2 (8 bits), binary (sign codes at a mean-|x| scale, --bits W/1), "
                      "ternary (codes -1/0/+1 at TWN's threshold and scale, --bits W/2) or power_of_two (0 or 2^e, "
                      "--bits W/2 to W/5) or codebook (indices into a table of 2^A levels fitted by k-means, --bits W/1 to W/8); "
                      "with the last four the image stays 8-bit uniform; float activations need "
                      "float weights of the same format")
          ->check(CLI::IsMember(
              {"asymmetric", "symmetric", "float", "float_e5m2", "binary", "ternary", "power_of_two", "codebook"})),
      cmd->add_option("--weight-scales", a.weight_scales, "per-channel or per-tensor")
          ->check(CLI::IsMember({"per-channel", "per-tensor"})),
      cmd->add_option("--calibrate", a.calibrate, "activation ranges: minmax, percentile or mse")
          ->check(CLI::IsMember({"minmax", "percentile", "mse"})),
      cmd->add_option("--calibration-images", a.calibration_images,
                      "training images the ranges are taken on (default 1000)"),
      cmd->add_option("--percentile", a.percentile, "with --calibrate percentile: the percentile kept (default 99.99)"),
  };
}

void apply_quant_args(const QuantArgs& a, numerics::QuantOptions& q) {
  for (const std::string& b : a.bits) {
    const auto eq = b.find('=');
    const std::optional<LayerBits> pair = parse_pair(eq == std::string::npos ? b : b.substr(eq + 1));
    if (!pair) throw EvalError("--bits '" + b + "': expected W/A (weight and activation bits, as 8/8) or LAYER=W/A");
    if (eq == std::string::npos) q.bits = *pair;
    else q.layer_bits[b.substr(0, eq)] = *pair;
  }
  for (const std::string& w : a.weight_schemes) {
    const auto eq = w.find('=');
    const Scheme scheme = parse_weight_scheme(w, eq == std::string::npos ? w : w.substr(eq + 1));
    if (eq == std::string::npos) q.weight_scheme = scheme;
    else q.layer_weight_scheme[w.substr(0, eq)] = scheme;
  }
  q.accumulator.bits = a.accumulator;
  q.symmetric_activations = a.scheme == "symmetric";
  if (a.scheme == "float") q.float_activations = Scheme::Float;
  if (a.scheme == "float_e5m2") q.float_activations = Scheme::FloatE5M2;
  q.binary_activations = a.scheme == "binary";
  q.ternary_activations = a.scheme == "ternary";
  q.log_activations = a.scheme == "power_of_two";
  q.codebook_activations = a.scheme == "codebook";
  q.per_channel_weights = a.weight_scales == "per-channel";
  q.calibration.method = a.calibrate == "percentile" ? numerics::RangeMethod::percentile
                         : a.calibrate == "mse"      ? numerics::RangeMethod::mse
                                                     : numerics::RangeMethod::minmax;
  q.calibration.images = a.calibration_images;
  q.calibration.percentile = a.percentile;
}

std::string first_given(const QuantArgs& a, const std::vector<std::string>& except) {
  for (const CLI::Option* o : a.options)
    if (o->count() > 0 && std::find(except.begin(), except.end(), o->get_name()) == except.end()) return o->get_name();
  return "";
}

std::string resolve_model(const std::string& model) {
  // A bare name is a shipped model: `eval mnist_cnn_fashion`.
  namespace fs = std::filesystem;
  std::error_code ec;
  if (model.find('/') != std::string::npos || model.find(".onnx") != std::string::npos || fs::exists(model, ec))
    return model;
  const fs::path folder = fs::path(data_dir()) / "workloads" / "models";
  const std::string path = (folder / (model + ".onnx")).string();
  if (fs::exists(path, ec)) return path;
  std::vector<std::string> shipped;
  for (const auto& e : fs::directory_iterator(folder, ec))
    if (e.path().extension() == ".onnx") shipped.push_back(e.path().stem().string());
  std::sort(shipped.begin(), shipped.end());  // the directory's own order varies
  std::string names;
  for (const std::string& n : shipped) names += (names.empty() ? "" : ", ") + n;
  throw EvalError("'" + model + "' is neither a file nor a shipped model (shipped: " + (names.empty() ? "none" : names) +
                  ")");
}

}  // namespace qnnsim::cli
