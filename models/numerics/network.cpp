#include "numerics/network.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "importer/onnx_graph.h"
#include "importer/onnx_import.h"
#include "importer/tensor_values.h"
#include "numerics/eval_error.h"
#include "numerics/folded_model.h"
#include "numerics/qdq_nodes.h"

namespace qnnsim::numerics {

namespace {

using onnx_import::Graph;

// The rule `qnnsim import` names layers by: letters and digits kept, every
// run of anything else one '_', trimmed; made unique with _2, _3, ...
std::string legal_name(const onnx::NodeProto& n, std::set<std::string>& taken) {
  const std::string& original = n.name().empty() ? n.output(0) : n.name();
  std::string base;
  for (const char c : original) {
    if (std::isalnum(static_cast<unsigned char>(c))) base += c;
    else if (!base.empty() && base.back() != '_') base += '_';
  }
  while (!base.empty() && base.back() == '_') base.pop_back();
  if (base.empty()) base = n.op_type();
  std::string name = base;
  for (int k = 2; taken.count(name); ++k) name = base + "_" + std::to_string(k);
  taken.insert(name);
  return name;
}

float float_attr(const onnx::NodeProto& n, const std::string& key, float fallback) {
  for (const auto& a : n.attribute())
    if (a.name() == key) return a.f();
  return fallback;
}

class Builder {
 public:
  Builder(const Graph& g, const std::string& path) : g_(g), path_(path), qdq_(g, path) {}

  Network build() {
    std::string input;
    std::vector<int64_t> dims = g_.input_dims(&input);
    if (dims.size() == 4 && dims[0] <= 1) dims.erase(dims.begin());
    if (dims.size() != 3 || std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1 || d > 1 << 16; }))
      throw EvalError(path_ + ": the network input '" + input + "' must have a known shape 1,C,H,W");
    net_.input = add_tensor(input, {int(dims[0]), int(dims[1]), int(dims[2])});
    for (const onnx::NodeProto& n : g_.graph().node()) node(n);
    if (g_.graph().output_size() != 1) throw EvalError(path_ + ": expected one graph output (the logits)");
    const std::string& out = g_.graph().output(0).name();
    if (!tensors_.count(out)) throw EvalError(path_ + ": the graph output '" + out + "' is not computed from the input");
    net_.output = tensors_.at(out);
    fuse_relus();
    net_.name = std::filesystem::path(path_).stem().string();
    return std::move(net_);
  }

