// Translates an ONNX graph node by node, in the graph's order (ONNX requires
// it to be topological). Each activation tensor is tracked by the layer that
// produced it and its shape (C, H, W); ops that do not move data through the
// accelerator (ReLU, Clip, BatchNormalization folded into the convolution
// before it, Dropout, Identity, Flatten, Reshape) pass the tracking through.
// Shapes are inferred here from the ops' attributes, so a model without
// intermediate shape information imports the same.
#include "importer/onnx_import.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "importer/onnx_graph.h"

namespace qnnsim {

namespace {

using onnx_import::Graph;
using onnx_import::WeightStats;

struct Activation {
  std::string producer;  // a layer name, or "input"
  int64_t C = 0, H = 1, W = 1;
};

class Translator {
 public:
  Translator(const Graph& g, const ImportOptions& o) : g_(g) { read_input(o); }

  ImportedTrace run() {
    for (const auto& n : g_.graph().node()) node(n);
    if (layers_.empty()) throw ImportError("the graph has no Conv, Gemm, MatMul, pooling or Add node to simulate");
    ImportedTrace t;
    t.layers = static_cast<int>(layers_.size());
    t.notes = notes_;
    t.yaml = yaml();
    return t;
  }

 private:
  void read_input(const ImportOptions& o) {
    std::vector<int64_t> dims = g_.input_dims(&input_name_);
    if (!o.input_shape.empty()) dims = o.input_shape;
    if (dims.size() == 4) {
      batch_ = dims[0] > 0 ? dims[0] : 1;
      dims.erase(dims.begin());
    }
    if (dims.size() != 3 || std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1; }))
      throw ImportError("the network input '" + input_name_ +
                        "' needs a known shape C,H,W (or N,C,H,W); give it with --input-shape");
    act_[input_name_] = {"input", dims[0], dims[1], dims[2]};
    input_ = act_[input_name_];
  }

  const Activation& activation(const onnx::NodeProto& n, int i) const {
    if (n.input_size() <= i) throw ImportError(Graph::describe(n) + " has no input " + std::to_string(i));
    const auto it = act_.find(n.input(i));
    if (it == act_.end())
      throw ImportError(Graph::describe(n) + ": input '" + n.input(i) + "' is not an activation the import knows");
    return it->second;
  }
  const onnx::TensorProto& weights(const onnx::NodeProto& n, int i) const {
    const onnx::TensorProto* t = n.input_size() > i ? g_.initializer(n.input(i)) : nullptr;
    if (t == nullptr) throw ImportError(Graph::describe(n) + ": input " + std::to_string(i) + " must be a constant initializer");
    return *t;
  }

  // A plain layer name from the node's name or output, unique in the trace.
  std::string layer_name(const onnx::NodeProto& n) {
    std::string base = n.name().empty() ? n.output(0) : n.name();
    for (char& c : base)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') c = '_';
    while (!base.empty() && (base.front() == '_' || base.front() == '.' || base.front() == '-')) base.erase(0, 1);
    if (base.empty()) base = n.op_type();
    std::string name = base;
    for (int k = 2; names_.count(name); ++k) name = base + "_" + std::to_string(k);
    names_.insert(name);
    return name;
  }

  // Equal pads on all sides and equal strides, as the trace's layers have them.
  void square(const onnx::NodeProto& n, int64_t* stride, int64_t* padding, int64_t* dilation) const {
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
  }

  void emit(const onnx::NodeProto& n, const std::string& fields, const std::vector<const Activation*>& from,
            const Activation& out, const WeightStats* w = nullptr) {
    const std::string name = layer_name(n);
    std::string line = fmt::format("  - {{name: {}, {}", name, fields);
    const bool follows = from.size() == 1 && from[0]->producer == last_;
    if (!follows) {
      line += ", from: [";
      for (std::size_t i = 0; i < from.size(); ++i) line += (i ? ", " : "") + from[i]->producer;
      line += "]";
    }
    if (w != nullptr)
      line += fmt::format(", weight_stats: {{density: {:.6g}, min: {:.6g}, max: {:.6g}}}", w->density, w->min, w->max);
    layers_.push_back(line + "}");
    last_ = name;
    Activation a = out;
    a.producer = name;
    act_[n.output(0)] = a;
  }

