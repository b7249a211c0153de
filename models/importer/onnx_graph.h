#pragma once
// Reading an ONNX model: the protobuf, its initializers (each checked against
// its dims), node attributes, and the network input's shape.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace qnnsim::onnx_import {

// A graph input: its name, dims (-1 where unknown) and element type
// (onnx::TensorProto::DataType; UNDEFINED where it declares none).
struct GraphInput {
  std::string name;
  std::vector<int64_t> dims;
  int type = 0;
};

class Graph {
 public:
  explicit Graph(const std::string& path);  // throws ImportError
  explicit Graph(onnx::ModelProto model);    // a model already in memory; throws ImportError

  const onnx::ModelProto& model() const { return model_; }
  // Hands the model over (to be rewritten and wrapped in a new Graph); this Graph is empty after.
  onnx::ModelProto take_model();
  const onnx::GraphProto& graph() const { return model_.graph(); }
  const onnx::TensorProto* initializer(const std::string& name) const;
  // The dims of the first graph input that is not an initializer; -1 where unknown.
  std::vector<int64_t> input_dims(std::string* name) const;
  // Every graph input that is not an initializer, in the graph's order (a
  // Hugging Face BERT export has three: input_ids, token_type_ids and
  // attention_mask); throws if there is none.
  std::vector<GraphInput> inputs() const;

  // "<op> node '<name>'" for messages.
  static std::string describe(const onnx::NodeProto& n);
  static int64_t int_attr(const onnx::NodeProto& n, const std::string& key, int64_t fallback);
  static std::vector<int64_t> ints_attr(const onnx::NodeProto& n, const std::string& key);

 private:
  void index_initializers();

  onnx::ModelProto model_;
  std::map<std::string, const onnx::TensorProto*> initializers_;
};

}  // namespace qnnsim::onnx_import