 private:
  int add_tensor(const std::string& name, TensorShape s) {
    net_.shapes.push_back(s);
    net_.tensor_names.push_back(name);
    tensors_[name] = static_cast<int>(net_.shapes.size()) - 1;
    return tensors_[name];
  }

  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& why) const {
    throw EvalError(path_ + ": " + Graph::describe(n) + ": " + why);
  }

  int activation(const onnx::NodeProto& n, int i) const {
    if (i >= n.input_size() || n.input(i).empty()) fail(n, "input " + std::to_string(i) + " is missing");
    const auto it = tensors_.find(n.input(i));
    if (it == tensors_.end()) {
      if (qdq_.codes(n.input(i)))
        fail(n, "input '" + n.input(i) + "' holds a QuantizeLinear's integer codes; evaluation reads them only "
                "through a DequantizeLinear (the QDQ form)");
      if (g_.initializer(n.input(i)))
        fail(n, "input '" + n.input(i) + "' is a constant; evaluation supports this op only between activations");
      fail(n, "input '" + n.input(i) + "' is not computed from the network input");
    }
    return it->second;
  }

  std::vector<double> constant(const onnx::NodeProto& n, int i, std::vector<int64_t>* dims) const {
    if (const QdqConstant* q = i < n.input_size() ? qdq_.constant(n.input(i)) : nullptr) {
      *dims = q->dims;
      return q->values;
    }
    const onnx::TensorProto* t = i < n.input_size() ? g_.initializer(n.input(i)) : nullptr;
    if (!t) fail(n, "input " + std::to_string(i) + " must be a constant (an initializer)");
    dims->assign(t->dims().begin(), t->dims().end());
    std::vector<double> v = onnx_import::tensor_values(*t, "initializer '" + t->name() + "'");
    // A NaN or infinite weight has no integer code; refused here, where the node can be named.
    for (const double x : v)
      if (!std::isfinite(x)) fail(n, "initializer '" + t->name() + "' holds a value that is not finite");
    return v;
  }

  NetOp start(const onnx::NodeProto& n, OpKind kind) {
    NetOp op;
    op.kind = kind;
    op.name = legal_name(n, names_);
    op.onnx = Graph::describe(n);
    return op;
  }

  void finish(const onnx::NodeProto& n, NetOp op, TensorShape out) {
    if (n.output_size() < 1) fail(n, "has no output");
    op.out = add_tensor(n.output(0), out);
    net_.ops.push_back(std::move(op));
  }

  // pads as [top, left, bottom, right]; ONNX gives [begins..., ends...].
  void read_pads(const onnx::NodeProto& n, int* t, int* l, int* b, int* r) const {
    for (const auto& a : n.attribute())
      if (a.name() == "auto_pad" && a.s() != "NOTSET") fail(n, "auto_pad '" + a.s() + "' is not supported (give pads)");
    const std::vector<int64_t> p = Graph::ints_attr(n, "pads");
    if (p.empty()) return;
    if (p.size() != 4 || std::any_of(p.begin(), p.end(), [](int64_t v) { return v < 0 || v > 1 << 12; }))
      fail(n, "expected 4 non-negative pads");
    *t = int(p[0]), *l = int(p[1]), *b = int(p[2]), *r = int(p[3]);
  }

  void read_strides(const onnx::NodeProto& n, int* sh, int* sw) const {
    const std::vector<int64_t> s = Graph::ints_attr(n, "strides");
    if (s.empty()) return;
    if (s.size() != 2 || s[0] < 1 || s[1] < 1 || s[0] > 1 << 12 || s[1] > 1 << 12) fail(n, "expected 2 strides >= 1");
    *sh = int(s[0]), *sw = int(s[1]);
  }

  void no_dilation(const onnx::NodeProto& n) const {
    for (const int64_t d : Graph::ints_attr(n, "dilations"))
      if (d != 1) fail(n, "dilation " + std::to_string(d) + " is not supported (expected 1)");
  }

  void node(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    if (qdq_.node(n, tensors_, net_)) return;
    if (op == "Conv") return conv(n);
    if (op == "Gemm" || op == "MatMul") return gemm(n);
    if (op == "Relu") {
      NetOp o = start(n, OpKind::relu);
      o.in = {activation(n, 0)};
      const TensorShape shape = net_.shapes[o.in[0]];  // read before `o` is moved from
      return finish(n, std::move(o), shape);
    }
    if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool") return pool(n);
    if (op == "Flatten" || op == "Reshape") return flatten(n);
    if (op == "Add") {
      NetOp o = start(n, OpKind::add);
      o.in = {activation(n, 0), activation(n, 1)};
      const TensorShape a = net_.shapes[o.in[0]], b = net_.shapes[o.in[1]];
      if (a.C != b.C || a.H != b.H || a.W != b.W) fail(n, "its two inputs differ in shape (broadcasting is not supported)");
      return finish(n, std::move(o), a);
    }
    if (op == "Identity" || op == "Dropout") {
      tensors_[n.output(0)] = activation(n, 0);
      return;
    }
    fail(n, "op type '" + op + "' is not supported by evaluation (supported: Conv, Gemm, MatMul, Relu, MaxPool, "
            "AveragePool, GlobalAveragePool, Flatten, Reshape, Add, Identity, Dropout, and QuantizeLinear / "
            "DequantizeLinear pairs)");
  }

  void conv(const onnx::NodeProto& n) {
    NetOp o = start(n, OpKind::conv);
    o.in = {activation(n, 0)};
    const TensorShape x = net_.shapes[o.in[0]];
    if (Graph::int_attr(n, "group", 1) != 1) fail(n, "grouped convolution is not supported (expected group 1)");
    no_dilation(n);
    std::vector<int64_t> wd;
    const std::vector<double> w = constant(n, 1, &wd);
    if (wd.size() != 4 || wd[1] != x.C)
      fail(n, "weights must be M x " + std::to_string(x.C) + " x R x S for an input of " + std::to_string(x.C) + " channels");
    ConvShape& s = o.conv;
    s.C = x.C, s.H = x.H, s.W = x.W, s.M = int(wd[0]), s.R = int(wd[2]), s.S = int(wd[3]);
    read_strides(n, &s.stride_h, &s.stride_w);
    read_pads(n, &s.pad_top, &s.pad_left, &s.pad_bottom, &s.pad_right);
    if (s.H + s.pad_top + s.pad_bottom < s.R || s.W + s.pad_left + s.pad_right < s.S)
      fail(n, "the filter is larger than the padded input");
    o.weight.resize(s.M, s.K());
    for (int m = 0; m < s.M; ++m)
      for (int k = 0; k < s.K(); ++k) o.weight(m, k) = float(w[std::size_t(m) * s.K() + k]);
    read_given_weights(n, o, 0, s.M);
    o.bias = Eigen::VectorXf::Zero(s.M);
    if (n.input_size() > 2 && !n.input(2).empty()) {
      std::vector<int64_t> bd;
      const std::vector<double> b = constant(n, 2, &bd);
      if (int64_t(b.size()) != s.M) fail(n, "the bias must have " + std::to_string(s.M) + " values");
      for (int m = 0; m < s.M; ++m) o.bias(m) = float(b[m]);
    }
    const TensorShape out{s.M, s.out_h(), s.out_w()};
    finish(n, std::move(o), out);
  }

  // Y = X W^T + b as a 1x1 convolution of a K-channel 1x1 image.
  void gemm(const onnx::NodeProto& n) {
    NetOp o = start(n, OpKind::conv);
    o.in = {activation(n, 0)};
    const int K = net_.shapes[o.in[0]].size();
    const bool is_gemm = n.op_type() == "Gemm";
    if (is_gemm && (Graph::int_attr(n, "transA", 0) != 0 || float_attr(n, "alpha", 1) != 1 || float_attr(n, "beta", 1) != 1))
      fail(n, "expected transA 0, alpha 1 and beta 1");
    const bool trans_b = is_gemm && Graph::int_attr(n, "transB", 0) != 0;
    std::vector<int64_t> wd;
    const std::vector<double> w = constant(n, 1, &wd);
    if (wd.size() != 2 || wd[trans_b ? 1 : 0] != K)
      fail(n, "weights must be a 2-d matrix with " + std::to_string(K) + " inputs (the size of its input)");
    const int M = int(wd[trans_b ? 0 : 1]);
    ConvShape& s = o.conv;
    s.C = K, s.M = M;
    o.weight.resize(M, K);
    for (int m = 0; m < M; ++m)
      for (int k = 0; k < K; ++k) o.weight(m, k) = float(trans_b ? w[std::size_t(m) * K + k] : w[std::size_t(k) * M + m]);
    read_given_weights(n, o, trans_b ? 0 : 1, M);
    o.bias = Eigen::VectorXf::Zero(M);
    if (is_gemm && n.input_size() > 2 && !n.input(2).empty()) {
      std::vector<int64_t> bd;
      const std::vector<double> b = constant(n, 2, &bd);
      if (int64_t(b.size()) != M) fail(n, "the bias C must have " + std::to_string(M) + " values (no other broadcast)");
      for (int m = 0; m < M; ++m) o.bias(m) = float(b[m]);
    }
    finish(n, std::move(o), {M, 1, 1});
  }

  // Where the weights are, and what a QDQ model's nodes say of them.
  void read_given_weights(const onnx::NodeProto& n, NetOp& o, int axis, int M) const {
    o.weight_initializer = n.input(1);
    o.weight_axis = axis;
    const QdqConstant* q = qdq_.constant(n.input(1));
    if (q && q->params) o.given_weights = qdq_.weights(n.input(1), n, axis, M);
  }

  void pool(const onnx::NodeProto& n) {
    const bool global = n.op_type() == "GlobalAveragePool";
    NetOp o = start(n, n.op_type() == "MaxPool" ? OpKind::maxpool : OpKind::avgpool);
    o.in = {activation(n, 0)};
    const TensorShape x = net_.shapes[o.in[0]];
    PoolShape& p = o.pool;
    if (global) {
      p.kh = x.H, p.kw = x.W;
    } else {
      const std::vector<int64_t> k = Graph::ints_attr(n, "kernel_shape");
      if (k.size() != 2 || k[0] < 1 || k[1] < 1 || k[0] > 1 << 12 || k[1] > 1 << 12) fail(n, "expected a 2-d kernel_shape");
      p.kh = int(k[0]), p.kw = int(k[1]);
      read_strides(n, &p.stride_h, &p.stride_w);
      read_pads(n, &p.pad_top, &p.pad_left, &p.pad_bottom, &p.pad_right);
      no_dilation(n);
      if (Graph::int_attr(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode 1 is not supported (expected 0)");
      if (Graph::int_attr(n, "storage_order", 0) != 0) fail(n, "storage_order 1 is not supported");
      p.count_include_pad = Graph::int_attr(n, "count_include_pad", 0) != 0;
    }
    if (n.output_size() > 1 && !n.output(1).empty()) fail(n, "the Indices output is not supported");
    const int oh = (x.H + p.pad_top + p.pad_bottom - p.kh) / p.stride_h + 1;
    const int ow = (x.W + p.pad_left + p.pad_right - p.kw) / p.stride_w + 1;
    if (oh < 1 || ow < 1) fail(n, "the window is larger than the padded input");
    finish(n, std::move(o), {x.C, oh, ow});
  }

  // Flatten at axis 1, or a Reshape to (1 or -1 or 0, size): the values stay in
  // place and only the shape changes.
  void flatten(const onnx::NodeProto& n) {
    NetOp o = start(n, OpKind::flatten);
    o.in = {activation(n, 0)};
    const int size = net_.shapes[o.in[0]].size();
    if (n.op_type() == "Flatten") {
      if (Graph::int_attr(n, "axis", 1) != 1) fail(n, "only axis 1 is supported (the batch stays, the rest is flattened)");
    } else {
      std::vector<int64_t> sd;
      const std::vector<double> shape = constant(n, 1, &sd);
      const bool flat = shape.size() == 2 && (shape[0] == 1 || shape[0] == 0 || shape[0] == -1) &&
                        (shape[1] == size || (shape[1] == -1 && shape[0] != -1));
      if (!flat) fail(n, "only a reshape that flattens each image to (1, " + std::to_string(size) + ") is supported");
    }
    finish(n, std::move(o), {size, 1, 1});
  }

  // A Relu right after a Conv or Gemm, which nothing else reads, is applied by
  // that op: the quantized path then requantizes straight to the Relu's range
  // (what an accelerator's output stage does) instead of storing negatives.
  void fuse_relus() {
    std::map<int, int> readers;
    for (const NetOp& op : net_.ops)
      for (const int t : op.in) ++readers[t];
    std::vector<NetOp> kept;
    for (NetOp& op : net_.ops) {
      if (op.kind == OpKind::relu && !kept.empty()) {
        NetOp& prev = kept.back();
        if (prev.kind == OpKind::conv && !prev.relu && prev.out == op.in[0] && readers[prev.out] == 1 &&
            prev.out != net_.output) {
          prev.relu = true;
          // A QDQ model may quantize the Conv's output rather than the
          // Relu's: with the Relu applied first, the same codes are stored.
          const auto before = net_.given.find(prev.out);
          if (before != net_.given.end()) {
            if (!net_.given.count(op.out)) net_.given[op.out] = before->second;
            net_.given.erase(before);
          }
          prev.out = op.out;
          continue;
        }
      }
      kept.push_back(std::move(op));
    }
    net_.ops = std::move(kept);
  }

  const Graph& g_;
  std::string path_;
  Network net_;
  std::map<std::string, int> tensors_;
  std::set<std::string> names_;
  QdqNodes qdq_;
};

}  // namespace

Network load_network(const std::string& path) {
  try {
    const Graph g(folded_model(path));
    return Builder(g, path).build();
  } catch (const ImportError& e) {
    // The Graph's own messages about the file already name it.
    const std::string what = e.what();
    throw EvalError(what.find(path) == std::string::npos ? path + ": " + what : what);
  }
}

}  // namespace qnnsim::numerics
