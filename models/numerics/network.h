#pragma once
// A network as functional evaluation runs it: the ops of an ONNX model in data
// order, each reading and writing numbered tensors of one image (C x H x W,
// row-major), with the real weights. Read through the importer's Graph (every
// initializer checked) after its constant folding, so a Reshape whose shape an
// exporter computes arrives with that shape as a constant.
//
// Supported: Conv (groups 1, dilation 1), Gemm and MatMul with constant
// weights, Relu, MaxPool, AveragePool, GlobalAveragePool, Flatten, a
// flattening Reshape, Add of two activations, and Identity / Dropout (which
// pass their input on). Anything else is an EvalError naming the node.
//
// A QDQ model (QuantizeLinear -> DequantizeLinear on activations, integer or
// quantized weights through DequantizeLinear) is read too: the pairs pass the
// values on, and what they say (widths, scales, zero points) is kept beside
// the tensor and the layer (qdq_nodes.h); qdq_plan.h turns it into the
// quantization `qnnsim eval` runs.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "numerics/conv_shape.h"

namespace qnnsim::numerics {

struct TensorShape {
  int C = 1, H = 1, W = 1;
  int size() const { return C * H * W; }
};

enum class OpKind { conv, relu, maxpool, avgpool, add, flatten };

struct PoolShape {
  int kh = 1, kw = 1, stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool count_include_pad = false;  // AveragePool: divide by the whole window, padding included
};

// What a QDQ model's nodes say of an activation tensor: stored as codes of
// `bits`, real = scale * (code - zero), codes 0 .. 2^bits - 1 (asymmetric) or
// -(2^(bits-1) - 1) .. 2^(bits-1) - 1 (symmetric, zero 0), as quant_params.h.
struct GivenActivation {
  int bits = 8;
  bool symmetric = false;
  double scale = 1;
  int32_t zero = 0;
  std::string node;  // the QuantizeLinear that says so, for messages

  bool same_as(const GivenActivation& o) const {
    return bits == o.bits && symmetric == o.symmetric && scale == o.scale && zero == o.zero;
  }
};

// What a QDQ model's nodes say of a layer's weights: symmetric codes of
// `bits`, one scale per output channel (all equal where per tensor).
struct GivenWeights {
  int bits = 8;
  std::vector<double> scales;  // M
  bool per_channel = false;
  std::string node;  // the DequantizeLinear that says so
};

struct NetOp {
  OpKind kind = OpKind::conv;
  std::string name;   // letters, digits and '_', as `qnnsim import` names the layer
  std::string onnx;   // "<op> node '<name>'" for messages
  std::vector<int> in;
  int out = -1;
  // conv: a Conv, Gemm or MatMul (the last two are 1x1 convolutions of a 1x1 image)
  ConvShape conv;
  Eigen::MatrixXf weight;  // M x K
  Eigen::VectorXf bias;    // M (zeros without one)
  bool relu = false;       // a Relu that only this op feeds, applied to its output
  std::string weight_initializer;  // the ONNX weight tensor (after folding), for writing QDQ
  int weight_axis = 0;             // its axis of output channels: 0, or 1 for MatMul / Gemm without transB
  std::optional<GivenWeights> given_weights;  // a QDQ model's
  // pools
  PoolShape pool;
};

struct Network {
  std::string name;  // the model file's stem
  std::vector<TensorShape> shapes;  // per tensor
  std::vector<NetOp> ops;           // in data order
  int input = 0;                    // the image's tensor
  int output = -1;                  // the logits' tensor
  std::vector<std::string> tensor_names;   // per tensor: the ONNX name of the value it holds
  std::map<int, GivenActivation> given;    // per tensor, where a QDQ model's nodes quantize it

  // Whether the model's QuantizeLinear / DequantizeLinear nodes give its quantization.
  bool qdq() const {
    if (!given.empty()) return true;
    for (const NetOp& op : ops)
      if (op.given_weights) return true;
    return false;
  }

  bool is_mac(const NetOp& op) const { return op.kind == OpKind::conv; }
};

// Throws EvalError naming the file, and the node where one is at fault.
Network load_network(const std::string& path);

}  // namespace qnnsim::numerics
