#include "numerics/qdq_plan.h"

#include <fmt/format.h>

#include "numerics/eval_error.h"
#include "numerics/quant_params.h"

namespace qnnsim::numerics {

QdqPlan qdq_plan(const Network& net, const std::string& path) {
  std::vector<std::optional<GivenActivation>> given(net.shapes.size());
  for (const auto& [t, a] : net.given)
    if (t != net.output) given[std::size_t(t)] = a;
  // Across ops that keep their input's codes, both ways, until nothing changes.
  for (bool changed = true; changed;) {
    changed = false;
    for (const NetOp& op : net.ops) {
      if (!passes_codes(op.kind)) continue;
      auto& in = given[std::size_t(op.in[0])];
      auto& out = given[std::size_t(op.out)];
      if (op.out == net.output) continue;
      if (in && out && !in->same_as(*out))
        throw EvalError(fmt::format("{}: {} reads codes of scale {} (zero point {}, {} bits, {}) and writes codes of "
                                    "scale {} (zero point {}, {} bits, {}); nothing requantizes there, so both sides "
                                    "must be quantized alike",
                                    path, op.onnx, in->scale, in->zero, in->bits, in->node, out->scale, out->zero,
                                    out->bits, out->node));
      if (in && !out) out = in, changed = true;
      if (out && !in) in = out, changed = true;
    }
  }
  QdqPlan q;
  QuantPlan& plan = q.trace.plan;
  plan.bits.assign(net.shapes.size(), 0);
  plan.act.resize(net.shapes.size());
  plan.layer_bits.resize(net.ops.size());
  plan.weight_scales.resize(net.ops.size());
  q.per_channel.assign(net.ops.size(), false);
  for (std::size_t t = 0; t < given.size(); ++t)
    if (given[t]) {
      plan.act[t] = act_quant_given(given[t]->scale, given[t]->zero, given[t]->bits, given[t]->symmetric);
      plan.bits[t] = given[t]->bits;
    }
  bool first = true;
  for (std::size_t i = 0; i < net.ops.size(); ++i) {
    const NetOp& op = net.ops[i];
    for (const int t : op.in)
      if (!given[std::size_t(t)])
        throw EvalError(fmt::format("{}: no QuantizeLinear -> DequantizeLinear gives the scale of '{}', which {} "
                                    "reads; a QDQ model is read only whole",
                                    path, net.tensor_names[std::size_t(t)], op.onnx));
    if (op.kind != OpKind::conv) continue;
    if (!op.given_weights)
      throw EvalError(fmt::format("{}: {}: its weights '{}' pass through no DequantizeLinear; a QDQ model is read "
                                  "only whole",
                                  path, op.onnx, op.weight_initializer));
    plan.layer_bits[i] = {op.given_weights->bits, given[std::size_t(op.in[0])]->bits};
    plan.weight_scales[i] = op.given_weights->scales;
    q.per_channel[i] = op.given_weights->per_channel;
    if (first) q.trace.per_channel_weights = q.per_channel[i], first = false;
  }
  q.trace.symmetric_activations = plan.act[std::size_t(net.input)].symmetric;
  return q;
}

}  // namespace qnnsim::numerics
