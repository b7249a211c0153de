// The translation's tensors, its dispatch on op types, and the widths chained
// through the layers at the end.
#include "importer/translator.h"

#include <algorithm>

#include <fmt/format.h>

#include "importer/graph_order.h"
#include "importer/tensor_values.h"

namespace qnnsim::onnx_import {

namespace {

// The element type of the graph input `name` (UNDEFINED if it declares none).
int element_type(const onnx::GraphProto& g, const std::string& name) {
  for (const auto& v : g.input())
    if (v.name() == name && v.type().has_tensor_type()) return v.type().tensor_type().elem_type();
  return onnx::TensorProto::UNDEFINED;
}

}  // namespace

ImportedTrace Translator::run() {
  for (const onnx::NodeProto* n : onnx_import::topological_order(g_.graph())) node(*n);
  if (records_.empty()) throw ImportError("the graph has no Conv, Gemm, MatMul, pooling or Add node to simulate");
  chain_widths();
  ImportedTrace t;
  t.layers = static_cast<int>(records_.size());
  t.yaml = yaml();
  t.notes = notes_;
  t.qdq = qdq_;
  return t;
}

void Translator::read_input(const ImportOptions& o) {
  const std::vector<GraphInput> inputs = g_.inputs();
  if (inputs.size() > 1) return read_token_inputs(o, inputs);
  const std::string name = inputs[0].name;
  const std::vector<int64_t>& declared = inputs[0].dims;
  std::vector<int64_t> dims = o.input_shape.empty() ? declared : o.input_shape;
  // A rank-3 input the graph itself declares is a token sequence (batch,
  // tokens, features), such as a BERT's embeddings: no ONNX convolution takes
  // a rank-3 image, while MatMul, Softmax and the layer norms read the last
  // axis as the features. It is held as C = features, H = tokens, W = 1.
  if (declared.size() == 3 && dims.size() == 3) {
    if (std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1; }))
      throw ImportError("the network input '" + name +
                        "' (batch, tokens, features) needs a known shape; give it with --input-shape N,T,F");
    checked_product(checked_product(dims[0], dims[1], "the network input"), dims[2], "the network input");
    batch_ = dims[0];
    act_[name] = {{"input"}, dims[2], dims[1], 1, std::nullopt, 0, {}, dims, {}};
    input_ = act_[name];
    return;
  }
  // A rank-2 integer input is token ids (batch, tokens), as a BERT or GPT-2
  // export starts: held as one id per token (C = 1, H = tokens, W = 1),
  // which the embedding lookups read (translate_embedding.cpp).
  if (declared.size() == 2 && dims.size() == 2 && is_integer_type(element_type(g_.graph(), name))) {
    if (std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1; }))
      throw ImportError("the network input '" + name +
                        "' (batch, tokens) of token ids needs a known shape; give it with --input-shape N,T");
    checked_product(dims[0], dims[1], "the network input");
    batch_ = dims[0];
    act_[name] = {{"input"}, 1, dims[1], 1, std::nullopt, 0, {}, dims, {}};
    input_ = act_[name];
    return;
  }
  if (dims.size() == 4) {
    batch_ = dims[0] > 0 ? dims[0] : 1;
    dims.erase(dims.begin());
  }
  if (declared.size() == 2 && dims.size() == 2)  // floats of rank 2: neither token ids nor an image
    throw ImportError("the network input '" + name + "' has rank 2 but is not of an integer type: a rank-2 input is "
                      "token ids (batch, tokens), and an image input needs a known shape C,H,W (or N,C,H,W); give it "
                      "with --input-shape");
  if (dims.size() != 3 || std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1; }))
    throw ImportError("the network input '" + name + "' needs a known shape C,H,W (or N,C,H,W); give it with --input-shape");
  checked_product(checked_product(dims[0], dims[1], "the network input"), dims[2], "the network input");
  act_[name] = {{"input"}, dims[0], dims[1], dims[2], std::nullopt, 0, {}, {}, {}};
  input_ = act_[name];
}

bool Translator::takes_padding(const std::string& op) {
  for (const char* o : {"Conv", "ConvInteger", "QLinearConv", "MaxPool", "AveragePool", "Relu", "Identity", "Dropout",
                        "Cast", "Clip", "Pad", "QuantizeLinear", "DequantizeLinear", "Quant", "BipolarQuant"})
    if (op == o) return true;
  return false;
}

