#include "numerics/quant_network.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "numerics/eval_error.h"
#include "numerics/float_ops.h"
#include "numerics/log_activations.h"
#include "numerics/pooling.h"
#include "numerics/threshold_stage.h"
#include "numerics/weight_schemes.h"

namespace qnnsim::numerics {

namespace {

std::string format_text(const ActQuant& a) { return activation_scheme_text(a); }

// Both operands of a MAC in one kind of number: a float MAC multiplies two
// values of one format (mac/float_mac.cpp), an integer MAC two codes.
void check_operands(const NetOp& op, const WeightFormat& w, int weight_bits, const ActQuant& in) {
  FloatFormat wf;
  const bool float_weights = float_format_of(w.scheme, weight_bits, &wf);
  const std::string what = "layer '" + op.name + "': " +
                           (float_weights ? float_format_name(wf) : std::string(scheme_name(w.scheme))) +
                           " weights with " + format_text(in) + " inputs: ";
  if (float_weights && !in.format)
    throw EvalError(what + "a float MAC multiplies two values of one format; expected " + float_format_name(wf) +
                    " inputs (--scheme " + scheme_name(w.scheme) + ", or the trace's inputs: {bits: " +
                    std::to_string(weight_bits) + ", scheme: " + scheme_name(w.scheme) + "})");
  if (float_weights && *in.format != wf)
    throw EvalError(what + "a float MAC multiplies two values of one format; expected " + float_format_name(wf) +
                    " inputs");
  if (!float_weights && in.format)
    throw EvalError(what + "an integer MAC multiplies integer codes; expected uniform inputs, or float weights of the "
                           "inputs' format");
}

}  // namespace

void OverflowCounts::add(const OverflowCounts& o) {
  const auto grow = [](auto& v, std::size_t n) {
    if (v.size() < n) v.resize(n);
  };
  grow(outputs, o.outputs.size()), grow(overflowed, o.overflowed.size()), grow(adc, o.adc.size());
  grow(exact_min, o.exact_min.size()), grow(exact_max, o.exact_max.size());
  for (std::size_t i = 0; i < o.outputs.size(); ++i) outputs[i] += o.outputs[i];
  for (std::size_t i = 0; i < o.overflowed.size(); ++i) overflowed[i] += o.overflowed[i];
  for (std::size_t i = 0; i < o.exact_min.size(); ++i) exact_min[i] = std::min(exact_min[i], o.exact_min[i]);
  for (std::size_t i = 0; i < o.exact_max.size(); ++i) exact_max[i] = std::max(exact_max[i], o.exact_max[i]);
  for (std::size_t i = 0; i < o.adc.size(); ++i)
    adc[i].conversions += o.adc[i].conversions, adc[i].clipped += o.adc[i].clipped;
}

QuantizedNetwork::QuantizedNetwork(const Network& net, const QuantOptions& o, const Dataset& calibration)
    : QuantizedNetwork(net, o, calibrate_plan(net, o, calibration)) {}

QuantizedNetwork::QuantizedNetwork(const Network& net, const QuantOptions& o, QuantPlan plan)
    : net_(net), options_(o), plan_(std::move(plan)) {
  layer_of_op_.assign(net.ops.size(), -1);
  for (int i = 0; i < int(net.ops.size()); ++i) {
    const NetOp& op = net.ops[i];
    // A Relu of its own after a binary or ternary tensor would turn the -1
    // codes into 0; under those schemes the code is the activation
    // (binary_activations.h, ternary_activations.h).
    if (op.kind == OpKind::relu && plan_.act[op.in[0]].sign_coded())
      throw EvalError("op '" + op.name + "': a Relu reads a " + format_text(plan_.act[op.in[0]]) +
                      " tensor, whose code already is the activation; expected the Relu fused into the layer that "
                      "writes the tensor, or uniform activations");
    if (op.kind != OpKind::conv) continue;
    QuantLayer l;
    l.op = i;
    l.bits = plan_.layer_bits[i];
    const WeightFormat format = plan_.weight_format(std::size_t(i));
    l.scheme = format.scheme;
    const QuantOptions::UnitNumerics unit = o.numerics_of(op.name);
    // The crossbar design this layer runs on, if any.
    const CrossbarDesign* crossbar = o.crossbar && !o.digital_layers.count(op.name) ? &*o.crossbar : nullptr;
    l.accumulator = unit.accumulator;
    check_operands(op, format, l.bits.weights, plan_.act[op.in[0]]);
    FloatFormat wf;
    if (float_format_of(format.scheme, l.bits.weights, &wf)) {
      // A crossbar's cells hold integer codes and its DACs take integer input codes.
      if (crossbar)
        throw EvalError("layer '" + op.name + "': " + float_format_name(wf) +
                        " weights on an in-memory design: its cells store integer codes and its DACs take integer "
                        "input codes; expected uniform_symmetric, binary, ternary, power_of_two or log_radix4 weights "
                        "and uniform inputs");
      l.fp = std::make_shared<const FloatMacLayer>(op.weight, op.bias, wf, unit.float_accumulator);
      layer_of_op_[i] = int(layers_.size());
      layers_.push_back(std::move(l));
      continue;
    }
    try {
      l.w = format.scheme == Scheme::UniformSymmetric
                ? quantize_weights(op.weight, l.bits.weights, plan_.weight_scales[i])
                : quantize_weight_scheme(op.weight, format, l.bits.weights, unit.codebook_entry_bits);
    } catch (const EvalError& e) {
      throw EvalError("layer '" + op.name + "', " + scheme_name(format.scheme) + " weights: " + e.what());
    }
    const double sx = plan_.act[op.in[0]].scale;
    for (int m = 0; m < op.conv.M; ++m) {
      l.weight_sums.push_back(l.w.codes.codes.row(m).cast<int64_t>().sum());
      // Kept within 2^52 (and a NaN from a degenerate range at 0) so the
      // conversion is defined and the output stage's 64-bit sum cannot overflow.
      const double code = std::nearbyint(double(op.bias(m)) / (sx * l.w.scales[m]));
      l.bias_codes.push_back(std::isnan(code) ? 0 : int64_t(std::clamp(code, -4503599627370496.0, 4503599627370496.0)));
    }
    // A float output tensor has no scale: the real output stage rounds into its format.
    const ActQuant& oq = plan_.act[op.out];
    if (o.requant == Requant::fixed && op.out != net.output && !oq.format)
      for (int m = 0; m < op.conv.M; ++m) {
        l.multipliers.push_back(fixed_multiplier(sx * l.w.scales[m] / oq.scale));
        if (oq.ternary || oq.log || oq.codebook()) l.thresholds.push_back(code_thresholds(oq, sx * l.w.scales[m]));
      }
    const ActQuant& xq = plan_.act[op.in[0]];
    // A power-of-two input is the integer 2^(e - e_min) (log_activations.h):
    // its product with the largest weight code must fit the accumulator, or
    // no sum of this layer could be trusted.
    if (xq.log && !crossbar) {
      const int64_t largest = l.w.codes.max_abs << log_top_shift(xq.bits);
      if (const int need = signed_bits_needed(-largest, largest); need > l.accumulator.bits)
        throw EvalError("layer '" + op.name + "': " + std::to_string(xq.bits) +
                        "-bit power_of_two inputs reach the integer 2^" + std::to_string(log_top_shift(xq.bits)) +
                        ", and times the largest weight code, " + std::to_string(l.w.codes.max_abs) +
                        ", one product needs " + std::to_string(need) + " accumulator bits, the accumulator has " +
                        std::to_string(l.accumulator.bits) + "; expected fewer activation bits or a wider "
                        "--accumulator");
    }
    if (crossbar && crossbar->xnor_sram) {
      // An XNOR-SRAM macro (xnor_sram_numerics.h): one +1/-1 weight a cell,
      // sign-coded inputs in one read, uniform ones in bit-planes.
      const std::string layer = "layer '" + op.name + "': ";
      if (format.scheme != Scheme::Binary)
        throw EvalError(layer + std::to_string(l.bits.weights) + "-bit " + scheme_name(format.scheme) +
                        " weights on an XNOR-SRAM design: its cell holds one +1/-1 weight; expected binary weights "
                        "(--weight-scheme binary --bits 1/A)");
      if (xq.log || xq.codebook())
        throw EvalError(layer + format_text(xq) + " inputs on an XNOR-SRAM design: its rows take +1, -1 or 0 a read; "
                                "expected binary, ternary or uniform inputs");
      if (!o.device.ideal())
        throw EvalError("device options (--variation, --on-off-ratio, --stuck-at-0/1, --read-noise, --adc-offset) "
                        "model RRAM cells' conductances; an XNOR-SRAM design's bitcells are not modelled with them");
      l.xnor_sram = std::make_shared<const XnorSramLayer>(*crossbar, l.w.codes.codes);
      layer_of_op_[i] = int(layers_.size());
      layers_.push_back(std::move(l));
      continue;
    }
    // A crossbar's DACs stream an input code's bits; a power-of-two code is
    // the (2^b - 1)-bit integer 2^(e - e_min), which the design's DACs and
    // ADC resolution were not sized for, and run prices b bits.
    if (crossbar && xq.log)
      throw EvalError("layer '" + op.name +
                      "': power_of_two inputs on an in-memory design: eval drives a crossbar's DACs with the "
                      "tensor's linear integer codes, and a " + std::to_string(xq.bits) + "-bit log code is the " +
                      std::to_string(log_top_shift(xq.bits) + 1) + "-bit integer 2^(e - e_min); expected uniform "
                      "or ternary inputs, or power_of_two activations without --arch");
    // A crossbar's DACs take input codes offset to be non-negative, at the
    // tensor's width; a sign code needs the XNOR bitcells' own path, not wired here.
    // A codebook input's index names an entry of E bits; run drives the DACs
    // with the stored index's b bits, and no table sits before them.
    if (crossbar && xq.codebook())
      throw EvalError("layer '" + op.name + "': codebook inputs on an in-memory design: a codebook index names a "
                      "table entry, and a crossbar's DACs drive the stored code's bits with no table before them; "
                      "expected uniform or ternary inputs, or codebook activations without --arch");
    if (crossbar && plan_.act[op.in[0]].binary)
      throw EvalError("layer '" + op.name +
                      "': binary inputs on an in-memory design: eval drives a crossbar's DACs with offset unsigned "
                      "codes and does not model an XNOR bitcell's +-1 product; expected uniform inputs (--scheme "
                      "asymmetric or symmetric), or binary activations without --arch");
    if (crossbar) {
      // A codebook weight is an index into a table of shared values, and the
      // multiply is by the entry looked up; a crossbar multiplies each input
      // by the conductance its own cell holds, with no table in the path.
      if (format.scheme == Scheme::Codebook)
        throw EvalError("layer '" + op.name +
                        "': codebook weights on an in-memory design: a codebook weight is an index into a table of "
                        "shared values, and a crossbar cannot look one up; its cells multiply by the value they "
                        "store. Use uniform_symmetric, binary, ternary, power_of_two or log_radix4 weights, whose "
                        "integer codes the cells hold");
      // The integer codes the scheme gives, at the width they need (weight_schemes.h).
      const int code_bits = integer_code_bits(format.scheme, l.bits.weights);
      l.crossbar = std::make_shared<const ProgrammedLayer>(*crossbar, o.device, l.w.codes.codes, code_bits,
                                                           uint64_t(layers_.size()));
      if (const std::string why = l.crossbar->inexact_for(plan_.act[op.in[0]].bits); !why.empty())
        throw EvalError("layer '" + op.name + "', " + scheme_name(format.scheme) + " weights: " + why);
    }
    layer_of_op_[i] = int(layers_.size());
    layers_.push_back(std::move(l));
  }
}

std::vector<double> QuantizedNetwork::run(const std::vector<float>& image, OverflowCounts* counts, uint64_t index) const {
  std::vector<std::vector<int32_t>> t(net_.shapes.size());  // codes
  std::vector<std::vector<double>> v(net_.shapes.size());   // values of the tensors stored as floats
  std::vector<double> logits;
  const ActQuant& iq = plan_.act[net_.input];
  if (iq.format)
    for (const float px : image) v[net_.input].push_back(iq.format->round(px));
  else
    for (const float px : image) t[net_.input].push_back(iq.quantize(px));
  // The real value of element k of tensor `n`, codes or floats.
  const auto real = [&](int n, int k) { return plan_.act[n].format ? v[n][k] : plan_.act[n].real(t[n][k]); };
  if (counts) {
    counts->outputs.resize(layers_.size()), counts->overflowed.resize(layers_.size());
    counts->exact_min.resize(layers_.size()), counts->exact_max.resize(layers_.size());
    if (options_.crossbar) counts->adc.resize(layers_.size());
  }

  for (std::size_t i = 0; i < net_.ops.size(); ++i) {
    const NetOp& op = net_.ops[i];
    const std::vector<int32_t>& x = t[op.in[0]];
    const ActQuant& xq = plan_.act[op.in[0]];
    const bool last = op.out == net_.output;
    const ActQuant& oq = plan_.act[op.out];
    std::vector<int32_t>& y = t[op.out];
    const int size = net_.shapes[op.out].size();
    std::vector<double>& yv = v[op.out];
    if (last) logits.resize(size);
    else if (oq.format) yv.resize(size);
    else y.resize(size);
    // The output stage: a real value to the tensor's code or format, or kept as a logit.
    const auto put = [&](int k, double real) {
      if (last) logits[k] = real;
      else if (oq.format) yv[k] = oq.format->round(real);
      else y[k] = oq.quantize(real);
    };
    if (xq.format && op.kind != OpKind::conv && op.kind != OpKind::add) {  // relu, pools, flatten on floats
      std::vector<double> out = float_pass(net_, op, *xq.format, v[op.in[0]]);
      if (last) logits = std::move(out);
      else yv = std::move(out);
      continue;
    }
    switch (op.kind) {
      case OpKind::conv: {
        const QuantLayer& l = layers_[layer_of_op_[i]];
        if (l.fp) {  // a float MAC: padding is 0.0, the values stay in the operand format
          const FloatSums s = l.fp->multiply(im2col<double>(op.conv, v[op.in[0]].data(), 0.0));
          if (counts) {
            counts->outputs[layer_of_op_[i]] += s.sums.size();
            counts->overflowed[layer_of_op_[i]] += s.overflowed;
          }
          const int P = op.conv.P();
          for (int m = 0; m < op.conv.M; ++m)
            for (int p = 0; p < P; ++p) put(m * P + p, op.relu ? std::max(s.sums(m, p), 0.0) : s.sums(m, p));
          break;
        }
        const Matrix<int32_t> cols = im2col<int32_t>(op.conv, x.data(), xq.zero);
        Accumulated acc;
        if (l.xnor_sram)  // sign codes in one read; uniform codes from the lowest one, in bit-planes
          acc.sums = l.xnor_sram->multiply(cols, xq.sign_coded(), std::min(xq.qmin, 0), xq.bits,
                                           counts ? &counts->adc[layer_of_op_[i]] : nullptr);
        else if (l.crossbar)  // codes are made non-negative from the lowest code (0 when asymmetric)
          acc.sums = l.crossbar->multiply(cols, std::min(xq.qmin, 0), xq.bits, index,
                                          counts ? &counts->adc[layer_of_op_[i]] : nullptr);
        else
          acc = accumulate(l.w.codes, cols, l.accumulator);
        if (counts) {
          counts->outputs[layer_of_op_[i]] += acc.sums.size();
          counts->overflowed[layer_of_op_[i]] += acc.overflowed;
          int64_t& lo = counts->exact_min[layer_of_op_[i]];
          int64_t& hi = counts->exact_max[layer_of_op_[i]];
          lo = std::min(lo, acc.exact_min), hi = std::max(hi, acc.exact_max);
        }
        const int P = op.conv.P();
        for (int m = 0; m < op.conv.M; ++m) {
          const int64_t offset = l.bias_codes[m] - int64_t(xq.zero) * l.weight_sums[m];
          const double scale = xq.scale * l.w.scales[m];
          if (!l.multipliers.empty()) {  // integer-only output stage
            for (int p = 0; p < P; ++p) {
              if (oq.binary) {  // the sign of the total is the sign of the real output (positive scales)
                y[m * P + p] = acc.sums(m, p) + offset >= 0 ? 1 : -1;
                continue;
              }
              if (!l.thresholds.empty()) {  // ternary, log or codebook codes by comparators (threshold_stage.h)
                y[m * P + p] = threshold_code(oq, l.thresholds[m], acc.sums(m, p) + offset);
                continue;
              }
              const int32_t q = oq.clamp_code(apply(l.multipliers[m], acc.sums(m, p) + offset) + oq.zero);
              y[m * P + p] = op.relu ? std::max(q, oq.zero) : q;
            }
            continue;
          }
          for (int p = 0; p < P; ++p) {
            double real = scale * double(acc.sums(m, p) + offset);
            if (op.relu && !oq.sign_coded()) real = std::max(real, 0.0);  // a binary or ternary code replaces the ReLU
            put(m * P + p, real);
          }
        }
        break;
      }
      case OpKind::add: {
        for (int k = 0; k < size; ++k) put(k, real(op.in[0], k) + real(op.in[1], k));
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
                                  // Binary codes: the mean's sign, the nearest code (0 -> +1 as in quantize).
                                  if (xq.binary) codes[k] = s >= 0 ? 1 : -1;
                                  // Ternary, log and codebook codes: the mean's real value coded again.
                                  else if (xq.ternary || xq.log || xq.codebook()) codes[k] = xq.quantize(xq.scale * double(s) / n);
                                  else codes[k] = std::clamp(int32_t(std::nearbyint(double(s) / n)) + xq.zero, xq.qmin, xq.qmax);
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
