#pragma once
// `qnnsim eval --arch` on a digital design: its Conv and Gemm layers run
// through the MAC class its PEs hold (mac/mac_spec.h), or, where the design
// lists several (a dataflow design), through the first that executes the
// layer, as `qnnsim run` places it. A FloatMAC runs float
// layers (float_mac.h) with its accumulator's format; an integer class
// refuses them, as `qnnsim run` does. The bit-serial and
// Bit Fusion classes form the same integer product as a plain multiplier,
// and an XNOR unit's popcount the same sum of +-1 products (a test holds
// them equal), so what the class changes in the values is its
// accumulator: its width, and whether a sum past it wraps or saturates (the
// class's `overflow`). The class must also take each layer's widths, as
// `qnnsim run` requires. Assumed, not modelled: the sums are taken whole
// product by whole product in accumulate()'s order; a wrapping accumulator
// does not care, a saturating one would clamp differently where the design
// splits the reduction over rows and tiles or adds partial products bit by
// bit or brick by brick.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config_node.h"
#include "design/design_family.h"
#include "numerics/accumulator.h"
#include "numerics/float_format.h"
#include "numerics/quant_params.h"
#include "numerics/quant_plan.h"
#include "workload/precision.h"

namespace qnnsim::numerics {

// One MAC class of the design, with what its values are held in.
struct DigitalUnit {
  const MacSpec* mac = nullptr;
  AccumulatorSpec accumulator;
  // A FloatMAC: the format its `accumulator:` names (fp16 or fp32), which
  // float layers round every sum to (float_mac.h). Its integer accumulator
  // above is then unused: the class refuses integer layers.
  std::optional<FloatFormat> float_accumulator;
};

struct DigitalMac {
  std::shared_ptr<const LoadedDesign> design;  // keeps the MAC classes alive
  // In the order the design tries them (LoadedDesign::mac_units): a layer
  // runs on the first that executes its precision, as `qnnsim run` places it.
  std::vector<DigitalUnit> units;

  // The index of the first unit that executes a layer, or -1 with each
  // unit's reason in *why. `precision_of` gives the layer's precision with a
  // unit's accumulator width.
  int unit_for(const std::function<LayerPrecision(int accumulator_bits)>& precision_of, std::string* why) const;
  // The float format of the first FloatMAC's accumulator, if it has one.
  std::optional<FloatFormat> float_accumulator() const;
};

// The layer precision the class is asked to execute: weights of `weight_scheme`
// at bits.weights, inputs as `input` stores them (codes, or a float format).
LayerPrecision layer_precision(const LayerBits& bits, Scheme weight_scheme, bool symmetric_input, const ActQuant& input,
                               int accumulator_bits);

// The MAC numerics of `root`'s design; `where` names it in the error (an
// EvalError) when it has no MAC class, or one of neither integer nor
// floating-point values.
DigitalMac digital_mac_of(const ConfigNode& root, const std::string& where);
// The same, or nothing when the design lists no MAC class: a hybrid, whose
// parts each have numerics of their own, which eval does not combine.
std::optional<DigitalMac> listed_digital_mac(const ConfigNode& root, const std::string& where);

}  // namespace qnnsim::numerics
