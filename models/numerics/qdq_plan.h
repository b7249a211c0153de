#pragma once
// The quantization a QDQ model's own nodes give (network.h reads them):
// `qnnsim eval QDQ.onnx` runs it instead of calibrating, and `qnnsim import`
// writes it into the trace. A scale given on either side of an op that keeps
// its input's codes (a pool, Flatten, Relu) holds on the other side too
// (PyTorch and onnxruntime put the pair after a pool or a Flatten, `qnnsim
// quantize --qdq` after the layer that writes the tensor); two different
// scales across such an op cannot run, for nothing requantizes there. The
// logits stay real values, as in every quantized run (quant_network.h):
// a pair on them is not read.
#include <vector>

#include "numerics/network.h"
#include "numerics/trace_plan.h"

namespace qnnsim::numerics {

struct QdqPlan {
  TracePlan trace;               // the accumulator is left at 32 bits: a QDQ model does not say
  std::vector<bool> per_channel;  // per op: whether its weights have a scale per output channel
};

// An EvalError naming the file and the node where a layer's weights or a
// tensor a layer reads have no QuantizeLinear / DequantizeLinear.
QdqPlan qdq_plan(const Network& net, const std::string& path);

}  // namespace qnnsim::numerics