  void node(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    if (op == "Conv") return conv(n);
    if (op == "Gemm" || op == "MatMul") return fc(n);
    if (op == "MaxPool" || op == "AveragePool") return pool(n);
    if (op == "GlobalAveragePool" || op == "GlobalMaxPool") return global_pool(n);
    if (op == "Add") return add(n);
    if (op == "Relu" || op == "Clip" || op == "BatchNormalization" || op == "Dropout" || op == "Identity") {
      act_[n.output(0)] = activation(n, 0);
      if (op == "BatchNormalization") folded_bn_ = true;
      return;
    }
    if (op == "Flatten" || op == "Reshape") {
      Activation a = activation(n, 0);
      act_[n.output(0)] = {a.producer, a.C * a.H * a.W, 1, 1};
      return;
    }
    throw ImportError(Graph::describe(n) + ": op type " + op + " is not supported");
  }

  void conv(const onnx::NodeProto& n) {
    const Activation& x = activation(n, 0);
    const onnx::TensorProto& w = weights(n, 1);
    if (w.dims_size() != 4) throw ImportError(Graph::describe(n) + ": only 2-D convolutions are supported");
    const int64_t M = w.dims(0), R = w.dims(2), S = w.dims(3), groups = Graph::int_attr(n, "group", 1);
    if (w.dims(1) * groups != x.C)
      throw ImportError(Graph::describe(n) + fmt::format(": weights expect {} input channels, the input has {}",
                                                        w.dims(1) * groups, x.C));
    int64_t stride = 1, padding = 0, dilation = 1;
    square(n, &stride, &padding, &dilation);
    const int64_t P = (x.H + 2 * padding - dilation * (R - 1) - 1) / stride + 1;
    const int64_t Q = (x.W + 2 * padding - dilation * (S - 1) - 1) / stride + 1;
    const WeightStats ws = Graph::stats(w);
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
    emit(n, fields, {&x}, {"", M, P, Q}, &ws);
  }

  void fc(const onnx::NodeProto& n) {
    const Activation& x = activation(n, 0);
    const onnx::TensorProto& w = weights(n, 1);
    if (w.dims_size() != 2) throw ImportError(Graph::describe(n) + ": the weight matrix must be 2-D");
    const bool trans_b = n.op_type() == "Gemm" && Graph::int_attr(n, "transB", 0) != 0;
    if (n.op_type() == "Gemm" && Graph::int_attr(n, "transA", 0) != 0)
      throw ImportError(Graph::describe(n) + ": transA is not supported");
    const int64_t K = trans_b ? w.dims(1) : w.dims(0), M = trans_b ? w.dims(0) : w.dims(1);
    const int64_t C = x.C * x.H * x.W;
    if (K != C) throw ImportError(Graph::describe(n) + fmt::format(": the weights take {} inputs, the input has {}", K, C));
    const WeightStats ws = Graph::stats(w);
    emit(n, fmt::format("type: fc, C: {}, M: {}", C, M), {&x}, {"", M, 1, 1}, &ws);
  }

