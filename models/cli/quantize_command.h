#pragma once
// `qnnsim quantize MODEL [--data D] [--calibrate minmax|percentile|mse] [--bits W/A] ... -o TRACE.yaml`:
// post-training quantization of an ONNX model into a workload trace that
// carries its calibrated scales (numerics/quantized_trace.h).
#include <string>

#include <CLI/CLI.hpp>

#include "cli/quant_args.h"

namespace qnnsim::cli {

struct QuantizeArgs {
  std::string model, data = "fashion-mnist", out;
  std::string qdq;  // --qdq: where to write the QDQ ONNX model, if anywhere
  QuantArgs quant;
  bool quiet = false;
};

CLI::App* add_quantize_command(CLI::App& app, QuantizeArgs& args);
// The process exit code: 0, 2 on bad input (a message naming what).
int run_quantize(const QuantizeArgs& args);

}  // namespace qnnsim::cli
