#include "workload/layer.h"

namespace qnnsim {

const char* layer_type_name(LayerType t) {
  switch (t) {
    case LayerType::Conv: return "conv";
    case LayerType::FC: return "fc";
    case LayerType::DWConv: return "dwconv";
    case LayerType::MaxPool: return "maxpool";
    case LayerType::AvgPool: return "avgpool";
    case LayerType::Add: return "add";
    case LayerType::Mul: return "mul";
    case LayerType::MatMul: return "matmul";
    case LayerType::Softmax: return "softmax";
    case LayerType::LayerNorm: return "layernorm";
    case LayerType::Gelu: return "gelu";
    case LayerType::Transpose: return "transpose";
    case LayerType::Concat: return "concat";
    case LayerType::Split: return "split";
    case LayerType::Pad: return "pad";
    case LayerType::KvCache: return "kv_cache";
    case LayerType::Embedding: return "embedding";
  }
  return "?";
}

std::string layer_type_names() {
  std::string names;
  for (int t = static_cast<int>(LayerType::Conv); t <= static_cast<int>(LayerType::Embedding); ++t)
    names += (names.empty() ? "" : ", ") + std::string(layer_type_name(static_cast<LayerType>(t)));
  return names;
}

bool layer_uses_array(LayerType t) {
  return t == LayerType::Conv || t == LayerType::FC || t == LayerType::DWConv || t == LayerType::MatMul;
}

bool layer_streams_weights(LayerType t) { return t == LayerType::MatMul; }

bool layer_moves_data(LayerType t) {
  return t == LayerType::Transpose || t == LayerType::Concat || t == LayerType::Split || t == LayerType::Pad ||
         t == LayerType::KvCache || t == LayerType::Embedding;
}

bool layer_combines_two(LayerType t) { return t == LayerType::Add || t == LayerType::Mul; }

bool layer_normalizes_channels(LayerType t) { return t == LayerType::Softmax || t == LayerType::LayerNorm; }

bool layer_is_transformer_only(LayerType t) {
  return t == LayerType::MatMul || t == LayerType::Softmax || t == LayerType::LayerNorm || t == LayerType::Gelu ||
         layer_moves_data(t);
}

int64_t Layer::macs() const {
  if (!layer_uses_array(type)) return 0;
  return output_count() * reduction_size();
}

int64_t Layer::weight_count() const {
  if (!layer_uses_array(type)) return 0;
  return M * reduction_size();
}

int64_t Layer::input_count() const {
  const int64_t one = C * H * W;
  if (!layer_combines_two(type)) return one;
  return one + (broadcast_row ? C : one);  // a broadcast row is read once per image
}

int64_t Layer::vector_ops() const {
  switch (type) {
    case LayerType::MaxPool: return output_count() * (R * S - 1);  // comparisons
    case LayerType::AvgPool: return output_count() * R * S;        // R*S-1 adds and one scale
    case LayerType::Add:
    case LayerType::Mul: return output_count();  // one add or multiply per output
    default: return 0;
  }
}

// Costs per element (and per position, for normalisations) follow the
// integer-only forms of S. Kim et al., "I-BERT: Integer-only BERT
// Quantization", ICML 2021, which is how an integer vector unit evaluates
// them:
// - softmax: a compare for the maximum, a subtract of it, i-exp, an add to
//   the sum and a divide by the sum, per element;
// - GELU (i-GELU, x/2 (1 + L(x/sqrt 2)), L(x) = sgn(x) [a (clip(|x|, -b) + b)^2 + 1]):
//   multiplies by 1/sqrt 2, the square, a and x; adds for the clip, + b,
//   + 1 and 1 + L: 4 multiplies and 4 adds per element;
// - layer norm: per element an add to the sum, the subtract of the mean, a
//   square, an add to the sum of squares, the multiplies by 1/sigma and
//   gamma and the add of beta (4 adds, 3 multiplies); per position the two
//   divides by C (mean, variance), the add of epsilon, a square root and the
//   divide for 1/sigma.
VectorOps Layer::vector_work(int64_t values) const {
  const auto v = static_cast<uint64_t>(values);
  VectorOps ops;
  switch (type) {
    case LayerType::Softmax:
      ops.add = 3 * v;
      ops.exp = v;
      ops.divide = v;
      break;
    case LayerType::Gelu:
      ops.add = 4 * v;
      ops.mult = 4 * v;
      break;
    case LayerType::Mul:
      ops.mult = v;
      break;
    case LayerType::LayerNorm: {
      const uint64_t positions = v / static_cast<uint64_t>(M);
      ops.add = 4 * v + positions;
      ops.mult = 3 * v;
      ops.divide = 3 * positions;
      ops.sqrt = positions;
      break;
    }
    default:
      ops.add = v * static_cast<uint64_t>(vector_ops() / output_count());
  }
  return ops;
}

VectorOps Layer::activation_work(int64_t values) const {
  VectorOps ops;
  for (ActivationFunction f : activations) ops += qnnsim::activation_work(f, static_cast<uint64_t>(values));
  return ops;
}

int Layer::operand_bits(std::size_t k) const {
  return k == 1 && layer_streams_weights(type) ? precision.weights.bits : precision.inputs.bits;
}

std::string Layer::ids_problem() const {
  if (type != LayerType::Embedding) return "";
  const int bits = precision.inputs.bits;
  if (bits >= 40 || (int64_t{1} << bits) >= entries) return "";
  int needed = 0;
  while ((int64_t{1} << needed) < entries) ++needed;
  return "layer '" + name + "': " + std::to_string(bits) + "-bit ids tell at most " +
         std::to_string(int64_t{1} << bits) + " rows apart, but its table has " + std::to_string(entries) +
         " entries; its inputs (the ids) need at least " + std::to_string(needed) + " bits";
}

}  // namespace qnnsim
