// Lookup-table bit-serial MAC (UNPU's LBPE: J. Lee et al., ISSCC 2018 and
// JSSC 2019). Weights arrive a bit per cycle, as in a bit-serial lane, but
// instead of ANDing one input with one weight bit, the unit first fills a
// table with the sums of every subset of G input features. Then, each cycle,
// one bit from each of G weights (the same bit place, one output channel)
// forms an index; the entry it selects is the sum of those G bit-products,
// and one shift-add puts it into the accumulator. A read and an add do G
// MACs' worth of one weight bit, so a b-bit weight group takes b cycles for
// G MACs: rate G MACs every b cycles.
//
// One table serves every weight whose bits index it before its inputs change
// (`weights_per_table` output channels), so its build is paid once over
// weights_per_table x G MACs, and the unit reads each input from the PE's
// scratchpad once for the whole table (OperandSharing::inputs). The
// accumulator holds a group's partial sum over its b bits and the partial
// sum goes back to the scratchpad once a group (OperandSharing::psums = G).
//
// At 1-bit weights a table may span one input more (`one_bit_inputs`): with
// weights of +-1 the sums over G + 1 inputs come in pairs of opposite sign,
// so 2^G entries hold half of the 2^(G+1) sign patterns and the index's
// extra bit picks add or subtract.
// Every 1-bit code takes this table (assumed): a weight w of another code,
// such as two's complement {-1, 0}, is s = 2w + 1 in +-1, so the sum of w x
// is (sum of s x - sum of x) / 2, and the sum of x is the table's all-plus
// entry: a subtract a table and a shift, shared by the weights that index it
// and not priced.
//
// Assumed of the mapping, not checked against it: each PE runs a weight
// group's G reduction steps for one output back to back, and
// `weights_per_table` output channels index one table before its inputs
// change. A layer without that reuse (a depthwise one: one output channel per
// input) is priced as if it had it, and the groups are rounded over the
// array's MACs, not per PE.
//
// Energy per MAC at b-bit weights, G inputs per table (2^n entries of
// e = input bits + ceil(log2 G) bits each), derived:
//   b / G x (table read + accumulate)
//   + (table adds x add(e) + stored entries x e x register bit) / (weights_per_table x G)
// A table read selects one of 2^n registered entries; the energy table has no
// multiplexer entry, so a read is priced as an adder of the entry's width
// (assumed: a few gates per bit, as a full adder). The accumulate is an adder
// of the accumulator's width; entries are written at the register-file price
// per bit. Table adds: a table of subset sums needs one add per entry holding
// two or more inputs (2^n - n - 1); a table of signed sums needs G - 1 adds
// for its first entry and one per further entry (flipping one sign adds or
// subtracts twice that input, a shift).
//
//   mac: {class: LookupTableMAC, inputs_per_table: 3, one_bit_inputs: 4, weights_per_table: 12,
//         input_bits: 16, weight_bits: 16, accumulator_bits: 32}
#include <cmath>

#include "mac/mac_spec.h"

namespace qnnsim {

namespace {

class LookupTableMac : public MacSpec {
 public:
  LookupTableMac(const ConfigNode& node, const BuildContext& ctx) {
    inputs_per_table_ = static_cast<int>(node.integer_in("inputs_per_table", 1, 8));
    one_bit_inputs_ = static_cast<int>(node.integer_in("one_bit_inputs", 1, 9, inputs_per_table_));
    if (one_bit_inputs_ != inputs_per_table_ && one_bit_inputs_ != inputs_per_table_ + 1)
      node.fail("one_bit_inputs", "a table of 2^" + std::to_string(inputs_per_table_) +
                                      " entries spans " + std::to_string(inputs_per_table_) + " inputs, or " +
                                      std::to_string(inputs_per_table_ + 1) +
                                      " at +-1 weights (sums in pairs of opposite sign); found " +
                                      std::to_string(one_bit_inputs_));
    weights_per_table_ = static_cast<int>(node.integer_in("weights_per_table", 1, 1 << 16));
    input_bits_ = static_cast<int>(node.integer_in("input_bits", 1, 32));
    weight_bits_ = static_cast<int>(node.integer_in("weight_bits", 1, 32));
    abits_ = static_cast<int>(node.integer_in("accumulator_bits", 1, 64));
    overflow_ = read_accumulator_overflow(node);
    const EnergyTable& t = ctx.table;
    for (const int g : {inputs_per_table_, one_bit_inputs_}) {
      const int e = entry_bits(g);
      Table& tab = table(g);
      tab.step_pj = t.energy_curve_pj("int_add", e, node) + t.energy_curve_pj("int_add", abits_, node);
      tab.build_pj = table_adds(g) * t.energy_curve_pj("int_add", e, node) +
                     stored_entries(g) * e * t.energy_pj("register_file_per_bit", node);
    }
    const int e = entry_bits(inputs_per_table_);
    // Per read port: its selection and its accumulator; the table and its
    // builder are shared by the weights_per_table ports that read it.
    area_um2_ = t.area_curve_um2("int_add", e, node) + t.area_curve_um2("int_add", abits_, node) +
                (stored_entries(one_bit_inputs_) * entry_bits(one_bit_inputs_) * t.area_um2("sram_bit", node) +
                 t.area_curve_um2("int_add", e, node)) /
                    weights_per_table_;
    node.reject_unknown_keys();
  }

