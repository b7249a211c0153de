#include "numerics/trace_plan.h"

#include <map>

#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/config_error.h"
#include "numerics/binary_activations.h"
#include "numerics/codebook_activations.h"
#include "numerics/eval_error.h"
#include "numerics/float_format.h"
#include "numerics/log_activations.h"
#include "numerics/ternary_activations.h"

namespace qnnsim::numerics {

namespace {

class Reader {
 public:
  Reader(const Network& net, const Workload& w) : net_(net), w_(w) {
    for (std::size_t i = 0; i < w.layers.size(); ++i) index_[w.layers[i].name] = i;
    r_.plan.bits.assign(net.shapes.size(), 0);
    r_.plan.act.resize(net.shapes.size());
    r_.plan.layer_bits.resize(net.ops.size());
    r_.plan.weight_scales.resize(net.ops.size());
    r_.plan.weight_formats.resize(net.ops.size());
    given_.assign(net.shapes.size(), false);
  }

  TracePlan read() {
    check_trace_layers_exist();
    bool first_mac = true;
    for (std::size_t i = 0; i < net_.ops.size(); ++i) {
      const NetOp& op = net_.ops[i];
      if (op.kind == OpKind::relu || op.kind == OpKind::flatten) continue;  // folded by the import: no layer
      const Layer* l = layer(op);
      if (!l) continue;  // a pool the import folded; it passes codes on
      const bool last = op.out == net_.output;
      if (op.kind == OpKind::conv) {
        read_weights(i, op, *l);
        if (l->precision.accumulator.bits < 8)
          fail(*l, "accumulator.bits",
               fmt::format("eval runs 8- to 64-bit accumulators, found {}", l->precision.accumulator.bits));
        // Each layer's sums in its own accumulator, as a mixed-precision trace gives them.
        r_.layer_accumulator_bits[op.name] = l->precision.accumulator.bits;
        if (first_mac) {
          r_.accumulator_bits = l->precision.accumulator.bits;
          r_.per_channel_weights = l->precision.weights.granularity == Granularity::PerChannel;
          first_mac = false;
        }
      }
      if (op.kind != OpKind::add) set(op.in[0], *l, Tensor::Inputs);
      if (!last) set(op.out, *l, Tensor::Outputs);
    }
    // A pass-through op's output keeps its input's scale, in data order.
    for (const NetOp& op : net_.ops)
      if (passes_codes(op.kind) && given_[op.in[0]] && !given_[op.out]) {
        r_.plan.act[op.out] = r_.plan.act[op.in[0]];
        r_.plan.bits[op.out] = r_.plan.bits[op.in[0]];
        given_[op.out] = true;
      }
    for (const NetOp& op : net_.ops)
      for (const int t : op.in)
        if (!given_[t])
          throw EvalError(w_.file + ": no layer of the trace gives the scale of the tensor that " + op.onnx +
                          " reads; write the trace with `qnnsim quantize`");
    r_.symmetric_activations = r_.plan.act[net_.input].symmetric;
    return r_;
  }

 private:
  [[noreturn]] void fail(const Layer& l, const std::string& key, const std::string& message) const {
    throw ConfigError(l.where, fmt::format("layers[{}].{}", index_.at(l.name), key),
                      "layer '" + l.name + "': " + message);
  }

  const Layer* layer(const NetOp& op) const {
    const auto it = index_.find(op.name);
    if (it == index_.end()) {
      if (op.kind == OpKind::conv || op.kind == OpKind::add)
        throw EvalError(w_.file + ": the trace has no layer '" + op.name + "' for the model's " + op.onnx +
                        "; was it written from another model?");
      return nullptr;
    }
    const Layer& l = w_.layers[it->second];
    const bool mac = l.type == LayerType::Conv || l.type == LayerType::FC;
    const bool ok = op.kind == OpKind::conv   ? mac
                    : op.kind == OpKind::add  ? l.type == LayerType::Add
                    : op.kind == OpKind::maxpool ? l.type == LayerType::MaxPool
                                                 : l.type == LayerType::AvgPool;
    if (!ok)
      fail(l, "type", std::string("the model's ") + op.onnx + " has this name, but the layer is a " +
                          layer_type_name(l.type));
    return &l;
  }

