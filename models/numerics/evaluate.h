#pragma once
// `qnnsim eval`: top-1 accuracy of a model on a data set's test split, in
// float and through the quantized path, with per-layer figures.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "numerics/digital_mac.h"
#include "numerics/hybrid_numerics.h"
#include "numerics/quant_network.h"

namespace qnnsim::numerics {

struct EvalOptions {
  std::string model;
  std::string data = "fashion-mnist";
  int64_t limit = 0;  // test images scored, 0: all
  int jobs = 1;       // threads over the images; the results do not depend on it
  QuantOptions quant;
  // A design whose numerics run the Conv / Gemm layers: an in-memory
  // design's crossbars, or a digital design's MAC class (its accumulator's
  // width and overflow, numerics/digital_mac.h).
  std::string arch;
  int adc_bits = 0;  // > 0: replaces the design's ADC resolution
  // Instead of `arch`: crossbar numerics already read (a sweep point's arch,
  // with its swept values written in), named `arch_name` in the results.
  std::optional<CrossbarDesign> design;
  // Instead of `arch`: a digital design's MAC classes already read (a sweep
  // point's arch, with its swept values written in), named `arch_name`.
  std::optional<DigitalMac> digital;
  // Instead of `arch`: a hybrid design's parts already read (a sweep point's).
  std::optional<HybridNumerics> hybrid;
  std::string arch_name;
  // A quantized workload trace of the model (`qnnsim quantize`): its widths,
  // scales, zero points and accumulator width replace quant's widths, scheme,
  // weight granularity, accumulator width and calibration.
  std::string trace;
  // The first width, scheme or calibration option the user gave ("--bits"),
  // refused for a QDQ model, whose nodes give them; "" when none was.
  std::string quant_options_given;
  // "--accumulator" or "--overflow" when the user gave one, refused with a
  // digital design's --arch, whose MAC class gives the accumulator.
  std::string accumulator_options_given;
};

struct LayerResult {
  std::string name, onnx;
  LayerBits bits;
  Scheme weight_scheme = Scheme::UniformSymmetric;
  std::string float_format;  // a float MAC layer's operand format ("fp8_e4m3"), else ""
  int64_t macs = 0;  // per image
  int64_t outputs = 0, overflowed = 0;  // accumulations over the run, and those that overflowed
  int64_t exact_min = 0, exact_max = 0;  // the extremes the accumulator had to hold (Accumulated's)
  int accumulator_bits = 32;  // the accumulator its sums were held in, and what it did past its range
  Overflow overflow = Overflow::wrap;
  std::string mac_class;  // with arch_mac: the design's MAC class that ran it
  std::string part;       // on a hybrid: the part that ran it
  int64_t conversions = 0, clipped = 0;  // ADC conversions over the run, with --arch, and those that clipped
  // With crossbars: the width of the integer codes stored (workload/precision.h's
  // integer_code_bits), and the cell columns each weight takes.
  int stored_code_bits = 0, columns_per_weight = 0;
};

struct EvalResult {
  std::string network, data, data_folder;
  std::string arch_file;  // with --arch: the design read, and its crossbar numerics
  std::string trace_file;  // with --trace: the trace whose quantization ran
  bool qdq_model = false;  // the model's own QuantizeLinear / DequantizeLinear nodes gave the quantization
  // The accumulator that ran (the trace's first layer's, with one; the
  // design's first MAC class's, with arch_mac; LayerResult has each layer's).
  int accumulator_bits = 32;
  Overflow overflow = Overflow::wrap;
  bool arch_mac = false;  // --arch with a digital design: its MAC class ran the Conv / Gemm layers
  bool hybrid = false;    // --arch with a hybrid: each Conv / Gemm ran on its part (LayerResult::part)
  bool symmetric_activations = false, per_channel_weights = true;  // the scheme that ran
  std::string input_format;  // the image's float format when it is stored as floats, else ""
  // Binary, ternary, power-of-two or codebook activations ran
  // (binary_activations.h, ternary_activations.h, log_activations.h,
  // codebook_activations.h): which ("binary", "ternary", "power_of_two",
  // "codebook"), and the image's width, which stays uniform; else "" and 0.
  std::string coded_activations;
  int coded_image_bits = 0;
  int codebook_entry_bits = 0;  // with codebook activations: the entries' width (codebook_activations.h)
  // The schemes the layers' stored tensors (the image aside) are in, when a
  // trace gives them more than one (activation_scheme_text); else empty.
  std::vector<std::string> mixed_activations;
  // With any float MAC layer: the format every accumulate rounds to ("fp32"),
  // and where it came from ("eval's default" or the design's FloatMAC).
  std::string float_accumulator, float_accumulator_source;
  std::optional<CrossbarDesign> crossbar;
  int64_t images = 0, calibration_images = 0;
  int64_t float_correct = 0, quant_correct = 0;
  int64_t agree = 0;  // images where both paths pick the same class
  double calibration_s = 0, float_s = 0, quant_s = 0;  // wall-clock
  // Processor time of the same phases: what the work costs on a machine shared with other jobs.
  double calibration_cpu_s = 0, float_cpu_s = 0, quant_cpu_s = 0;
  std::vector<LayerResult> layers;
  // What the figures alone would not make plain: a layer whose accumulator
  // overflowed (overflow_warning.h). Printed on stderr, written to the JSON
  // and a sweep point's warnings.
  std::vector<std::string> warnings;

  double float_accuracy() const { return images ? double(float_correct) / images : 0; }
  double quant_accuracy() const { return images ? double(quant_correct) / images : 0; }
  // With arch_mac: whether the layers ran on more than one of the design's
  // MAC classes, so that the accumulator is per layer.
  bool several_mac_classes() const {
    for (const LayerResult& l : layers)
      if (l.mac_class != layers.front().mac_class) return true;
    return false;
  }
};

// Throws EvalError on a model, data set or option it cannot evaluate.
EvalResult evaluate(const EvalOptions& o);

// The index of the largest value, the first on a tie (deterministic).
template <typename T>
int argmax(const std::vector<T>& v) {
  int best = 0;
  for (int i = 1; i < int(v.size()); ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

}  // namespace qnnsim::numerics
