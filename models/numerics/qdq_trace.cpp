#include "numerics/qdq_trace.h"

#include "numerics/qdq_plan.h"
#include "numerics/trace_fields.h"

namespace qnnsim::numerics {

GivenQuantization qdq_quantization(const std::string& model) {
  const Network net = load_network(model);
  const QdqPlan q = qdq_plan(net, model);
  GivenQuantization g;
  g.layer_precision = trace_layer_fields(net, q.trace.plan, q.per_channel);
  g.note = "# Quantization from the model's QuantizeLinear / DequantizeLinear nodes (QDQ), read by\n"
           "# `qnnsim import`: widths, scales and zero points as the nodes give them.\n"
           "# real = scale * (code - zero_point). The last layer's outputs (the logits) are real values.\n"
           "# `qnnsim eval MODEL.onnx` scores this quantization; run, map and sweep price it.\n";
  return g;
}

}  // namespace qnnsim::numerics
