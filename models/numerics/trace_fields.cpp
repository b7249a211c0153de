#include "numerics/trace_fields.h"

#include "workload/precision.h"

namespace qnnsim::numerics {

namespace {

TensorPrecision activation_precision(const ActQuant& a) {
  TensorPrecision p;
  p.bits = a.bits;
  if (a.format) {  // a float tensor: its format, no scale
    p.scheme = *a.format == fp8_e5m2() ? Scheme::FloatE5M2 : Scheme::Float;
    return p;
  }
  if (a.binary) {  // sign codes and alpha (binary_activations.h); no zero point
    p.scheme = Scheme::Binary;
    p.scale = {a.scale};
    return p;
  }
  if (a.ternary) {  // codes -1 / 0 / +1: alpha and TWN's delta (ternary_activations.h)
    p.scheme = Scheme::Ternary;
    p.scale = {a.scale};
    p.threshold = a.threshold;
    return p;
  }
  if (a.log) {  // 0 or 2^e: the scale 2^e_min fixes the exponents (log_activations.h)
    p.scheme = Scheme::PowerOfTwo;
    p.scale = {a.scale};
    return p;
  }
  if (a.codebook()) {  // the table's entries at their scale (codebook_activations.h)
    p.scheme = Scheme::Codebook;
    p.scale = {a.scale};
    p.entries.assign(a.entries.begin(), a.entries.end());
    return p;
  }
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
  p.threshold.reset();
  p.entries.clear();
  return p;
}

}  // namespace

std::map<std::string, std::string> trace_layer_fields(const Network& net, const QuantPlan& plan,
                                                      const std::vector<bool>& per_channel_of) {
  std::map<std::string, std::string> fields;
  for (std::size_t i = 0; i < net.ops.size(); ++i) {
    const NetOp& op = net.ops[i];
    if (op.kind == OpKind::relu || op.kind == OpKind::flatten) continue;  // no layer of their own in the trace
    std::string f;
    if (op.kind == OpKind::conv) {
      const bool per_channel = per_channel_of[i];
      TensorPrecision w;
      w.bits = plan.layer_bits[i].weights;
      w.scheme = plan.weight_format(i).scheme;
      w.granularity = plan.weight_format(i).per_channel && per_channel ? Granularity::PerChannel : Granularity::PerTensor;
      // The other schemes' scales are taken from the weights where they run (weight_schemes.h).
      if (w.scheme == Scheme::UniformSymmetric)
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

}  // namespace qnnsim::numerics
