#include "importer/constant_folding.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include "importer/constant_values.h"
#include "importer/graph_order.h"
#include "importer/onnx_graph.h"
#include "importer/onnx_import.h"
#include "importer/tensor_values.h"

namespace qnnsim::onnx_import {

namespace {

// Constants larger than this are not converted to doubles for folding (a
// Cast of a big weight would cost 8 bytes a value); Identity copies any size.
constexpr int64_t kMaxFoldedValues = int64_t{1} << 24;

const std::vector<std::string> kFoldable = {"Cast",    "ConstantOfShape", "Gather", "Unsqueeze", "Squeeze", "Concat",
                                            "Reshape", "Slice",           "Add",    "Sub",       "Mul",     "Div"};

int opset_of(const onnx::ModelProto& m) {
  for (const auto& o : m.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") return static_cast<int>(o.version());
  return 13;
}

// The tensor a Constant node holds, from whichever attribute it uses;
// nothing for the sparse and string forms (left for the translation to refuse).
std::optional<onnx::TensorProto> constant_tensor(const onnx::NodeProto& n) {
  onnx::TensorProto t;
  for (const auto& a : n.attribute()) {
    if (a.name() == "value") {
      t = a.t();
    } else if (a.name() == "value_float" || a.name() == "value_floats") {
      t.set_data_type(onnx::TensorProto::FLOAT);
      if (a.name() == "value_float") t.add_float_data(a.f());
      else {
        t.add_dims(a.floats_size());
        for (float f : a.floats()) t.add_float_data(f);
      }
    } else if (a.name() == "value_int" || a.name() == "value_ints") {
      t.set_data_type(onnx::TensorProto::INT64);
      if (a.name() == "value_int") t.add_int64_data(a.i());
      else {
        t.add_dims(a.ints_size());
        for (int64_t i : a.ints()) t.add_int64_data(i);
      }
    } else {
      return std::nullopt;
    }
  }
  if (!t.has_data_type()) return std::nullopt;
  check_tensor(t, Graph::describe(n) + ": value");
  return t;
}

// Inferred shapes that are fully known, by tensor name.
std::map<std::string, std::vector<int64_t>> known_shapes(const onnx::GraphProto& g) {
  std::map<std::string, std::vector<int64_t>> shapes;
  const auto add = [&](const onnx::ValueInfoProto& v) {
    if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
    std::vector<int64_t> dims;
    for (const auto& d : v.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value() || d.dim_value() < 0) return;
      dims.push_back(d.dim_value());
    }
    shapes[v.name()] = dims;
  };
  for (const auto& v : g.input()) add(v);
  for (const auto& v : g.value_info()) add(v);
  for (const auto& v : g.output()) add(v);
  return shapes;
}

// ONNX's shape inference divides by strides and dilations without checking
// them (a stride of 0 is a SIGFPE in libonnx 1.12): refuse them first.
void check_windows(const onnx::GraphProto& g) {
  for (const onnx::NodeProto& n : g.node()) {
    const std::string& op = n.op_type();
    if (op != "Conv" && op != "ConvInteger" && op != "QLinearConv" && op != "ConvTranspose" && op != "MaxPool" &&
        op != "AveragePool" && op != "LpPool")
      continue;
    for (const char* key : {"strides", "dilations", "kernel_shape"})
      for (int64_t v : Graph::ints_attr(n, key))
        if (v < 1) throw ImportError(Graph::describe(n) + ": " + key + " must be at least 1");
    if (Graph::int_attr(n, "group", 1) < 1) throw ImportError(Graph::describe(n) + ": group must be at least 1");
  }
}

// Whether a Shape node reads a tensor that is not a constant: only then are
// inferred shapes needed.
bool needs_inference(const onnx::GraphProto& g) {
  std::set<std::string> constants;
  for (const auto& t : g.initializer()) constants.insert(t.name());
  for (const onnx::NodeProto& n : g.node())
    if (n.op_type() == "Shape" && n.input_size() > 0 && !constants.count(n.input(0))) return true;
  return false;
}

// A Gather from a floating-point matrix reads rows of an embedding table
// (positions, segments): a lookup the accelerator performs, left for the
// translation. The Gathers that compute shapes read integer vectors.
bool is_table(const onnx::TensorProto& t) { return t.dims_size() == 2 && !is_integer_type(t.data_type()); }

}  // namespace

FoldResult fold_constants(onnx::ModelProto& model, const std::string& input, const std::vector<int64_t>& dims) {
  return fold_constants(model, std::map<std::string, std::vector<int64_t>>{{input, dims}});
}

FoldResult fold_constants(onnx::ModelProto& model, const std::map<std::string, std::vector<int64_t>>& dims) {
  onnx::GraphProto& g = *model.mutable_graph();
  // Data order first: ONNX's shape inference walks the nodes as listed.
  {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> ordered;
    for (const onnx::NodeProto* n : topological_order(g)) *ordered.Add() = *n;
    g.mutable_node()->Swap(&ordered);
  }
  for (auto& v : *g.mutable_input()) {
    const auto it = dims.find(v.name());
    if (it == dims.end() || it->second.empty()) continue;
    auto* shape = v.mutable_type()->mutable_tensor_type()->mutable_shape();
    shape->clear_dim();
    for (int64_t d : it->second) shape->add_dim()->set_dim_value(d);
  }
  // Lookups of constant ids (BERT's positions and segments) stay lookups in a
  // network that starts from token ids; elsewhere a Gather of constants is a
  // constant like any other, folded.
  bool token_ids = false;
  for (const auto& v : g.input())
    if (dims.count(v.name()) && is_integer_type(v.type().tensor_type().elem_type())) token_ids = true;
  FoldResult result;
  check_windows(g);
  if (needs_inference(g)) {
    try {
      // Node-level failures are skipped (error mode 0): an op the library
      // does not know (QONNX's Quant) just leaves its outputs without a shape.
      onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                         onnx::ShapeInferenceOptions(false, 0, true));
    } catch (const std::exception& e) {
      // Inference is a help, not a judge: a model whose declared types it
      // disputes still translates, only without inferred shapes for Shape.
      result.inference_error = e.what();
      g.clear_value_info();
    }
  }
  const auto shapes = known_shapes(g);
  const int opset = opset_of(model);

