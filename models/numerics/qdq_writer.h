#pragma once
// `qnnsim quantize --qdq OUT.onnx`: the float model with the calibrated
// quantization written into it as ONNX QDQ, the form onnxruntime's and
// PyTorch's tooling exchange quantized models in.
//
// - Each tensor the quantized path stores as codes (the image, each layer's
//   and each Add's output, after a fused Relu) passes QuantizeLinear then
//   DequantizeLinear at its scale and zero point: uint8 codes for asymmetric
//   activations, int8 with zero point 0 for symmetric ones.
// - Each layer's weights become int8 codes (an initializer) through
//   DequantizeLinear, with a scale per output channel (`axis`) or one scale.
// - Widths below 8 bits live in the 8-bit types with a narrower range: an
//   activation's codes are narrowed by a Clip before its QuantizeLinear to
//   the real range of its 2^b codes (so any ONNX runtime computes the same
//   values), and a weight's codes are already within -(2^(b-1) - 1) ..
//   2^(b-1) - 1; the weight's width is stated in the model's metadata_props
//   as "qnnsim.weight_bits.<codes initializer>". Symmetric codes are
//   -(2^(b-1) - 1) .. 2^(b-1) - 1, so a symmetric activation is clipped even
//   at 8 bits (int8's -128 is not one of its codes).
// - Opset 13 to 17's QuantizeLinear holds 8-bit codes only: a width above 8
//   bits is an EvalError, as is a model below opset 13 (per-channel axes).
//
// Reading the file back (qdq_nodes.h) gives the same widths, scales and zero
// points, so `qnnsim eval OUT.onnx` scores the quantization the trace carries.
#include <string>
#include <vector>

#include "numerics/network.h"
#include "numerics/quant_plan.h"

namespace qnnsim::numerics {

// The serialized model. `path` is the model `net` was loaded from;
// per_channel says, per op, whether its weights have a scale per channel.
std::string qdq_model(const std::string& path, const Network& net, const QuantPlan& plan,
                      const std::vector<bool>& per_channel);

}  // namespace qnnsim::numerics