  // Every conv / fc layer of the trace is one of the network's.
  void check_trace_layers_exist() const {
    std::map<std::string, bool> ops;
    for (const NetOp& op : net_.ops) ops[op.name] = true;
    for (const Layer& l : w_.layers)
      if ((l.type == LayerType::Conv || l.type == LayerType::FC) && !ops.count(l.name))
        fail(l, "name", "the model has no Conv, Gemm or MatMul node of this name; was the trace written from another model?");
  }

  void read_weights(std::size_t i, const NetOp& op, const Layer& l) {
    const TensorPrecision& p = l.precision.weights;
    if (p.scheme == Scheme::UniformAsymmetric) fail(l, "weights.scheme", weight_scheme_problem(p.scheme, p.bits));
    if (const std::string why = weight_scheme_problem(p.scheme, p.bits); !why.empty()) fail(l, "weights.bits", why);
    check_operands(l);
    r_.plan.weight_formats[i] = {p.scheme, p.granularity == Granularity::PerChannel};
    r_.plan.layer_bits[i] = {p.bits, l.precision.inputs.bits};
    // The other schemes' scales come from the weights (weight_schemes.h); the trace cannot give them.
    if (p.scheme != Scheme::UniformSymmetric) return;
    if (p.scale.empty()) fail(l, "weights", "no scale; write the trace with `qnnsim quantize`");
    if (p.scale.size() != 1 && int(p.scale.size()) != op.conv.M)
      fail(l, "weights.scale", fmt::format("the model's {} has {} output channels, the trace {} scales", op.onnx,
                                           op.conv.M, p.scale.size()));
    r_.plan.weight_scales[i] = p.scale.size() == 1 ? std::vector<double>(op.conv.M, p.scale[0]) : p.scale;
  }

  // A float MAC multiplies two values of one format (mac/float_mac.cpp), an integer MAC two codes.
  void check_operands(const Layer& l) const {
    const TensorPrecision& w = l.precision.weights;
    const TensorPrecision& in = l.precision.inputs;
    FloatFormat wf, xf;
    const bool float_w = float_format_of(w.scheme, w.bits, &wf), float_x = float_format_of(in.scheme, in.bits, &xf);
    if (float_w && (!float_x || wf != xf))
      fail(l, "inputs.scheme",
           fmt::format("{} weights run on a float MAC, which multiplies two values of one format; expected inputs: "
                       "{{bits: {}, scheme: {}}}, found {} at {} bits",
                       float_format_name(wf), w.bits, scheme_name(w.scheme), scheme_name(in.scheme), in.bits));
    if (!float_w && float_x)
      fail(l, "inputs.scheme",
           fmt::format("{} weights run on an integer MAC, which multiplies integer codes; expected uniform_symmetric "
                       "or uniform_asymmetric inputs, found {} ({})",
                       scheme_name(w.scheme), scheme_name(in.scheme), float_format_name(xf)));
  }