  std::map<std::string, const onnx::TensorProto*> constants;
  for (const auto& t : g.initializer()) constants[t.name()] = &t;
  std::deque<onnx::TensorProto> made;  // folded values, added as initializers at the end
  const auto keep = [&](onnx::TensorProto t, const std::string& name) {
    t.set_name(name);
    made.push_back(std::move(t));
    constants[name] = &made.back();
  };

  google::protobuf::RepeatedPtrField<onnx::NodeProto> remaining;
  for (const onnx::NodeProto& n : g.node()) {
    const std::string& op = n.op_type();
    bool folded = false;
    if (n.output_size() == 1 && !n.output(0).empty() && (n.domain().empty() || n.domain() == "ai.onnx")) {
      const auto constant = [&](int i) -> const onnx::TensorProto* {
        if (n.input_size() <= i || n.input(i).empty()) return nullptr;
        const auto it = constants.find(n.input(i));
        return it == constants.end() ? nullptr : it->second;
      };
      if (op == "Constant") {
        if (auto t = constant_tensor(n)) keep(std::move(*t), n.output(0)), folded = true;
      } else if (op == "Identity" && constant(0)) {
        keep(*constant(0), n.output(0)), folded = true;
      } else if (op == "Shape" && n.input_size() == 1) {
        std::optional<std::vector<int64_t>> in;
        if (const onnx::TensorProto* c = constant(0)) in = std::vector<int64_t>(c->dims().begin(), c->dims().end());
        else if (shapes.count(n.input(0))) in = shapes.at(n.input(0));
        if (in) {
          // Opset 15's start and end attributes select a range of the dims.
          const int64_t rank = static_cast<int64_t>(in->size());
          const auto clamp = [rank](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + rank : i, 0, rank); };
          const int64_t b = clamp(Graph::int_attr(n, "start", 0)), e = clamp(Graph::int_attr(n, "end", rank));
          ConstantValue v{onnx::TensorProto::INT64, {std::max<int64_t>(0, e - b)}, {}};
          for (int64_t i = b; i < e; ++i) v.data.push_back(static_cast<double>((*in)[static_cast<std::size_t>(i)]));
          keep(*write_constant(v, n.output(0)), n.output(0)), folded = true;
        }
      } else if (std::find(kFoldable.begin(), kFoldable.end(), op) != kFoldable.end() && constant(0) &&
                 !(op == "Gather" && token_ids && is_table(*constant(0)))) {
        std::vector<std::optional<ConstantValue>> in;
        bool small = true;
        for (int i = 0; i < n.input_size(); ++i) {
          const onnx::TensorProto* c = constant(i);
          if (c && element_count(c->dims(), "initializer '" + c->name() + "'") > kMaxFoldedValues) small = false;
          in.push_back(c && small ? std::optional(read_constant(*c, "initializer '" + c->name() + "'")) : std::nullopt);
        }
        if (small)
          if (const auto v = evaluate(n, in, opset))
            if (auto t = write_constant(*v, n.output(0))) keep(std::move(*t), n.output(0)), folded = true;
      }
    }
    if (folded) {
      ++result.folded;
      if (std::find(result.ops.begin(), result.ops.end(), op) == result.ops.end()) result.ops.push_back(op);
    } else {
      *remaining.Add() = n;
    }
  }
  g.mutable_node()->Swap(&remaining);
  for (auto& t : made) *g.add_initializer() = std::move(t);
  return result;
}

}  // namespace qnnsim::onnx_import
