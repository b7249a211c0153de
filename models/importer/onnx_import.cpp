// Translates an ONNX graph node by node, in the graph's order (ONNX requires
// it to be topological). Each activation tensor is tracked by the layer that
// produced it, its shape (C, H, W) and, once a quantization node has said so,
// its width and scheme. Constants are tracked the same way, so quantized
// weights are found through their QuantizeLinear / DequantizeLinear / Quant
// nodes. Ops that do not move data through the accelerator (ReLU, Clip,
// BatchNormalization folded into the convolution before it, Dropout,
// Identity, Cast, constant rescales, Flatten, Reshape) pass the tracking
// through. Shapes are inferred here from the ops' attributes.
#include "importer/onnx_import.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "importer/constant_folding.h"
#include "importer/graph_order.h"
#include "importer/onnx_graph.h"
#include "importer/quant_info.h"
#include "importer/tensor_values.h"
#include "importer/weight_stats.h"

namespace qnnsim {

namespace {

using onnx_import::Graph;
using onnx_import::checked_product;
using onnx_import::Dequantization;
using onnx_import::Quantized;
using onnx_import::WeightStats;

// Strides, pads, dilations, kernels and groups past this are malformed (the
// trace's own limits are far lower); bounding them keeps the shape
// arithmetic below from overflowing.
constexpr int64_t kMaxAttribute = int64_t{1} << 20;

struct Activation {
  std::vector<std::string> producers;  // layer names, or "input"; several for a concatenation
  int64_t C = 0, H = 1, W = 1;
  std::optional<Quantized> q;
  // Zero padding a Pad node put around H and W, owed to the convolution or
  // pooling that reads the tensor next (which takes it as its own padding).
  int64_t pad = 0;
  std::string pad_node;
};

struct Constant {
  const onnx::TensorProto* init = nullptr;
  std::optional<Quantized> q;
  std::optional<Dequantization> dq;  // how integer values map to real ones, where the graph says
};

// One layer of the trace, written out at the end once every width is known.
struct Record {
  std::string name, fields;
  std::string onnx_node;  // the node's own name where the layer's differs
  std::vector<std::string> from;
  std::optional<WeightStats> stats;
  std::optional<Quantized> weights, inputs, outputs;
  bool carries_width = false;  // pooling and add: outputs at the inputs' width
};

class Translator {
 public:
  Translator(const Graph& g, const ImportOptions& o) : g_(g) { read_input(o); }

  ImportedTrace run() {
    for (const onnx::NodeProto* n : onnx_import::topological_order(g_.graph())) node(*n);
    if (records_.empty()) throw ImportError("the graph has no Conv, Gemm, MatMul, pooling or Add node to simulate");
    chain_widths();
    ImportedTrace t;
    t.layers = static_cast<int>(records_.size());
    t.yaml = yaml();
    t.notes = notes_;
    return t;
  }

 private:
  // ---- tensors ----

  void read_input(const ImportOptions& o) {
    std::string name;
    std::vector<int64_t> dims = g_.input_dims(&name);
    if (!o.input_shape.empty()) dims = o.input_shape;
    if (dims.size() == 4) {
      batch_ = dims[0] > 0 ? dims[0] : 1;
      dims.erase(dims.begin());
    }
    if (dims.size() != 3 || std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1; }))
      throw ImportError("the network input '" + name + "' needs a known shape C,H,W (or N,C,H,W); give it with --input-shape");
    checked_product(checked_product(dims[0], dims[1], "the network input"), dims[2], "the network input");
    act_[name] = {{"input"}, dims[0], dims[1], dims[2], std::nullopt, 0, {}};
    input_ = act_[name];
  }

