#include "importer/onnx_graph.h"

#include <fstream>
#include <utility>

#include "importer/onnx_import.h"
#include "importer/tensor_values.h"

namespace qnnsim::onnx_import {

Graph::Graph(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImportError("cannot open '" + path + "'");
  if (!model_.ParseFromIstream(&in)) throw ImportError("'" + path + "' is not an ONNX model (protobuf parse failed)");
  if (!model_.has_graph()) throw ImportError("'" + path + "' has no graph");
  index_initializers();
}

Graph::Graph(onnx::ModelProto model) : model_(std::move(model)) {
  if (!model_.has_graph()) throw ImportError("the model has no graph");
  index_initializers();
}

// Every initializer is checked here, once, so no later reader can run past
// its bytes or overflow its element count.
void Graph::index_initializers() {
  for (const auto& t : model_.graph().initializer()) {
    check_tensor(t, "initializer '" + t.name() + "'");
    initializers_[t.name()] = &t;
  }
}

onnx::ModelProto Graph::take_model() {
  initializers_.clear();
  return std::move(model_);
}

const onnx::TensorProto* Graph::initializer(const std::string& name) const {
  const auto it = initializers_.find(name);
  return it == initializers_.end() ? nullptr : it->second;
}

std::vector<int64_t> Graph::input_dims(std::string* name) const {
  for (const auto& v : graph().input()) {
    if (initializers_.count(v.name())) continue;  // older exporters list weights as inputs too
    *name = v.name();
    std::vector<int64_t> dims;
    if (v.type().has_tensor_type() && v.type().tensor_type().has_shape())
      for (const auto& d : v.type().tensor_type().shape().dim()) dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    return dims;
  }
  throw ImportError("the graph has no input besides its initializers");
}

std::vector<GraphInput> Graph::inputs() const {
  std::vector<GraphInput> found;
  for (const auto& v : graph().input()) {
    if (initializers_.count(v.name())) continue;  // older exporters list weights as inputs too
    GraphInput in{v.name(), {}, onnx::TensorProto::UNDEFINED};
    if (v.type().has_tensor_type()) {
      in.type = v.type().tensor_type().elem_type();
      if (v.type().tensor_type().has_shape())
        for (const auto& d : v.type().tensor_type().shape().dim()) in.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    }
    found.push_back(in);
  }
  if (found.empty()) throw ImportError("the graph has no input besides its initializers");
  return found;
}

std::string Graph::describe(const onnx::NodeProto& n) {
  return n.op_type() + " node '" + (n.name().empty() ? (n.output_size() ? n.output(0) : "?") : n.name()) + "'";
}

int64_t Graph::int_attr(const onnx::NodeProto& n, const std::string& key, int64_t fallback) {
  for (const auto& a : n.attribute())
    if (a.name() == key) return a.i();
  return fallback;
}

std::vector<int64_t> Graph::ints_attr(const onnx::NodeProto& n, const std::string& key) {
  for (const auto& a : n.attribute())
    if (a.name() == key) return {a.ints().begin(), a.ints().end()};
  return {};
}

}  // namespace qnnsim::onnx_import