  void set(int t, const Layer& l, Tensor which) {
    const TensorPrecision& p = l.precision[which];
    const std::string key = tensor_name(which);
    ActQuant a;
    FloatFormat f;
    if (float_format_of(p.scheme, p.bits, &f)) {  // no scale: values rounded to the format
      a.bits = p.bits;
      a.format = f;
    } else if (p.scheme == Scheme::Binary) {  // sign codes at one scale (binary_activations.h)
      if (p.bits != 1) fail(l, key + ".bits", fmt::format("binary activations are 1-bit sign codes, found {} bits", p.bits));
      if (p.scale.size() != 1)
        fail(l, key + ".scale", "binary activations take one scale, alpha (mean |x|); write the trace with `qnnsim quantize`");
      a = binary_act(p.scale[0]);
    } else if (p.scheme == Scheme::Ternary) {  // codes -1 / 0 / +1 (ternary_activations.h)
      if (p.scale.size() != 1 || !p.threshold)
        fail(l, key, "ternary activations take one scale, alpha, and a threshold, delta (TWN's rule); write the trace "
                     "with `qnnsim quantize`");
      a = ternary_act({p.scale[0], *p.threshold});
      a.scale = p.scale[0];  // as written, even where no value passed delta
    } else if (p.scheme == Scheme::PowerOfTwo) {  // 0 or 2^e (log_activations.h)
      if (const std::string why = log_width_problem(p.bits); !why.empty()) fail(l, key + ".bits", why);
      if (p.scale.size() != 1)
        fail(l, key, "power_of_two activations take one scale, 2^e_min; write the trace with `qnnsim quantize`");
      int e = 0;
      std::frexp(p.scale[0], &e);  // scale = 0.5 x 2^e = 2^(e - 1), a power of two (precision.cpp checks)
      a = log_act(e - 1, p.bits);
    } else if (p.scheme == Scheme::Codebook) {  // indices into a table of entries (codebook_activations.h)
      if (p.bits > kMaxCodebookActivationBits)
        fail(l, key + ".bits",
             fmt::format("eval runs codebook activations of 1 to {} index bits, found {}", kMaxCodebookActivationBits, p.bits));
      if (p.scale.size() != 1 || p.entries.empty())
        fail(l, key, "codebook activations take one scale and their table's entries; write the trace with "
                     "`qnnsim quantize`");
      a = codebook_act_given(p.scale[0], std::vector<int32_t>(p.entries.begin(), p.entries.end()), p.bits);
    } else {
      if (p.scheme != Scheme::UniformSymmetric && p.scheme != Scheme::UniformAsymmetric)
        fail(l, key + ".scheme",
             std::string("eval runs uniform, binary, ternary, power_of_two, codebook or float (fp8, fp16, fp32) "
                         "activations, found ") + scheme_name(p.scheme));
      if (p.bits < 2 || p.bits > 16)
        fail(l, key + ".bits", fmt::format("eval runs 2 to 16 activation bits, found {}", p.bits));
      if (p.scale.empty()) fail(l, key, "no scale; write the trace with `qnnsim quantize`");
      a = act_quant_given(p.scale[0], int32_t(p.zero_point.value_or(0)), p.bits, p.scheme == Scheme::UniformSymmetric);
    }
    if (given_[t]) {
      const ActQuant& b = r_.plan.act[t];
      const auto coding = [](const ActQuant& q) {
        return q.binary    ? "binary"
               : q.ternary ? "ternary"
               : q.log     ? "power_of_two"
               : q.codebook() ? "codebook"
                              : "neither binary, ternary, power_of_two nor codebook";
      };
      if (a.binary != b.binary || a.ternary != b.ternary || a.log != b.log || a.codebook() != b.codebook())
        fail(l, key + ".scheme",
             fmt::format("the model's tensor is {} where another layer writes or reads it, here {}", coding(b),
                         coding(a)));
      if (a.threshold != b.threshold)
        fail(l, key + ".threshold",
             fmt::format("the model's tensor has threshold {} where another layer writes or reads it, here {}",
                         b.threshold, a.threshold));
      if (a.format != b.format)
        fail(l, key + ".scheme",
             fmt::format("the model's tensor is {} where another layer writes or reads it, here {}",
                         b.format ? float_format_name(*b.format) : "uniform", a.format ? float_format_name(*a.format) : "uniform"));
      if (a.scale != b.scale || a.zero != b.zero || a.bits != b.bits || a.symmetric != b.symmetric)
        fail(l, key + ".scale",
             fmt::format("the model's tensor has scale {} and zero point {} at {} bits where another layer writes or "
                         "reads it, here {} and {} at {} bits",
                         b.scale, b.zero, b.bits, a.scale, a.zero, a.bits));
      if (a.entries != b.entries)
        fail(l, key + ".entries",
             fmt::format("the model's tensor has entries [{}] where another layer writes or reads it, here [{}]",
                         fmt::join(b.entries, ", "), fmt::join(a.entries, ", ")));
      return;
    }
    r_.plan.act[t] = a;
    r_.plan.bits[t] = a.bits;
    given_[t] = true;
  }

  const Network& net_;
  const Workload& w_;
  std::map<std::string, std::size_t> index_;
  std::vector<bool> given_;
  TracePlan r_;
};

}  // namespace

TracePlan trace_plan(const Network& net, const Workload& trace) { return Reader(net, trace).read(); }

}  // namespace qnnsim::numerics
