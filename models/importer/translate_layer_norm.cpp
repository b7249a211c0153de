// A layer normalisation as exporters write it before opset 17:
//   mean = ReduceMean(x), d = Sub(x, mean), var = ReduceMean(Pow(d, 2)),
//   y = Div(d, Sqrt(Add(var, epsilon)))
// (then a Mul by gamma and an Add of beta, constants, which pass through).
// Each intermediate is tracked as a part of the norm of x; the Div that
// ends it emits the layernorm layer. A part used in any other way is an
// error, since the import would not know what it computes.
#include <fmt/format.h>

#include "importer/tensor_values.h"
#include "importer/translator.h"

namespace qnnsim::onnx_import {

bool Translator::part_of_norm(const onnx::NodeProto& n) const {
  for (const std::string& t : n.input())
    if (norm_parts_.count(t)) return true;
  return false;
}

void Translator::reduce_mean(const onnx::NodeProto& n) {
  const Activation x = activation(n, 0);
  const std::vector<int64_t> in = dims_of(x);
  std::vector<int64_t> axes = Graph::ints_attr(n, "axes");
  if (n.input_size() > 1 && !n.input(1).empty()) {  // opset 18: axes as an input
    const auto c = constant(n.input(1));
    if (!c) throw ImportError(Graph::describe(n) + ": the axes (input 1) must be a constant");
    axes.clear();
    for (double v : onnx_import::tensor_values(*c->init, Graph::describe(n))) axes.push_back(onnx_import::to_int64(v, Graph::describe(n)));
  }
  if (axes.size() != 1 || axis_of(n, axes[0], in.size()) != static_cast<int64_t>(in.size()) - 1 ||
      Graph::int_attr(n, "keepdims", 1) == 0)
    throw ImportError(Graph::describe(n) + ": a ReduceMean is supported as the mean over the last axis (keepdims) "
                                           "that begins a layer normalisation");
  norm_parts_[n.output(0)] = {NormPart::Kind::Statistic, n.input(0)};
}

void Translator::norm_step(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  const auto part = [&](int i) -> const NormPart* {
    if (n.input_size() <= i) return nullptr;
    const auto it = norm_parts_.find(n.input(i));
    return it == norm_parts_.end() ? nullptr : &it->second;
  };
  const auto is = [&](int i, NormPart::Kind k) { return part(i) && part(i)->kind == k; };
  const auto unknown = [&]() {
    const NormPart* p = part(0) ? part(0) : part(1);
    return ImportError(Graph::describe(n) + ": uses a part of the layer normalisation of '" + p->of +
                       "' in a way the import does not know (expected ReduceMean, Sub, Pow 2, ReduceMean, Add epsilon, "
                       "Sqrt, Div)");
  };
  const std::string out = n.output(0);
  if (op == "Sub" && !part(0) && is(1, NormPart::Kind::Statistic) && part(1)->of == n.input(0)) {
    norm_parts_[out] = {NormPart::Kind::Centred, n.input(0)};
  } else if (op == "Pow" && is(0, NormPart::Kind::Centred) && n.input_size() == 2 && constant(n.input(1))) {
    const std::vector<double> e = onnx_import::tensor_values(*constant(n.input(1))->init, Graph::describe(n));
    if (e.size() != 1 || e[0] != 2) throw unknown();
    norm_parts_[out] = {NormPart::Kind::Squares, part(0)->of};
  } else if (op == "ReduceMean" && is(0, NormPart::Kind::Squares)) {
    norm_parts_[out] = {NormPart::Kind::Statistic, part(0)->of};
  } else if (op == "Add" && n.input_size() == 2 && constant_operand(n) &&
             (is(0, NormPart::Kind::Statistic) || is(1, NormPart::Kind::Statistic))) {
    norm_parts_[out] = {NormPart::Kind::Statistic, (part(0) ? part(0) : part(1))->of};
  } else if (op == "Sqrt" && is(0, NormPart::Kind::Statistic)) {
    norm_parts_[out] = {NormPart::Kind::Statistic, part(0)->of};
  } else if (op == "Div" && is(0, NormPart::Kind::Centred) && is(1, NormPart::Kind::Statistic) &&
             part(0)->of == part(1)->of) {
    const std::string x_name = part(0)->of;
    const auto it = act_.find(x_name);
    if (it == act_.end()) throw unknown();
    const Activation x = it->second;
    emit_sequence(n, "layernorm", {&x}, dims_of(x)).carries_width = true;
  } else {
    throw unknown();
  }
}

}  // namespace qnnsim::onnx_import
