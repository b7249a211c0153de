// Ops that make no layer, or a layer of no MACs: reshapes, pads, products,
// pass-throughs, quantization nodes and concatenations.
#include "importer/translator.h"

#include <set>

#include <fmt/format.h>

#include "importer/qdq_params.h"
#include "importer/tensor_values.h"

namespace qnnsim::onnx_import {

void Translator::reshape(const onnx::NodeProto& n) {
  const Activation a = activation(n, 0);
  const std::string what = Graph::describe(n);
  const int64_t features = checked_product(checked_product(a.C, a.H, what), a.W, what);
  if (n.op_type() == "Flatten") {
    if (Graph::int_attr(n, "axis", 1) != 1)
      throw ImportError(what + ": only a flatten after the batch dimension (axis 1) is supported");
    Activation out{a.producers, features, 1, 1, a.q, 0, {}, {}, {}};
    out.dims = {batch_, features};
    act_[n.output(0)] = out;
    return;
  }
  const auto shape = n.input_size() > 1 ? constant(n.input(1)) : std::nullopt;
  if (!shape) throw ImportError(what + ": the shape (input 1) must be a constant, or computed from constants and shapes");
  const std::vector<double> values = onnx_import::tensor_values(*shape->init, what + ": shape");
  const std::vector<int64_t> in = dims_of(a);
  std::vector<int64_t> to;
  int64_t known = 1, unknown = -1;
  for (std::size_t d = 0; d < values.size(); ++d) {
    int64_t v = onnx_import::to_int64(values[d], what + ": shape");
    if (v == 0 && d < in.size() && Graph::int_attr(n, "allowzero", 0) == 0) v = in[d];
    if (v == -1 && unknown < 0) unknown = static_cast<int64_t>(d);
    else if (v < 1) throw ImportError(what + fmt::format(": dimension {} in the shape", v));
    else known = checked_product(known, v, what);
    to.push_back(v);
  }
  const int64_t total = checked_product(batch_, features, what);
  if (unknown >= 0) to[static_cast<std::size_t>(unknown)] = total % known == 0 ? total / known : -1;
  int64_t volume = 1;
  for (int64_t v : to) volume = v < 1 ? -1 : checked_product(volume, v, what);
  if (volume != total)
    throw ImportError(what + fmt::format(": a reshape of ({}) to ({}) changes the number of values",
                                         fmt::join(in, ", "), fmt::join(to, ", ")));
  // A reshape moves nothing (the values keep their order): only how the
  // tensor is held changes. N,C,H,W stays an image; a flatten is fc input;
  // anything else is a sequence (C the last axis).
  if (to.size() == 2 && to[0] == batch_ && to[1] == features) {
    Activation out{a.producers, features, 1, 1, a.q, 0, {}, {}, {}};
    out.dims = to;
    act_[n.output(0)] = out;
  } else if (to == in) {
    act_[n.output(0)] = a;
  } else if (to.size() == 4 && to[0] == batch_) {
    act_[n.output(0)] = {a.producers, to[1], to[2], to[3], a.q, 0, {}, {}, {}};
  } else {
    Activation out = sequence(n, to);
    out.producers = a.producers;
    out.q = a.q;
    act_[n.output(0)] = out;
  }
}

void Translator::pad(const onnx::NodeProto& n) {
  const Activation& x = activation(n, 0);
  const std::string what = Graph::describe(n);
  for (const auto& a : n.attribute())
    if (a.name() == "mode" && a.s() != "constant")
      throw ImportError(what + ": mode " + a.s() + " is not supported; only zero (constant) padding");
  std::vector<int64_t> pads = Graph::ints_attr(n, "pads");  // before opset 11
  if (n.input_size() > 1 && !n.input(1).empty()) {
    const auto c = constant(n.input(1));
    if (!c) throw ImportError(what + ": the pads (input 1) must be a constant");
    pads.clear();
    for (double v : onnx_import::tensor_values(*c->init, what + ": pads")) pads.push_back(onnx_import::to_int64(v, what));
  }
  if (n.input_size() > 2 && !n.input(2).empty()) {
    const auto c = constant(n.input(2));
    const std::vector<double> v = c ? onnx_import::tensor_values(*c->init, what + ": constant value") : std::vector<double>{1};
    if (v.size() != 1 || v[0] != 0) throw ImportError(what + ": only padding with zeros (a constant 0) is supported");
  }
  if (n.input_size() > 3 && !n.input(3).empty())
    throw ImportError(what + ": pads over chosen axes (input 3, opset 18) are not supported; pad every axis");
  if (pads.size() != 8 || pads[0] || pads[4])
    throw ImportError(what + ": only padding of C, H and W of an N,C,H,W tensor is supported");
  for (int64_t p : pads)
    if (p < 0 || p > kMaxAttribute)
      throw ImportError(what + fmt::format(": pads [{}]: a negative pad crops, which is not supported, and a pad is at "
                                           "most 2^20", fmt::join(pads, ", ")));
  const bool owed = pads[1] == 0 && pads[5] == 0 && pads[2] == pads[3] && pads[2] == pads[6] && pads[2] == pads[7];
  if (owed) {
    Activation out = x;
    out.pad += pads[2];
    if (out.pad != 0 && out.pad_node.empty()) out.pad_node = what, out.pad_proto = &n;
    act_[n.output(0)] = out;
    return;
  }
  if (x.pad != 0) materialize_pad(n.input(0));
  const Activation& in = act_.at(n.input(0));
  if (!in.dims.empty()) throw ImportError(what + ": only padding of an image (N,C,H,W) is supported, not of a sequence");
  const int64_t C = in.C + pads[1] + pads[5], H = in.H + pads[2] + pads[6], W = in.W + pads[3] + pads[7];
  Activation out{{}, C, H, W, std::nullopt, 0, {}, {}, {}};
  emit(n, fmt::format("type: pad, C: {}, H: {}, W: {}", C, H, W), {&in}, out).carries_width = true;
}

void Translator::materialize_pad(const std::string& tensor) {
  const Activation owed = act_.at(tensor);
  Activation unpadded = owed;
  unpadded.pad = 0;
  const int64_t H = owed.H + 2 * owed.pad, W = owed.W + 2 * owed.pad;
  Activation out{{}, owed.C, H, W, std::nullopt, 0, {}, {}, {}};
  emit(*owed.pad_proto, fmt::format("type: pad, C: {}, H: {}, W: {}", owed.C, H, W), {&unpadded}, out).carries_width =
      true;
  act_[tensor] = act_.at(owed.pad_proto->output(0));
}

void Translator::multiply(const onnx::NodeProto& n) {
  const Activation a = activation(n, 0), b = activation(n, 1);
  // The Erf form of GELU: x times (1 + erf(x / sqrt 2)), which is the GELU layer already emitted.
  if (!b.function_of.empty() && b.function_of == a.producers) {
    act_[n.output(0)] = b;
    return;
  }
  if (!a.function_of.empty() && a.function_of == b.producers) {
    act_[n.output(0)] = a;
    return;
  }
  const auto same_shape = [](const Activation& x, const Activation& y) { return x.C == y.C && x.H == y.H && x.W == y.W; };
  if (a.producers == b.producers && same_shape(a, b)) {
    // x times sigmoid(x) is SiLU, x times hardsigmoid(x) hard-swish, as PyTorch exports them.
    compose_function(a, "sigmoid", "silu");
    compose_function(a, "hardsigmoid", "hardswish");
    act_[n.output(0)] = a;
    return;
  }
  if (a.producers.size() != 1 || b.producers.size() != 1)
    throw ImportError(Graph::describe(n) + ": a Mul of a concatenation is not supported");
  Activation out{{}, a.C, a.H, a.W, std::nullopt, 0, {}, {}, {}};
  out.dims = a.dims;
  if (same_shape(a, b)) {
    emit(n, fmt::format("type: mul, C: {}, H: {}, W: {}", a.C, a.H, a.W), {&a, &b}, out).carries_width = true;
    return;
  }
  // A squeeze-excite scale: one value per channel, applied at every pixel.
  const bool a_scales = a.H == 1 && a.W == 1 && a.C == b.C, b_scales = b.H == 1 && b.W == 1 && b.C == a.C;
  if (!a_scales && !b_scales)
    throw ImportError(Graph::describe(n) + fmt::format(": a product of activations {}x{}x{} and {}x{}x{} is not "
                                                      "supported (only x times an activation of x, two tensors of "
                                                      "one shape, or a channel-wise scale C x 1 x 1)",
                                                      a.C, a.H, a.W, b.C, b.H, b.W));
  const Activation& x = b_scales ? a : b;
  const Activation& scale = b_scales ? b : a;
  out = {{}, x.C, x.H, x.W, std::nullopt, 0, {}, {}, {}};
  out.dims = x.dims;
  emit(n, fmt::format("type: mul, C: {}, H: {}, W: {}, broadcast_row: true", x.C, x.H, x.W), {&x, &scale}, out)
      .carries_width = true;
}

void Translator::activation_function(const onnx::NodeProto& n, const std::string& function) {
  pass_through(n);
  for (const std::string& p : activation(n, 0).producers) {
    Record* r = p == "input" ? nullptr : &records_[index_.at(p)];
    static const std::set<std::string> kMovesData = {"transpose", "concat", "split", "pad", "kv_cache", "embedding"};
    // A record's fields begin `type: T,`.
    if (r == nullptr || kMovesData.count(r->fields.substr(6, r->fields.find(',') - 6))) {
      ++uncosted_functions_;
      continue;
    }
    r->activations.push_back(function);
  }
}

void Translator::compose_function(const Activation& x, const std::string& from, const std::string& to) {
  for (const std::string& p : x.producers) {
    if (p == "input") continue;
    std::vector<std::string>& functions = records_[index_.at(p)].activations;
    if (!functions.empty() && functions.back() == from) functions.back() = to;
  }
}

bool Translator::constant_operand(const onnx::NodeProto& n) const {
  return n.input_size() == 2 && (constant(n.input(0)) || constant(n.input(1)));
}

bool Translator::reads_conv_alone(const onnx::NodeProto& n) const {
  const std::string& x = n.input(0);
  bool written_by_conv = false;
  int readers = 0;
  for (const onnx::NodeProto& m : g_.graph().node()) {
    for (const std::string& out : m.output())
      if (out == x) written_by_conv = m.op_type() == "Conv" || m.op_type() == "Gemm" || m.op_type() == "MatMul";
    for (const std::string& in : m.input()) readers += in == x ? 1 : 0;
  }
  return written_by_conv && readers == 1;
}

void Translator::pass_through(const onnx::NodeProto& n) {
  const int i = n.input_size() == 2 && constant(n.input(0)) ? 1 : 0;
  act_[n.output(0)] = activation(n, i);
}

void Translator::quantization(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (n.input_size() < 1) throw ImportError(Graph::describe(n) + " has no input");
  const std::string& x = n.input(0);
  std::optional<Quantized> q;
  if (op == "QuantizeLinear") q = onnx_import::quantize_linear(g_, n);
  if (op == "DynamicQuantizeLinear") q = Quantized{8, Scheme::UniformAsymmetric};  // uint8 by definition
  if (op == "Quant" || op == "BipolarQuant") q = onnx_import::qonnx_quant(g_, n);
  // A scale given as a constant is checked here, so that a malformed one is
  // an error naming the node (a scale computed at run time, as
  // DynamicQuantizeLinear's, has nothing to check yet).
  std::optional<QdqParams> params;
  if ((op == "QuantizeLinear" || op == "DequantizeLinear") && n.input_size() > 1 && g_.initializer(n.input(1)))
    params = onnx_import::qdq_params(g_, n), qdq_ = true;
  if (const auto c = constant(x)) {
    if (params) check_qdq_axis(*params, std::vector<int64_t>(c->init->dims().begin(), c->init->dims().end()));
    Constant out = *c;
    if (q) out.q = q;
    else if (!out.q) out.q = zero_point_type(n, 2);  // DequantizeLinear of a float constant: keep what is known
    if (out.q && (op == "QuantizeLinear" || op == "DequantizeLinear") && onnx_import::per_channel_scale(g_, n))
      out.q->per_channel = true;
    if (op == "DequantizeLinear" && onnx_import::is_integer_type(out.init->data_type()))
      out.dq = dequantization(n, 1, 2, Graph::int_attr(n, "axis", 1));
    const_[n.output(0)] = out;
    quantized_ = true;
    return;
  }
  if (!is_activation(x)) throw ImportError(Graph::describe(n) + ": input '" + x + "' is not a tensor the import knows");
  if (q) return quantize_activation(n, x, n.output(0), *q);
  act_[n.output(0)] = act_.at(x);  // DequantizeLinear: the values keep their stored width
}

void Translator::concat(const onnx::NodeProto& n) {
  if (Graph::int_attr(n, "axis", 1) != 1)
    throw ImportError(Graph::describe(n) + ": only concatenation along channels (axis 1) is supported");
  Activation out = activation(n, 0);
  out.dims.clear();
  for (int i = 1; i < n.input_size(); ++i) {
    const Activation& a = activation(n, i);
    if (a.H != out.H || a.W != out.W)
      throw ImportError(Graph::describe(n) + fmt::format(": inputs of {}x{} and {}x{} cannot be concatenated along "
                                                        "channels", out.H, out.W, a.H, a.W));
    out.producers.insert(out.producers.end(), a.producers.begin(), a.producers.end());
    out.C += a.C;
    if (!(out.q && a.q && *out.q == *a.q)) out.q.reset();
  }
  act_[n.output(0)] = out;
}

}  // namespace qnnsim::onnx_import