const Activation& Translator::activation(const onnx::NodeProto& n, int i) const {
  if (n.input_size() <= i) throw ImportError(Graph::describe(n) + " has no input " + std::to_string(i));
  const auto it = act_.find(n.input(i));
  if (it == act_.end())
    throw ImportError(Graph::describe(n) + ": input '" + n.input(i) + "' is not an activation the import knows");
  if (it->second.pad != 0 && !takes_padding(n.op_type()))
    throw ImportError(it->second.pad_node + " pads the input of " + Graph::describe(n) +
                      ", which has no padding to take it; a Pad is supported before a convolution or pooling");
  return it->second;
}

std::optional<Constant> Translator::constant(const std::string& t) const {
  const auto it = const_.find(t);
  if (it != const_.end()) return it->second;
  if (const onnx::TensorProto* init = g_.initializer(t))
    return Constant{init, onnx_import::integer_type(init->data_type(), nullptr), std::nullopt};
  return std::nullopt;
}

Constant Translator::weights(const onnx::NodeProto& n, int i) const {
  const auto c = n.input_size() > i ? constant(n.input(i)) : std::nullopt;
  if (!c) throw ImportError(Graph::describe(n) + ": input " + std::to_string(i) + " must be a constant (weights)");
  return *c;
}

std::optional<Quantized> Translator::zero_point_type(const onnx::NodeProto& n, int i) const {
  const onnx::TensorProto* zp = n.input_size() > i && !n.input(i).empty() ? g_.initializer(n.input(i)) : nullptr;
  return zp ? onnx_import::integer_type(zp->data_type(), zp) : std::nullopt;
}

std::string Translator::layer_name(const onnx::NodeProto& n, const std::string& suffix) {
  const std::string& original = n.name().empty() ? n.output(0) : n.name();
  std::string base;
  for (const char c : original) {
    const bool legal = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (legal) base += c;
    else if (!base.empty() && base.back() != '_') base += '_';
  }
  while (!base.empty() && base.back() == '_') base.pop_back();
  if (base.empty()) base = n.op_type();
  base += suffix;
  std::string name = base;
  for (int k = 2; names_.count(name); ++k) name = base + "_" + std::to_string(k);
  names_.insert(name);
  return name;
}

void Translator::square(const onnx::NodeProto& n, int64_t* stride, int64_t* padding, int64_t* dilation) {
  const std::vector<int64_t> s = Graph::ints_attr(n, "strides"), p = Graph::ints_attr(n, "pads"),
                             d = Graph::ints_attr(n, "dilations");
  const auto same = [](const std::vector<int64_t>& v) { return std::all_of(v.begin(), v.end(), [&](int64_t x) { return x == v[0]; }); };
  if (!same(s) || !same(p) || !same(d))
    throw ImportError(Graph::describe(n) + ": strides, pads and dilations must be equal in every direction "
                                           "(the trace has one stride, padding and dilation per layer)");
  for (const auto& a : n.attribute())
    if (a.name() == "auto_pad" && a.s() != "NOTSET")
      throw ImportError(Graph::describe(n) + ": auto_pad " + a.s() + " is not supported; export with explicit pads");
  *stride = s.empty() ? 1 : s[0];
  *padding = p.empty() ? 0 : p[0];
  if (dilation) *dilation = d.empty() ? 1 : d[0];
  if (*stride < 1 || *padding < 0 || (dilation && *dilation < 1))
    throw ImportError(Graph::describe(n) + ": strides and dilations must be at least 1 and pads at least 0");
  if (*stride > kMaxAttribute || *padding > kMaxAttribute || (dilation && *dilation > kMaxAttribute))
    throw ImportError(Graph::describe(n) + ": strides, pads and dilations must be at most 2^20");
}

Record& Translator::emit(const onnx::NodeProto& n, const std::string& fields, const std::vector<const Activation*>& from,
             Activation out, int output, const std::string& name_suffix) {
  Record r;
  r.name = layer_name(n, name_suffix);
  if (!n.name().empty() && n.name() != r.name) r.onnx_node = n.name();
  r.fields = fields;
  for (const Activation* a : from) r.from.insert(r.from.end(), a->producers.begin(), a->producers.end());
  r.inputs = from[0]->q;
  out.producers = {r.name};
  out.q.reset();
  act_[n.output(output)] = out;
  records_.push_back(r);
  index_[r.name] = records_.size() - 1;
  return records_.back();
}

void Translator::quantize_activation(const onnx::NodeProto& n, const std::string& t, const std::string& out, const Quantized& q) {
  Activation a = act_.at(t);
  a.q = q;
  act_[out] = a;
  quantized_ = true;
  for (const std::string& p : a.producers) {
    if (p == "input") continue;
    Record& r = records_[index_.at(p)];
    if (r.outputs && !(*r.outputs == q))
      throw ImportError(Graph::describe(n) + ": '" + t + "' is already stored as " + onnx_import::describe(*r.outputs) +
                        "; a second width " + onnx_import::describe(q) + " for the same tensor is not supported");
    r.outputs = q;
  }
}

