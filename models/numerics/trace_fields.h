#pragma once
// A quantization written into a trace: per layer name, the fields after the
// layer's shape (", weights: {...}, inputs: {...}, outputs: {...}") with the
// widths, scales and zero points of its tensors, as ImportOptions::layer_precision
// takes them. `qnnsim quantize` writes its calibration so, and `qnnsim import`
// the quantization a QDQ model's nodes give.
#include <map>
#include <string>
#include <vector>

#include "numerics/network.h"
#include "numerics/quant_plan.h"

namespace qnnsim::numerics {

// per_channel: per op, whether its weights carry a scale per output channel.
// An Add's inputs carry their widths only (each input has a scale of its own);
// the logits carry none (they leave the last layer as real values).
std::map<std::string, std::string> trace_layer_fields(const Network& net, const QuantPlan& plan,
                                                      const std::vector<bool>& per_channel);

}  // namespace qnnsim::numerics
