#pragma once
// The quantized path: the network with integer weight and activation codes,
// integer MACs in an accumulator of a given width, and requantization of each
// layer's output to the code range of the tensor it writes.
//
// A Conv / Gemm computes, per output channel m and position p:
//   acc        = sum_k w[m,k] * x[k, p]                (codes; the accumulator, see accumulator.h)
//   total      = acc - zx * sum_k w[m,k] + bias_code[m]  (64-bit, after the accumulator)
//   real       = sx * sw[m] * total                    (ReLU applied here when fused)
//   out code   = clamp(round(real / so) + zo)
// or, with Requant::fixed, out code = clamp(fixed-point total * M + zo)
// (requantizer.h), the ReLU then a floor at zo;
// so the accumulator holds only products of stored codes (an asymmetric
// input's codes are unsigned); the zero-point correction and the bias, the
// latter rounded to the scale sx * sw[m], are added by the output stage.
// Padding holds the code of real 0 (the zero point). Pools, Flatten and a
// Relu keep their input's scale and work on codes; Add requantizes the sum
// of its two dequantized inputs. The network's output (the logits) is read
// as the real values of the last layer's output stage, not re-quantized.
//
// Widths: a layer's weights and its input activations have the layer's W/A
// bits. The tensor a layer reads was written, through any pools, Flatten or
// Relu, by a layer or Add (or is the image); that tensor is stored at the
// reader's activation width, and two readers asking different widths of one
// tensor is an error.
//
// Low-precision float: a layer whose weights are float (fp8 e4m3, fp8 e5m2,
// fp16, fp32) runs on a float MAC (float_mac.h) and reads its input as
// values of the same format, as mac/float_mac.cpp requires of a layer. A
// tensor stored as floats (ActQuant::format) holds values rounded to its
// format where they are written: the image, a layer's output stage (its real
// output, after the bias and a fused ReLU, rounded once), an Add. An integer
// layer may write a float tensor and a float layer a coded one: the output
// stage's real value is rounded into whichever the tensor is.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "numerics/accumulator.h"
#include "numerics/calibration.h"
#include "numerics/crossbar_numerics.h"
#include "numerics/float_mac.h"
#include "numerics/network.h"
#include "numerics/quant_params.h"
#include "numerics/quant_plan.h"
#include "numerics/requantizer.h"
#include "numerics/xnor_sram_numerics.h"

