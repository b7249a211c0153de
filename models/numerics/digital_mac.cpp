#include "numerics/digital_mac.h"

#include <fmt/format.h>

#include "mac/mac_spec.h"
#include "numerics/eval_error.h"

namespace qnnsim::numerics {

int DigitalMac::unit_for(const std::function<LayerPrecision(int)>& precision_of, std::string* why) const {
  for (std::size_t k = 0; k < units.size(); ++k) {
    const std::string problem = units[k].mac->precision_problem(precision_of(units[k].accumulator.bits));
    if (problem.empty()) return int(k);
    // One unit: its reason alone, as before; several: each prefixed by its class.
    *why += units.size() == 1 ? problem : fmt::format("{}{}: {}", why->empty() ? "" : "; ", units[k].mac->class_name(), problem);
  }
  return -1;
}

std::optional<FloatFormat> DigitalMac::float_accumulator() const {
  for (const DigitalUnit& u : units)
    if (u.float_accumulator) return u.float_accumulator;
  return std::nullopt;
}

LayerPrecision layer_precision(const LayerBits& bits, Scheme weight_scheme, bool symmetric_input, const ActQuant& input,
                               int accumulator_bits) {
  LayerPrecision p;
  p.weights = {bits.weights, weight_scheme, 1.0};
  const Scheme in = input.binary                  ? Scheme::Binary
                    : input.ternary               ? Scheme::Ternary
                    : input.log                   ? Scheme::PowerOfTwo
                    : input.codebook()            ? Scheme::Codebook
                    : !input.format               ? (symmetric_input ? Scheme::UniformSymmetric : Scheme::UniformAsymmetric)
                    : *input.format == fp8_e5m2() ? Scheme::FloatE5M2
                                                  : Scheme::Float;
  p.inputs = {input.format || input.binary || input.ternary || input.log || input.codebook() ? input.bits : bits.activations,
              in, 1.0};
  p.accumulator = {accumulator_bits, Scheme::UniformSymmetric, 1.0};
  return p;
}

namespace {

DigitalUnit unit_of(const MacSpec* mac, const std::string& where) {
  DigitalUnit u;
  u.mac = mac;
  if (mac->floating_point()) {
    u.float_accumulator = mac->accumulator_bits() == 16 ? fp16() : fp32();
    u.accumulator.bits = mac->accumulator_bits();
    return u;
  }
  const std::optional<AccumulatorOverflow> overflow = mac->integer_overflow();
  if (!overflow)
    throw EvalError(where + ": its MAC class " + mac->class_name() +
                    " sums neither integer products of its operands nor floats; eval models IntMAC, BitSerialMAC, "
                    "BitFusionMAC, LookupTableMAC, ShiftAddMAC, XnorMAC and FloatMAC");
  u.accumulator.bits = mac->accumulator_bits();
  u.accumulator.overflow = *overflow == AccumulatorOverflow::Saturate ? Overflow::saturate : Overflow::wrap;
  if (u.accumulator.bits < 8 || u.accumulator.bits > 64)
    throw EvalError(fmt::format("{}: its MAC class {} accumulates {} bits; eval runs accumulators of 8 to 64 bits", where,
                                mac->class_name(), u.accumulator.bits));
  return u;
}

}  // namespace

std::optional<DigitalMac> listed_digital_mac(const ConfigNode& root, const std::string& where) {
  const DesignFamily* family = find_design_family(root);
  if (!family)
    throw EvalError(where + ": not a design qnnsim recognises (`qnnsim validate` says what each kind of design looks for)");
  DigitalMac d;
  d.design = family->load(root, "");
  for (const MacSpec* mac : d.design->mac_units()) d.units.push_back(unit_of(mac, where));
  if (d.units.empty()) return std::nullopt;
  return d;
}

DigitalMac digital_mac_of(const ConfigNode& root, const std::string& where) {
  std::optional<DigitalMac> d = listed_digital_mac(root, where);
  if (!d)
    throw EvalError(where + ": its layers run on no MAC class eval can model (an in-memory design's crossbars, or a "
                            "PE-array, level or dataflow design's MAC classes, are what --arch takes)");
  return std::move(*d);
}

}  // namespace qnnsim::numerics
