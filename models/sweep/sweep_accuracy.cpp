#include "sweep/sweep_accuracy.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "arch/arch_spec.h"
#include "core/config_node.h"
#include "core/content_hash.h"

namespace qnnsim {

namespace fs = std::filesystem;

namespace {

// As many test images as a data set of the MNIST layout holds at most, and
// training images calibration may take; more is a typo, not a request.
constexpr int64_t kMaxImages = 1000000;

double number_in(const ConfigNode& n, const std::string& key, double fallback, double low, double high,
                 const std::string& expected) {
  if (!n.has(key)) return fallback;
  const double v = n.number(key);
  if (!(v >= low && v <= high)) n.fail(key, fmt::format("{} is out of range: expected {}", v, expected));
  return v;
}

// "8/4": 8-bit weights, 4-bit activations (weights 1 to 16, as binary
// weights take 1 bit; activations 2 to 16, as eval takes them); "trace" or
// "auto": the widths of the point's priced trace (point_accuracy.h).
void read_bits(const ConfigNode& n, AccuracySettings& s) {
  if (!n.has("bits")) return;
  const std::string text = n.text("bits");
  if (text == "trace" || text == "auto") {
    s.widths = text == "trace" ? AccuracySettings::Widths::trace : AccuracySettings::Widths::automatic;
    return;
  }
  s.widths = AccuracySettings::Widths::given;
  const auto slash = text.find('/');
  const auto whole = [](const std::string& t, int low, int* out) {
    if (t.empty() || t.size() > 2 || t.find_first_not_of("0123456789") != std::string::npos) return false;
    *out = std::stoi(t);
    return *out >= low && *out <= 16;
  };
  if (slash == std::string::npos || !whole(text.substr(0, slash), 1, &s.weight_bits) ||
      !whole(text.substr(slash + 1), 2, &s.activation_bits))
    n.fail("bits", "expected W/A, the weight and activation bits of every layer (weights 1 to 16, activations 2 to "
                   "16), as 8/8; or trace, or auto (the priced trace's widths when it is the model's import); found '" +
                       text + "'");
}

// The schemes eval runs weights in (numerics/weight_schemes.h), by the trace's names.
constexpr const char* kWeightSchemes[] = {"uniform_symmetric", "binary", "ternary", "power_of_two", "log_radix4",
                                          "codebook", "float", "float_e5m2"};

void read_weight_scheme(const ConfigNode& n, AccuracySettings& s) {
  s.weight_scheme = n.text("weight_scheme", s.weight_scheme);
  for (const char* known : kWeightSchemes)
    if (s.weight_scheme == known) return;
  n.fail("weight_scheme", fmt::format("unknown weight scheme '{}'; expected one of {} (as eval's --weight-scheme)",
                                      s.weight_scheme, fmt::join(kWeightSchemes, ", ")));
}

// A bare name is a shipped model (workloads/models/NAME.onnx), as for eval;
// a path is relative to the spec.
std::string resolve_model(const ConfigNode& n, const std::string& spec_file) {
  const std::string value = n.text("model");
  fs::path p;
  if (value.find('/') == std::string::npos && value.find(".onnx") == std::string::npos)
    p = fs::path(data_dir()) / "workloads" / "models" / (value + ".onnx");
  else if (fs::path(value).is_absolute())
    p = value;
  else
    p = fs::path(spec_file).parent_path() / value;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec))
    n.fail("model", "model file '" + p.lexically_normal().string() + "' does not exist (a shipped name is one of "
                    "workloads/models/*.onnx without .onnx, e.g. mnist_cnn_fashion)");
  return p.lexically_normal().string();
}

// The model's bytes (an ONNX file may be larger than any YAML input is allowed to be).
std::string model_bytes(const ConfigNode& n, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  if (!in || !(bytes << in.rdbuf())) n.fail("model", "cannot read the model file '" + path + "'");
  return bytes.str();
}

// Keys the section takes, each with the value a point gets when it is left out.
YAML::Node defaults() {
  const AccuracySettings d;
  YAML::Node n;
  n["data"] = d.data;
  n["images"] = d.images;
  n["bits"] = widths_text(d);
  n["weight_scheme"] = d.weight_scheme;
  n["calibration"] = d.calibration;
  n["calibration_images"] = d.calibration_images;
  n["percentile"] = d.percentile;
  n["variation"] = d.variation;
  n["variation_model"] = d.variation_model;
  n["on_off_ratio"] = d.on_off_ratio;
  n["stuck_at_0"] = d.stuck_at_0;
  n["stuck_at_1"] = d.stuck_at_1;
  n["read_noise"] = d.read_noise;
  n["adc_offset"] = d.adc_offset;
  n["seed"] = d.seed;
  return n;
}

}  // namespace

