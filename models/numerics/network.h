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
  // pools
  PoolShape pool;
};

struct Network {
  std::string name;  // the model file's stem
  std::vector<TensorShape> shapes;  // per tensor
  std::vector<NetOp> ops;           // in data order
  int input = 0;                    // the image's tensor
  int output = -1;                  // the logits' tensor

  bool is_mac(const NetOp& op) const { return op.kind == OpKind::conv; }
};

// Throws EvalError naming the file, and the node where one is at fault.
Network load_network(const std::string& path);

}  // namespace qnnsim::numerics
