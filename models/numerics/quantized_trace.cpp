#include "numerics/quantized_trace.h"

#include <chrono>
#include <map>

#include <fmt/format.h>

#include "importer/onnx_import.h"
#include "numerics/eval_error.h"
#include "numerics/codebook_activations.h"
#include "numerics/log_activations.h"
#include "numerics/qdq_writer.h"
#include "numerics/trace_fields.h"
#include "workload/precision.h"

namespace qnnsim::numerics {

namespace {

std::string header(const QuantizeOptions& o, const std::string& data_folder, int64_t images) {
  const QuantOptions& q = o.quant;
  std::string method = range_method_name(q.calibration.method);
  if (q.calibration.method == RangeMethod::percentile) method += fmt::format(" {:g}", q.calibration.percentile);
  std::string h = "# Post-training quantization by `qnnsim quantize`: activation ranges " + method + " on the\n";
  h += fmt::format("# first {} training images of {} ({}); {} activations;\n", images, o.data, data_folder,
                   q.float_activations ? std::string(scheme_name(*q.float_activations)) + " (no scale, no range)"
                   : q.binary_activations ? "binary (sign codes at scale mean |x| before any ReLU; the image 8-bit asymmetric)"
                   : q.ternary_activations
                       ? "ternary (codes -1/0/+1 beyond TWN's threshold 0.7 mean |x|, before any ReLU, at scale the mean\n"
                         "# |x| beyond it; the image 8-bit asymmetric)"
                   : q.log_activations ? "power_of_two (0 or 2^e, scale 2^e_min; the image 8-bit asymmetric)"
                   : q.codebook_activations
                       ? "codebook (indices into a table of 2^b entries from k-means after the ReLU, real = scale *\n"
                         "# entry; the image 8-bit asymmetric)"
                   : q.symmetric_activations ? "symmetric"
                                             : "asymmetric");
  h += fmt::format("# symmetric weights, a scale {}. real = scale * (code - zero_point).\n",
                   q.per_channel_weights ? "per output channel" : "per tensor");
  if (q.weight_scheme != Scheme::UniformSymmetric || !q.layer_weight_scheme.empty())
    h += "# Weights of other schemes carry no scale: `eval` takes theirs from the weights (numerics/weight_schemes.h);\n"
         "# float weights and activations are values of their format, rounded where they are written.\n";
  h += "# The last layer's outputs (the logits) leave its output stage as real values: no scale.\n";
  h += "# `qnnsim eval MODEL --trace THIS_FILE` scores this quantization; run, map and sweep price it.\n";
  return h;
}

}  // namespace

void check_quant_options(const QuantOptions& q) {
  // Each width against the weight scheme of the layers it applies to.
  const auto pair = [](const LayerBits& b) { return std::to_string(b.weights) + "/" + std::to_string(b.activations); };
  const auto check = [&q](const std::string& what, const LayerBits& b, Scheme scheme) {
    if (scheme == Scheme::UniformSymmetric && (b.weights < 2 || b.weights > 16))
      throw EvalError(what + ": weight bits " + std::to_string(b.weights) + ", expected 2 to 16 (symmetric codes need 2)");
    if (const std::string why = weight_scheme_problem(scheme, b.weights); !why.empty()) throw EvalError(what + ": " + why);
    FloatFormat f;
    if (q.float_activations && !float_format_of(*q.float_activations, b.activations, &f))
      throw EvalError(what + " with --scheme " + scheme_name(*q.float_activations) + ": activation bits " +
                      std::to_string(b.activations) + ", expected " +
                      (*q.float_activations == Scheme::Float ? "8 (fp8 e4m3), 16 (fp16) or 32 (fp32)" : "8"));
    if (q.binary_activations && b.activations != 1)
      throw EvalError(what + " with --scheme binary: activation bits " + std::to_string(b.activations) +
                      ", expected 1 (a sign code)");
    if (q.ternary_activations && b.activations != 2)
      throw EvalError(what + " with --scheme ternary: activation bits " + std::to_string(b.activations) +
                      ", expected 2 (a code -1, 0 or +1)");
    if (q.log_activations)
      if (const std::string why = log_width_problem(b.activations); !why.empty())
        throw EvalError(what + " with --scheme power_of_two: " + why);
    if (q.codebook_activations && (b.activations < 1 || b.activations > kMaxCodebookActivationBits))
      throw EvalError(what + " with --scheme codebook: " + codebook_activation_problem(b.activations, kMaxCodebookActivationBits));
    if (!q.float_activations && !q.binary_activations && !q.codebook_activations &&
        (b.activations < 2 || b.activations > 16))
      throw EvalError(what + ": activation bits " + std::to_string(b.activations) + ", expected 2 to 16");
  };
  const std::string given_scheme =
      q.weight_scheme == Scheme::UniformSymmetric ? "" : std::string(" with --weight-scheme ") + scheme_name(q.weight_scheme);
  check("--bits" + given_scheme, q.bits, q.weight_scheme);
  for (const auto& [name, b] : q.layer_bits) {
    const Scheme s = weight_scheme_of(name, q);
    check("--bits " + name + "=" + pair(b) + (s == Scheme::UniformSymmetric ? "" : std::string(" with ") + scheme_name(s) + " weights"), b, s);
  }
  for (const auto& [name, scheme] : q.layer_weight_scheme)
    if (!q.layer_bits.count(name))
      check("--weight-scheme " + name + "=" + scheme_name(scheme) + " at --bits " + pair(q.bits), q.bits, scheme);
  if (q.accumulator.bits < 8 || q.accumulator.bits > 64)
    throw EvalError("--accumulator " + std::to_string(q.accumulator.bits) + ": expected 8 to 64 bits");
  if (q.calibration.images < 1) throw EvalError("--calibration-images: expected at least 1");
  if (!(q.calibration.percentile > 50 && q.calibration.percentile <= 100))
    throw EvalError("--percentile " + std::to_string(q.calibration.percentile) + ": expected more than 50, at most 100");
}

QuantizedTrace quantize_to_trace(const QuantizeOptions& o) {
  check_quant_options(o.quant);
  const Network net = load_network(o.model);
  const auto start = std::chrono::steady_clock::now();
  const Dataset train = load_dataset(o.data, Split::train, o.quant.calibration.images);
  const TensorShape& in = net.shapes[net.input];
  if (in.C != 1 || in.H != train.rows || in.W != train.cols)
    throw EvalError(fmt::format("{}: the network takes {}x{}x{} inputs, the data set '{}' has 1x{}x{} images", o.model,
                                in.C, in.H, in.W, o.data, train.rows, train.cols));
  const QuantPlan plan = calibrate_plan(net, o.quant, train);
  QuantizedTrace t;
  t.calibration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  t.calibration_images = train.count;
  t.network = net.name;

  ImportOptions io;
  io.model_path = o.model;
  const std::vector<bool> per_channel(net.ops.size(), o.quant.per_channel_weights);
  io.layer_precision = trace_layer_fields(net, plan, per_channel);
  io.precision_note = header(o, train.folder, train.count);
  io.accumulator_bits = o.quant.accumulator.bits;
  ImportedTrace imported;
  try {
    imported = import_onnx(io);
  } catch (const ImportError& e) {
    throw EvalError(o.model + ": " + e.what());
  }
  t.yaml = imported.yaml;
  t.layers = imported.layers;
  t.notes = imported.notes;
  if (o.qdq)
    for (std::size_t i = 0; i < net.ops.size(); ++i)
      if (net.ops[i].kind == OpKind::conv && plan.weight_format(i).scheme != Scheme::UniformSymmetric)
        throw EvalError("--qdq: layer '" + net.ops[i].name + "' has " + scheme_name(plan.weight_format(i).scheme) +
                        " weights; a QDQ model's DequantizeLinear holds uniform codes only");
  if (o.qdq && o.quant.binary_activations)
    throw EvalError("--qdq with --scheme binary: ONNX's QuantizeLinear has no sign function; write a trace instead");
  if (o.qdq && o.quant.ternary_activations)
    throw EvalError("--qdq with --scheme ternary: ONNX's QuantizeLinear rounds to the nearest step, not beyond a "
                    "threshold (TWN's delta); write a trace instead");
  if (o.qdq && o.quant.log_activations)
    throw EvalError("--qdq with --scheme power_of_two: ONNX's QuantizeLinear holds uniform codes, not powers of two; "
                    "write a trace instead");
  if (o.qdq && o.quant.codebook_activations)
    throw EvalError("--qdq with --scheme codebook: ONNX's QuantizeLinear holds evenly spaced codes, not a table of "
                    "levels; write a trace instead");
  if (o.qdq && o.quant.float_activations)
    throw EvalError(std::string("--qdq with --scheme ") + scheme_name(*o.quant.float_activations) +
                    ": a QDQ model's QuantizeLinear holds integer codes at a scale, not float values");
  if (o.qdq) t.qdq_model = qdq_model(o.model, net, plan, per_channel);
  return t;
}

}  // namespace qnnsim::numerics