namespace qnnsim::numerics {

struct QuantOptions {
  LayerBits bits;                              // every layer's, unless named below
  std::map<std::string, LayerBits> layer_bits;  // by layer name
  AccumulatorSpec accumulator;
  bool symmetric_activations = false;
  // Float or FloatE5M2: activations stored as floats of the format the width
  // names (float_format_of); no ranges are calibrated for them.
  std::optional<Scheme> float_activations;
  // Binary activations (binary_activations.h): every stored tensor but the
  // image holds sign codes and a mean-|x| scale; activation bits must be 1.
  bool binary_activations = false;
  // Ternary activations (ternary_activations.h): codes -1 / 0 / +1 at TWN's
  // threshold and scale; activation bits must be 2. Power-of-two activations
  // (log_activations.h): 0 or 2^e codes, 2 to 5 bits. Codebook activations
  // (codebook_activations.h): b-bit indices into a table of 2^b entries of
  // `activation_entry_bits`. At most one of the four is set; each keeps the
  // image uniform.
  bool ternary_activations = false;
  bool log_activations = false;
  bool codebook_activations = false;
  int activation_entry_bits = 8;
  // What a float MAC layer accumulates in: fp32, or a FloatMAC's `accumulator:`.
  FloatFormat float_accumulator = fp32();
  bool per_channel_weights = true;
  // The weights' scheme (weight_schemes.h): every layer's, unless named below.
  Scheme weight_scheme = Scheme::UniformSymmetric;
  std::map<std::string, Scheme> layer_weight_scheme;  // by layer name
  // Width of a codebook's entries, the integer the multiplier takes: the MAC
  // class's weight width with a digital --arch, else 8 bits.
  int codebook_entry_bits = 8;
  // With a digital --arch that lists several MAC classes (a dataflow design's
  // XNOR unit beside an integer one), or a hybrid's digital parts: the
  // accumulator and codebook entry width of the class each named layer runs
  // on (digital_mac.h), and a float layer's float accumulator; with a trace
  // whose layers give different accumulators, each such layer's. Layers not
  // named take `accumulator`, `codebook_entry_bits` and `float_accumulator`.
  struct UnitNumerics {
    AccumulatorSpec accumulator;
    int codebook_entry_bits = 8;
    FloatFormat float_accumulator = fp32();
  };
  std::map<std::string, UnitNumerics> layer_numerics;  // by layer name
  UnitNumerics numerics_of(const std::string& layer) const {
    const auto it = layer_numerics.find(layer);
    return it != layer_numerics.end() ? it->second : UnitNumerics{accumulator, codebook_entry_bits, float_accumulator};
  }
  Requant requant = Requant::real;
  CalibrationOptions calibration;
  // When set, every Conv / Gemm runs through this in-memory design's crossbar
  // numerics (crossbar_numerics.h) instead of the accumulator, but for the
  // layers named in `digital_layers` (a hybrid's digital parts run them).
  std::optional<CrossbarDesign> crossbar;
  std::set<std::string> digital_layers;
  DeviceOptions device;
};

struct QuantLayer {
  int op = -1;  // index in Network::ops
  LayerBits bits;
  Scheme scheme = Scheme::UniformSymmetric;  // the weights'
  AccumulatorSpec accumulator;  // what its integer sums are held in (QuantOptions::numerics_of)
  WeightQuant w;
  std::vector<int64_t> weight_sums;  // sum_k w[m,k], for the zero-point correction
  std::vector<int64_t> bias_codes;
  std::vector<FixedMultiplier> multipliers;  // per output channel, for Requant::fixed (not the logits' layer)
  // Per output channel, for Requant::fixed into ternary or power-of-two codes: threshold_stage.h.
  std::vector<std::vector<int64_t>> thresholds;
  std::shared_ptr<const ProgrammedLayer> crossbar;  // with QuantOptions::crossbar
  std::shared_ptr<const XnorSramLayer> xnor_sram;    // instead, with an XNOR-SRAM design
  std::shared_ptr<const FloatMacLayer> fp;  // float weights: a float MAC computes the layer
};

// Counts of one run, per Conv / Gemm layer in network order.
struct OverflowCounts {
  std::vector<int64_t> outputs, overflowed;
  std::vector<int64_t> exact_min, exact_max;  // the extremes of the exact sums (Accumulated's)
  std::vector<ConversionCounts> adc;  // with a crossbar design

  void add(const OverflowCounts& o);
};

class QuantizedNetwork {
 public:
  // Calibrates on the first options.calibration.images of `calibration`.
  QuantizedNetwork(const Network& net, const QuantOptions& options, const Dataset& calibration);
  // With the widths and scales of `plan` (calibrated, or read from a trace);
  // the options' widths, scheme and calibration are not read.
  QuantizedNetwork(const Network& net, const QuantOptions& options, QuantPlan plan);

  // The logits of one image; adds to `counts` when given. `index` keys the
  // image's read-noise draws, so a run does not depend on the order images go in.
  std::vector<double> run(const std::vector<float>& image, OverflowCounts* counts, uint64_t index = 0) const;

  const std::vector<QuantLayer>& layers() const { return layers_; }
  const ActQuant& tensor_quant(int t) const { return plan_.act[t]; }
  const QuantPlan& plan() const { return plan_; }

 private:
  const Network& net_;
  QuantOptions options_;
  QuantPlan plan_;
  std::vector<QuantLayer> layers_;
  std::vector<int> layer_of_op_;  // op index -> index in layers_, or -1
};

}  // namespace qnnsim::numerics
