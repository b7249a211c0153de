// Shift-add MAC for logarithmic weights: a power-of-two weight +-2^-k
// (D. Miyashita et al., "Convolutional Neural Networks using Logarithmic Data
// Representation", 2016) or a radix-4 one +-4^-k turns the multiply into a
// shift of the input; a barrel shifter and an adder replace the multiplier.
// A b-bit log weight is a sign and b-1 bits of exponent: 2^(b-1) shift
// amounts, a step of 1 bit (power of two) or 2 bits (radix 4). Products span
// the input's bits plus the largest shift, so log formats need wide
// accumulators: the unit's accumulator must hold that span, and the layer's
// accumulator width may not exceed the unit's.
//
// Energy per MAC (derived): a barrel shifter of i bits has one stage per
// exponent bit (b - 1 stages of i 2:1 multiplexers); each stage is priced as
// an i-bit add on the table's adder curve, an upper bound on a row of muxes.
// Then one add of the accumulator's width.
//
// `overflow` (wrap, the default, or saturate) is what the accumulator does
// past its width; it changes no cost, only the values `qnnsim eval --arch`
// computes (the shifted products are integers, summed as any others).
//
//   mac: {class: ShiftAddMAC, weight_bits: 4, input_bits: 8, accumulator_bits: 32}
#include "mac/mac_spec.h"

namespace qnnsim {

namespace {

class ShiftAddMac : public MacSpec {
 public:
  ShiftAddMac(const ConfigNode& node, const BuildContext& ctx) {
    wbits_ = static_cast<int>(node.integer_in("weight_bits", 2, 8));
    ibits_ = static_cast<int>(node.integer_in("input_bits", 1, 32));
    abits_ = static_cast<int>(node.integer_in("accumulator_bits", 1, 64));
    overflow_ = read_accumulator_overflow(node);
    const EnergyTable& t = ctx.table;
    // Energy per shifter stage, by input width, and the accumulator add.
    for (int i = 1; i <= ibits_; ++i) stage_pj_.push_back(t.energy_curve_pj("int_add", i, node));
    add_pj_ = t.energy_curve_pj("int_add", abits_, node);
    area_um2_ = (wbits_ - 1) * t.area_curve_um2("int_add", ibits_, node) + t.area_curve_um2("int_add", abits_, node);
    node.reject_unknown_keys();
  }

  std::string precision_problem(const LayerPrecision& p) const override {
    if (p.weights.scheme != Scheme::PowerOfTwo && p.weights.scheme != Scheme::LogRadix4)
      return std::string("ShiftAddMAC executes power_of_two or log_radix4 weights, not ") + scheme_name(p.weights.scheme);
    if (!scheme_is_integer(p.inputs.scheme))
      return std::string("ShiftAddMAC shifts integer inputs, not ") + scheme_name(p.inputs.scheme);
    if (p.weights.bits > wbits_ || p.inputs.bits > ibits_)
      return "ShiftAddMAC takes " + std::to_string(wbits_) + "-bit weights and " + std::to_string(ibits_) +
             "-bit inputs; the layer has " + std::to_string(p.weights.bits) + " and " + std::to_string(p.inputs.bits);
    const int span = product_bits(p);
    if (span > abits_)
      return "ShiftAddMAC accumulates " + std::to_string(abits_) + " bits; " + scheme_name(p.weights.scheme) + " " +
             std::to_string(p.weights.bits) + "-bit weights on " + std::to_string(p.inputs.bits) +
             "-bit inputs make products of " + std::to_string(span) + " bits";
    return accumulator_problem("ShiftAddMAC", abits_, p);
  }
  MacRate rate(const LayerPrecision&) const override { return {}; }
  ActionDesc action(const LayerPrecision& p) const override {
    return {"mac", mac_action_name(p.weights.bits, p.inputs.bits), 0};
  }
  double energy_pj(const ActionDesc& a) const override {
    int w = 0, i = 0;
    if (!parse_mac_action_name(a.action, &w, &i) || i < 1 || i > ibits_) return 0;
    return (w - 1) * stage_pj_[static_cast<std::size_t>(i - 1)] + add_pj_;
  }
  double area_um2() const override { return area_um2_; }
  int weight_bits() const override { return wbits_; }
  int input_bits() const override { return ibits_; }
  int accumulator_bits() const override { return abits_; }
  std::optional<AccumulatorOverflow> integer_overflow() const override { return overflow_; }

 private:
  // Bits of one product: the input's plus the largest shift, 2^(b-1) - 1
  // steps of 1 bit (power of two) or 2 bits (radix 4).
  static int product_bits(const LayerPrecision& p) {
    const int steps = (1 << (p.weights.bits - 1)) - 1;
    return p.inputs.bits + steps * (p.weights.scheme == Scheme::LogRadix4 ? 2 : 1);
  }

  int wbits_ = 4, ibits_ = 8, abits_ = 32;
  AccumulatorOverflow overflow_ = AccumulatorOverflow::Wrap;
  std::vector<double> stage_pj_;
  double add_pj_ = 0, area_um2_ = 0;
};

QNNSIM_REGISTER(MacSpec::Registry, "ShiftAddMAC", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<MacSpec>(new ShiftAddMac(n, c));
});

}  // namespace
}  // namespace qnnsim