  void pool(const onnx::NodeProto& n) {
    const Activation& x = activation(n, 0);
    const std::vector<int64_t> k = Graph::ints_attr(n, "kernel_shape");
    if (k.size() != 2) throw ImportError(Graph::describe(n) + ": kernel_shape must be 2-D");
    if (Graph::int_attr(n, "ceil_mode", 0) != 0) throw ImportError(Graph::describe(n) + ": ceil_mode is not supported");
    int64_t stride = 1, padding = 0;
    square(n, &stride, &padding, nullptr);
    const int64_t P = (x.H + 2 * padding - k[0]) / stride + 1, Q = (x.W + 2 * padding - k[1]) / stride + 1;
    std::string fields = fmt::format("type: {}, C: {}, H: {}, W: {}, R: {}, S: {}",
                                     n.op_type() == "MaxPool" ? "maxpool" : "avgpool", x.C, x.H, x.W, k[0], k[1]);
    if (stride != 1) fields += fmt::format(", stride: {}", stride);
    if (padding != 0) fields += fmt::format(", padding: {}", padding);
    emit(n, fields, {&x}, {"", x.C, P, Q});
  }

  void global_pool(const onnx::NodeProto& n) {
    const Activation& x = activation(n, 0);
    emit(n, fmt::format("type: {}, C: {}, H: {}, W: {}, R: {}, S: {}",
                        n.op_type() == "GlobalMaxPool" ? "maxpool" : "avgpool", x.C, x.H, x.W, x.H, x.W),
         {&x}, {"", x.C, 1, 1});
  }

  void add(const onnx::NodeProto& n) {
    // A constant operand is a bias: folded into the layer before.
    if (n.input_size() == 2 && (g_.initializer(n.input(0)) || g_.initializer(n.input(1)))) {
      act_[n.output(0)] = activation(n, g_.initializer(n.input(0)) ? 1 : 0);
      return;
    }
    const Activation& a = activation(n, 0);
    const Activation& b = activation(n, 1);
    if (a.C != b.C || a.H != b.H || a.W != b.W)
      throw ImportError(Graph::describe(n) + fmt::format(": operands {}x{}x{} and {}x{}x{} differ (broadcasting is not "
                                                        "supported)", a.C, a.H, a.W, b.C, b.H, b.W));
    emit(n, fmt::format("type: add, C: {}, H: {}, W: {}", a.C, a.H, a.W), {&a, &b}, {"", a.C, a.H, a.W});
  }

  std::string yaml() {
    std::string y = "# Imported from an ONNX model by `qnnsim import`.\n";
    y += "# The graph has no quantization nodes: the precision below is qnnsim's default,\n";
    y += "# 8-bit uniform with 32-bit accumulators. Change it here or with --bits.\n";
    y += "# weight_stats: density (fraction not zero) and range of each layer's weights.\n";
    y += fmt::format("network: {}\nbatch: {}\n", network_name(), batch_);
    y += "precision:\n";
    y += "  weights:     {bits: 8, scheme: uniform_symmetric}\n";
    y += "  inputs:      {bits: 8, scheme: uniform_asymmetric}\n";
    y += "  outputs:     {bits: 8, scheme: uniform_asymmetric}\n";
    y += "  accumulator: {bits: 32, scheme: uniform_symmetric}\n";
    y += fmt::format("input: {{C: {}, H: {}, W: {}}}\nlayers:\n", input_.C, input_.H, input_.W);
    for (const std::string& l : layers_) y += l + "\n";
    notes_.push_back("no quantization nodes: every tensor gets the default 8-bit uniform precision");
    if (folded_bn_) notes_.push_back("BatchNormalization folded into the convolutions before it");
    return y;
  }

  std::string network_name() const {
    std::string n = g_.graph().name().empty() ? "imported" : g_.graph().name();
    for (char& c : n)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
    return n;
  }

  const Graph& g_;
  std::string input_name_;
  Activation input_;
  int64_t batch_ = 1;
  std::map<std::string, Activation> act_;
  std::set<std::string> names_{"input"};
  std::vector<std::string> layers_, notes_;
  std::string last_ = "input";
  bool folded_bn_ = false;
};

}  // namespace

ImportedTrace import_onnx(const ImportOptions& options) {
  const Graph g(options.model_path);
  return Translator(g, options).run();
}

}  // namespace qnnsim
