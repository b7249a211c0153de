// Fixed-width integer MAC: an n x m multiplier and an a-bit accumulator.
// Energy and area scale with the multiplier's operand-width product and the
// adder's width (log-log through the energy table's published points). The
// hardware widths set the cost: a 4-bit layer on an 8x8 unit still uses the
// 8x8 multiplier (precision-scalable units are other classes). Codebook
// weights are looked up in the PE (the array counts the look-up) and enter
// the multiplier at its weight width.
#include "mac/mac_spec.h"

namespace qnnsim {

namespace {

class IntMac : public MacSpec {
 public:
  IntMac(const ConfigNode& node, const BuildContext& ctx) : node_(node) {
    wbits_ = static_cast<int>(node.integer("weight_bits", 1));
    ibits_ = static_cast<int>(node.integer("input_bits", 1));
    abits_ = static_cast<int>(node.integer("accumulator_bits", 1));
    if (wbits_ > 32 || ibits_ > 32) node.fail("weight_bits", "an IntMAC operand is 1 to 32 bits wide");
    if (abits_ > 64) node.fail("accumulator_bits", "an IntMAC accumulator is at most 64 bits wide");
    const double product = static_cast<double>(wbits_) * ibits_;
    energy_pj_ = ctx.table.energy_curve_pj("int_mult", product, node) + ctx.table.energy_curve_pj("int_add", abits_, node);
    area_um2_ = ctx.table.area_curve_um2("int_mult", product, node) + ctx.table.area_curve_um2("int_add", abits_, node);
    node.reject_unknown_keys();
  }

  std::string precision_problem(const LayerPrecision& p) const override {
    for (const auto& [tensor, width] : {std::pair{&p.weights, wbits_}, std::pair{&p.inputs, ibits_}}) {
      // Codebook weights reach the multiplier as table entries of its own width.
      if (tensor == &p.weights && tensor->scheme == Scheme::Codebook) continue;
      if (!scheme_is_integer(tensor->scheme))
        return std::string("IntMAC executes integer schemes, not ") + scheme_name(tensor->scheme);
      if (tensor->bits > width)
        return "IntMAC is " + std::to_string(wbits_) + "x" + std::to_string(ibits_) + " bits; the layer needs " +
               std::to_string(p.weights.bits) + "x" + std::to_string(p.inputs.bits);
    }
    return accumulator_problem("IntMAC", abits_, p);
  }
  MacRate rate(const LayerPrecision&) const override { return {}; }
  ActionDesc action(const LayerPrecision&) const override { return {"mac", mac_action_name(wbits_, ibits_), 0}; }
  double energy_pj(const ActionDesc&) const override { return energy_pj_; }
  double area_um2() const override { return area_um2_; }
  int weight_bits() const override { return wbits_; }
  int input_bits() const override { return ibits_; }
  int accumulator_bits() const override { return abits_; }

 private:
  ConfigNode node_;
  int wbits_ = 8, ibits_ = 8, abits_ = 32;
  double energy_pj_ = 0, area_um2_ = 0;
};

QNNSIM_REGISTER(MacSpec::Registry, "IntMAC", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<MacSpec>(new IntMac(n, c));
});

}  // namespace
}  // namespace qnnsim
