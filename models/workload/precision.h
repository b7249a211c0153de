#pragma once
// Precision is per tensor of every layer: bit width and quantization scheme.
// Capacity and traffic are counted in bits from these widths.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config_node.h"

namespace qnnsim {

enum class Scheme {
  UniformSymmetric,
  UniformAsymmetric,
  Binary,      // {-1, +1}, 1 bit
  Ternary,     // {-1, 0, +1}, 2 bits
  PowerOfTwo,  // sign + log2 magnitude
  LogRadix4,   // sign + log4 magnitude
  Float,       // floating point: fp32 (1-8-23) at 32 bits, fp16 (1-5-10) at 16, fp8 1-4-3 at 8
  FloatE5M2,   // fp8 1-5-2
  Codebook,    // index into a table of k entries
};

const char* scheme_name(Scheme s);
bool parse_scheme_name(const std::string& name, Scheme* out);  // false when unknown
bool scheme_is_integer(Scheme s);  // values an integer multiplier can consume directly

// The width of the two's-complement integer that holds every code `scheme`
// at `bits` can give: what a crossbar must store, sliced over its cells
// (numerics/crossbar_numerics.h in eval, imc/placement.cpp in run).
// uniform_symmetric: bits. binary (+-1) and ternary (-1, 0, +1): 2, since +1
// needs a second bit beside the sign. power_of_two / log_radix4: codes up to
// +-2^S (S the largest shift, numerics/weight_schemes.h), and +2^S needs
// S + 2 bits: 3, 5, 9, 17 bits for power_of_two at 2 to 5 bits, 4, 8, 16, 32
// for log_radix4. codebook: 0, since its code is an index into a table of
// entries, not a value a cell can hold.
int integer_code_bits(Scheme scheme, int bits);

// One scale (and zero point) for the whole tensor, or one per output channel.
enum class Granularity { PerTensor, PerChannel };

struct TensorPrecision {
  int bits = 8;
  Scheme scheme = Scheme::UniformSymmetric;
  double density = 1.0;  // fraction of values that are not zero (zero gating and skipping, compression)
  Granularity granularity = Granularity::PerTensor;
  // Calibrated quantization of a uniform tensor, where the trace gives it
  // (`qnnsim quantize` writes them): real = scale * (code - zero_point). One
  // scale, or one per output channel for per-channel weights. The cost model
  // reads only the widths; `qnnsim eval --trace` reads these.
  std::vector<double> scale = {};
  std::optional<int64_t> zero_point = std::nullopt;
  // A ternary activation's threshold: |x| above it is coded +-1, real units
  // (numerics/ternary_activations.h); given with its scale.
  std::optional<double> threshold = std::nullopt;
  // A codebook activation's table: the unsigned integer each index names, in
  // index order, the value the multiplier takes (real = scale * entry;
  // numerics/codebook_activations.h); given with its scale.
  std::vector<int64_t> entries = {};
};

enum class Tensor { Weights, Inputs, Outputs, Accumulator };
const char* tensor_name(Tensor t);

struct LayerPrecision {
  TensorPrecision weights{8, Scheme::UniformSymmetric, 1.0};
  TensorPrecision inputs{8, Scheme::UniformAsymmetric, 1.0};
  TensorPrecision outputs{8, Scheme::UniformAsymmetric, 1.0};
  TensorPrecision accumulator{32, Scheme::UniformSymmetric, 1.0};

  TensorPrecision& operator[](Tensor t);
  const TensorPrecision& operator[](Tensor t) const;
};

// Reads {bits: N, scheme: name, density: D} at `node`, starting from `base` so a layer can
// override only the bits or only the scheme. Validates the pair.
TensorPrecision parse_tensor_precision(const ConfigNode& node, Tensor t, const TensorPrecision& base,
                                       bool per_layer = true);

// Reads the optional weights/inputs/outputs/accumulator keys of `node` over
// `base`. Scales and zero points belong to one layer's tensors: a default
// precision (`per_layer` false) may not give them, and a layer does not
// inherit them.
LayerPrecision parse_layer_precision(const ConfigNode& node, const LayerPrecision& base, bool per_layer = true);

// {bits: 8, scheme: uniform_asymmetric, scale: 0.0123, zero_point: 3}: the
// tensor's precision as the trace writes it, every number exact when read
// back (the shortest text that parses to the same double).
std::string tensor_precision_yaml(const TensorPrecision& p);

// Parses a tensor class name (weights, inputs, outputs, accumulator); false if it is none.
bool parse_tensor_name(const std::string& name, Tensor* out);

}  // namespace qnnsim
