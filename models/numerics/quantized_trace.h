#pragma once
// `qnnsim quantize`: post-training quantization of an ONNX model into a
// workload trace. The activation ranges are calibrated on a data set's
// training images (calibration.h), the weight scales taken from the weights,
// and the trace `qnnsim import` writes for the model is given, per layer,
// the widths with the scales and zero points beside them (the keys
// `scale` and `zero_point`, workload/precision.h). `run`, `map` and `sweep`
// price it like any trace; `eval --trace` scores the same quantization.
#include <cstdint>
#include <string>
#include <vector>

#include "numerics/quant_network.h"

namespace qnnsim::numerics {

struct QuantizeOptions {
  std::string model;  // an ONNX file
  std::string data = "fashion-mnist";
  QuantOptions quant;  // widths, scheme, weight granularity, calibration
  bool qdq = false;    // also make the QDQ model (qdq_writer.h)
};

struct QuantizedTrace {
  std::string yaml;
  std::string network;
  int layers = 0;
  int64_t calibration_images = 0;
  double calibration_s = 0;  // wall-clock
  std::vector<std::string> notes;  // the import's
  std::string qdq_model;  // with QuantizeOptions::qdq: the serialized ONNX model
};

// Throws EvalError on a model, data set or option it cannot quantize.
QuantizedTrace quantize_to_trace(const QuantizeOptions& o);

// Checks the widths and calibration options as evaluate() does (EvalError).
void check_quant_options(const QuantOptions& q);

}  // namespace qnnsim::numerics
