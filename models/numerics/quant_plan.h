#pragma once
// What the quantized path needs besides the weights' values: the width and
// scale of every tensor it stores as codes, and each layer's widths and
// weight scales. Calibration computes one on data (calibrate_plan); a
// quantized workload trace carries one (trace_plan.h), so that what
// `qnnsim run` prices and what `qnnsim eval --trace` scores are one quantization.
#include <string>
#include <vector>

#include "numerics/calibration.h"
#include "numerics/dataset.h"
#include "numerics/network.h"
#include "numerics/quant_params.h"
#include "numerics/weight_schemes.h"

namespace qnnsim::numerics {

struct LayerBits {
  int weights = 8, activations = 8;
};

struct QuantOptions;

// Under --scheme binary, the width the image is stored at (uniform codes).
constexpr int kBinaryNetImageBits = 8;

struct QuantPlan {
  std::vector<int> bits;        // per tensor: its activation width (0: not stored as codes)
  std::vector<ActQuant> act;    // per tensor, where stored (and through pass-through ops)
  std::vector<LayerBits> layer_bits;                // per op (Conv / Gemm ops only)
  std::vector<std::vector<double>> weight_scales;   // per op: one per output channel (Conv / Gemm ops only)
  // Per op, the weights' scheme (weight_schemes.h); empty or uniform_symmetric:
  // the codes are taken at weight_scales. The other schemes derive their
  // scales from the weights when the network is built, and have none here.
  std::vector<WeightFormat> weight_formats;

  WeightFormat weight_format(std::size_t op) const { return op < weight_formats.size() ? weight_formats[op] : WeightFormat{}; }
};

// The weight scheme the options give a layer (QuantOptions::weight_scheme, or its own).
Scheme weight_scheme_of(const std::string& layer, const QuantOptions& o);

// The ops that keep their input's codes and scale.
bool passes_codes(OpKind k);

// The widths the options give every tensor (assign_widths), ranges from the
// first options.calibration.images of `calibration`, and weight scales from
// the largest |weight| per channel or per tensor; weight schemes from the
// options, each layer's checked against its width (EvalError naming the layer).
QuantPlan calibrate_plan(const Network& net, const QuantOptions& options, const Dataset& calibration);

}  // namespace qnnsim::numerics