std::string widths_text(const AccuracySettings& s) {
  switch (s.widths) {
    case AccuracySettings::Widths::trace: return "trace";
    case AccuracySettings::Widths::automatic: return "auto";
    case AccuracySettings::Widths::given: break;
  }
  return fmt::format("{}/{}", s.weight_bits, s.activation_bits);
}

// With trace or auto widths, the trace's layers are in the point's workload
// text, which the point's hash covers already.
std::string AccuracySettings::canonical_text() const {
  return fmt::format(
      "data={} images={} bits={} weight_scheme={} calibration={} calibration_images={} percentile={} variation={} "
      "variation_model={} on_off_ratio={} stuck_at_0={} stuck_at_1={} read_noise={} adc_offset={} seed={}",
      data, images, widths_text(*this), weight_scheme, calibration, calibration_images, percentile, variation,
      variation_model, on_off_ratio, stuck_at_0, stuck_at_1, read_noise, adc_offset, seed);
}

AccuracySettings read_accuracy_settings(const YAML::Node& tree, const std::string& spec_file) {
  const ConfigNode n = ConfigNode::from_tree(tree, spec_file).child("accuracy");
  n.expect_map("evaluation settings {model, data, images, bits, ...}");
  AccuracySettings s;
  n.text("model");  // resolved once, by parse_sweep_accuracy
  s.data = n.text("data", s.data);
  if (s.data != "fashion-mnist" && fs::path(s.data).is_relative())
    s.data = (fs::path(spec_file).parent_path() / s.data).lexically_normal().string();
  s.images = n.integer_in("images", 1, kMaxImages, s.images);
  read_bits(n, s);
  read_weight_scheme(n, s);
  s.calibration = n.text("calibration", s.calibration);
  if (s.calibration != "minmax" && s.calibration != "percentile" && s.calibration != "mse")
    n.fail("calibration", "expected minmax, percentile or mse, found '" + s.calibration + "'");
  s.calibration_images = n.integer_in("calibration_images", 1, kMaxImages, s.calibration_images);
  s.percentile = number_in(n, "percentile", s.percentile, 50.0001, 100, "more than 50, at most 100");
  s.variation = number_in(n, "variation", 0, 0, 1e6, "0 or more (sigma, relative to the level)");
  s.variation_model = n.text("variation_model", s.variation_model);
  if (s.variation_model != "lognormal" && s.variation_model != "gaussian")
    n.fail("variation_model", "expected lognormal or gaussian, found '" + s.variation_model + "'");
  s.on_off_ratio = number_in(n, "on_off_ratio", 0, 0, 1e12, "more than 1, or 0 for infinite");
  if (s.on_off_ratio != 0 && !(s.on_off_ratio > 1)) n.fail("on_off_ratio", "expected more than 1, or 0 for infinite");
  s.stuck_at_0 = number_in(n, "stuck_at_0", 0, 0, 1, "a fraction of the cells, 0 to 1");
  s.stuck_at_1 = number_in(n, "stuck_at_1", 0, 0, 1, "a fraction of the cells, 0 to 1");
  if (s.stuck_at_0 + s.stuck_at_1 > 1) n.fail("stuck_at_1", "stuck_at_0 and stuck_at_1 add up to more than 1");
  s.read_noise = number_in(n, "read_noise", 0, 0, 1e6, "0 or more (sigma, relative to the cell's current)");
  s.adc_offset = number_in(n, "adc_offset", 0, 0, 1e6, "0 or more (sigma, in ADC LSBs)");
  s.seed = n.integer("seed", 0, s.seed);
  n.reject_unknown_keys();
  return s;
}

SweepAccuracy parse_sweep_accuracy(const ConfigNode& root) {
  SweepAccuracy a;
  const auto section = root.optional_child("accuracy");
  if (!section) return a;
  section->expect_map("evaluation settings {model, data, images, bits, ...}");
  a.enabled = true;
  a.where = section->location();
  a.model_where = section->location_of("model");
  a.data_where = section->location_of("data");
  a.bits_where = section->location_of("bits");
  a.weight_scheme_where = section->location_of("weight_scheme");
  a.model_file = resolve_model(*section, root.file());
  a.model_sha1 = sha1_hex(model_bytes(*section, a.model_file));
  // Every value checked before any point runs, on the spec's own nodes: a
  // clone would lose their lines for the error.
  YAML::Node as_written;
  as_written["accuracy"] = section->yaml();
  read_accuracy_settings(as_written, root.file());
  // Cloned, so the points' edits never reach the spec's own tree; missing
  // keys get their defaults so that a parameter can sweep any of them.
  YAML::Node body = YAML::Clone(section->yaml());
  for (const auto& entry : defaults())
    if (!body[entry.first.Scalar()]) body[entry.first.Scalar()] = entry.second;
  a.tree["accuracy"] = body;
  return a;
}

}  // namespace qnnsim
