#pragma once
// `qnnsim eval MODEL [--data D] [--limit N] [--bits W/A] [--bits LAYER=W/A] ...`:
// top-1 accuracy of an ONNX model in float and quantized (numerics/).
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/quant_args.h"

namespace qnnsim::cli {

struct EvalArgs {
  std::string model, data = "fashion-mnist", json;
  long long limit = 0;
  QuantArgs quant;
  std::string trace;  // a quantized trace whose widths and scales replace quant's and calibration
  std::string overflow, requantize = "real";  // overflow empty: wrap, unless --arch's MAC class says
  bool quiet = false;
  int jobs = 1;
  // In-memory numerics (numerics/crossbar_numerics.h, device_options.h).
  std::string arch, variation_model = "lognormal";
  int adc_bits = 0;
  double variation = 0, on_off_ratio = 0, stuck_at_0 = 0, stuck_at_1 = 0, read_noise = 0, adc_offset = 0;
  unsigned long long seed = 1;
};

CLI::App* add_eval_command(CLI::App& app, EvalArgs& args);
// The process exit code: 0, 2 on bad input (a message naming what), 1 on a failed write.
int run_eval(const EvalArgs& args);

}  // namespace qnnsim::cli