void Translator::node(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (n.output_size() < 1 || n.output(0).empty()) throw ImportError(Graph::describe(n) + " has no output");
  // A Pad owed to a reader that takes no padding becomes a layer of its own.
  if (!takes_padding(op))
    for (const std::string& t : n.input())
      if (const auto it = act_.find(t); it != act_.end() && it->second.pad != 0) materialize_pad(t);
  if (part_of_norm(n)) return norm_step(n);
  if (op == "ReduceMean") return reduce_mean(n);
  if (op == "Transpose") return transpose(n);
  if (op == "Slice") return slice(n);
  if (op == "Split") return split(n);
  if (op == "Gather") return gather(n);
  if (op == "Softmax") return softmax(n);
  if (op == "LayerNormalization") return layer_normalization(n);
  if (op == "Erf") return erf(n);
  if (op == "Einsum") return einsum(n);
  if (op == "Expand") return expand(n);
  if (op == "Unsqueeze") return unsqueeze(n);
  // Shape arithmetic the folding leaves (an Equal or Where of constants)
  // only feeds an Expand's shape, which the import does not need.
  if ((op == "Equal" || op == "Where") && std::none_of(n.input().begin(), n.input().end(), [&](const std::string& t) {
        return is_activation(t);
      })) {
    shape_only_.insert(n.output(0));
    return;
  }
  if (op == "Conv" || op == "ConvInteger" || op == "QLinearConv") return conv(n);
  if (op == "Gemm" || op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul") return fc(n);
  if (op == "MaxPool" || op == "AveragePool") return pool(n);
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") return global_pool(n);
  if (op == "Add") return add(n);
  if (op == "QuantizeLinear" || op == "DynamicQuantizeLinear" || op == "DequantizeLinear" || op == "Quant" ||
      op == "BipolarQuant")
    return quantization(n);
  if (op == "Sigmoid") return activation_function(n, "sigmoid");
  if (op == "Tanh") return activation_function(n, "tanh");
  if (op == "HardSigmoid") return activation_function(n, "hardsigmoid");
  if (op == "HardSwish") return activation_function(n, "hardswish");
  // ReLU and Clip are the requantizer's clamp, BatchNormalization folds into
  // the convolution before it: no layer, no cost of their own.
  if (op == "Relu" || op == "Clip" || op == "BatchNormalization" || op == "Dropout" || op == "Identity" ||
      op == "Cast" ||
      (op == "Mul" && constant_operand(n)) || (op == "Div" && n.input_size() == 2 && constant(n.input(1))) ||
      (op == "Sub" && constant_operand(n))) {
    pass_through(n);
    if (op == "BatchNormalization") {
      if (reads_conv_alone(n)) folded_bn_ = true;
      else unfolded_bn_.push_back(n.name().empty() ? n.output(0) : n.name());
    }
    return;
  }
  if (op == "Flatten" || op == "Reshape") return reshape(n);
  if (op == "Concat") {
    const bool channels_of_images =
        Graph::int_attr(n, "axis", 1) == 1 && std::all_of(n.input().begin(), n.input().end(), [&](const std::string& t) {
          return is_activation(t) && act_.at(t).dims.empty();
        });
    return channels_of_images ? concat(n) : sequence_concat(n);
  }
  if (op == "Mul") return multiply(n);
  if (op == "Pad") return pad(n);
  throw ImportError(Graph::describe(n) + ": op type " + op + " is not supported");
}

void Translator::chain_widths() {
  for (Record& r : records_) {
    for (std::size_t k = 0; k < r.from.size(); ++k) {
      const std::string& p = r.from[k];
      // A matmul reads its second operand as the nest's weights.
      std::optional<Quantized>& reads = r.second_is_weights && k == 1 ? r.weights : r.inputs;
      if (p == "input") continue;
      Record& producer = records_[index_.at(p)];
      if (producer.outputs && reads && !(*producer.outputs == *reads))
        throw ImportError("layer '" + r.name + "' reads '" + p + "' as " + onnx_import::describe(*reads) + ", but '" +
                          p + "' writes " + onnx_import::describe(*producer.outputs));
      if (producer.outputs) reads = producer.outputs;
      else if (reads) producer.outputs = reads;
    }
    if (r.carries_width && !r.outputs) r.outputs = r.inputs;
  }
}

}  // namespace qnnsim::onnx_import
