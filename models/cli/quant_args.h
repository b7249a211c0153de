#pragma once
// The quantization options `qnnsim eval` and `qnnsim quantize` share, so that
// `quantize` writes the quantization `eval` would calibrate with the same words.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

// Only the files that apply the options see Eigen (numerics/); main.cpp does not.
namespace qnnsim::numerics {
struct QuantOptions;
}

namespace qnnsim::cli {

struct QuantArgs {
  std::vector<std::string> bits;
  std::vector<std::string> weight_schemes;  // SCHEME or LAYER=SCHEME
  int accumulator = 32;
  std::string scheme = "asymmetric", weight_scales = "per-channel", calibrate = "minmax";
  long long calibration_images = 1000;
  double percentile = 99.99;
  std::vector<CLI::Option*> options;  // each option added, to tell which were given
};

// --bits, --weight-scheme, --accumulator, --scheme, --weight-scales, --calibrate, --calibration-images, --percentile.
void add_quant_options(CLI::App* cmd, QuantArgs& a);

// Fills q's widths, weight schemes, accumulator width, scheme, weight
// granularity and calibration; an EvalError on a malformed --bits or --weight-scheme.
void apply_quant_args(const QuantArgs& a, numerics::QuantOptions& q);

// The first of the options given on the command line ("--bits"), or "";
// options named in `except` are not counted.
std::string first_given(const QuantArgs& a, const std::vector<std::string>& except = {});

// An ONNX file, or the name of a shipped model (workloads/models/NAME.onnx);
// an EvalError listing the shipped ones when it is neither.
std::string resolve_model(const std::string& model);

}  // namespace qnnsim::cli
