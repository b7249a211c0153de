#include "cli/eval_command.h"

#include <algorithm>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/output_files.h"
#include "core/config_error.h"
#include "core/output_file.h"
#include "core/version.h"
#include "numerics/eval_error.h"
#include "numerics/evaluate.h"

namespace qnnsim::cli {

namespace {

constexpr int kExitBadInput = 2;

using numerics::EvalError;
using numerics::LayerBits;

numerics::EvalOptions to_options(const EvalArgs& a) {
  numerics::EvalOptions o;
  o.model = resolve_model(a.model);
  o.data = a.data;
  o.limit = a.limit;
  if (!a.trace.empty()) {
    const std::string given = first_given(a.quant);
    if (!given.empty())
      throw EvalError(given + " with --trace: the trace gives every width, scale and zero point and the accumulator");
  }
  apply_quant_args(a.quant, o.quant);
  o.quant_options_given = first_given(a.quant, {"--accumulator"});
  o.trace = a.trace;
  o.quant.accumulator.overflow = a.overflow == "saturate" ? numerics::Overflow::saturate : numerics::Overflow::wrap;
  // What a digital --arch's MAC class gives instead (numerics/digital_mac.h).
  for (const CLI::Option* given : a.quant.options)
    if (given->get_name() == "--accumulator" && given->count() > 0) o.accumulator_options_given = "--accumulator";
  if (o.accumulator_options_given.empty() && !a.overflow.empty()) o.accumulator_options_given = "--overflow";
  o.quant.requant = a.requantize == "fixed" ? numerics::Requant::fixed : numerics::Requant::real;
  o.jobs = a.jobs;
  o.arch = a.arch;
  o.adc_bits = a.adc_bits;
  numerics::DeviceOptions& d = o.quant.device;
  d.variation = a.variation;
  d.variation_model = a.variation_model == "gaussian" ? numerics::VariationModel::gaussian : numerics::VariationModel::lognormal;
  d.on_off_ratio = a.on_off_ratio;
  d.stuck_at_0 = a.stuck_at_0;
  d.stuck_at_1 = a.stuck_at_1;
  d.read_noise = a.read_noise;
  d.adc_offset = a.adc_offset;
  d.seed = a.seed;
  return o;
}

std::string bits_text(const LayerBits& b) { return fmt::format("{}/{}", b.weights, b.activations); }

// A layer's weights: its scheme, or a float MAC layer's format ("fp8_e4m3").
std::string weight_text(const numerics::LayerResult& l) {
  return l.float_format.empty() ? scheme_name(l.weight_scheme) : l.float_format;
}

// "symmetric", or the schemes that ran when a layer's weights are not uniform.
std::string weights_text(const numerics::EvalResult& r) {
  std::vector<std::string> schemes;
  for (const numerics::LayerResult& l : r.layers)
    if (std::find(schemes.begin(), schemes.end(), weight_text(l)) == schemes.end()) schemes.push_back(weight_text(l));
  if (schemes.size() == 1 && schemes[0] == std::string(scheme_name(Scheme::UniformSymmetric))) return "symmetric";
  return fmt::format("{}", fmt::join(schemes, ", "));
}

// The activations' scheme: the coded one, the image's float format, the
// uniform kind, or, when a trace mixes them per layer, every one that ran.
std::string activations_text(const numerics::EvalResult& r) {
  if (!r.mixed_activations.empty()) return fmt::format("per layer ({})", fmt::join(r.mixed_activations, ", "));
  return !r.coded_activations.empty() ? r.coded_activations
         : !r.input_format.empty()    ? r.input_format
         : r.symmetric_activations    ? "symmetric"
                                      : "asymmetric";
}

// Whether the integer layers' sums were held in accumulators of more than
// one width (crossbars shift and add in 64 bits: no accumulator of theirs).
bool several_accumulators(const numerics::EvalResult& r) {
  if (r.crossbar) return false;
  for (const numerics::LayerResult& l : r.layers)
    if (l.float_format.empty() && l.accumulator_bits != r.accumulator_bits) return true;
  return false;
}

double clip_fraction(const numerics::LayerResult& l) {
  return l.conversions ? double(l.clipped) / double(l.conversions) : 0.0;
}

std::string crossbar_text(const numerics::CrossbarDesign& c) {
  if (c.xnor_sram)
    return fmt::format("XNOR-SRAM macros of {} rows, +1/-1 cells, a flash ADC of {} levels {} column-sum units apart "
                       "(reach +-{:g})",
                       c.rows, c.adc_levels, c.adc_step, (double(c.adc_levels - 1) / 2.0 + 0.5) * c.adc_step);
  return fmt::format("{} rows, {}-bit cells, {}-bit DACs, {}-bit ADCs (full scale {}), {} weights{}", c.rows,
                     c.bits_per_cell, c.dac_bits, c.adc_bits, (int64_t{1} << c.adc_bits) - 1,
                     c.differential ? "differential" : "offset", c.flipped_columns ? ", flipped columns" : "");
}

std::string device_text(const numerics::DeviceOptions& d) {
  if (d.ideal()) return "ideal devices";
  std::string t;
  const auto add = [&](const std::string& s) { t += (t.empty() ? "" : ", ") + s; };
  if (d.variation > 0) add(fmt::format("{} variation {:g}", numerics::variation_model_name(d.variation_model), d.variation));
  if (d.on_off_ratio > 0) add(fmt::format("on/off ratio {:g}", d.on_off_ratio));
  if (d.stuck_at_0 > 0) add(fmt::format("stuck-at-0 {:g}", d.stuck_at_0));
  if (d.stuck_at_1 > 0) add(fmt::format("stuck-at-1 {:g}", d.stuck_at_1));
  if (d.read_noise > 0) add(fmt::format("read noise {:g}", d.read_noise));
  if (d.adc_offset > 0) add(fmt::format("ADC offset sigma {:g} LSB", d.adc_offset));
  return t + fmt::format(", seed {}", d.seed);
}

void print_table(const numerics::EvalOptions& o, const numerics::EvalResult& r) {
  const numerics::QuantOptions& q = o.quant;
  std::cout << fmt::format("qnnsim eval: {} on {} (test split, {} images)\n", r.network, r.data, r.images);
  std::string ranges = r.trace_file.empty() ? fmt::format("ranges {} on {} training images",
                                                                  numerics::range_method_name(q.calibration.method),
                                                                  r.calibration_images)
                                                    : "widths, scales and zero points from " + r.trace_file;
  if (r.qdq_model) ranges = "widths, scales and zero points from the model's QuantizeLinear / DequantizeLinear nodes";
  // Every layer on a float MAC: no integer accumulator ran, and no range was calibrated.
  const bool all_float = !r.layers.empty() && std::all_of(r.layers.begin(), r.layers.end(), [](const auto& l) {
    return !l.float_format.empty();
  });
  if (all_float && r.trace_file.empty() && !r.qdq_model) ranges = "no ranges: float activations have none";
  const std::string accumulator =
      all_float                                  ? "accumulator " + r.float_accumulator
      : !r.arch_mac && !r.hybrid && several_accumulators(r)
          ? fmt::format("each layer's accumulator (below, {}), {} requantization", numerics::overflow_name(r.overflow),
                        numerics::requant_name(q.requant))
      : (r.arch_mac && r.several_mac_classes()) || r.hybrid
          ? fmt::format("each layer's {} (below), {} requantization",
                        r.hybrid ? "part's numerics" : "MAC class's accumulator", numerics::requant_name(q.requant))
                                                 : fmt::format("accumulator {} bits ({}), {} requantization", r.accumulator_bits,
                                                               numerics::overflow_name(r.overflow),
                                                               numerics::requant_name(q.requant));
  std::cout << fmt::format("quantized: weights {}{}, activations {}, {}; {}\n", weights_text(r),
                           all_float ? "" : r.per_channel_weights ? " per channel" : " per tensor",
                           activations_text(r),
                           accumulator, ranges);
  if (r.coded_activations == "binary")
    std::cout << fmt::format("binary activations: codes sign(x) in {{-1, +1}} at one scale per tensor, mean |x| over "
                             "the calibration images (XNOR-Net), taken before each fused ReLU, which the sign replaces; "
                             "the image stays uniform at {} bits, as binary networks keep their first layer's input\n",
                             r.coded_image_bits);
  if (r.coded_activations == "ternary")
    std::cout << fmt::format("ternary activations: codes -1, 0, +1 at one scale per tensor, sign(x) beyond delta = "
                             "0.7 mean |x|, scale the mean |x| beyond delta (TWN), over the calibration images before "
                             "each fused ReLU, which the code replaces; the image stays uniform at {} bits\n",
                             r.coded_image_bits);
  if (r.coded_activations == "power_of_two")
    std::cout << fmt::format("power_of_two activations: 0 or 2^e after the ReLU, e rounded in the log domain and "
                             "clipped to the 2^b - 1 exponents below each tensor's calibrated full scale (Miyashita et "
                             "al.); the MAC takes the integers 2^(e - e_min); the image stays uniform at {} bits\n",
                             r.coded_image_bits);
  if (r.coded_activations == "codebook" && r.mixed_activations.empty())
    std::cout << fmt::format("codebook activations: each tensor a table of 2^b levels from k-means over its "
                             "calibration values after the ReLU (LQ-Nets' non-uniform levels, fitted after training), "
                             "stored as b-bit indices; the MAC takes the {}-bit entry an index names, and an output "
                             "the nearest entry; the image stays uniform at {} bits\n",
                             r.codebook_entry_bits, r.coded_image_bits);
  if (!r.float_accumulator.empty())
    std::cout << fmt::format("float MACs: operands rounded to their format (nearest, ties to even), products exact, "
                             "every accumulate rounded to {} ({})\n",
                             r.float_accumulator, r.float_accumulator_source);
  std::cout << "\n";
  if (r.arch_mac && !r.several_mac_classes())
    std::cout << fmt::format("digital: {}: the MAC class {}'s {}-bit accumulator (overflow: {})\n\n", o.arch,
                             r.layers.empty() ? "" : r.layers.front().mac_class, r.accumulator_bits,
                             numerics::overflow_name(r.overflow));
  if (r.arch_mac && r.several_mac_classes())
    std::cout << fmt::format("digital: {}: each layer on the first of the design's MAC classes that executes it, as "
                             "`qnnsim run` places it, in that class's accumulator\n\n",
                             o.arch);
  if (r.hybrid) {
    std::cout << fmt::format("hybrid: {}: each Conv / Gemm on the part `qnnsim run` places it on, through that part's "
                             "numerics{}\n\n",
                             o.arch.empty() ? r.arch_file : o.arch,
                             r.crossbar ? "; crossbars: " + crossbar_text(*r.crossbar) + "; " + device_text(q.device)
                                        : "");
    std::cout << fmt::format("{:<28} {:>5} {:<17} {:<12} {:<22} {:>10} {:>10} {:>10}\n", "layer", "W/A", "weights", "part",
                             "numerics", "MACs", "ADC clip", "overflow");
    for (const numerics::LayerResult& l : r.layers) {
      const bool digital = !l.mac_class.empty();
      std::cout << fmt::format(
          "{:<28} {:>5} {:<17} {:<12} {:<22} {:>10} {:>10} {:>9.4f}%\n", l.name, bits_text(l.bits), weight_text(l), l.part,
          digital ? fmt::format("{} {}b {}", l.mac_class, l.accumulator_bits, numerics::overflow_name(l.overflow))
                  : fmt::format("crossbars {}b/{}col", l.stored_code_bits, l.columns_per_weight),
          l.macs, digital ? std::string("-") : fmt::format("{:.4f}%", 100.0 * clip_fraction(l)),
          l.outputs ? 100.0 * double(l.overflowed) / double(l.outputs) : 0.0);
    }
  } else if (r.crossbar) {
    std::cout << fmt::format("in-memory: {}: {}; {}\n\n", o.arch, crossbar_text(*r.crossbar), device_text(q.device));
    // "code": the stored integer's width and the cell columns a weight takes, what a scheme costs in cells.
    std::cout << fmt::format("{:<28} {:>5} {:<17} {:>9} {:>10} {:>14} {:>10}\n", "layer", "W/A", "weights", "code",
                             "MACs", "conversions", "ADC clip");
    for (const numerics::LayerResult& l : r.layers)
      std::cout << fmt::format("{:<28} {:>5} {:<17} {:>9} {:>10} {:>14} {:>9.4f}%\n", l.name, bits_text(l.bits),
                               scheme_name(l.weight_scheme),
                               fmt::format("{}b/{}col", l.stored_code_bits, l.columns_per_weight), l.macs,
                               r.images ? l.conversions / r.images : 0, 100.0 * clip_fraction(l));
  } else if (r.arch_mac && r.several_mac_classes()) {
    std::cout << fmt::format("{:<28} {:>5} {:<17} {:<16} {:>11} {:>10} {:>10}\n", "layer", "W/A", "weights", "MAC class",
                             "accumulator", "MACs", "overflow");
    for (const numerics::LayerResult& l : r.layers)
      std::cout << fmt::format("{:<28} {:>5} {:<17} {:<16} {:>11} {:>10} {:>9.4f}%\n", l.name, bits_text(l.bits),
                               weight_text(l), l.mac_class,
                               fmt::format("{}b {}", l.accumulator_bits, numerics::overflow_name(l.overflow)), l.macs,
                               l.outputs ? 100.0 * double(l.overflowed) / double(l.outputs) : 0.0);
  } else if (several_accumulators(r)) {  // a trace's layers with accumulators of their own
    std::cout << fmt::format("{:<28} {:>5} {:<17} {:>11} {:>10} {:>10}\n", "layer", "W/A", "weights", "accumulator",
                             "MACs", "overflow");
    for (const numerics::LayerResult& l : r.layers)
      std::cout << fmt::format("{:<28} {:>5} {:<17} {:>11} {:>10} {:>9.4f}%\n", l.name, bits_text(l.bits), weight_text(l),
                               fmt::format("{}b", l.accumulator_bits), l.macs,
                               l.outputs ? 100.0 * double(l.overflowed) / double(l.outputs) : 0.0);
  } else {
    std::cout << fmt::format("{:<28} {:>5} {:<17} {:>10} {:>10}\n", "layer", "W/A", "weights", "MACs", "overflow");
    for (const numerics::LayerResult& l : r.layers)
      std::cout << fmt::format("{:<28} {:>5} {:<17} {:>10} {:>9.4f}%\n", l.name, bits_text(l.bits), weight_text(l), l.macs,
                               l.outputs ? 100.0 * double(l.overflowed) / double(l.outputs) : 0.0);
  }
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
                       {"accumulator_bits", r.accumulator_bits},
                       {"overflow", numerics::overflow_name(r.overflow)},
                       {"activations", activations_text(r)},
                       {"weight_scales", r.per_channel_weights ? "per-channel" : "per-tensor"},
                       {"requantization", numerics::requant_name(q.requant)},
                       {"calibration", r.qdq_model             ? "qdq_model"
                                       : r.trace_file.empty() ? numerics::range_method_name(q.calibration.method)
                                                              : "trace"},
                       {"calibration_images", r.calibration_images}};
  if (!r.trace_file.empty() || r.qdq_model) {
    if (!r.trace_file.empty()) j["quantization"]["trace"] = r.trace_file;
    j["quantization"].erase("weight_bits");  // per layer, below
    j["quantization"].erase("activation_bits");
  }
  if (r.trace_file.empty() && !r.qdq_model && q.calibration.method == numerics::RangeMethod::percentile)
    j["quantization"]["percentile"] = q.calibration.percentile;
  if (!r.float_accumulator.empty())
    j["quantization"]["float_accumulator"] = {{"format", r.float_accumulator}, {"from", r.float_accumulator_source}};
  j["jobs"] = o.jobs;
  if (r.arch_mac && !r.several_mac_classes())
    j["digital"] = {{"arch", o.arch}, {"arch_file", r.arch_file}, {"accumulator_bits", r.accumulator_bits},
                    {"overflow", numerics::overflow_name(r.overflow)},
                    {"mac_class", r.layers.empty() ? "" : r.layers.front().mac_class}};
  if (r.arch_mac && r.several_mac_classes()) {
    // Per layer (below): one width here would misstate the layers on the other class.
    j["digital"] = {{"arch", o.arch}, {"arch_file", r.arch_file}, {"accumulator", "per_layer"}};
    j["quantization"].erase("accumulator_bits");
    j["quantization"].erase("overflow");
  }
  if (!r.arch_mac && !r.hybrid && several_accumulators(r))  // a trace's per layer (below)
    j["quantization"]["accumulator_bits"] = "per_layer";
  if (r.hybrid) {
    // Each layer's part, and its MAC class or crossbar figures, are per layer (below).
    j["hybrid"] = {{"arch", o.arch}, {"arch_file", r.arch_file}, {"accumulator", "per_layer"}};
    j["quantization"].erase("accumulator_bits");
    j["quantization"].erase("overflow");
  }
  if (r.crossbar) {
    const numerics::CrossbarDesign& c = *r.crossbar;
    const numerics::DeviceOptions& d = q.device;
    j["in_memory"] = {{"arch", o.arch},
                      {"arch_file", r.arch_file},
                      {"rows", c.rows},
                      {"bits_per_cell", c.bits_per_cell},
                      {"dac_bits", c.dac_bits},
                      {"adc_bits", c.adc_bits},
                      {"signed_weights", c.differential ? "differential" : "offset"},
                      {"flipped_columns", c.flipped_columns},
                      {"columns_per_adc", c.columns_per_adc},
                      {"cell", c.xnor_sram ? "xnor_sram" : "rram"},
                      {"variation", d.variation},
                      {"variation_model", numerics::variation_model_name(d.variation_model)},
                      {"on_off_ratio", d.on_off_ratio},
                      {"stuck_at_0", d.stuck_at_0},
                      {"stuck_at_1", d.stuck_at_1},
                      {"read_noise", d.read_noise},
                      {"adc_offset_lsb", d.adc_offset},
                      {"seed", d.seed}};
    if (c.xnor_sram) {
      j["in_memory"]["adc_levels"] = c.adc_levels;
      j["in_memory"]["adc_step"] = c.adc_step;
    }
    int64_t conversions = 0, clipped = 0;
    for (const numerics::LayerResult& l : r.layers) conversions += l.conversions, clipped += l.clipped;
    j["adc_clip_fraction"] = conversions ? double(clipped) / double(conversions) : 0.0;
  }
  // Of every sum over every layer and image, those that wrapped or saturated
  // (a sweep's `overflow_fraction` column).
  int64_t sums = 0, overflowed = 0;
  for (const numerics::LayerResult& l : r.layers) sums += l.outputs, overflowed += l.overflowed;
  j["overflow_fraction"] = sums ? double(overflowed) / double(sums) : 0.0;
  j["layers"] = nlohmann::json::array();
  for (const numerics::LayerResult& l : r.layers) {
    nlohmann::json lj = {{"name", l.name},
                         {"onnx_node", l.onnx},
                         {"weight_bits", l.bits.weights},
                         {"weight_scheme", scheme_name(l.weight_scheme)},
                         {"activation_bits", l.bits.activations},
                         {"macs", l.macs},
                         {"overflow_fraction", l.outputs ? double(l.overflowed) / double(l.outputs) : 0.0},
                         {"sums", l.outputs},
                         {"overflowed_sums", l.overflowed}};
    if (!l.float_format.empty()) lj["float_format"] = l.float_format;
    if (r.hybrid) lj["part"] = l.part;
    if (r.arch_mac || !l.mac_class.empty()) {
      lj["mac_class"] = l.mac_class;
      lj["accumulator_bits"] = l.accumulator_bits;
      lj["overflow"] = numerics::overflow_name(l.overflow);
    } else if (several_accumulators(r) && l.float_format.empty()) {
      lj["accumulator_bits"] = l.accumulator_bits;  // a trace's own per layer
    }
    const bool on_crossbar = r.crossbar && (!r.hybrid || l.mac_class.empty());
    if (!on_crossbar && l.float_format.empty()) {  // the accumulator ran: what it had to hold (crossbars shift and add in 64 bits)
      lj["exact_sum_min"] = l.exact_min;
      lj["exact_sum_max"] = l.exact_max;
      lj["accumulator_bits_needed"] = numerics::signed_bits_needed(l.exact_min, l.exact_max);
    }
    if (on_crossbar) {
      lj["stored_code_bits"] = l.stored_code_bits;
      lj["columns_per_weight"] = l.columns_per_weight;
      lj["adc_conversions"] = l.conversions;
      lj["adc_clipped"] = l.clipped;
      lj["adc_clip_fraction"] = clip_fraction(l);
    }
    j["layers"].push_back(lj);
  }
  j["warnings"] = r.warnings;
  j["provenance"] = {{"qnnsim_version", qnnsim_version()}, {"commit", qnnsim_commit()}};
  return j.dump(2) + "\n";
}

}  // namespace

