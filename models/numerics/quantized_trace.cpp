#include "numerics/quantized_trace.h"

#include <chrono>
#include <map>

#include <fmt/format.h>

#include "importer/onnx_import.h"
#include "numerics/eval_error.h"
#include "workload/precision.h"

namespace qnnsim::numerics {

namespace {

TensorPrecision activation_precision(const ActQuant& a) {
  TensorPrecision p;
  p.bits = a.bits;
  p.scheme = a.symmetric ? Scheme::UniformSymmetric : Scheme::UniformAsymmetric;
  p.scale = {a.scale};
  if (!a.symmetric) p.zero_point = a.zero;
  return p;
}

// The width of a tensor without its scale (an add's two inputs have a scale each).
TensorPrecision width_only(const ActQuant& a) {
  TensorPrecision p = activation_precision(a);
  p.scale.clear();
  p.zero_point.reset();
  return p;
}

// Per layer name, the trace fields of its calibrated tensors.
std::map<std::string, std::string> layer_fields(const Network& net, const QuantPlan& plan, bool per_channel) {
  std::map<std::string, std::string> fields;
  for (std::size_t i = 0; i < net.ops.size(); ++i) {
    const NetOp& op = net.ops[i];
    if (op.kind == OpKind::relu || op.kind == OpKind::flatten) continue;  // no layer of their own in the trace
    std::string f;
    if (op.kind == OpKind::conv) {
      TensorPrecision w;
      w.bits = plan.layer_bits[i].weights;
      w.scheme = Scheme::UniformSymmetric;
      w.granularity = per_channel ? Granularity::PerChannel : Granularity::PerTensor;
      w.scale = per_channel ? plan.weight_scales[i] : std::vector<double>{plan.weight_scales[i].at(0)};
      f += ", weights: " + tensor_precision_yaml(w);
    }
    const ActQuant& in = plan.act[op.in[0]];
    f += ", inputs: " + tensor_precision_yaml(op.kind == OpKind::add ? width_only(in) : activation_precision(in));
    // The logits leave the output stage as real values: no scale, the default width.
    if (op.out != net.output) f += ", outputs: " + tensor_precision_yaml(activation_precision(plan.act[op.out]));
    fields[op.name] = f;
  }
  return fields;
}

std::string header(const QuantizeOptions& o, const std::string& data_folder, int64_t images) {
  const QuantOptions& q = o.quant;
  std::string method = range_method_name(q.calibration.method);
  if (q.calibration.method == RangeMethod::percentile) method += fmt::format(" {:g}", q.calibration.percentile);
  std::string h = "# Post-training quantization by `qnnsim quantize`: activation ranges " + method + " on the\n";
  h += fmt::format("# first {} training images of {} ({}); {} activations;\n", images, o.data, data_folder,
                   q.symmetric_activations ? "symmetric" : "asymmetric");
  h += fmt::format("# symmetric weights, a scale {}. real = scale * (code - zero_point).\n",
                   q.per_channel_weights ? "per output channel" : "per tensor");
  h += "# The last layer's outputs (the logits) leave its output stage as real values: no scale.\n";
  h += "# `qnnsim eval MODEL --trace THIS_FILE` scores this quantization; run, map and sweep price it.\n";
  return h;
}

}  // namespace

void check_quant_options(const QuantOptions& q) {
  const auto check = [](const std::string& what, const LayerBits& b) {
    if (b.weights < 2 || b.weights > 16)
      throw EvalError(what + ": weight bits " + std::to_string(b.weights) + ", expected 2 to 16 (symmetric codes need 2)");
    if (b.activations < 2 || b.activations > 16)
      throw EvalError(what + ": activation bits " + std::to_string(b.activations) + ", expected 2 to 16");
  };
  check("--bits", q.bits);
  for (const auto& [name, b] : q.layer_bits) check("--bits " + name, b);
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
  io.layer_precision = layer_fields(net, plan, o.quant.per_channel_weights);
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
  return t;
}

}  // namespace qnnsim::numerics
