// Ops that become layers: convolutions, fully connected, pooling and adds.
#include "importer/translator.h"

#include <algorithm>

#include <fmt/format.h>

#include "importer/tensor_values.h"

namespace qnnsim::onnx_import {

void Translator::conv(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  const int w_index = op == "QLinearConv" ? 3 : 1;
  const Activation x = activation(n, 0);
  if (!x.dims.empty() && x.dims.size() != 4)
    throw ImportError(Graph::describe(n) + fmt::format(": the input has shape ({}); a 2-D convolution takes N,C,H,W",
                                                      fmt::join(x.dims, ", ")));
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
  if (R == S && patch_embedding(n, x, wc, M, R, stride, padding, dilation, groups)) return;
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
  weight_layer(n, fields, x, wc, {{}, M, P, Q, std::nullopt, 0, {}, {}, {}});
}

// ViT's patch embedding is defined so: the image reshaped into a sequence of
// flattened patches and a linear projection of each (A. Dosovitskiy et al.,
// "An Image is Worth 16x16 Words", ICLR 2021, eq. 1). Held as a 1x1
// convolution over the P x Q patches, a row-stationary array (whose PEs hold
// a whole filter row) maps it whatever the patch size.
bool Translator::patch_embedding(const onnx::NodeProto& n, const Activation& x, const Constant& w, int64_t M, int64_t R,
                                 int64_t stride, int64_t padding, int64_t dilation, int64_t groups) {
  if (R < 2 || stride != R || padding != 0 || dilation != 1 || groups != 1 || x.H % R != 0 || x.W % R != 0) return false;
  const std::string what = Graph::describe(n);
  const int64_t P = x.H / R, Q = x.W / R, features = checked_product(checked_product(x.C, R, what), R, what);
  Activation patches{{}, features, P, Q, std::nullopt, 0, {}, {}, {}};
  emit(n, fmt::format("type: transpose, C: {}, H: {}, W: {}", features, P, Q), {&x}, patches, 0, "_patches")
      .carries_width = true;
  patches = act_.at(n.output(0));
  weight_layer(n, fmt::format("type: conv, C: {}, H: {}, W: {}, M: {}, R: 1, S: 1", features, P, Q, M), patches, w,
               {{}, M, P, Q, std::nullopt, 0, {}, {}, {}});
  return true;
}

void Translator::fc(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if ((op == "MatMul" || op == "Gemm") && n.input_size() > 1 && is_activation(n.input(1))) return matmul_activations(n);
  const Activation x = activation(n, 0);
  const Constant wc = weights(n, op == "QLinearMatMul" ? 3 : 1);
  const onnx::TensorProto& w = *wc.init;
  if (w.dims_size() != 2 || w.dims(0) < 1 || w.dims(1) < 1)
    throw ImportError(Graph::describe(n) + ": the weight matrix must be 2-D and not empty");
  const bool trans_b = op == "Gemm" && Graph::int_attr(n, "transB", 0) != 0;
  if (op == "Gemm" && Graph::int_attr(n, "transA", 0) != 0) throw ImportError(Graph::describe(n) + ": transA is not supported");
  const int64_t K = trans_b ? w.dims(1) : w.dims(0), M = trans_b ? w.dims(0) : w.dims(1);
  const std::vector<int64_t> dims = dims_of(x);
  // Rows other than the batch's: the same weights on every token.
  if (!x.dims.empty() && !(dims.size() == 2 && dims[0] == batch_)) return linear_over_tokens(n, x, wc, K, M);
  const int64_t C = checked_product(checked_product(x.C, x.H, Graph::describe(n)), x.W, Graph::describe(n));
  if (K != C) throw ImportError(Graph::describe(n) + fmt::format(": the weights take {} inputs, the input has {}", K, C));
  Activation out{{}, M, 1, 1, std::nullopt, 0, {}, {}, {}};
  out.dims = {batch_, M};
  weight_layer(n, fmt::format("type: fc, C: {}, M: {}", C, M), x, wc, out);
}

void Translator::weight_layer(const onnx::NodeProto& n, const std::string& fields, const Activation& x, const Constant& w,
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

Dequantization Translator::dequantization(const onnx::NodeProto& n, int scale, int zero_point, int64_t axis) const {
  const auto init = [&](int i) {
    return i >= 0 && n.input_size() > i && !n.input(i).empty() ? g_.initializer(n.input(i)) : nullptr;
  };
  return {init(scale), init(zero_point), axis, Graph::describe(n)};
}

void Translator::pool(const onnx::NodeProto& n) {
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
  emit(n, fields, {&x}, {{}, x.C, P, Q, std::nullopt, 0, {}, {}, {}}).carries_width = true;
}

void Translator::global_pool(const onnx::NodeProto& n) {
  const Activation x = activation(n, 0);
  emit(n, fmt::format("type: {}, C: {}, H: {}, W: {}, R: {}, S: {}",
                      n.op_type() == "GlobalMaxPool" ? "maxpool" : "avgpool", x.C, x.H, x.W, x.H, x.W),
       {&x}, {{}, x.C, 1, 1, std::nullopt, 0, {}, {}, {}})
      .carries_width = true;
}

void Translator::add(const onnx::NodeProto& n) {
  if (constant_operand(n)) return pass_through(n);  // a bias, folded into the layer before
  const Activation a = activation(n, 0), b = activation(n, 1);
  // A sequence and one row of its last axis per image (same rank, every
  // other axis 1): the row is broadcast to every position, as an attention
  // mask (batch, 1, 1, tokens) is to the scores (batch, heads, tokens, tokens).
  const auto row_of = [this](const Activation& x, const Activation& r) {
    if (x.dims.empty() || r.dims.size() != x.dims.size() || r.dims.back() != x.dims.back()) return false;
    const std::vector<int64_t> xd = dims_of(x), rd = dims_of(r);
    return rd.front() == xd.front() && std::all_of(rd.begin() + 1, rd.end() - 1, [](int64_t d) { return d == 1; }) &&
           std::any_of(xd.begin() + 1, xd.end() - 1, [](int64_t d) { return d > 1; });
  };
  if (row_of(a, b)) return broadcast_add(n, a, b);
  if (row_of(b, a)) return broadcast_add(n, b, a);
  if (a.producers.size() != 1 || b.producers.size() != 1)
    throw ImportError(Graph::describe(n) + ": an Add of a concatenation is not supported");
  if (a.C != b.C || a.H != b.H || a.W != b.W)
    throw ImportError(Graph::describe(n) + fmt::format(": operands {}x{}x{} and {}x{}x{} differ (broadcasting is not "
                                                      "supported)", a.C, a.H, a.W, b.C, b.H, b.W));
  Activation out{{}, a.C, a.H, a.W, std::nullopt, 0, {}, {}, {}};
  out.dims = a.dims;  // a residual add of token sequences stays a sequence
  emit(n, fmt::format("type: add, C: {}, H: {}, W: {}", a.C, a.H, a.W), {&a, &b}, out).carries_width = true;
}

}  // namespace qnnsim::onnx_import