  bool is_activation(const std::string& t) const { return act_.count(t) > 0; }
  // Ops that take a Pad's zeros as their own padding, or pass them on to one that does.
  static bool takes_padding(const std::string& op) {
    for (const char* o : {"Conv", "ConvInteger", "QLinearConv", "MaxPool", "AveragePool", "Relu", "Identity", "Dropout",
                          "Cast", "Clip", "Pad", "QuantizeLinear", "DequantizeLinear", "Quant", "BipolarQuant"})
      if (op == o) return true;
    return false;
  }
  const Activation& activation(const onnx::NodeProto& n, int i) const {
    if (n.input_size() <= i) throw ImportError(Graph::describe(n) + " has no input " + std::to_string(i));
    const auto it = act_.find(n.input(i));
    if (it == act_.end())
      throw ImportError(Graph::describe(n) + ": input '" + n.input(i) + "' is not an activation the import knows");
    if (it->second.pad != 0 && !takes_padding(n.op_type()))
      throw ImportError(it->second.pad_node + " pads the input of " + Graph::describe(n) +
                        ", which has no padding to take it; a Pad is supported before a convolution or pooling");
    return it->second;
  }
  // A constant: an initializer, possibly through quantization nodes. An
  // integer initializer is a quantized tensor by its data type.
  std::optional<Constant> constant(const std::string& t) const {
    const auto it = const_.find(t);
    if (it != const_.end()) return it->second;
    if (const onnx::TensorProto* init = g_.initializer(t))
      return Constant{init, onnx_import::integer_type(init->data_type(), nullptr), std::nullopt};
    return std::nullopt;
  }
  Constant weights(const onnx::NodeProto& n, int i) const {
    const auto c = n.input_size() > i ? constant(n.input(i)) : std::nullopt;
    if (!c) throw ImportError(Graph::describe(n) + ": input " + std::to_string(i) + " must be a constant (weights)");
    return *c;
  }
  std::optional<Quantized> zero_point_type(const onnx::NodeProto& n, int i) const {
    const onnx::TensorProto* zp = n.input_size() > i && !n.input(i).empty() ? g_.initializer(n.input(i)) : nullptr;
    return zp ? onnx_import::integer_type(zp->data_type(), zp) : std::nullopt;
  }

  // ---- layers ----

  // A layer name from the node's name or output that SystemC takes as a
  // module name without a W506 warning (letters, digits and '_' only: '.'
  // separates SystemC's hierarchy), unique in the trace.
  std::string layer_name(const onnx::NodeProto& n) {
    const std::string& original = n.name().empty() ? n.output(0) : n.name();
    std::string base;
    for (const char c : original) {
      const bool legal = std::isalnum(static_cast<unsigned char>(c)) != 0;
      if (legal) base += c;
      else if (!base.empty() && base.back() != '_') base += '_';
    }
    while (!base.empty() && base.back() == '_') base.pop_back();
    if (base.empty()) base = n.op_type();
    std::string name = base;
    for (int k = 2; names_.count(name); ++k) name = base + "_" + std::to_string(k);
    names_.insert(name);
    return name;
  }

