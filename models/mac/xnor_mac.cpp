// Binary XNOR-popcount unit (XNOR-Net: M. Rastegari et al., ECCV 2016): with
// weights and inputs in {-1, +1} stored as one bit, a product is an XNOR and
// a dot product a popcount. The unit takes `width` products per cycle.
//
// Energy per MAC (derived): one bit into the popcount tree, priced as a 1-bit
// share of an adder on the table's adder curve (x = 1), plus the popcount's
// add into the accumulator once per cycle, shared by the `width` products.
// The XNOR gate itself is left out: it is a few transistors beside an adder bit.
//
// Values (`qnnsim eval --arch`): a code c in {-1, +1} is stored as the bit
// (c + 1) / 2; XNOR is 1 where the two bits agree, and a popcount of n such
// bits gives the dot product 2 * popcount - n, the sum of the +-1 products.
// The sum is held in accumulator_bits and wraps (a counter keeps its low
// bits) unless `overflow: saturate`.
//
//   mac: {class: XnorMAC, width: 64, accumulator_bits: 16}
#include "mac/mac_spec.h"

namespace qnnsim {

namespace {

class XnorMac : public MacSpec {
 public:
  XnorMac(const ConfigNode& node, const BuildContext& ctx) {
    width_ = static_cast<int>(node.integer_in("width", 1, 4096));
    abits_ = static_cast<int>(node.integer_in("accumulator_bits", 1, 64));
    overflow_ = read_accumulator_overflow(node);
    const EnergyTable& t = ctx.table;
    mac_pj_ = t.energy_curve_pj("int_add", 1, node) + t.energy_curve_pj("int_add", abits_, node) / width_;
    area_um2_ = width_ * t.area_curve_um2("int_add", 1, node) + t.area_curve_um2("int_add", abits_, node);
    node.reject_unknown_keys();
  }

  std::string precision_problem(const LayerPrecision& p) const override {
    for (const auto& [name, t] : {std::pair{"weights", &p.weights}, std::pair{"inputs", &p.inputs}})
      if (t->scheme != Scheme::Binary)
        return std::string("XnorMAC executes binary weights and inputs; the layer's ") + name + " are " +
               std::to_string(t->bits) + "-bit " + scheme_name(t->scheme);
    return accumulator_problem("XnorMAC", abits_, p);
  }
  MacRate rate(const LayerPrecision&) const override { return {width_, 1}; }
  ActionDesc action(const LayerPrecision&) const override { return {"mac", "xnor_popcount", 0}; }
  double energy_pj(const ActionDesc&) const override { return mac_pj_; }
  double area_um2() const override { return area_um2_; }
  int weight_bits() const override { return 1; }
  int input_bits() const override { return 1; }
  int accumulator_bits() const override { return abits_; }
  std::optional<AccumulatorOverflow> integer_overflow() const override { return overflow_; }
  // One term of the popcount form: +1 where the stored bits agree (XNOR),
  // -1 where they differ; summed over a row, 2 * popcount - n.
  int64_t product(int64_t w, int64_t x, const LayerPrecision&) const override {
    const bool wbit = w > 0, xbit = x > 0;
    return wbit == xbit ? 1 : -1;
  }

 private:
  int width_ = 64, abits_ = 16;
  AccumulatorOverflow overflow_ = AccumulatorOverflow::Wrap;
  double mac_pj_ = 0, area_um2_ = 0;
};

QNNSIM_REGISTER(MacSpec::Registry, "XnorMAC", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<MacSpec>(new XnorMac(n, c));
});

}  // namespace
}  // namespace qnnsim
