#include "numerics/quant_network.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "numerics/eval_error.h"
#include "numerics/pooling.h"

namespace qnnsim::numerics {

namespace {

// The ops that keep their input's codes and scale.
bool passes_codes(OpKind k) {
  return k == OpKind::relu || k == OpKind::maxpool || k == OpKind::avgpool || k == OpKind::flatten;
}

}  // namespace

void OverflowCounts::add(const OverflowCounts& o) {
  const auto grow = [](auto& v, std::size_t n) {
    if (v.size() < n) v.resize(n);
  };
  grow(outputs, o.outputs.size()), grow(overflowed, o.overflowed.size()), grow(adc, o.adc.size());
  for (std::size_t i = 0; i < o.outputs.size(); ++i) outputs[i] += o.outputs[i];
  for (std::size_t i = 0; i < o.overflowed.size(); ++i) overflowed[i] += o.overflowed[i];
  for (std::size_t i = 0; i < o.adc.size(); ++i)
    adc[i].conversions += o.adc[i].conversions, adc[i].clipped += o.adc[i].clipped;
}

int QuantizedNetwork::reader_bits(int tensor, const QuantOptions& o, std::string* reader) const {
  int bits = 0;
  for (const NetOp& op : net_.ops) {
    if (std::find(op.in.begin(), op.in.end(), tensor) == op.in.end()) continue;
    std::string who;
    int b = 0;
    if (op.kind == OpKind::conv) {
      const auto it = o.layer_bits.find(op.name);
      b = (it == o.layer_bits.end() ? o.bits : it->second).activations;
      who = op.name;
    } else {
      b = reader_bits(op.out, o, &who);  // through a pool, Flatten, Relu or Add to the layer that reads it
    }
    if (b == 0) continue;
    if (bits != 0 && b != bits)
      throw EvalError("layers '" + *reader + "' and '" + who + "' read the same tensor at " + std::to_string(bits) +
                      " and " + std::to_string(b) + " activation bits; give them the same width");
    bits = b, *reader = who;
  }
  return bits;
}

void QuantizedNetwork::assign_widths(const QuantOptions& o) {
  std::set<std::string> names;
  for (const NetOp& op : net_.ops)
    if (op.kind == OpKind::conv) names.insert(op.name);
  for (const auto& [name, b] : o.layer_bits)
    if (!names.count(name)) {
      std::string known;
      for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
      throw EvalError("--bits " + name + "=...: the network has no Conv, Gemm or MatMul layer '" + name +
                      "' (its layers: " + known + ")");
    }
  bits_.assign(net_.shapes.size(), 0);
  // Tensors written by the image, a layer or an Add are stored as codes; one
  // that no layer reads downstream (the logits' path) stays at the default width.
  std::vector<int> written = {net_.input};
  for (const NetOp& op : net_.ops)
    if ((op.kind == OpKind::conv || op.kind == OpKind::add) && op.out != net_.output) written.push_back(op.out);
  for (const int t : written) {
    std::string reader;
    const int b = reader_bits(t, o, &reader);
    bits_[t] = b ? b : o.bits.activations;
  }
}

QuantizedNetwork::QuantizedNetwork(const Network& net, const QuantOptions& o, const Dataset& calibration)
    : net_(net), options_(o) {
  assign_widths(o);
  std::vector<int> stored;
  for (int t = 0; t < int(bits_.size()); ++t)
    if (bits_[t]) stored.push_back(t);
  const std::vector<TensorSamples> samples = observe(net, calibration, stored, o.calibration.images);
  quant_.resize(net.shapes.size());
  for (std::size_t i = 0; i < stored.size(); ++i)
    quant_[stored[i]] = choose_quant(samples[i], o.calibration, bits_[stored[i]], o.symmetric_activations);
  // A pass-through op's output keeps its input's scale, in data order.
  for (const NetOp& op : net.ops)
    if (passes_codes(op.kind)) quant_[op.out] = quant_[op.in[0]], bits_[op.out] = bits_[op.in[0]];

  layer_of_op_.assign(net.ops.size(), -1);
  for (int i = 0; i < int(net.ops.size()); ++i) {
    const NetOp& op = net.ops[i];
    if (op.kind != OpKind::conv) continue;
    QuantLayer l;
    l.op = i;
    const auto it = o.layer_bits.find(op.name);
    l.bits = it == o.layer_bits.end() ? o.bits : it->second;
    l.w = quantize_weights(op.weight, l.bits.weights, o.per_channel_weights);
    const double sx = quant_[op.in[0]].scale;
    for (int m = 0; m < op.conv.M; ++m) {
      l.weight_sums.push_back(l.w.codes.codes.row(m).cast<int64_t>().sum());
      // Kept within 2^52 (and a NaN from a degenerate range at 0) so the
      // conversion is defined and the output stage's 64-bit sum cannot overflow.
      const double code = std::nearbyint(double(op.bias(m)) / (sx * l.w.scales[m]));
      l.bias_codes.push_back(std::isnan(code) ? 0 : int64_t(std::clamp(code, -4503599627370496.0, 4503599627370496.0)));
    }
    if (o.requant == Requant::fixed && op.out != net.output)
      for (int m = 0; m < op.conv.M; ++m)
        l.multipliers.push_back(fixed_multiplier(sx * l.w.scales[m] / quant_[op.out].scale));
    if (o.crossbar)
      l.crossbar = std::make_shared<const ProgrammedLayer>(*o.crossbar, o.device, l.w.codes.codes, l.bits.weights,
                                                           uint64_t(layers_.size()));
    layer_of_op_[i] = int(layers_.size());
    layers_.push_back(std::move(l));
  }
}

std::vector<double> QuantizedNetwork::run(const std::vector<float>& image, OverflowCounts* counts, uint64_t index) const {
  std::vector<std::vector<int32_t>> t(net_.shapes.size());
  std::vector<double> logits;
  const ActQuant& iq = quant_[net_.input];
  t[net_.input].resize(image.size());
  for (std::size_t i = 0; i < image.size(); ++i) t[net_.input][i] = iq.quantize(image[i]);
  if (counts) {
    counts->outputs.resize(layers_.size()), counts->overflowed.resize(layers_.size());
    if (options_.crossbar) counts->adc.resize(layers_.size());
  }

  for (std::size_t i = 0; i < net_.ops.size(); ++i) {
    const NetOp& op = net_.ops[i];
    const std::vector<int32_t>& x = t[op.in[0]];
    const ActQuant& xq = quant_[op.in[0]];
    const bool last = op.out == net_.output;
    const ActQuant& oq = quant_[op.out];
    std::vector<int32_t>& y = t[op.out];
    const int size = net_.shapes[op.out].size();
    if (last) logits.resize(size);
    else y.resize(size);
    // The output stage: a real value to the tensor's code, or kept as a logit.
    const auto put = [&](int k, double real) {
      if (last) logits[k] = real;
      else y[k] = oq.quantize(real);
    };
    switch (op.kind) {
      case OpKind::conv: {
        const QuantLayer& l = layers_[layer_of_op_[i]];
        const Matrix<int32_t> cols = im2col<int32_t>(op.conv, x.data(), xq.zero);
        Accumulated acc;
        if (l.crossbar)  // codes are made non-negative from the lowest code (0 when asymmetric)
          acc.sums = l.crossbar->multiply(cols, std::min(xq.qmin, 0), xq.bits, index,
                                          counts ? &counts->adc[layer_of_op_[i]] : nullptr);
        else
          acc = accumulate(l.w.codes, cols, options_.accumulator);
        if (counts) {
          counts->outputs[layer_of_op_[i]] += acc.sums.size();
          counts->overflowed[layer_of_op_[i]] += acc.overflowed;
        }
        const int P = op.conv.P();
        for (int m = 0; m < op.conv.M; ++m) {
          const int64_t offset = l.bias_codes[m] - int64_t(xq.zero) * l.weight_sums[m];
          const double scale = xq.scale * l.w.scales[m];
          if (!l.multipliers.empty()) {  // integer-only output stage
            for (int p = 0; p < P; ++p) {
              const int32_t q = oq.clamp_code(apply(l.multipliers[m], acc.sums(m, p) + offset) + oq.zero);
              y[m * P + p] = op.relu ? std::max(q, oq.zero) : q;
            }
            continue;
          }
          for (int p = 0; p < P; ++p) {
            double real = scale * double(acc.sums(m, p) + offset);
            if (op.relu) real = std::max(real, 0.0);
            put(m * P + p, real);
          }
        }
        break;
      }
      case OpKind::add: {
        const ActQuant& bq = quant_[op.in[1]];
        for (int k = 0; k < size; ++k) put(k, xq.real(x[k]) + bq.real(t[op.in[1]][k]));
        break;
      }
      case OpKind::relu:
        for (int k = 0; k < size; ++k) {
          const int32_t q = std::max(x[k], xq.zero);
          if (last) logits[k] = xq.real(q);
          else y[k] = q;
        }
        break;
      case OpKind::maxpool:
      case OpKind::avgpool:
      case OpKind::flatten: {
        std::vector<int32_t> codes(size);
        if (op.kind == OpKind::flatten) codes = x;
        else if (op.kind == OpKind::maxpool) max_pool<int32_t>(net_.shapes[op.in[0]], op.pool, x.data(), codes.data());
        else  // the mean of (code - zero), rounded back onto the same scale; padding counts as real 0
          pool_windows<int32_t>(net_.shapes[op.in[0]], op.pool, x.data(), 0,
                                [&](int32_t a, int32_t b) { return a + (b - xq.zero); },
                                [&](long k, int32_t s, int n) {
                                  codes[k] = std::clamp(int32_t(std::nearbyint(double(s) / n)) + xq.zero, xq.qmin, xq.qmax);
                                });
        if (last) for (int k = 0; k < size; ++k) logits[k] = xq.real(codes[k]);
        else y = std::move(codes);
        break;
      }
    }
  }
  return logits;
}

}  // namespace qnnsim::numerics
