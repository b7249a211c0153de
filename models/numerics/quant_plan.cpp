#include "numerics/quant_plan.h"

#include <algorithm>
#include <set>

#include "numerics/binary_activations.h"
#include "numerics/eval_error.h"
#include "numerics/codebook_activations.h"
#include "numerics/log_activations.h"
#include "numerics/quant_network.h"
#include "numerics/ternary_activations.h"

namespace qnnsim::numerics {

bool passes_codes(OpKind k) {
  return k == OpKind::relu || k == OpKind::maxpool || k == OpKind::avgpool || k == OpKind::flatten;
}

namespace {

// Every layer the options name is one of the network's Conv / Gemm layers.
void check_layer_names(const Network& net, const QuantOptions& o) {
  std::set<std::string> names;
  for (const NetOp& op : net.ops)
    if (op.kind == OpKind::conv) names.insert(op.name);
  std::string known;
  for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
  const auto check = [&](const std::string& option, const std::string& name) {
    if (!names.count(name))
      throw EvalError(option + " " + name + "=...: the network has no Conv, Gemm or MatMul layer '" + name +
                      "' (its layers: " + known + ")");
  };
  for (const auto& entry : o.layer_bits) check("--bits", entry.first);
  for (const auto& entry : o.layer_weight_scheme) check("--weight-scheme", entry.first);
}

LayerBits bits_of(const NetOp& op, const QuantOptions& o) {
  const auto it = o.layer_bits.find(op.name);
  return it == o.layer_bits.end() ? o.bits : it->second;
}

// The activation width the layers reading `tensor` ask of it, through any
// pool, Flatten, Relu or Add; 0 when no layer reads it.
int reader_bits(const Network& net, int tensor, const QuantOptions& o, std::string* reader) {
  int bits = 0;
  for (const NetOp& op : net.ops) {
    if (std::find(op.in.begin(), op.in.end(), tensor) == op.in.end()) continue;
    std::string who;
    int b = 0;
    if (op.kind == OpKind::conv) {
      b = bits_of(op, o).activations;
      who = op.name;
    } else {
      b = reader_bits(net, op.out, o, &who);
    }
    if (b == 0) continue;
    if (bits != 0 && b != bits)
      throw WidthConflict("layers '" + *reader + "' and '" + who + "' read the same tensor at " + std::to_string(bits) +
                      " and " + std::to_string(b) + " activation bits; give them the same width");
    bits = b, *reader = who;
  }
  return bits;
}

// A power-of-two or codebook tensor holds no negative value (log_activations.h,
// codebook_activations.h): the op
// that writes it must end in a fused ReLU, or every op reading it be a Relu.
void check_non_negative(const Network& net, int t, const std::string& scheme, const std::string& why) {
  const NetOp* writer = nullptr;
  bool relu_readers = true, read = false;
  for (const NetOp& op : net.ops) {
    if (op.out == t) writer = &op;
    if (std::find(op.in.begin(), op.in.end(), t) != op.in.end()) read = true, relu_readers &= op.kind == OpKind::relu;
  }
  if (!writer || writer->relu || (read && relu_readers)) return;
  throw EvalError("--scheme " + scheme + ": op '" + writer->name + "' writes a tensor without a ReLU, " + why +
                  ", or uniform activations");
}

// Per tensor: the width it is stored at (0: not stored as codes).
std::vector<int> assign_widths(const Network& net, const QuantOptions& o) {
  check_layer_names(net, o);
  std::vector<int> bits(net.shapes.size(), 0);
  // Tensors written by the image, a layer or an Add are stored as codes; one
  // that no layer reads downstream (the logits' path) stays at the default width.
  std::vector<int> written = {net.input};
  for (const NetOp& op : net.ops)
    if ((op.kind == OpKind::conv || op.kind == OpKind::add) && op.out != net.output) written.push_back(op.out);
  for (const int t : written) {
    std::string reader;
    const int b = reader_bits(net, t, o, &reader);
    bits[t] = b ? b : o.bits.activations;
  }
  return bits;
}

}  // namespace

Scheme weight_scheme_of(const std::string& layer, const QuantOptions& o) {
  const auto it = o.layer_weight_scheme.find(layer);
  return it == o.layer_weight_scheme.end() ? o.weight_scheme : it->second;
}

QuantPlan calibrate_plan(const Network& net, const QuantOptions& o, const Dataset& calibration) {
  QuantPlan plan;
  plan.bits = assign_widths(net, o);
  plan.act.resize(net.shapes.size());
  // Float activations have no range to calibrate: each value is rounded into
  // the format where it is written (quant_network.h).
  std::vector<int> stored, binary, ternary, log, codebook;
  const bool coded = o.binary_activations || o.ternary_activations || o.log_activations || o.codebook_activations;
  for (int t = 0; t < int(plan.bits.size()); ++t) {
    if (!plan.bits[t]) continue;
    FloatFormat f;
    if (coded && t == net.input) {
      // The image stays uniform, at 8 bits, as binary and ternary networks
      // keep their first layer's input (binary_activations.h), and as
      // Miyashita et al. quantize layer outputs (log_activations.h); a
      // codebook's levels are fitted to ReLU outputs, not to pixels.
      plan.bits[t] = kBinaryNetImageBits;
      stored.push_back(t);
    } else if (o.binary_activations) {
      if (plan.bits[t] != 1)
        throw EvalError("--scheme binary: activations of " + std::to_string(plan.bits[t]) +
                        " bits; expected 1 (--bits W/1), a sign code");
      binary.push_back(t);
    } else if (o.ternary_activations) {
      if (plan.bits[t] != 2)
        throw EvalError("--scheme ternary: activations of " + std::to_string(plan.bits[t]) +
                        " bits; expected 2 (--bits W/2), a code -1, 0 or +1");
      ternary.push_back(t);
    } else if (o.log_activations) {
      if (const std::string why = log_width_problem(plan.bits[t]); !why.empty())
        throw EvalError("--scheme power_of_two: " + why + " (--bits W/A)");
      check_non_negative(net, t, "power_of_two",
                         "whose negative values a power-of-two code (0 or 2^e, no sign) cannot hold; expected a ReLU "
                         "after it (Miyashita et al. quantize ReLU outputs)");
      log.push_back(t);
    } else if (o.codebook_activations) {
      if (const std::string why = codebook_activation_problem(plan.bits[t], o.activation_entry_bits); !why.empty())
        throw EvalError("--scheme codebook: " + why + " (--bits W/A)");
      check_non_negative(net, t, "codebook",
                         "whose negative values a table of unsigned entries cannot hold; expected a ReLU after it "
                         "(LQ-Nets' learned levels quantize ReLU outputs)");
      codebook.push_back(t);
    } else if (!o.float_activations) stored.push_back(t);
    else if (float_format_of(*o.float_activations, plan.bits[t], &f)) plan.act[t].bits = plan.bits[t], plan.act[t].format = f;
    else
      throw EvalError(std::string("--scheme ") + scheme_name(*o.float_activations) + ": activations of " +
                      std::to_string(plan.bits[t]) + " bits; expected " +
                      (*o.float_activations == Scheme::Float ? "8 (fp8 e4m3), 16 (fp16) or 32 (fp32)" : "8"));
  }
  const std::vector<TensorSamples> samples =
      stored.empty() ? std::vector<TensorSamples>{} : observe(net, calibration, stored, o.calibration.images);
  for (std::size_t i = 0; i < stored.size(); ++i)
    plan.act[stored[i]] = choose_quant(samples[i], o.calibration, plan.bits[stored[i]], o.symmetric_activations);
  const std::vector<double> alpha = binary_scales(net, calibration, binary, o.calibration.images);
  for (std::size_t i = 0; i < binary.size(); ++i) plan.act[binary[i]] = binary_act(alpha[i]);
  const std::vector<TernaryParams> twn = ternary_params(net, calibration, ternary, o.calibration.images);
  for (std::size_t i = 0; i < ternary.size(); ++i) plan.act[ternary[i]] = ternary_act(twn[i]);
  // Log tensors are observed as stored, after their ReLU; the range's top sets the full scale.
  const std::vector<TensorSamples> log_samples =
      log.empty() ? std::vector<TensorSamples>{} : observe(net, calibration, log, o.calibration.images);
  for (std::size_t i = 0; i < log.size(); ++i) {
    const int b = plan.bits[log[i]];
    plan.act[log[i]] = choose_quant(log_samples[i], o.calibration, [b](double, double hi) { return log_act_for_range(hi, b); });
  }
  // Codebook tensors too, their tables clustered from the samples.
  const std::vector<TensorSamples> codebook_samples =
      codebook.empty() ? std::vector<TensorSamples>{} : observe(net, calibration, codebook, o.calibration.images);
  for (std::size_t i = 0; i < codebook.size(); ++i)
    plan.act[codebook[i]] =
        calibrate_codebook(codebook_samples[i], o.calibration, plan.bits[codebook[i]], o.activation_entry_bits);
  // A pass-through op's output keeps its input's scale, in data order.
  for (const NetOp& op : net.ops)
    if (passes_codes(op.kind)) plan.act[op.out] = plan.act[op.in[0]], plan.bits[op.out] = plan.bits[op.in[0]];
  plan.layer_bits.resize(net.ops.size());
  plan.weight_scales.resize(net.ops.size());
  plan.weight_formats.resize(net.ops.size());
  for (std::size_t i = 0; i < net.ops.size(); ++i) {
    const NetOp& op = net.ops[i];
    if (op.kind != OpKind::conv) continue;
    plan.layer_bits[i] = bits_of(op, o);
    // A layer reading the (uniform) image under --scheme binary, ternary,
    // power_of_two or codebook reads it at the image's width.
    const ActQuant& in = plan.act[op.in[0]];
    if (coded && !in.binary && !in.ternary && !in.log && !in.codebook() && in.bits != plan.layer_bits[i].activations)
      plan.layer_bits[i].activations = plan.act[op.in[0]].bits;
    const Scheme scheme = weight_scheme_of(op.name, o);
    // A float tensor has one format and no scale, so no channels to tell apart.
    const WeightFormat f{scheme, o.per_channel_weights && scheme != Scheme::Float && scheme != Scheme::FloatE5M2};
    if (const std::string why = weight_scheme_problem(f.scheme, plan.layer_bits[i].weights); !why.empty())
      throw EvalError("layer '" + op.name + "': " + why);
    plan.weight_formats[i] = f;
    if (f.scheme == Scheme::UniformSymmetric)
      plan.weight_scales[i] = weight_scales(op.weight, plan.layer_bits[i].weights, o.per_channel_weights);
  }
  // Scales as 32-bit floats, the type ONNX's QuantizeLinear / DequantizeLinear
  // hold them in: a trace, a QDQ model (`quantize --qdq`) and this run then
  // carry one and the same number.
  for (ActQuant& a : plan.act) a.scale = double(float(a.scale)), a.threshold = double(float(a.threshold));
  for (std::vector<double>& s : plan.weight_scales)
    for (double& v : s) v = double(float(v));
  return plan;
}

}  // namespace qnnsim::numerics
