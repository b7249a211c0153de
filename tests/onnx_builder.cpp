#include "onnx_builder.h"

#include <fstream>

namespace qnnsim::test {

OnnxBuilder::OnnxBuilder(const std::string& graph_name, const std::string& input, const std::vector<int64_t>& dims) {
  model_.set_ir_version(8);
  model_.add_opset_import()->set_version(13);
  model_.mutable_graph()->set_name(graph_name);
  this->input(input, dims);
}

void OnnxBuilder::input(const std::string& name, const std::vector<int64_t>& dims, onnx::TensorProto::DataType type) {
  onnx::ValueInfoProto* in = nullptr;
  for (auto& v : *model_.mutable_graph()->mutable_input())
    if (v.name() == name) in = &v;
  if (!in) in = model_.mutable_graph()->add_input();
  in->set_name(name);
  auto* t = in->mutable_type()->mutable_tensor_type();
  t->set_elem_type(type);
  t->mutable_shape()->clear_dim();
  for (int64_t d : dims) {
    auto* dim = t->mutable_shape()->add_dim();
    if (d > 0) dim->set_dim_value(d);
    else dim->set_dim_param("N");
  }
}

void OnnxBuilder::weights(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values) {
  onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  int64_t count = 1;
  for (int64_t d : dims) {
    t->add_dims(d);
    count *= d;
  }
  for (int64_t i = 0; i < count; ++i) t->add_float_data(values[static_cast<std::size_t>(i) % values.size()]);
}

void OnnxBuilder::integers(const std::string& name, onnx::TensorProto::DataType type, const std::vector<int64_t>& dims,
                           const std::vector<int32_t>& values) {
  onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  int64_t count = 1;
  for (int64_t d : dims) {
    t->add_dims(d);
    count *= d;
  }
  // ONNX stores 8- and 16-bit integers in int32_data.
  for (int64_t i = 0; i < count; ++i) t->add_int32_data(values[static_cast<std::size_t>(i) % values.size()]);
}

void OnnxBuilder::raw(const std::string& name, onnx::TensorProto::DataType type, const std::vector<int64_t>& dims,
                      const std::string& bytes) {
  onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(bytes);
}

onnx::NodeProto& OnnxBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                                   const std::string& output, const std::string& name) {
  onnx::NodeProto* n = model_.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  n->add_output(output);
  return *n;
}

void OnnxBuilder::ints(onnx::NodeProto& n, const std::string& key, const std::vector<int64_t>& values) {
  onnx::AttributeProto* a = n.add_attribute();
  a->set_name(key);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void OnnxBuilder::integer(onnx::NodeProto& n, const std::string& key, int64_t value) {
  onnx::AttributeProto* a = n.add_attribute();
  a->set_name(key);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void OnnxBuilder::text(onnx::NodeProto& n, const std::string& key, const std::string& value) {
  onnx::AttributeProto* a = n.add_attribute();
  a->set_name(key);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

void OnnxBuilder::output(const std::string& name) {
  onnx::ValueInfoProto* out = model_.mutable_graph()->add_output();
  out->set_name(name);
  out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
}

void OnnxBuilder::save(const std::string& path) const {
  std::ofstream out(path, std::ios::binary);
  model_.SerializeToOstream(&out);
}

void OnnxBuilder::int64_constant(const std::string& out, const std::vector<int64_t>& dims,
                                 const std::vector<int64_t>& values) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t.add_dims(d);
  for (int64_t v : values) t.add_int64_data(v);
  auto* a = node("Constant", {}, out, "const_" + out).add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  *a->mutable_t() = t;
}

}  // namespace qnnsim::test
