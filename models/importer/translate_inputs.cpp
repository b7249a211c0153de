// Graphs of several inputs, as a Hugging Face BERT export has them
// (input_ids, token_type_ids, attention_mask, each int64 (batch, tokens)),
// and the attention mask they bring: its Unsqueeze to (batch, 1, 1, tokens)
// moves nothing, its Cast, 1 - m and scaling are folded like a rescale (a
// few values per token, beside the heads x tokens^2 scores), and its Add to
// every head's scores is an add layer that reads the scores and the one row
// of the mask per image.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "importer/tensor_values.h"
#include "importer/translator.h"

namespace qnnsim::onnx_import {

namespace {

std::string type_name(int type) {
  return onnx::TensorProto::DataType_IsValid(type)
             ? onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(type))
             : "an unknown type (" + std::to_string(type) + ")";
}

}  // namespace

void Translator::read_token_inputs(const ImportOptions& o, const std::vector<GraphInput>& inputs) {
  std::vector<std::string> names;
  for (const GraphInput& in : inputs) names.push_back("'" + in.name + "'");
  const std::string all = fmt::format("{} inputs ({})", inputs.size(), fmt::join(names, ", "));
  std::vector<int64_t> shape;
  std::string first;
  for (const GraphInput& in : inputs) {
    if (in.dims.size() != 2 || !is_integer_type(in.type))
      throw ImportError(fmt::format("the network input '{}' is {} of rank {}, but the graph has {}: several inputs "
                                    "are supported only as token ids, each a rank-2 integer (batch, tokens), as a "
                                    "Hugging Face BERT export's input_ids, token_type_ids and attention_mask are",
                                    in.name, type_name(in.type), in.dims.size(), all));
    // --input-shape N,T is the shape of every token-id input: they are one
    // sequence's ids, types and mask, and must agree.
    const std::vector<int64_t> dims = o.input_shape.empty() ? in.dims : o.input_shape;
    if (dims.size() != 2)
      throw ImportError(fmt::format("the network input '{}' is token ids (batch, tokens): --input-shape must be N,T "
                                    "(it gives every one of the graph's {} the same shape), found {} values",
                                    in.name, all, dims.size()));
    if (std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1; }))
      throw ImportError("the network input '" + in.name +
                        "' (batch, tokens) of token ids needs a known shape; give it with --input-shape N,T (one "
                        "shape for every input)");
    checked_product(dims[0], dims[1], "the network input '" + in.name + "'");
    if (shape.empty()) {
      shape = dims;
      first = in.name;
    } else if (dims != shape) {
      throw ImportError(fmt::format("the network inputs '{}' ({}) and '{}' ({}) differ in shape: token-id inputs "
                                    "must all be (batch, tokens) of one size",
                                    first, fmt::join(shape, ", "), in.name, fmt::join(dims, ", ")));
    }
    // Each is held like the token ids, one value per token, and is the
    // trace's input to whatever reads it: a lookup reads the token types as
    // the word lookup reads the ids.
    act_[in.name] = {{"input"}, 1, dims[1], 1, std::nullopt, 0, {}, dims, {}};
  }
  batch_ = shape[0];
  input_ = act_.at(inputs[0].name);
}

void Translator::unsqueeze(const onnx::NodeProto& n) {
  const Activation x = activation(n, 0);
  const std::string what = Graph::describe(n);
  std::vector<int64_t> axes = Graph::ints_attr(n, "axes");  // an attribute before opset 13
  if (n.input_size() > 1 && !n.input(1).empty()) {
    const auto c = constant(n.input(1));
    if (!c) throw ImportError(what + ": the axes (input 1) must be a constant");
    axes.clear();
    for (double v : tensor_values(*c->init, what + ": axes")) axes.push_back(to_int64(v, what + ": axes"));
  }
  const std::vector<int64_t> in = dims_of(x);
  const std::size_t rank = in.size() + axes.size();
  std::set<int64_t> at;
  for (int64_t a : axes)
    if (!at.insert(axis_of(n, a, rank)).second) throw ImportError(what + fmt::format(": axis {} is given twice", a));
  if (at.empty()) throw ImportError(what + ": no axes to insert");
  if (*at.begin() == 0) throw ImportError(what + ": an axis inserted before the batch is not supported");
  std::vector<int64_t> out;
  for (std::size_t i = 0, k = 0; i < rank; ++i) out.push_back(at.count(static_cast<int64_t>(i)) ? 1 : in[k++]);
  Activation a = sequence(n, out);
  a.producers = x.producers;
  a.q = x.q;
  act_[n.output(0)] = a;
}

void Translator::broadcast_add(const onnx::NodeProto& n, const Activation& x, const Activation& row) {
  if (x.producers.size() != 1 || row.producers.size() != 1)
    throw ImportError(Graph::describe(n) + ": an Add of a concatenation is not supported");
  // Held with C the last axis, the row's: every one of the H positions gets the row added.
  const Activation out = sequence(n, dims_of(x));
  emit(n, fmt::format("type: add, C: {}, H: {}, W: 1, broadcast_row: true", out.C, out.H), {&x, &row}, out)
      .carries_width = true;
}

}  // namespace qnnsim::onnx_import
