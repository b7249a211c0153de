#include "numerics/digital_mac.h"

#include <fmt/format.h>

#include "mac/mac_spec.h"
#include "numerics/eval_error.h"

namespace qnnsim::numerics {

std::string DigitalMac::problem(const LayerPrecision& p) const { return mac->precision_problem(p); }

LayerPrecision layer_precision(const LayerBits& bits, Scheme weight_scheme, bool symmetric_input, const ActQuant& input,
                               int accumulator_bits) {
  LayerPrecision p;
  p.weights = {bits.weights, weight_scheme, 1.0};
  const Scheme in = input.binary                  ? Scheme::Binary
                    : input.ternary               ? Scheme::Ternary
                    : input.log                   ? Scheme::PowerOfTwo
                    : !input.format               ? (symmetric_input ? Scheme::UniformSymmetric : Scheme::UniformAsymmetric)
                    : *input.format == fp8_e5m2() ? Scheme::FloatE5M2
                                                  : Scheme::Float;
  p.inputs = {input.format || input.binary || input.ternary || input.log ? input.bits : bits.activations, in, 1.0};
  p.accumulator = {accumulator_bits, Scheme::UniformSymmetric, 1.0};
  return p;
}

DigitalMac digital_mac_of(const ConfigNode& root, const std::string& where) {
  const DesignFamily* family = find_design_family(root);
  if (!family)
    throw EvalError(where + ": not a design qnnsim recognises (`qnnsim validate` says what each kind of design looks for)");
  DigitalMac d;
  d.design = family->load(root, "");
  d.mac = d.design->mac_unit();
  if (!d.mac)
    throw EvalError(where + ": its layers run on no MAC class eval can model (an in-memory design's crossbars, or a "
                            "PE-array or level design's `mac`, are what --arch takes)");
  if (d.mac->floating_point()) {
    d.float_accumulator = d.mac->accumulator_bits() == 16 ? fp16() : fp32();
    d.accumulator.bits = d.mac->accumulator_bits();
    return d;
  }
  const std::optional<AccumulatorOverflow> overflow = d.mac->integer_overflow();
  if (!overflow)
    throw EvalError(where + ": its MAC class does not sum integer products of its operands (a float or XNOR unit); "
                            "eval models integer MAC classes (IntMAC, BitSerialMAC, BitFusionMAC, LookupTableMAC, "
                            "ShiftAddMAC)");
  d.accumulator.bits = d.mac->accumulator_bits();
  d.accumulator.overflow = *overflow == AccumulatorOverflow::Saturate ? Overflow::saturate : Overflow::wrap;
  if (d.accumulator.bits < 8 || d.accumulator.bits > 64)
    throw EvalError(fmt::format("{}: its MAC class accumulates {} bits; eval runs accumulators of 8 to 64 bits", where,
                                d.accumulator.bits));
  return d;
}

}  // namespace qnnsim::numerics
