#include "cli/quantize_command.h"

#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "cli/output_files.h"
#include "core/config_error.h"
#include "core/config_node.h"
#include "core/output_file.h"
#include "numerics/eval_error.h"
#include "numerics/quantized_trace.h"
#include "workload/workload.h"

namespace qnnsim::cli {

namespace {
constexpr int kExitBadInput = 2;
}  // namespace

CLI::App* add_quantize_command(CLI::App& app, QuantizeArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "quantize", "Post-training quantization: calibrate an ONNX model's activation ranges on a data set and write a "
                  "workload trace carrying the widths, scales and zero points");
  cmd->add_option("MODEL", a.model, "the ONNX model, or a shipped name (workloads/models/NAME.onnx)")->required();
  writes_file(cmd->add_option("-o,--output", a.out, "where to write the quantized trace YAML"))->required();
  cmd->add_option("--data", a.data,
                  "the calibration images: fashion-mnist (Debian's dataset-fashion-mnist), or a folder of "
                  "MNIST-layout idx files; the training split is read");
  cmd->add_option("--qdq", a.qdq,
                  "also write the model as ONNX QDQ (QuantizeLinear / DequantizeLinear pairs at the calibrated "
                  "scales and zero points; 8 bits or fewer) to this .onnx file");
  add_quant_options(cmd, a.quant);
  cmd->add_flag("--quiet", a.quiet, "print nothing on success");
  return cmd;
}

int run_quantize(const QuantizeArgs& a) {
  OutputFile out(a.out);  // an unwritable path fails before the calibration
  std::optional<OutputFile> qdq_out;
  if (!a.qdq.empty()) qdq_out.emplace(a.qdq);
  numerics::QuantizeOptions o;
  numerics::QuantizedTrace t;
  try {
    o.model = resolve_model(a.model);
    o.data = a.data;
    o.qdq = qdq_out.has_value();
    apply_quant_args(a.quant, o.quant);
    t = numerics::quantize_to_trace(o);
  } catch (const numerics::EvalError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  // The trace must load as any other does, scales and all.
  Workload w;
  try {
    w = load_workload(ConfigNode::load_string(t.yaml, a.out));
  } catch (const ConfigError& e) {
    std::cerr << "error: " << o.model << ": the quantized trace does not hold together: " << e.message()
              << " (at key '" << e.key_path() << "')\n";
    return kExitBadInput;
  }
  // Both written before either replaces anything: a failed second write leaves neither.
  out.write(t.yaml);
  if (qdq_out) qdq_out->write(t.qdq_model);
  out.place();
  if (qdq_out) qdq_out->place();
  if (a.quiet) return 0;
  const numerics::QuantOptions& q = o.quant;
  std::cout << fmt::format("quantized {} into {}: {} layers, ranges {} on {} training images ({:.2f} s)\n", t.network,
                           a.out, t.layers, numerics::range_method_name(q.calibration.method), t.calibration_images,
                           t.calibration_s);
  for (const Layer& l : w.layers) {
    const TensorPrecision& wp = l.precision.weights;
    const TensorPrecision& in = l.precision.inputs;
    if (!layer_uses_array(l.type)) continue;
    const std::string weights = wp.scheme == Scheme::UniformSymmetric
                                    ? fmt::format("{} weight scale{}", wp.scale.size(), wp.scale.size() == 1 ? "" : "s")
                                    : fmt::format("{} weights", scheme_name(wp.scheme));
    if (in.scheme == Scheme::Float || in.scheme == Scheme::FloatE5M2) {  // values of a format: no scale
      std::cout << fmt::format("  {:<28} W/A {}/{}   {} inputs; {}\n", l.name, wp.bits, in.bits, scheme_name(in.scheme),
                               weights);
      continue;
    }
    if (in.scheme == Scheme::Codebook) {  // a table of entries at one scale
      std::cout << fmt::format("  {:<28} W/A {}/{}   codebook inputs, {} entries of up to {} at scale {:.6g}; {}\n",
                               l.name, wp.bits, in.bits, in.entries.size(), in.entries.back(), in.scale[0], weights);
      continue;
    }
    std::cout << fmt::format("  {:<28} W/A {}/{}   input scale {:.6g}, zero point {}; {}\n", l.name, wp.bits, in.bits,
                             in.scale.empty() ? 0.0 : in.scale[0], in.zero_point.value_or(0), weights);
  }
  if (qdq_out) std::cout << "wrote the QDQ model " << a.qdq << " (`qnnsim eval " << a.qdq << "` scores it)\n";
  for (const std::string& n : t.notes) std::cout << "note: " << n << "\n";
  return 0;
}

}  // namespace qnnsim::cli
