#pragma once
// Before translation, every node whose outputs follow from constants alone
// is computed and replaced by initializers: Constant, Identity or Cast of a
// constant, ConstantOfShape, and the Shape / Gather / Unsqueeze / Concat /
// Reshape / Slice / arithmetic subgraphs exporters emit to compute shapes.
// Shape reads what ONNX's own shape inference (with data propagation) says of
// its input once the network input's shape is set. What is left is the
// data path the translation turns into layers.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace qnnsim::onnx_import {

struct FoldResult {
  int folded = 0;                 // nodes replaced by initializers
  std::vector<std::string> ops;   // their op types, each once, in the order met
  std::string inference_error;    // why ONNX's shape inference gave up, if it did
};

// Rewrites `model` in place: its nodes put in data order, the network input
// `input` given `dims` (N,C,H,W; nothing set where empty), inferred shapes
// added as value_info where a Shape node needs them, and the constant nodes
// folded. Strides, dilations, kernels and groups are checked first (ONNX's
// inference divides by them). Initializers must
// already have been checked (Graph does).
FoldResult fold_constants(onnx::ModelProto& model, const std::string& input, const std::vector<int64_t>& dims);
// The same for a graph of several inputs: each input named in `dims` is
// given its dims (those left out, or given empty dims, keep the model's).
FoldResult fold_constants(onnx::ModelProto& model, const std::map<std::string, std::vector<int64_t>>& dims);

}  // namespace qnnsim::onnx_import
