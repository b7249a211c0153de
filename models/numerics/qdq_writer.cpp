#include "numerics/qdq_writer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "importer/onnx_import.h"
#include "importer/tensor_values.h"
#include "numerics/eval_error.h"
#include "numerics/folded_model.h"

namespace qnnsim::numerics {

namespace {

constexpr int kOpsetForAxis = 13;  // DequantizeLinear's axis (per-channel scales) came with opset 13

onnx::TensorProto floats(const std::string& name, const std::vector<double>& v, bool scalar) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  if (!scalar) t.add_dims(int64_t(v.size()));
  for (const double x : v) t.add_float_data(float(x));
  return t;
}

// int8 and uint8 values live in int32_data (ONNX's TensorProto).
onnx::TensorProto codes(const std::string& name, int type, const std::vector<int64_t>& dims,
                        const std::vector<int32_t>& v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(type);
  for (const int64_t d : dims) t.add_dims(d);
  for (const int32_t x : v) t.add_int32_data(x);
  return t;
}

onnx::NodeProto make_node(const std::string& op, const std::string& name, const std::vector<std::string>& in,
                          const std::string& out) {
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(name);
  for (const std::string& i : in) n.add_input(i);
  n.add_output(out);
  return n;
}

int opset_of(const onnx::ModelProto& m) {
  for (const auto& o : m.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") return int(o.version());
  return 0;
}

class Writer {
 public:
  Writer(const std::string& path, const Network& net, const QuantPlan& plan, const std::vector<bool>& per_channel)
      : path_(path), net_(net), plan_(plan), per_channel_(per_channel) {}

  std::string write() {
    try {
      model_ = folded_model(path_);
    } catch (const ImportError& e) {
      throw EvalError(path_ + ": " + e.what());
    }
    if (opset_of(model_) < kOpsetForAxis)
      throw EvalError(fmt::format("{}: opset {}; writing QDQ needs opset {} or later (DequantizeLinear's axis)", path_,
                                  opset_of(model_), kOpsetForAxis));
    onnx::GraphProto& g = *model_.mutable_graph();
    for (const auto& t : g.initializer()) taken_.insert(t.name());
    for (const auto& n : g.node())
      for (const auto& o : n.output()) taken_.insert(o);
    for (const auto& i : g.input()) taken_.insert(i.name());

    // Activations: after the tensor's producer (or first, for the image).
    std::map<std::string, std::vector<onnx::NodeProto>> after;  // tensor -> the nodes quantizing it
    std::map<std::string, std::string> read_as;                 // tensor -> its dequantized name
    std::vector<int> stored = {net_.input};
    for (const NetOp& op : net_.ops)
      if ((op.kind == OpKind::conv || op.kind == OpKind::add) && op.out != net_.output) stored.push_back(op.out);
    for (const int t : stored) {
      const std::string& name = net_.tensor_names[std::size_t(t)];
      read_as[name] = quantize_activation(name, plan_.act[std::size_t(t)], &after[name]);
    }
    // Weights: integer codes through DequantizeLinear.
    std::map<std::string, std::string> weights_as;
    for (std::size_t i = 0; i < net_.ops.size(); ++i)
      if (net_.ops[i].kind == OpKind::conv) weights_as[net_.ops[i].weight_initializer] = quantize_weights(i, &after);

    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    const std::string& image = net_.tensor_names[std::size_t(net_.input)];
    for (onnx::NodeProto& q : after[image]) *nodes.Add() = q;
    for (const std::string& w : weight_order_)
      for (onnx::NodeProto& q : after[w]) *nodes.Add() = q;
    for (onnx::NodeProto n : g.node()) {
      for (int i = 0; i < n.input_size(); ++i) {
        const auto a = read_as.find(n.input(i));
        if (a != read_as.end()) n.set_input(i, a->second);
        const auto w = weights_as.find(n.input(i));
        if (w != weights_as.end()) n.set_input(i, w->second);
      }
      *nodes.Add() = n;
      for (const std::string& out : n.output())
        if (out != image)
          for (onnx::NodeProto& q : after[out]) *nodes.Add() = q;
    }
    g.mutable_node()->Swap(&nodes);
    // The weights' float values are replaced by their codes.
    google::protobuf::RepeatedPtrField<onnx::TensorProto> inits;
    for (const auto& t : g.initializer())
      if (!weights_as.count(t.name())) *inits.Add() = t;
    g.mutable_initializer()->Swap(&inits);
    // An older export lists its initializers as graph inputs too.
    google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> inputs;
    for (const auto& v : g.input())
      if (!weights_as.count(v.name())) *inputs.Add() = v;
    g.mutable_input()->Swap(&inputs);
    for (auto& t : added_) *g.add_initializer() = std::move(t);
    // Inferred shapes of tensors no longer there would confuse a checker.
    g.clear_value_info();
    std::string bytes;
    if (!model_.SerializeToString(&bytes)) throw EvalError(path_ + ": the QDQ model could not be serialized");
    return bytes;
  }

 private:
  std::string fresh(const std::string& base) {
    std::string name = base;
    for (int k = 2; taken_.count(name); ++k) name = base + "_" + std::to_string(k);
    taken_.insert(name);
    return name;
  }

  // Clip (narrow or symmetric codes), QuantizeLinear, DequantizeLinear; returns the dequantized name.
  std::string quantize_activation(const std::string& name, const ActQuant& a, std::vector<onnx::NodeProto>* nodes) {
    if (a.bits > 8)
      throw EvalError(fmt::format("{}: '{}' is stored at {} bits; ONNX QuantizeLinear (opset 13 to 17) holds 8-bit "
                                  "codes only, so --qdq needs 8 bits or fewer",
                                  path_, name, a.bits));
    const int type = a.symmetric ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8;
    const int32_t type_min = a.symmetric ? -128 : 0, type_max = a.symmetric ? 127 : 255;
    const std::string scale = fresh(name + "_scale"), zero = fresh(name + "_zero_point");
    added_.push_back(floats(scale, {a.scale}, true));
    added_.push_back(codes(zero, type, {}, {a.zero}));
    std::string x = name;
    if (a.qmin != type_min || a.qmax != type_max) {
      // The real range of the codes: clipping to it first makes
      // QuantizeLinear's saturation land on the narrow codes' ends.
      const std::string lo = fresh(name + "_clip_min"), hi = fresh(name + "_clip_max");
      added_.push_back(floats(lo, {a.real(a.qmin)}, true));
      added_.push_back(floats(hi, {a.real(a.qmax)}, true));
      const std::string clipped = fresh(name + "_clipped");
      nodes->push_back(make_node("Clip", fresh(name + "_Clip"), {name, lo, hi}, clipped));
      x = clipped;
    }
    const std::string q = fresh(name + "_quantized"), dq = fresh(name + "_dequantized");
    nodes->push_back(make_node("QuantizeLinear", fresh(name + "_QuantizeLinear"), {x, scale, zero}, q));
    nodes->push_back(make_node("DequantizeLinear", fresh(name + "_DequantizeLinear"), {q, scale, zero}, dq));
    return dq;
  }

  std::string quantize_weights(std::size_t i, std::map<std::string, std::vector<onnx::NodeProto>>* after) {
    const NetOp& op = net_.ops[i];
    const int bits = plan_.layer_bits[i].weights;
    if (bits > 8)
      throw EvalError(fmt::format("{}: {} has {}-bit weights; ONNX DequantizeLinear's codes (opset 13 to 17) are 8-bit, "
                                  "so --qdq needs 8 bits or fewer",
                                  path_, op.onnx, bits));
    const onnx::TensorProto* w = nullptr;
    for (const auto& t : model_.graph().initializer())
      if (t.name() == op.weight_initializer) w = &t;
    if (w == nullptr)
      throw EvalError(fmt::format("{}: {}: its weights '{}' are not an initializer of their own (already quantized?)",
                                  path_, op.onnx, op.weight_initializer));
    if (std::find(weight_order_.begin(), weight_order_.end(), w->name()) != weight_order_.end())
      throw EvalError(fmt::format("{}: {}: its weights '{}' are shared with another layer; --qdq writes one "
                                  "quantization per weight tensor",
                                  path_, op.onnx, w->name()));
    const std::vector<double> values = onnx_import::tensor_values(*w, "initializer '" + w->name() + "'");
    const std::vector<int64_t> dims(w->dims().begin(), w->dims().end());
    const std::vector<double>& scales = plan_.weight_scales[i];
    const bool per_channel = per_channel_[i];
    // The output channel of flat index k: along weight_axis of dims.
    int64_t inner = 1;
    for (std::size_t d = std::size_t(op.weight_axis) + 1; d < dims.size(); ++d) inner *= dims[d];
    const int64_t channels = dims[std::size_t(op.weight_axis)];
    const double top = double((1 << (bits - 1)) - 1);
    std::vector<int32_t> q;
    for (std::size_t k = 0; k < values.size(); ++k) {
      const std::size_t m = std::size_t((int64_t(k) / inner) % channels);
      // As quantize_weights rounds them (quant_params.h): the same codes.
      q.push_back(int32_t(std::clamp(std::nearbyint(double(float(values[k])) / scales[m]), -top, top)));
    }
    const std::string name = w->name();
    const std::string codes_name = fresh(name + "_quantized"), scale = fresh(name + "_scale"),
                      zero = fresh(name + "_zero_point"), dq = fresh(name + "_dequantized");
    added_.push_back(codes(codes_name, onnx::TensorProto::INT8, dims, q));
    const std::vector<double> s = per_channel ? scales : std::vector<double>{scales.at(0)};
    added_.push_back(floats(scale, s, !per_channel));
    added_.push_back(codes(zero, onnx::TensorProto::INT8, per_channel ? std::vector<int64_t>{int64_t(s.size())}
                                                                      : std::vector<int64_t>{},
                           std::vector<int32_t>(s.size(), 0)));
    onnx::NodeProto n = make_node("DequantizeLinear", fresh(name + "_DequantizeLinear"), {codes_name, scale, zero}, dq);
    if (per_channel) {
      onnx::AttributeProto* a = n.add_attribute();
      a->set_name("axis");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(op.weight_axis);
    }
    (*after)[name].push_back(n);
    weight_order_.push_back(name);
    if (bits < 8) {
      auto* m = model_.add_metadata_props();
      m->set_key("qnnsim.weight_bits." + codes_name);
      m->set_value(std::to_string(bits));
    }
    return dq;
  }

  const std::string& path_;
  const Network& net_;
  const QuantPlan& plan_;
  const std::vector<bool>& per_channel_;
  onnx::ModelProto model_;
  std::set<std::string> taken_;
  std::vector<onnx::TensorProto> added_;
  std::vector<std::string> weight_order_;
};

}  // namespace

std::string qdq_model(const std::string& path, const Network& net, const QuantPlan& plan,
                      const std::vector<bool>& per_channel) {
  return Writer(path, net, plan, per_channel).write();
}

}  // namespace qnnsim::numerics
