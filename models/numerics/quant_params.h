#pragma once
// Uniform quantization: how a real range becomes a scale and zero point at a
// width, and how weights become integer codes.
//
// Activations, asymmetric: unsigned codes 0 .. 2^b - 1, real = scale * (code -
// zero); the range is widened to contain 0 so that 0 (ReLU's floor, and the
// padding) is a code exactly. Symmetric: signed codes -(2^(b-1) - 1) ..
// 2^(b-1) - 1, zero point 0. Weights are symmetric (zero point 0, the usual
// choice for accelerators, which then need no weight zero-point correction),
// with one scale per output channel or one per tensor, each the largest
// |weight| over the largest code. Rounding is to nearest, ties to even.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "numerics/accumulator.h"
#include "numerics/float_format.h"

namespace qnnsim::numerics {

struct ActQuant {
  int bits = 8;
  bool symmetric = false;
  double scale = 1;
  int32_t zero = 0;
  int32_t qmin = 0, qmax = 255;
  // Set: the tensor is stored as floating-point values of this format (a
  // float MAC's operand, float_mac.h), not as codes; scale and zero unused.
  std::optional<FloatFormat> format;
  // Binary (binary_activations.h): codes -1 / +1, the sign of the value
  // (0 -> +1); real = scale * code.
  bool binary = false;
  // Ternary (ternary_activations.h): codes -1 / 0 / +1, sign(x) where |x| >
  // threshold, else 0; real = scale * code.
  bool ternary = false;
  double threshold = 0;
  // Power of two (log_activations.h): the code is the integer the MAC
  // multiplies, 0 or 2^(e - e_min) for the 2^bits - 1 exponents e_min ..
  // e_min + 2^bits - 2; scale = 2^e_min, so real = scale * code.
  bool log = false;
  // Codebook (codebook_activations.h): the code is the table entry the MAC
  // multiplies, one of `entries` (ascending, non-negative integers); the
  // memory holds its index, `bits` wide. real = scale * code.
  std::vector<int32_t> entries;

  bool codebook() const { return !entries.empty(); }
  // Binary and ternary codes replace a ReLU fused into the layer that writes them.
  bool sign_coded() const { return binary || ternary; }
  int32_t quantize(double v) const;
  int32_t clamp_code(int64_t q) const { return int32_t(q < qmin ? qmin : q > qmax ? qmax : q); }
  double real(int32_t q) const { return scale * (q - zero); }
};

// The scheme a tensor is stored in, by the trace's names ("codebook",
// "uniform_asymmetric", "fp8_e4m3", ...).
std::string activation_scheme_text(const ActQuant& a);

// lo <= hi, the calibrated range of the real values.
ActQuant act_quant(double lo, double hi, int bits, bool symmetric);

struct WeightQuant {
  WeightCodes codes;           // M x K
  std::vector<double> scales;  // M (all equal per tensor)
};

// A calibrated or given scale and zero point at a width (a quantized trace's):
// the code range of the scheme, as act_quant makes it.
ActQuant act_quant_given(double scale, int32_t zero, int bits, bool symmetric);

// One scale per row of `w` (all equal per tensor): its largest |weight| over the largest code.
std::vector<double> weight_scales(const Eigen::MatrixXf& w, int bits, bool per_channel);

// The codes of `w` at these scales (one per row), rounded and clamped to the symmetric range.
WeightQuant quantize_weights(const Eigen::MatrixXf& w, int bits, const std::vector<double>& scales);
// The same at the scales weight_scales chooses.
WeightQuant quantize_weights(const Eigen::MatrixXf& w, int bits, bool per_channel);

}  // namespace qnnsim::numerics
