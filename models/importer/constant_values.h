#pragma once
// Small constant tensors as the import folds them: the values a shape
// subgraph computes (Shape, Gather, Unsqueeze, Concat, ...), a Cast of a
// weight, a ConstantOfShape. Values are doubles, which hold every int64
// shape value exactly (below 2^53) and every float weight.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace qnnsim::onnx_import {

struct ConstantValue {
  int type = onnx::TensorProto::FLOAT;  // an ONNX TensorProto data type
  std::vector<int64_t> dims;
  std::vector<double> data;  // row-major
};

ConstantValue read_constant(const onnx::TensorProto& t, const std::string& what);  // checks first
// Nothing for a type the folding does not write (strings, complex, bfloat16).
std::optional<onnx::TensorProto> write_constant(const ConstantValue& v, const std::string& name);

// The output of a node whose every input is a constant, for the ops that
// compute shapes and constants; nothing for any other op or a case outside
// what is written here (the node then stays for the translation to judge).
// Throws ImportError when the inputs contradict the op (an index out of
// range, a reshape of the wrong size).
std::optional<ConstantValue> evaluate(const onnx::NodeProto& n, const std::vector<std::optional<ConstantValue>>& in,
                                      int opset);

}  // namespace qnnsim::onnx_import