  // Equal pads on all sides and equal strides, as the trace's layers have them.
  static void square(const onnx::NodeProto& n, int64_t* stride, int64_t* padding, int64_t* dilation) {
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

  Record& emit(const onnx::NodeProto& n, const std::string& fields, const std::vector<const Activation*>& from,
               Activation out) {
    Record r;
    r.name = layer_name(n);
    if (!n.name().empty() && n.name() != r.name) r.onnx_node = n.name();
    r.fields = fields;
    for (const Activation* a : from) r.from.insert(r.from.end(), a->producers.begin(), a->producers.end());
    r.inputs = from[0]->q;
    out.producers = {r.name};
    out.q.reset();
    act_[n.output(0)] = out;
    records_.push_back(r);
    index_[r.name] = records_.size() - 1;
    return records_.back();
  }

  // The tensor `t` (an activation) is stored at `q` from here on: its producer writes it so.
  void quantize_activation(const onnx::NodeProto& n, const std::string& t, const std::string& out, const Quantized& q) {
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

  void node(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    if (n.output_size() < 1 || n.output(0).empty()) throw ImportError(Graph::describe(n) + " has no output");
    if (op == "Conv" || op == "ConvInteger" || op == "QLinearConv") return conv(n);
    if (op == "Gemm" || op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul") return fc(n);
    if (op == "MaxPool" || op == "AveragePool") return pool(n);
    if (op == "GlobalAveragePool" || op == "GlobalMaxPool") return global_pool(n);
    if (op == "Add") return add(n);
    if (op == "QuantizeLinear" || op == "DynamicQuantizeLinear" || op == "DequantizeLinear" || op == "Quant" ||
        op == "BipolarQuant")
      return quantization(n);
    // Element-wise activations are folded like ReLU: the trace has no layer
    // for them, and they cost no MACs.
    if (op == "Relu" || op == "Clip" || op == "BatchNormalization" || op == "Dropout" || op == "Identity" ||
        op == "Cast" || op == "Sigmoid" || op == "HardSigmoid" || op == "HardSwish" || op == "Tanh" ||
        (op == "Mul" && constant_operand(n))) {
      pass_through(n);
      if (op == "BatchNormalization") folded_bn_ = true;
      return;
    }
    if (op == "Flatten" || op == "Reshape") return reshape(n);
    if (op == "Concat") return concat(n);
    if (op == "Mul") return multiply(n);
    if (op == "Pad") return pad(n);
    throw ImportError(Graph::describe(n) + ": op type " + op + " is not supported");
  }

  // Flatten, and a Reshape whose shape is known once constants are folded:
  // to (N, C*H*W) it is a flatten, to (N, C, H, W) nothing; any other target
  // moves data in a way a trace layer cannot say.
  void reshape(const onnx::NodeProto& n) {
    const Activation a = activation(n, 0);
    const std::string what = Graph::describe(n);
    const int64_t features = checked_product(checked_product(a.C, a.H, what), a.W, what);
    if (n.op_type() == "Flatten") {
      if (Graph::int_attr(n, "axis", 1) != 1)
        throw ImportError(what + ": only a flatten after the batch dimension (axis 1) is supported");
      act_[n.output(0)] = {a.producers, features, 1, 1, a.q, 0, {}};
      return;
    }
    const auto shape = n.input_size() > 1 ? constant(n.input(1)) : std::nullopt;
    if (!shape) throw ImportError(what + ": the shape (input 1) must be a constant, or computed from constants and shapes");
    const std::vector<double> values = onnx_import::tensor_values(*shape->init, what + ": shape");
    const std::vector<int64_t> in = {batch_, a.C, a.H, a.W};
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
    if (to.size() == 2 && to[0] == batch_ && to[1] == features) {
      act_[n.output(0)] = {a.producers, features, 1, 1, a.q, 0, {}};
    } else if (to == in) {
      act_[n.output(0)] = a;
    } else {
      throw ImportError(what + fmt::format(": a reshape of ({}) to ({}) is not supported; the trace expresses a flatten "
                                           "to ({}, {}) or no change", fmt::join(in, ", "), fmt::join(to, ", "), batch_,
                                           features));
    }
  }

  // A zero Pad of H and W, equal on every side, is owed to the convolution or
  // pooling after it; one that pads nothing is nothing.
  void pad(const onnx::NodeProto& n) {
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
    if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5])
      throw ImportError(what + ": only padding of H and W of an N,C,H,W tensor is supported");
    if (!(pads[2] == pads[3] && pads[2] == pads[6] && pads[2] == pads[7]) || pads[2] < 0 || pads[2] > kMaxAttribute)
      throw ImportError(what + fmt::format(": pads [{}] differ by side; the trace has one padding per layer",
                                           fmt::join(pads, ", ")));
    Activation out = x;
    out.pad += pads[2];
    if (out.pad != 0 && out.pad_node.empty()) out.pad_node = what;
    act_[n.output(0)] = out;
  }

  // A product of two activations: x times an activation of x (SiLU and
  // hard-swish as exporters write them: x * Sigmoid(x), x * HardSigmoid(x))
  // is an activation function, folded; x (C,H,W) times a (C,1,1) tensor is
  // a squeeze-excite channel scaling. The trace has no multiply layer: the
  // scaling passes x through, and the excite branch's layers stay in the
  // trace with their MACs; a note says how many such products went uncosted.
  void multiply(const onnx::NodeProto& n) {
    const Activation a = activation(n, 0), b = activation(n, 1);
    const auto same_shape = [](const Activation& x, const Activation& y) { return x.C == y.C && x.H == y.H && x.W == y.W; };
    if (a.producers == b.producers && same_shape(a, b)) {
      act_[n.output(0)] = a;
      return;
    }
    const bool a_scales = a.H == 1 && a.W == 1 && a.C == b.C, b_scales = b.H == 1 && b.W == 1 && b.C == a.C;
    if (!a_scales && !b_scales)
      throw ImportError(Graph::describe(n) + fmt::format(": a product of activations {}x{}x{} and {}x{}x{} is not "
                                                        "supported (only x times an activation of x, or a channel-wise "
                                                        "scale C x 1 x 1)", a.C, a.H, a.W, b.C, b.H, b.W));
    act_[n.output(0)] = b_scales ? a : b;
    ++channel_scales_;
  }

  bool constant_operand(const onnx::NodeProto& n) const {
    return n.input_size() == 2 && (constant(n.input(0)) || constant(n.input(1)));
  }
  void pass_through(const onnx::NodeProto& n) {
    const int i = n.input_size() == 2 && constant(n.input(0)) ? 1 : 0;
    act_[n.output(0)] = activation(n, i);
  }

  void quantization(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    if (n.input_size() < 1) throw ImportError(Graph::describe(n) + " has no input");
    const std::string& x = n.input(0);
    std::optional<Quantized> q;
    if (op == "QuantizeLinear") q = onnx_import::quantize_linear(g_, n);
    if (op == "DynamicQuantizeLinear") q = Quantized{8, Scheme::UniformAsymmetric};  // uint8 by definition
    if (op == "Quant" || op == "BipolarQuant") q = onnx_import::qonnx_quant(g_, n);
    if (const auto c = constant(x)) {
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

  // Channels side by side: no layer; the consumer reads every producer.
  void concat(const onnx::NodeProto& n) {
    if (Graph::int_attr(n, "axis", 1) != 1)
      throw ImportError(Graph::describe(n) + ": only concatenation along channels (axis 1) is supported");
    Activation out = activation(n, 0);
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

  void conv(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    const int w_index = op == "QLinearConv" ? 3 : 1;
    const Activation x = activation(n, 0);
    const Constant wc = weights(n, w_index);
    const onnx::TensorProto& w = *wc.init;
    if (w.dims_size() != 4) throw ImportError(Graph::describe(n) + ": only 2-D convolutions are supported");
    for (int64_t d : w.dims())
      if (d < 1) throw ImportError(Graph::describe(n) + ": the weights have an empty dimension");
    const int64_t M = w.dims(0), R = w.dims(2), S = w.dims(3), groups = Graph::int_attr(n, "group", 1);
    if (groups < 1 || groups > kMaxAttribute) throw ImportError(Graph::describe(n) + ": group must be from 1 to 2^20");
    const int64_t expected_c = checked_product(w.dims(1), groups, Graph::describe(n) + ": input channels");
    if (expected_c != x.C)
      throw ImportError(Graph::describe(n) + fmt::format(": weights expect {} input channels, the input has {}",
                                                        expected_c, x.C));
    int64_t stride = 1, padding = 0, dilation = 1;
    square(n, &stride, &padding, &dilation);
    padding += x.pad;
    const int64_t P = (x.H + 2 * padding - dilation * (R - 1) - 1) / stride + 1;
    const int64_t Q = (x.W + 2 * padding - dilation * (S - 1) - 1) / stride + 1;
    if (P < 1 || Q < 1) throw ImportError(Graph::describe(n) + ": the filter does not fit the padded input");
    std::string fields;
    if (groups == x.C && M == x.C && groups > 1) {
      fields = fmt::format("type: dwconv, C: {}, H: {}, W: {}, R: {}, S: {}", x.C, x.H, x.W, R, S);
    } else {
      fields = fmt::format("type: conv, C: {}, H: {}, W: {}, M: {}, R: {}, S: {}", x.C, x.H, x.W, M, R, S);
      if (groups > 1) fields += fmt::format(", groups: {}", groups);
    }
    if (stride != 1) fields += fmt::format(", stride: {}", stride);
    if (padding != 0) fields += fmt::format(", padding: {}", padding);
    if (dilation != 1) fields += fmt::format(", dilation: {}", dilation);
    weight_layer(n, fields, x, wc, {{}, M, P, Q, std::nullopt, 0, {}});
  }

  void fc(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    const Activation x = activation(n, 0);
    const Constant wc = weights(n, op == "QLinearMatMul" ? 3 : 1);
    const onnx::TensorProto& w = *wc.init;
    if (w.dims_size() != 2 || w.dims(0) < 1 || w.dims(1) < 1)
      throw ImportError(Graph::describe(n) + ": the weight matrix must be 2-D and not empty");
    const bool trans_b = op == "Gemm" && Graph::int_attr(n, "transB", 0) != 0;
    if (op == "Gemm" && Graph::int_attr(n, "transA", 0) != 0) throw ImportError(Graph::describe(n) + ": transA is not supported");
    const int64_t K = trans_b ? w.dims(1) : w.dims(0), M = trans_b ? w.dims(0) : w.dims(1);
    const int64_t C = checked_product(checked_product(x.C, x.H, Graph::describe(n)), x.W, Graph::describe(n));
    if (K != C) throw ImportError(Graph::describe(n) + fmt::format(": the weights take {} inputs, the input has {}", K, C));
    weight_layer(n, fmt::format("type: fc, C: {}, M: {}", C, M), x, wc, {{}, M, 1, 1, std::nullopt, 0, {}});
  }

  // A conv or fc layer: widths from the quantized ops' own zero points where they have them.
  void weight_layer(const onnx::NodeProto& n, const std::string& fields, const Activation& x, const Constant& w,
                    const Activation& out) {
    const std::string& op = n.op_type();
    Record& r = emit(n, fields, {&x}, out);
    r.weights = w.q;
    // Integer weights of the quantized ops carry their own scale and zero
    // point (QLinear*: per output channel, axis 0 of a Conv's weights and 1
    // of a MatMul's; *Integer: a zero point only).
    std::optional<Dequantization> dq = w.dq;
    const bool is_conv = op == "QLinearConv" || op == "ConvInteger";
    if (op == "QLinearConv" || op == "QLinearMatMul") dq = dequantization(n, 4, 5, is_conv ? 0 : 1);
    if (op == "ConvInteger" || op == "MatMulInteger") dq = dequantization(n, -1, 3, is_conv ? 0 : 1);
    r.stats = onnx_import::weight_stats(*w.init, w.init->name(), dq);
    if (op == "QLinearConv" || op == "QLinearMatMul") {
      r.inputs = zero_point_type(n, 2);
      if (!r.inputs) r.inputs = onnx_import::integer_type(onnx::TensorProto::UINT8, nullptr);
      const auto y = zero_point_type(n, 7);
      quantize_activation(n, n.output(0), n.output(0), y ? *y : Quantized{8, Scheme::UniformAsymmetric});
    } else if (op == "ConvInteger" || op == "MatMulInteger") {
      if (const auto zp = zero_point_type(n, 2)) r.inputs = zp;
      quantized_ = true;
    }
    if (r.weights || r.inputs) quantized_ = true;
  }

  // The scale and zero point of node n's inputs (index -1: none) as the map
  // from an integer tensor's values to real ones.
  Dequantization dequantization(const onnx::NodeProto& n, int scale, int zero_point, int64_t axis) const {
    const auto init = [&](int i) {
      return i >= 0 && n.input_size() > i && !n.input(i).empty() ? g_.initializer(n.input(i)) : nullptr;
    };
    return {init(scale), init(zero_point), axis, Graph::describe(n)};
  }

  void pool(const onnx::NodeProto& n) {
    const Activation x = activation(n, 0);
    const std::vector<int64_t> k = Graph::ints_attr(n, "kernel_shape");
    if (k.size() != 2 || k[0] < 1 || k[1] < 1 || k[0] > kMaxAttribute || k[1] > kMaxAttribute)
      throw ImportError(Graph::describe(n) + ": kernel_shape must be 2-D, positive and at most 2^20");
    int64_t stride = 1, padding = 0;
    square(n, &stride, &padding, nullptr);
    padding += x.pad;
    if (x.H + 2 * padding < k[0] || x.W + 2 * padding < k[1])
      throw ImportError(Graph::describe(n) + ": the window does not fit the padded input");
    // ceil_mode counts a last, partial window (ONNX, PyTorch): it must start
    // inside the input or its leading padding. Where it adds an output the
    // trace's layer says ceil_mode too.
    const bool ceil_mode = Graph::int_attr(n, "ceil_mode", 0) != 0;
    const auto extent = [&](int64_t in, int64_t window, bool ceil) {
      int64_t out = (in + 2 * padding - window + (ceil ? stride - 1 : 0)) / stride + 1;
      if (ceil && (out - 1) * stride >= in + padding) --out;
      return out;
    };
    const int64_t P = extent(x.H, k[0], ceil_mode), Q = extent(x.W, k[1], ceil_mode);
    std::string fields = fmt::format("type: {}, C: {}, H: {}, W: {}, R: {}, S: {}",
                                     n.op_type() == "MaxPool" ? "maxpool" : "avgpool", x.C, x.H, x.W, k[0], k[1]);
    if (stride != 1) fields += fmt::format(", stride: {}", stride);
    if (padding != 0) fields += fmt::format(", padding: {}", padding);
    if (P != extent(x.H, k[0], false) || Q != extent(x.W, k[1], false)) fields += ", ceil_mode: true";
    emit(n, fields, {&x}, {{}, x.C, P, Q, std::nullopt, 0, {}}).carries_width = true;
  }

  void global_pool(const onnx::NodeProto& n) {
    const Activation x = activation(n, 0);
    emit(n, fmt::format("type: {}, C: {}, H: {}, W: {}, R: {}, S: {}",
                        n.op_type() == "GlobalMaxPool" ? "maxpool" : "avgpool", x.C, x.H, x.W, x.H, x.W),
         {&x}, {{}, x.C, 1, 1, std::nullopt, 0, {}})
        .carries_width = true;
  }

  void add(const onnx::NodeProto& n) {
    if (constant_operand(n)) return pass_through(n);  // a bias, folded into the layer before
    const Activation a = activation(n, 0), b = activation(n, 1);
    if (a.producers.size() != 1 || b.producers.size() != 1)
      throw ImportError(Graph::describe(n) + ": an Add of a concatenation is not supported");
    if (a.C != b.C || a.H != b.H || a.W != b.W)
      throw ImportError(Graph::describe(n) + fmt::format(": operands {}x{}x{} and {}x{}x{} differ (broadcasting is not "
                                                        "supported)", a.C, a.H, a.W, b.C, b.H, b.W));
    emit(n, fmt::format("type: add, C: {}, H: {}, W: {}", a.C, a.H, a.W), {&a, &b}, {{}, a.C, a.H, a.W, std::nullopt, 0, {}})
        .carries_width = true;
  }

  // A layer reads its inputs at the width its producer wrote them: where one
  // side is known, the other follows; pooling and adds write at the width
  // they read. Two different known widths for one tensor are an error.
  void chain_widths() {
    for (Record& r : records_) {
      for (const std::string& p : r.from) {
        if (p == "input") continue;
        Record& producer = records_[index_.at(p)];
        if (producer.outputs && r.inputs && !(*producer.outputs == *r.inputs))
          throw ImportError("layer '" + r.name + "' reads '" + p + "' as " + onnx_import::describe(*r.inputs) + ", but '" +
                            p + "' writes " + onnx_import::describe(*producer.outputs));
        if (producer.outputs) r.inputs = producer.outputs;
        else if (r.inputs) producer.outputs = r.inputs;
      }
      if (r.carries_width && !r.outputs) r.outputs = r.inputs;
    }
  }

  // ---- the trace ----

  static std::string precision_field(const char* tensor, const std::optional<Quantized>& q) {
    if (!q) return "";
    const bool per_channel = q->per_channel && std::string(tensor) == "weights" &&
                             (q->scheme == Scheme::UniformSymmetric || q->scheme == Scheme::UniformAsymmetric);
    return fmt::format(", {}: {{bits: {}, scheme: {}{}}}", tensor, q->bits, scheme_name(q->scheme),
                       per_channel ? ", granularity: per_channel" : "");
  }

  std::string yaml() {
    std::string y = "# Imported from an ONNX model by `qnnsim import`.\n";
    if (quantized_) {
      y += "# Widths and schemes come from the model's quantization nodes; a tensor without\n";
      y += "# one keeps the default below (8-bit uniform, 32-bit accumulators).\n";
      notes_.push_back("widths from the model's quantization nodes; the rest at the default 8-bit uniform");
    } else {
      y += "# The graph has no quantization nodes: the precision below is qnnsim's default,\n";
      y += "# 8-bit uniform with 32-bit accumulators. Change it here or with --bits.\n";
      notes_.push_back("no quantization nodes: every tensor gets the default 8-bit uniform precision");
    }
    if (folded_bn_) notes_.push_back("BatchNormalization folded into the convolutions before it");
    if (channel_scales_ > 0)
      notes_.push_back(fmt::format("{} channel-wise products (squeeze-excite Mul) are not costed: the trace has no "
                                   "multiply layer; their excite branches are layers of their own", channel_scales_));
    y += "# weight_stats: density (fraction not zero) and range (min, max: real values) of each\n";
    y += "# layer's weights; int_min, int_max: the stored integers of integer weights.\n";
    y += fmt::format("network: {}\nbatch: {}\n", network_name(), batch_);
    y += "precision:\n";
    y += "  weights:     {bits: 8, scheme: uniform_symmetric}\n";
    y += "  inputs:      {bits: 8, scheme: uniform_asymmetric}\n";
    y += "  outputs:     {bits: 8, scheme: uniform_asymmetric}\n";
    y += "  accumulator: {bits: 32, scheme: uniform_symmetric}\n";
    y += fmt::format("input: {{C: {}, H: {}, W: {}}}\nlayers:\n", input_.C, input_.H, input_.W);
    std::string previous = "input";
    for (const Record& r : records_) {
      std::string line = fmt::format("  - {{name: {}, {}", r.name, r.fields);
      if (!(r.from.size() == 1 && r.from[0] == previous)) line += fmt::format(", from: [{}]", fmt::join(r.from, ", "));
      line += precision_field("weights", r.weights) + precision_field("inputs", r.inputs) +
              precision_field("outputs", r.outputs);
      if (r.stats) line += ", weight_stats: " + stats_field(*r.stats);
      // A JSON string is a YAML double-quoted scalar: any node name survives.
      if (!r.onnx_node.empty()) line += ", onnx_node: " + nlohmann::json(r.onnx_node).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      y += line + "}\n";
      previous = r.name;
    }
    return y;
  }

  static std::string stats_field(const WeightStats& s) {
    std::string f = fmt::format("{{density: {:.6g}", s.density);
    if (s.min) f += fmt::format(", min: {:.6g}, max: {:.6g}", *s.min, *s.max);
    if (s.int_min) f += fmt::format(", int_min: {}, int_max: {}", *s.int_min, *s.int_max);
    return f + "}";
  }

  std::string network_name() const {
    std::string n = g_.graph().name().empty() ? "imported" : g_.graph().name();
    for (char& c : n)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
    return n;
  }

  const Graph& g_;
  Activation input_;
  int64_t batch_ = 1;
  std::map<std::string, Activation> act_;
  std::map<std::string, Constant> const_;
  std::vector<Record> records_;
  std::map<std::string, std::size_t> index_;
  std::set<std::string> names_{"input"};
  std::vector<std::string> notes_;
  bool folded_bn_ = false, quantized_ = false;
  int channel_scales_ = 0;
};

}  // namespace

ImportedTrace import_onnx(const ImportOptions& options) {
  // Fold constants and shape computations first, with the network input's
  // shape set so that ONNX's shape inference can resolve them.
  Graph raw(options.model_path);
  std::string input;
  std::vector<int64_t> dims = raw.input_dims(&input);
  if (!options.input_shape.empty()) dims = options.input_shape;
  if (dims.size() == 3) dims.insert(dims.begin(), 1);
  if (dims.size() != 4 || std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1; }))
    dims.clear();  // unknown: the translation says what it needs
  onnx::ModelProto model = raw.take_model();
  const onnx_import::FoldResult folded = onnx_import::fold_constants(model, input, dims);
  const Graph g(std::move(model));
  ImportedTrace t = Translator(g, options).run();
  if (!folded.inference_error.empty())
    t.notes.push_back("ONNX shape inference gave up (" + folded.inference_error +
                      "); only shapes the import computes itself were used");
  if (folded.folded > 0)
    t.notes.push_back(fmt::format("{} nodes computing constants or shapes folded before translation ({})", folded.folded,
                                  fmt::join(folded.ops, ", ")));
  return t;
}

}  // namespace qnnsim
