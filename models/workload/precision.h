#pragma once
// Precision is per tensor of every layer: bit width and quantization scheme.
// Capacity and traffic are counted in bits from these widths.
#include <string>

#include "core/config_node.h"

namespace qnnsim {

enum class Scheme {
  UniformSymmetric,
  UniformAsymmetric,
  Binary,      // {-1, +1}, 1 bit
  Ternary,     // {-1, 0, +1}, 2 bits
  PowerOfTwo,  // sign + log2 magnitude
  LogRadix4,   // sign + log4 magnitude
  Float,       // low-precision floating point (FP8, FP16)
  Codebook,    // index into a table of k entries
};

const char* scheme_name(Scheme s);
bool scheme_is_integer(Scheme s);  // values an integer multiplier can consume directly

struct TensorPrecision {
  int bits = 8;
  Scheme scheme = Scheme::UniformSymmetric;
};

enum class Tensor { Weights, Inputs, Outputs, Accumulator };
const char* tensor_name(Tensor t);

struct LayerPrecision {
  TensorPrecision weights{8, Scheme::UniformSymmetric};
  TensorPrecision inputs{8, Scheme::UniformAsymmetric};
  TensorPrecision outputs{8, Scheme::UniformAsymmetric};
  TensorPrecision accumulator{32, Scheme::UniformSymmetric};

  TensorPrecision& operator[](Tensor t);
  const TensorPrecision& operator[](Tensor t) const;
};

// Reads {bits: N, scheme: name} at `node`, starting from `base` so a layer can
// override only the bits or only the scheme. Validates the pair.
TensorPrecision parse_tensor_precision(const ConfigNode& node, Tensor t, const TensorPrecision& base);

// Reads the optional weights/inputs/outputs/accumulator keys of `node` over `base`.
LayerPrecision parse_layer_precision(const ConfigNode& node, const LayerPrecision& base);

}  // namespace qnnsim