  std::string precision_problem(const LayerPrecision& p) const override {
    for (const TensorPrecision* t : {&p.weights, &p.inputs})
      if (!scheme_is_integer(t->scheme))
        return std::string("LookupTableMAC executes integer schemes, not ") + scheme_name(t->scheme);
    if (p.weights.bits > weight_bits_ || p.inputs.bits > input_bits_)
      return "LookupTableMAC takes weights of up to " + std::to_string(weight_bits_) + " bits and inputs of up to " +
             std::to_string(input_bits_) + "; the layer has " + std::to_string(p.weights.bits) + "-bit weights and " +
             std::to_string(p.inputs.bits) + "-bit inputs";
    return accumulator_problem("LookupTableMAC", abits_, p);
  }
  MacRate rate(const LayerPrecision& p) const override { return {inputs_of(p.weights.bits), p.weights.bits}; }
  ActionDesc action(const LayerPrecision& p) const override {
    return {"mac", mac_action_name(p.weights.bits, p.inputs.bits), 0};
  }
  double energy_pj(const ActionDesc& a) const override {
    int w = 0, i = 0;
    if (!parse_mac_action_name(a.action, &w, &i)) return 0;
    const int g = inputs_of(w);
    const Table& tab = table(g);
    return (tab.step_pj * w + tab.build_pj / weights_per_table_) / g;
  }
  double area_um2() const override { return area_um2_; }
  OperandSharing operand_sharing(const LayerPrecision& p) const override {
    return {weights_per_table_, inputs_of(p.weights.bits)};
  }
  int weight_bits() const override { return weight_bits_; }
  int input_bits() const override { return input_bits_; }
  int accumulator_bits() const override { return abits_; }
  std::optional<AccumulatorOverflow> integer_overflow() const override { return overflow_; }
  // Summed over the weight's bit planes, a weight's share of the entries it
  // selects is the input times its planes read as an unsigned number; for a
  // two's complement weight the top plane is subtracted, so it counts twice
  // its place less.
  int64_t product(int64_t w, int64_t x, const LayerPrecision& p) const override {
    const int bits = p.weights.bits;
    const int64_t planes = w & ((int64_t{1} << bits) - 1);
    const int64_t top = signed_codes(p.weights) ? ((planes >> (bits - 1)) & 1) << bits : 0;
    return x * (planes - top);
  }

 private:
  struct Table {
    double step_pj = 0;   // one read and one accumulate
    double build_pj = 0;  // its adds and entry writes, once per table
  };

  int inputs_of(int weight_bits) const { return weight_bits == 1 ? one_bit_inputs_ : inputs_per_table_; }
  bool signed_table(int g) const { return g != inputs_per_table_; }
  // A sum of g inputs needs ceil(log2 g) bits more than one input.
  int entry_bits(int g) const { return input_bits_ + static_cast<int>(std::ceil(std::log2(static_cast<double>(g)))); }
  // Entries in registers: a subset-sum table's empty sum is a constant 0.
  int stored_entries(int g) const {
    const int entries = 1 << inputs_per_table_;
    return signed_table(g) ? entries : entries - 1;
  }
  int table_adds(int g) const {
    const int entries = 1 << inputs_per_table_;
    return signed_table(g) ? (g - 1) + (entries - 1) : entries - inputs_per_table_ - 1;
  }
  Table& table(int g) { return signed_table(g) ? signed_ : subsets_; }
  const Table& table(int g) const { return signed_table(g) ? signed_ : subsets_; }

  int inputs_per_table_ = 3, one_bit_inputs_ = 3, weights_per_table_ = 1;
  int input_bits_ = 16, weight_bits_ = 16, abits_ = 32;
  AccumulatorOverflow overflow_ = AccumulatorOverflow::Wrap;
  Table subsets_, signed_;
  double area_um2_ = 0;
};

QNNSIM_REGISTER(MacSpec::Registry, "LookupTableMAC", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<MacSpec>(new LookupTableMac(n, c));
});

}  // namespace
}  // namespace qnnsim
