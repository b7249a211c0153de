#include "importer/onnx_graph.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "importer/onnx_import.h"

namespace qnnsim::onnx_import {

Graph::Graph(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImportError("cannot open '" + path + "'");
  if (!model_.ParseFromIstream(&in)) throw ImportError("'" + path + "' is not an ONNX model (protobuf parse failed)");
  if (!model_.has_graph()) throw ImportError("'" + path + "' has no graph");
  for (const auto& t : model_.graph().initializer()) initializers_[t.name()] = &t;
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

WeightStats Graph::stats(const onnx::TensorProto& t) {
  std::vector<float> v;
  if (t.data_type() == onnx::TensorProto::FLOAT) {
    if (t.float_data_size() > 0) {
      v.assign(t.float_data().begin(), t.float_data().end());
    } else {
      v.resize(t.raw_data().size() / sizeof(float));
      std::memcpy(v.data(), t.raw_data().data(), v.size() * sizeof(float));  // ONNX raw data is little-endian
    }
  }
  WeightStats s;
  s.count = 1;
  for (int64_t d : t.dims()) s.count *= d;
  if (v.empty()) return s;  // not float data: only the count is known
  int64_t nonzero = 0;
  s.min = s.max = v.front();
  for (float x : v) {
    nonzero += x != 0.0f;
    s.min = std::min(s.min, static_cast<double>(x));
    s.max = std::max(s.max, static_cast<double>(x));
  }
  s.density = static_cast<double>(nonzero) / static_cast<double>(v.size());
  return s;
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
