// Fixed-width integer MAC: an n x m multiplier and an a-bit accumulator.
// Energy and area scale with the multiplier's operand-width product and the
// adder's width (log-log through the energy table's published points). The
// hardware widths set the cost: a 4-bit layer on an 8x8 unit still uses the
// 8x8 multiplier (precision-scalable units are other classes). Codebook
// weights and inputs are looked up in the PE (the array counts the look-ups)
// and enter the multiplier at its weight or input width.
//
// A layer wider than the unit is an error, unless `split_wide: true`: then
// each operand is cut into slices of the unit's width and a MAC runs as
// ceil(w / n) x ceil(i / m) passes over the unit, each a full n x m multiply
// whose product is shifted and added into the accumulator. Time and energy
// per MAC grow with the passes.
//
// `lanes: N` (default 1) puts N such multiply-accumulators side by side in
// the unit, each on its own weight and sharing the input (a PE's SIMD, as
// Eyeriss v2's two MACs per PE): N MACs per step, energy per MAC unchanged,
// area N times one lane's.
#include "mac/mac_spec.h"

namespace qnnsim {

namespace {

class IntMac : public MacSpec {
 public:
  IntMac(const ConfigNode& node, const BuildContext& ctx) : node_(node) {
    wbits_ = static_cast<int>(node.integer("weight_bits", 1));
    ibits_ = static_cast<int>(node.integer("input_bits", 1));
    abits_ = static_cast<int>(node.integer("accumulator_bits", 1));
    split_wide_ = node.flag("split_wide", false);
    lanes_ = static_cast<int>(node.integer_in("lanes", 1, 64, 1));
    overflow_ = read_accumulator_overflow(node);
    if (wbits_ > 32 || ibits_ > 32) node.fail("weight_bits", "an IntMAC operand is 1 to 32 bits wide");
    if (abits_ > 64) node.fail("accumulator_bits", "an IntMAC accumulator is at most 64 bits wide");
    const double product = static_cast<double>(wbits_) * ibits_;
    energy_pj_ = ctx.table.energy_curve_pj("int_mult", product, node) + ctx.table.energy_curve_pj("int_add", abits_, node);
    area_um2_ = ctx.table.area_curve_um2("int_mult", product, node) + ctx.table.area_curve_um2("int_add", abits_, node);
    node.reject_unknown_keys();
  }

  std::string precision_problem(const LayerPrecision& p) const override {
    for (const auto& [tensor, width] : {std::pair{&p.weights, wbits_}, std::pair{&p.inputs, ibits_}}) {
      // Codebook weights and inputs reach the multiplier as table entries of its own width.
      if (tensor->scheme == Scheme::Codebook) continue;
      if (!scheme_is_integer(tensor->scheme))
        return std::string("IntMAC executes integer schemes, not ") + scheme_name(tensor->scheme);
      if (tensor->bits > width && !split_wide_)
        return "IntMAC is " + std::to_string(wbits_) + "x" + std::to_string(ibits_) + " bits; the layer needs " +
               std::to_string(p.weights.bits) + "x" + std::to_string(p.inputs.bits) +
               " (split_wide: true would run it in slices)";
    }
    return accumulator_problem("IntMAC", abits_, p);
  }
  MacRate rate(const LayerPrecision& p) const override { return {lanes_, passes(p.weights, p.inputs)}; }
  // A MAC that fits counts at the unit's widths; a split one at the layer's, so its passes can be priced.
  ActionDesc action(const LayerPrecision& p) const override {
    if (passes(p.weights, p.inputs) == 1) return {"mac", mac_action_name(wbits_, ibits_), 0};
    // A codebook operand enters at the unit's width, whatever its index's.
    return {"mac", mac_action_name(p.weights.scheme == Scheme::Codebook ? wbits_ : p.weights.bits,
                                   p.inputs.scheme == Scheme::Codebook ? ibits_ : p.inputs.bits),
            0};
  }
  double energy_pj(const ActionDesc& a) const override {
    int w = 0, i = 0;
    if (!parse_mac_action_name(a.action, &w, &i)) return energy_pj_;
    return energy_pj_ * passes({w, Scheme::UniformSymmetric, 1.0}, {i, Scheme::UniformSymmetric, 1.0});
  }
  double area_um2() const override { return area_um2_ * lanes_; }
  int weight_bits() const override { return wbits_; }
  int input_bits() const override { return ibits_; }
  int accumulator_bits() const override { return abits_; }
  std::optional<AccumulatorOverflow> integer_overflow() const override { return overflow_; }

 private:
  // Passes over the unit per MAC: 1 unless a split layer is wider than it.
  int passes(const TensorPrecision& weights, const TensorPrecision& inputs) const {
    const int w = weights.scheme == Scheme::Codebook ? wbits_ : weights.bits;
    const int i = inputs.scheme == Scheme::Codebook ? ibits_ : inputs.bits;
    return ((w + wbits_ - 1) / wbits_) * ((i + ibits_ - 1) / ibits_);
  }

  ConfigNode node_;
  int wbits_ = 8, ibits_ = 8, abits_ = 32;
  AccumulatorOverflow overflow_ = AccumulatorOverflow::Wrap;
  bool split_wide_ = false;
  int lanes_ = 1;
  double energy_pj_ = 0, area_um2_ = 0;
};

QNNSIM_REGISTER(MacSpec::Registry, "IntMAC", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<MacSpec>(new IntMac(n, c));
});

}  // namespace
}  // namespace qnnsim