CLI::App* add_eval_command(CLI::App& app, EvalArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "eval", "Top-1 accuracy of an ONNX model on a data set, in float and through integer MACs at given widths, or "
      "through a design's numerics (--arch: an in-memory design's crossbars, a digital design's MAC class, a "
      "hybrid's parts)");
  cmd->add_option("MODEL", a.model, "the ONNX model, or a shipped name (workloads/models/NAME.onnx)")->required();
  cmd->add_option("--data", a.data, "fashion-mnist (Debian's dataset-fashion-mnist), or a folder of MNIST-layout idx files");
  cmd->add_option("--limit", a.limit, "score the first N test images (default: all)");
  add_quant_options(cmd, a.quant);
  cmd->add_option("--trace", a.trace,
                  "a quantized trace of the model (qnnsim quantize): its widths, scales and accumulator, no calibration");
  cmd->add_option("--overflow", a.overflow, "what the accumulator does past its range: wrap (default) or saturate")
      ->check(CLI::IsMember({"wrap", "saturate"}));
  cmd->add_option("--requantize", a.requantize,
                  "the output stage: real (a double multiplier) or fixed (a 31-bit integer multiplier and a shift)")
      ->check(CLI::IsMember({"real", "fixed"}));
  writes_file(cmd->add_option("--json", a.json, "write the results as JSON to FILE"));
  cmd->add_option("-j,--jobs", a.jobs, "threads over the images (default 1); the results do not depend on it");
  cmd->add_option("--arch", a.arch,
                  "a design (a file or a shipped name) whose numerics compute the Conv and Gemm layers: an in-memory "
                  "design's crossbars, DACs and ADCs (e.g. isaac), or a digital design's MAC class, its accumulator's "
                  "width and overflow (e.g. eyeriss_v1; --accumulator and --overflow are then refused), or a hybrid's "
                  "parts, each layer on the part run places it on (e.g. isaac_hybrid)");
  cmd->add_option("--adc-bits", a.adc_bits, "with --arch: ADC bits instead of the design's");
  cmd->add_option("--variation", a.variation, "with --arch: cell conductance variation, sigma relative to the level");
  cmd->add_option("--variation-model", a.variation_model, "lognormal (default) or gaussian")
      ->check(CLI::IsMember({"lognormal", "gaussian"}));
  cmd->add_option("--on-off-ratio", a.on_off_ratio, "with --arch: G_on / G_off of the cells (default: infinite)");
  cmd->add_option("--stuck-at-0", a.stuck_at_0, "with --arch: fraction of cells stuck at the lowest conductance");
  cmd->add_option("--stuck-at-1", a.stuck_at_1, "with --arch: fraction of cells stuck at the highest conductance");
  cmd->add_option("--read-noise", a.read_noise, "with --arch: per-read current noise, sigma relative to the cell's");
  cmd->add_option("--adc-offset", a.adc_offset, "with --arch: sigma, in LSBs, of each ADC's fixed input offset");
  cmd->add_option("--seed", a.seed, "seed of every device draw (default 1)");
  cmd->add_flag("--quiet", a.quiet, "print nothing on success but warnings (on stderr)");
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
  } catch (const ConfigError& e) {  // a malformed --arch file
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  if (!a.quiet) print_table(o, r);
  // Even with --quiet: a run whose sums overflowed must not pass for a poor network.
  for (const std::string& w : r.warnings) std::cerr << "warning: accumulator overflow: " << w << "\n";
  if (json) json->commit(to_json(o, r));
  return 0;
}

}  // namespace qnnsim::cli
