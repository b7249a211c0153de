// Precision-scalable fused MAC (Bit Fusion: H. Sharma et al., ISCA 2018): a
// fusion unit of B BitBricks, each a 2 x 2-bit multiplier. Bricks fuse in
// powers of two (act-lab.org/artifacts/bitfusion: 16 bricks form 1, 2, 4, 8 or
// 16 fused PEs), so along each operand a b-bit value takes ceil(b/2) bricks
// rounded up to a power of two, and the unit completes B / (that for the
// weight x that for the input) MACs per cycle: throughput grows as the widths
// shrink. With 16 bricks this is the authors' own performance factor
// int(8 / w) x int(8 / i), widths below 2 counted as 2 (the release's
// accelerator.py). A width between powers leaves bricks idle (3 bits run as
// fast as 4, 5 to 8 as fast as 8), which is the utilization drop. Widths that
// need more bricks than the unit has are an error.
//
// The products of a step are summed inside the unit (fused_reduction): a
// fusion unit multiplies up to 16 input channels of one output by their
// weights and adds them into one partial sum (Sharma et al., ISCA 2018; the
// release's accelerator.py reduces ceil(ic / (N x perf factor)) steps a
// position), so a systolic array of them reduces rows x products channels.
//
// Energy per MAC (derived): each brick the product needs (ceil(w/2) x
// ceil(i/2), the idle ones of its fused group gated) priced as a 2 x 2 multiply on the
// table's multiplier curve (x = width product = 4; energy ~ the product, as
// Horowitz's points show), plus the shift-add of the partial products into
// the accumulator, priced as an adder of the accumulator's width.
//
//   mac: {class: BitFusionMAC, bricks: 16, accumulator_bits: 32}
#include <cmath>
#include <vector>

#include "mac/mac_spec.h"

namespace qnnsim {

namespace {

// Bricks a product of these widths computes with.
int bricks_for(int weight_bits, int input_bits) { return ((weight_bits + 1) / 2) * ((input_bits + 1) / 2); }

// Bricks along one operand once fused: ceil(bits/2) rounded up to a power of two.
int fused_side(int bits) {
  int side = 1;
  while (side < (bits + 1) / 2) side *= 2;
  return side;
}

// Bricks one fused PE of these widths occupies.
int fused_bricks(int weight_bits, int input_bits) { return fused_side(weight_bits) * fused_side(input_bits); }

// A code's 2-bit digits: ceil(bits / 2) of them, each 0..3 except a signed
// code's top one, which holds its top two bits (or one) in two's complement.
std::vector<int64_t> digits(int64_t code, const TensorPrecision& t) {
  const int n = (t.bits + 1) / 2;
  std::vector<int64_t> d(n);
  const uint64_t u = static_cast<uint64_t>(code);
  for (int i = 0; i < n; ++i) d[i] = static_cast<int64_t>((u >> (2 * i)) & 3);
  const int top_bits = t.bits - 2 * (n - 1);  // 1 or 2; above them a signed code repeats its sign
  d[n - 1] &= (int64_t{1} << top_bits) - 1;
  if (signed_codes(t) && d[n - 1] >= (int64_t{1} << (top_bits - 1))) d[n - 1] -= int64_t{1} << top_bits;
  return d;
}

class BitFusionMac : public MacSpec {
 public:
  BitFusionMac(const ConfigNode& node, const BuildContext& ctx) {
    bricks_ = static_cast<int>(node.integer_in("bricks", 1, 256));
    abits_ = static_cast<int>(node.integer_in("accumulator_bits", 1, 64));
    overflow_ = read_accumulator_overflow(node);
    const EnergyTable& t = ctx.table;
    brick_pj_ = t.energy_curve_pj("int_mult", 4, node);
    add_pj_ = t.energy_curve_pj("int_add", abits_, node);
    area_um2_ = bricks_ * t.area_curve_um2("int_mult", 4, node) + t.area_curve_um2("int_add", abits_, node);
    // The widest square operands the bricks fuse: 2 x floor(sqrt(B)) bits.
    max_bits_ = 2 * static_cast<int>(std::floor(std::sqrt(static_cast<double>(bricks_))));
    node.reject_unknown_keys();
  }

  std::string precision_problem(const LayerPrecision& p) const override {
    for (const TensorPrecision* t : {&p.weights, &p.inputs})
      if (!scheme_is_integer(t->scheme))
        return std::string("BitFusionMAC executes integer schemes, not ") + scheme_name(t->scheme);
    const int need = fused_bricks(p.weights.bits, p.inputs.bits);
    if (need > bricks_)
      return "BitFusionMAC has " + std::to_string(bricks_) + " 2x2-bit bricks; a " + std::to_string(p.weights.bits) + "x" +
             std::to_string(p.inputs.bits) + "-bit MAC needs " + std::to_string(need);
    return accumulator_problem("BitFusionMAC", abits_, p);
  }
  MacRate rate(const LayerPrecision& p) const override {
    return {bricks_ / fused_bricks(p.weights.bits, p.inputs.bits), 1};
  }
  bool fused_reduction() const override { return true; }
  ActionDesc action(const LayerPrecision& p) const override {
    return {"mac", mac_action_name(p.weights.bits, p.inputs.bits), 0};
  }
  double energy_pj(const ActionDesc& a) const override {
    int w = 0, i = 0;
    if (!parse_mac_action_name(a.action, &w, &i)) return 0;
    return bricks_for(w, i) * brick_pj_ + add_pj_;
  }
  double area_um2() const override { return area_um2_; }
  int weight_bits() const override { return max_bits_; }
  int input_bits() const override { return max_bits_; }
  int accumulator_bits() const override { return abits_; }
  std::optional<AccumulatorOverflow> integer_overflow() const override { return overflow_; }
  // Each operand split into 2-bit digits, LSB first; every pair of digits
  // multiplied by one BitBrick and the products shifted by 2(i + j) and
  // added. A two's complement operand's top digit is signed: the bricks
  // multiply signed as well as unsigned 2-bit digits (Sharma et al., ISCA 2018).
  int64_t product(int64_t w, int64_t x, const LayerPrecision& p) const override {
    const std::vector<int64_t> wd = digits(w, p.weights), xd = digits(x, p.inputs);
    int64_t acc = 0;
    for (std::size_t i = 0; i < wd.size(); ++i)
      for (std::size_t j = 0; j < xd.size(); ++j) acc += wd[i] * xd[j] * (int64_t{1} << (2 * (i + j)));
    return acc;
  }

 private:
  int bricks_ = 16, abits_ = 32, max_bits_ = 8;
  AccumulatorOverflow overflow_ = AccumulatorOverflow::Wrap;
  double brick_pj_ = 0, add_pj_ = 0, area_um2_ = 0;
};

QNNSIM_REGISTER(MacSpec::Registry, "BitFusionMAC", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<MacSpec>(new BitFusionMac(n, c));
});

}  // namespace
}  // namespace qnnsim
