#pragma once
// Post-training calibration: the range of each activation tensor the
// quantized path stores, observed by running the float network on images the
// evaluation does not score (the first N of the training split).
//
// min-max takes the extremes seen. percentile takes the p-th and (100-p)-th
// percentiles, so that a few outliers do not stretch the scale. mse tries the
// min-max range shrunk by each of 1%, 2%, ... 100% and keeps the one whose
// quantize-then-dequantize error over the samples is least, at the width and
// scheme the tensor will be stored with.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "numerics/dataset.h"
#include "numerics/network.h"
#include "numerics/quant_params.h"

namespace qnnsim::numerics {

enum class RangeMethod { minmax, percentile, mse };

const char* range_method_name(RangeMethod m);

struct CalibrationOptions {
  RangeMethod method = RangeMethod::minmax;
  int64_t images = 1000;
  double percentile = 99.99;
};

// What was seen of one tensor: its exact extremes and an evenly strided
// sample of its values (at most kMaxSamples, so that percentiles and the MSE
// search stay fast whatever the number of images).
struct TensorSamples {
  static constexpr std::size_t kMaxSamples = 1 << 20;
  double lo = 0, hi = 0;
  std::vector<float> values;
};

// Samples of the listed tensors over the first `images` of `data`.
std::vector<TensorSamples> observe(const Network& net, const Dataset& data, const std::vector<int>& tensors,
                                   int64_t images);

// The quantization a tensor's samples call for under the method.
ActQuant choose_quant(const TensorSamples& s, const CalibrationOptions& o, int bits, bool symmetric);
// The same choice for any scheme whose quantization follows from a range:
// `make(lo, hi)` builds it (act_quant above; log_act_for_range for power-of-two
// activations), and mse compares the candidates' own quantize-then-dequantize error.
ActQuant choose_quant(const TensorSamples& s, const CalibrationOptions& o,
                      const std::function<ActQuant(double, double)>& make);

}  // namespace qnnsim::numerics
