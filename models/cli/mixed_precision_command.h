#pragma once
// `qnnsim mixed-precision MODEL ARCH -o TRACE.yaml [--widths 8,6,4,2]
// [--weight-widths W,..] [--activation-widths A,..] [--budget POINTS]
// [--objective energy|latency|edp] ...`: per-layer widths chosen by
// sensitivity under an accuracy budget, minimising a design's simulated cost
// (precision_search/mixed_precision.h); writes the chosen quantized trace.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/quant_args.h"

namespace qnnsim::cli {

struct MixedPrecisionArgs {
  std::string model, arch, out, data = "fashion-mnist", objective = "energy", json;
  std::vector<int> widths = {8, 6, 4, 2};
  std::vector<int> weight_widths, activation_widths;  // empty: `widths`, both together
  double budget = 1.0;
  long long validation_images = 1000, test_images = 0;
  QuantArgs quant;
  bool quiet = false, verbose = false;
};

CLI::App* add_mixed_precision_command(CLI::App& app, MixedPrecisionArgs& args);
// The process exit code: 0, 2 on bad input (a message naming what).
int run_mixed_precision(const MixedPrecisionArgs& args);

}  // namespace qnnsim::cli
