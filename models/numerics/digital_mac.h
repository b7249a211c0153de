#pragma once
// `qnnsim eval --arch` on a digital design: its Conv and Gemm layers run
// through the MAC class its PEs hold (mac/mac_spec.h). A FloatMAC runs float
// layers (float_mac.h) with its accumulator's format; an integer class
// refuses them, as `qnnsim run` does. The bit-serial and
// Bit Fusion classes form the same integer product as a plain multiplier
// (a test holds them equal), so what the class changes in the values is its
// accumulator: its width, and whether a sum past it wraps or saturates (the
// class's `overflow`). The class must also take each layer's widths, as
// `qnnsim run` requires. Assumed, not modelled: the sums are taken whole
// product by whole product in accumulate()'s order; a wrapping accumulator
// does not care, a saturating one would clamp differently where the design
// splits the reduction over rows and tiles or adds partial products bit by
// bit or brick by brick.
#include <memory>
#include <optional>
#include <string>

#include "core/config_node.h"
#include "design/design_family.h"
#include "numerics/accumulator.h"
#include "numerics/float_format.h"
#include "numerics/quant_params.h"
#include "numerics/quant_plan.h"
#include "workload/precision.h"

namespace qnnsim::numerics {

struct DigitalMac {
  std::shared_ptr<const LoadedDesign> design;  // keeps the MAC class alive
  const MacSpec* mac = nullptr;
  AccumulatorSpec accumulator;
  // A FloatMAC: the format its `accumulator:` names (fp16 or fp32), which
  // float layers round every sum to (float_mac.h). Its integer accumulator
  // above is then unused: the class refuses integer layers.
  std::optional<FloatFormat> float_accumulator;

  // Empty when the class executes a layer of this precision (weights and
  // inputs as the quantization has them), else why not.
  std::string problem(const LayerPrecision& p) const;
};

// The layer precision the class is asked to execute: weights of `weight_scheme`
// at bits.weights, inputs as `input` stores them (codes, or a float format).
LayerPrecision layer_precision(const LayerBits& bits, Scheme weight_scheme, bool symmetric_input, const ActQuant& input,
                               int accumulator_bits);

// The MAC numerics of `root`'s design; `where` names it in the error (an
// EvalError) when it has no MAC class of integer or floating-point values.
DigitalMac digital_mac_of(const ConfigNode& root, const std::string& where);

}  // namespace qnnsim::numerics
