// Bit-serial MAC (Stripes style: P. Judd et al., MICRO 2016): one operand
// arrives a bit per cycle, the other in parallel. A MAC of a b-bit serial
// operand takes b cycles, so time falls linearly with the bits.
//
// Energy per cycle (derived): a p x 1 multiply (a row of p AND gates) priced
// on the table's multiplier curve at width product p (energy ~ the product,
// as Horowitz's 8x8 and 32x32 points show), plus a shift-add into the
// accumulator, priced as an adder of the accumulator's width. A MAC costs
// b such cycles.
//
//   mac: {class: BitSerialMAC, serial: inputs, parallel_bits: 16, accumulator_bits: 32}
#include "mac/mac_spec.h"

namespace qnnsim {

namespace {

class BitSerialMac : public MacSpec {
 public:
  BitSerialMac(const ConfigNode& node, const BuildContext& ctx) {
    const std::string serial = node.text("serial");
    if (serial != "inputs" && serial != "weights")
      node.fail("serial", "expected the operand that arrives a bit per cycle: inputs or weights, found '" + serial + "'");
    serial_inputs_ = serial == "inputs";
    parallel_bits_ = static_cast<int>(node.integer_in("parallel_bits", 1, 32));
    abits_ = static_cast<int>(node.integer_in("accumulator_bits", 1, 64));
    overflow_ = read_accumulator_overflow(node);
    const EnergyTable& t = ctx.table;
    cycle_pj_ = t.energy_curve_pj("int_mult", parallel_bits_, node) + t.energy_curve_pj("int_add", abits_, node);
    area_um2_ = t.area_curve_um2("int_mult", parallel_bits_, node) + t.area_curve_um2("int_add", abits_, node);
    node.reject_unknown_keys();
  }

  std::string precision_problem(const LayerPrecision& p) const override {
    for (const TensorPrecision* t : {&p.weights, &p.inputs})
      if (!scheme_is_integer(t->scheme))
        return std::string("BitSerialMAC executes integer schemes, not ") + scheme_name(t->scheme);
    // Both operands sit in registers of parallel_bits; one is read a bit per cycle.
    if (p.weights.bits > parallel_bits_ || p.inputs.bits > parallel_bits_)
      return "BitSerialMAC holds operands of up to " + std::to_string(parallel_bits_) + " bits; the layer has " +
             std::to_string(p.weights.bits) + "-bit weights and " + std::to_string(p.inputs.bits) + "-bit inputs";
    return accumulator_problem("BitSerialMAC", abits_, p);
  }
  MacRate rate(const LayerPrecision& p) const override { return {1, serial_bits(p.weights.bits, p.inputs.bits)}; }
  ActionDesc action(const LayerPrecision& p) const override {
    return {"mac", mac_action_name(p.weights.bits, p.inputs.bits), 0};
  }
  double energy_pj(const ActionDesc& a) const override {
    int w = 0, i = 0;
    if (!parse_mac_action_name(a.action, &w, &i)) return 0;
    return cycle_pj_ * serial_bits(w, i);
  }
  double area_um2() const override { return area_um2_; }
  // The registers hold whole operands; the unit reads the serial one a bit at a time.
  int weight_bits() const override { return parallel_bits_; }
  int input_bits() const override { return parallel_bits_; }
  int accumulator_bits() const override { return abits_; }
  std::optional<AccumulatorOverflow> integer_overflow() const override { return overflow_; }
  // One cycle per bit of the serial operand, LSB first: the parallel operand
  // where the bit is 1, shifted by the bit's place and added; a two's
  // complement operand's top bit weighs -2^(b-1), so that cycle subtracts.
  int64_t product(int64_t w, int64_t x, const LayerPrecision& p) const override {
    const TensorPrecision& serial = serial_inputs_ ? p.inputs : p.weights;
    const int64_t bits_of = serial_inputs_ ? x : w, parallel = serial_inputs_ ? w : x;
    int64_t acc = 0;
    for (int b = 0; b < serial.bits; ++b) {
      if (((bits_of >> b) & 1) == 0) continue;
      const int64_t term = parallel * (int64_t{1} << b);
      acc += signed_codes(serial) && b == serial.bits - 1 ? -term : term;
    }
    return acc;
  }

 private:
  int serial_bits(int weight_bits, int input_bits) const { return serial_inputs_ ? input_bits : weight_bits; }

  bool serial_inputs_ = true;
  int parallel_bits_ = 16, abits_ = 32;
  AccumulatorOverflow overflow_ = AccumulatorOverflow::Wrap;
  double cycle_pj_ = 0, area_um2_ = 0;
};

QNNSIM_REGISTER(MacSpec::Registry, "BitSerialMAC", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<MacSpec>(new BitSerialMac(n, c));
});

}  // namespace
}  // namespace qnnsim
