#include "numerics/trace_widths.h"

#include <map>
#include <optional>

#include <fmt/format.h>

#include "core/config_error.h"
#include "numerics/float_format.h"
#include "numerics/quant_plan.h"
#include "numerics/weight_schemes.h"

namespace qnnsim::numerics {

namespace {

[[noreturn]] void fail(const Workload& w, const Layer& l, const std::string& key, const std::string& message) {
  throw ConfigError(l.where, fmt::format("layers[{}].{}", &l - w.layers.data(), key), "layer '" + l.name + "': " + message);
}

// True when tensor `t` is the image, or holds its codes through pools,
// Flatten or a Relu: the layer reading it reads the image.
bool holds_image(const Network& net, int t) {
  std::map<int, const NetOp*> producer;
  for (const NetOp& op : net.ops) producer[op.out] = &op;
  while (t != net.input) {
    const auto it = producer.find(t);
    if (it == producer.end() || !passes_codes(it->second->kind)) return false;
    t = it->second->in[0];
  }
  return true;
}

// How eval stores the activations a layer reads: one of these for every
// layer (QuantOptions holds one scheme), the image aside for the coded ones.
enum class Kind { symmetric, asymmetric, floating, binary, ternary, power_of_two, codebook, other };

Kind kind_of(Scheme s) {
  switch (s) {
    case Scheme::UniformSymmetric: return Kind::symmetric;
    case Scheme::UniformAsymmetric: return Kind::asymmetric;
    case Scheme::Float:
    case Scheme::FloatE5M2: return Kind::floating;
    case Scheme::Binary: return Kind::binary;
    case Scheme::Ternary: return Kind::ternary;
    case Scheme::PowerOfTwo: return Kind::power_of_two;
    case Scheme::Codebook: return Kind::codebook;
    default: return Kind::other;
  }
}

bool coded(Kind k) {
  return k == Kind::binary || k == Kind::ternary || k == Kind::power_of_two || k == Kind::codebook;
}

}  // namespace

TraceMatch match_trace_layers(const Network& net, const Workload& trace) {
  std::map<std::string, const Layer*> by_name;
  for (const Layer& l : trace.layers) by_name.emplace(l.name, &l);
  TraceMatch m;
  for (const NetOp& op : net.ops) {
    if (op.kind != OpKind::conv) continue;
    const auto it = by_name.find(op.name);
    if (it == by_name.end()) {
      m.layers.push_back(nullptr);
      m.missing.push_back(op.name);
      continue;
    }
    const Layer& l = *it->second;
    if (l.type != LayerType::Conv && l.type != LayerType::FC)
      fail(trace, l, "type", fmt::format("the model's {} has this name, but the layer is a {}", op.onnx,
                                         layer_type_name(l.type)));
    // Gemm and MatMul are 1x1 convolutions of a 1x1 image (conv_shape.h): K is their input features.
    if (l.M != op.conv.M || l.reduction_size() != op.conv.K())
      fail(trace, l, "M",
           fmt::format("the model's {} has {} outputs of {} inputs each (M x C x R x S); this layer has {} of {}: "
                       "is the trace the model's own import (`qnnsim import`)?",
                       op.onnx, op.conv.M, op.conv.K(), l.M, l.reduction_size()));
    m.layers.push_back(&l);
  }
  return m;
}

void apply_trace_widths(const Network& net, const Workload& trace, const TraceMatch& m, QuantOptions& q) {
  // The kind the layers after the image read, and the first layer to give it.
  std::optional<Kind> kind;
  const Layer* kind_from = nullptr;
  const Layer* accumulator_from = nullptr;
  std::optional<Kind> image_kind;
  const Layer* image_reader = nullptr;
  const NetOp* widths_of = nullptr;  // a layer after the image: its widths stand for the defaults check_quant_options reads
  std::size_t k = 0;
  for (const NetOp& op : net.ops) {
    if (op.kind != OpKind::conv) continue;
    const Layer* found = m.layers.at(k++);
    if (!found) continue;
    const Layer& l = *found;
    const TensorPrecision& w = l.precision.weights;
    const TensorPrecision& in = l.precision.inputs;
    if (const std::string why = weight_scheme_problem(w.scheme, w.bits); !why.empty())
      fail(trace, l, w.scheme == Scheme::UniformAsymmetric ? "weights.scheme" : "weights.bits", why);
    q.layer_bits[op.name] = {w.bits, in.bits};
    q.layer_weight_scheme[op.name] = w.scheme;
    if (!accumulator_from) {
      accumulator_from = &l;
      q.accumulator.bits = l.precision.accumulator.bits;
    } else if (l.precision.accumulator.bits != q.accumulator.bits) {
      // Its own accumulator, as eval --trace runs it (a design's MAC class, when one is given, replaces it).
      q.layer_numerics[op.name] = {AccumulatorSpec{l.precision.accumulator.bits, q.accumulator.overflow},
                                   q.codebook_entry_bits, q.float_accumulator};
    }
    const Kind here = kind_of(in.scheme);
    if (here == Kind::other)
      fail(trace, l, "inputs.scheme",
           std::string("eval runs uniform, binary, ternary, power_of_two, codebook or float activations, found ") +
               scheme_name(in.scheme));
    if (holds_image(net, op.in[0])) {
      image_kind = here, image_reader = &l;
      if (!widths_of) widths_of = &op;
      continue;
    }
    widths_of = &op;
    if (!kind) {
      kind = here, kind_from = &l;
      if (here == Kind::floating) q.float_activations = in.scheme;
    } else if (*kind != here || (here == Kind::floating && *q.float_activations != in.scheme)) {
      fail(trace, l, "inputs.scheme",
           fmt::format("eval runs one activation scheme for every layer; this layer reads {} inputs, layer '{}' {}",
                       scheme_name(in.scheme), kind_from->name, scheme_name(kind_from->precision.inputs.scheme)));
    }
  }
  // Every layer is named above; the defaults are checked all the same (check_quant_options).
  if (widths_of) q.bits = q.layer_bits[widths_of->name], q.weight_scheme = q.layer_weight_scheme[widths_of->name];
  if (!image_reader) return;
  const TensorPrecision& image = image_reader->precision.inputs;
  if (kind && coded(*kind)) {
    // The image stays uniform, at eval's width for it (quant_plan.h); its
    // reader is given the others' width, which the plan then replaces.
    if (*image_kind != Kind::symmetric && *image_kind != Kind::asymmetric)
      fail(trace, *image_reader, "inputs.scheme",
           fmt::format("with {} activations eval keeps the image uniform; this layer reads it as {}",
                       scheme_name(kind_from->precision.inputs.scheme), scheme_name(image.scheme)));
    if (image.bits != kBinaryNetImageBits)
      fail(trace, *image_reader, "inputs.bits",
           fmt::format("with {} activations eval reads the image at {} bits, found {}",
                       scheme_name(kind_from->precision.inputs.scheme), kBinaryNetImageBits, image.bits));
    for (const NetOp& op : net.ops)
      if (op.kind == OpKind::conv && q.layer_bits.count(op.name) && holds_image(net, op.in[0]))
        q.layer_bits[op.name].activations = kind_from->precision.inputs.bits;
    q.binary_activations = *kind == Kind::binary;
    q.ternary_activations = *kind == Kind::ternary;
    q.log_activations = *kind == Kind::power_of_two;
    q.codebook_activations = *kind == Kind::codebook;
    q.symmetric_activations = *image_kind == Kind::symmetric;
    return;
  }
  if (!kind && coded(*image_kind))
    fail(trace, *image_reader, "inputs.scheme",
         fmt::format("eval keeps the image uniform; this layer reads it as {}", scheme_name(image.scheme)));
  if (kind && (*image_kind != *kind || (*kind == Kind::floating && image.scheme != *q.float_activations)))
    fail(trace, *image_reader, "inputs.scheme",
         fmt::format("eval runs one activation scheme for every layer; this layer reads {} inputs, layer '{}' {}",
                     scheme_name(image.scheme), kind_from->name, scheme_name(kind_from->precision.inputs.scheme)));
  if (*image_kind == Kind::floating) q.float_activations = image.scheme;
  q.symmetric_activations = *image_kind == Kind::symmetric;
}

}  // namespace qnnsim::numerics
