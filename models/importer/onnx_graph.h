#pragma once
// Reading an ONNX model: the protobuf, its initializers (with weight
// statistics), node attributes, and the network input's shape.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace qnnsim::onnx_import {

// Values of a weight initializer: how many, the fraction not zero, the range.
struct WeightStats {
  int64_t count = 0;
  double density = 1, min = 0, max = 0;
};

class Graph {
 public:
  explicit Graph(const std::string& path);  // throws ImportError

  const onnx::GraphProto& graph() const { return model_.graph(); }
  const onnx::TensorProto* initializer(const std::string& name) const;
  // The dims of the graph input that is not an initializer; -1 where unknown.
  std::vector<int64_t> input_dims(std::string* name) const;

  static WeightStats stats(const onnx::TensorProto& t);
  // "<op> node '<name>'" for messages.
  static std::string describe(const onnx::NodeProto& n);
  static int64_t int_attr(const onnx::NodeProto& n, const std::string& key, int64_t fallback);
  static std::vector<int64_t> ints_attr(const onnx::NodeProto& n, const std::string& key);

 private:
  onnx::ModelProto model_;
  std::map<std::string, const onnx::TensorProto*> initializers_;
};

}  // namespace qnnsim::onnx_import
