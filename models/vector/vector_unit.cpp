// A SIMD unit beside the global buffer for pooling and element-wise layers:
// `lanes` operations per cycle on operands up to `bits` wide. A max-pool
// comparison and an add each cost one adder operation of the operand width,
// a multiply one multiplier operation. Exponentials, divides and square
// roots are sequences of those (see the costs below), in lane-cycles and
// energy alike.
// It also requantizes the finished outputs of array layers as they stream
// to DRAM, one output per lane per cycle (see requant_pj for the cost by
// code), unless `requantize: false` says the design has no rescale stage.
#include <cmath>
#include <cstdio>

#include "arch/roles.h"

namespace qnnsim {

namespace {

class VectorUnitSpec;

class VectorModule : public ComponentModule {
 public:
  // Its calendars and counts are all its state (tile replay).
  bool replayable() const override { return true; }
  VectorModule(sc_core::sc_module_name name, const VectorUnitSpec& spec);
  void prepare(const std::vector<Layer>& layers) override;

 private:
  void serve(Work& work, sc_core::sc_time& delay) override;
  const VectorUnitSpec& unit_;
  std::vector<int> op_id_, requant_id_, zero_point_id_;  // per layer; -1: none
  std::vector<int> mult_id_, exp_id_, divide_id_, sqrt_id_;  // per layer; -1: the layer has none
  std::vector<int> bits_;                                    // per layer: the operand width
};

class VectorUnitSpec : public VectorSpec {
 public:
  VectorUnitSpec(const ConfigNode& node, const BuildContext& ctx) : VectorSpec(node, ctx) {
    lanes_ = node.integer_in("lanes", 1, 1 << 16);
    bits_ = static_cast<int>(node.integer_in("bits", 1, 64));
    requantize_ = node.flag("requantize", true);
    finish_parse();
  }
  int64_t lanes() const override { return lanes_; }
  uint64_t lane_cycles(const VectorOps& ops, int bits) const override {
    const auto b = static_cast<uint64_t>(bits);
    return ops.add + ops.mult + ops.exp * (kExpMults + kExpAdds) + ops.divide * divide_steps(b) +
           ops.sqrt * sqrt_steps(b);
  }
  std::string precision_problem(const LayerPrecision& p, LayerType type) const override {
    for (const TensorPrecision* t : {&p.inputs, &p.outputs}) {
      // A codebook's indices ascend with the values they name
      // (numerics/codebook_activations.h), so a max pool compares the
      // indices themselves; an add needs the values, looked up first.
      if (t->scheme == Scheme::Codebook && type != LayerType::MaxPool)
        return std::string("the vector unit's adders take values, not codebook indices; only a max pool, whose "
                           "compares follow the indices' order, takes codebook tensors, not a ") +
               layer_type_name(type);
      if (!scheme_is_integer(t->scheme) && t->scheme != Scheme::Codebook)
        return std::string("the vector unit's integer adders cannot take ") + scheme_name(t->scheme) + " values";
      if (t->bits > bits_)
        return "the vector unit handles " + std::to_string(bits_) + "-bit operands; the layer has " +
               std::to_string(t->bits) + "-bit " + (t == &p.inputs ? "inputs" : "outputs");
    }
    return "";
  }
  // Requantizing one output: "requant_<scheme>_<accumulator bits>to<output bits>".
  ActionDesc requant_action(const LayerPrecision& p) const override {
    if (!requantize_ || p.outputs.scheme == Scheme::Float || p.outputs.scheme == Scheme::FloatE5M2)
      return {"vector", "", 0};
    // Per-channel weight scales give each output channel its own multiplier, read per output.
    const bool per_channel = p.weights.granularity == Granularity::PerChannel;
    return {"vector",
            "requant_" + std::string(scheme_name(p.outputs.scheme)) + "_" + std::to_string(p.accumulator.bits) + "to" +
                std::to_string(p.outputs.bits) + (per_channel ? "_per_channel" : ""),
            0};
  }
  double period_s() const { return tech_.period_s(); }
  std::unique_ptr<ComponentModule> build(const char* name) const override {
    return std::make_unique<VectorModule>(name, *this);
  }

 protected:
  double model_energy_pj(const ActionDesc& a) const override {
    if (a.action.rfind("requant_", 0) == 0) return requant_pj(a.action);
    const double add = table_.energy_curve_pj("int_add", a.bits, node_);
    const double mult = table_.energy_curve_pj("int_mult", static_cast<double>(a.bits) * a.bits, node_);
    const auto b = static_cast<uint64_t>(a.bits);
    if (a.action == "mult") return mult;
    if (a.action == "exp") return kExpMults * mult + kExpAdds * add;
    if (a.action == "divide") return static_cast<double>(divide_steps(b)) * add;
    if (a.action == "sqrt") return static_cast<double>(sqrt_steps(b)) * add;
    return add;
  }
  double model_area_um2() const override {
    return static_cast<double>(lanes_) * table_.area_curve_um2("int_add", bits_, node_);
  }
  std::vector<std::string> action_names() const override { return {"op", "mult", "exp", "divide", "sqrt"}; }

 private:
  // An exponential as the i-exp of S. Kim et al., "I-BERT: Integer-only
  // BERT Quantization", ICML 2021: x = -z ln 2 + p with z = floor(-x / ln 2)
  // (a multiply by 1/ln 2, a multiply by ln 2 and an add), then the
  // polynomial a (p + b)^2 + c (an add, the square, a multiply by a, an add)
  // shifted right by z (the shift taken as free).
  static constexpr uint64_t kExpMults = 4, kExpAdds = 3;
  // Divides and square roots by radix-2 digit recurrence: one subtract of
  // the operand width per quotient bit, and per root bit (a w-bit radicand
  // has a root of ceil(w/2) bits). M. D. Ercegovac and T. Lang, "Division
  // and Square Root: Digit-Recurrence Algorithms and Implementations",
  // Kluwer 1994; S. F. Oberman and M. J. Flynn, "Division Algorithms and
  // Implementations", IEEE Trans. Computers 46(8), 1997.
  static uint64_t divide_steps(uint64_t bits) { return bits; }
  static uint64_t sqrt_steps(uint64_t bits) { return (bits + 1) / 2; }

  // Requantizing one output of an array layer from its accumulator to its
  // output code. A uniform code takes the integer-only rescale of B. Jacob et
  // al. (CVPR 2018): a multiply by a 32-bit fixed-point multiplier and a
  // shift, priced as an accumulator x 32-bit multiply; an asymmetric code
  // then adds its zero point (an add of the output's width). A binary code is
  // a sign test, a ternary one two threshold compares, a log code a
  // leading-one search, and a codebook of k entries k compares for the
  // nearest; each compare or search is priced as one add of the
  // accumulator's width (our assumption for the last three). With
  // per-channel weight scales the output's multiplier is read from a
  // register file too: 32 bits at the table's register-file energy.
  double requant_pj(std::string action) const {
    // A per-channel multiplier is read from a register file for each output: 32 register bits.
    double extra = 0;
    const std::string suffix = "_per_channel";
    if (action.size() > suffix.size() && action.compare(action.size() - suffix.size(), suffix.size(), suffix) == 0) {
      action.resize(action.size() - suffix.size());
      extra = 32 * table_.energy_pj("register_file_per_bit", node_);
    }
    return extra + requant_code_pj(action);
  }
  double requant_code_pj(const std::string& action) const {
    const auto cut = action.rfind('_');
    int acc = 0, out = 0;
    Scheme scheme{};
    if (cut == std::string::npos || std::sscanf(action.c_str() + cut + 1, "%dto%d", &acc, &out) != 2 ||
        !parse_scheme_name(action.substr(8, cut - 8), &scheme))
      return 0;
    const double add = table_.energy_curve_pj("int_add", acc, node_);
    switch (scheme) {
      case Scheme::UniformSymmetric: return table_.energy_curve_pj("int_mult", acc * 32.0, node_);
      case Scheme::UniformAsymmetric:
        return table_.energy_curve_pj("int_mult", acc * 32.0, node_) + table_.energy_curve_pj("int_add", out, node_);
      case Scheme::Binary: return add;
      case Scheme::Ternary: return 2 * add;
      case Scheme::PowerOfTwo:
      case Scheme::LogRadix4: return add;
      case Scheme::Codebook: return std::ldexp(add, out);
      default: return 0;
    }
  }

  int64_t lanes_ = 1;
  int bits_ = 8;
  bool requantize_ = true;  // false: the output path has no rescale (outputs are truncated or shifted)
};

VectorModule::VectorModule(sc_core::sc_module_name name, const VectorUnitSpec& spec)
    : ComponentModule(name, spec), unit_(spec) {}

void VectorModule::prepare(const std::vector<Layer>& layers) {
  log_.set_layers(static_cast<int>(layers.size()));
  for (const auto& l : layers) {
    const int bits = l.precision.outputs.bits;
    bits_.push_back(bits);
    op_id_.push_back(log_.declare("vector", "op", bits));
    // The other kinds only for layers that have them, so a report lists no empty actions.
    VectorOps kinds = layer_uses_array(l.type) ? VectorOps{} : l.vector_work(l.output_count());
    kinds += l.activation_work(l.output_count());
    const auto maybe = [&](uint64_t n, const char* action) { return n > 0 ? log_.declare("vector", action, bits) : -1; };
    mult_id_.push_back(maybe(kinds.mult, "mult"));
    exp_id_.push_back(maybe(kinds.exp, "exp"));
    divide_id_.push_back(maybe(kinds.divide, "divide"));
    sqrt_id_.push_back(maybe(kinds.sqrt, "sqrt"));
    const ActionDesc r = unit_.requant_action(l.precision);
    requant_id_.push_back(layer_uses_array(l.type) && !r.action.empty() ? log_.declare(r.group, r.action, r.bits) : -1);
    const ActionDesc z = unit_.zero_point_action(l.precision);
    zero_point_id_.push_back(layer_uses_array(l.type) && !z.action.empty() ? log_.declare(z.group, z.action, z.bits) : -1);
  }
}

void VectorModule::serve(Work& work, sc_core::sc_time& delay) {
  const uint64_t lanes = static_cast<uint64_t>(unit_.lanes());
  const auto layer = static_cast<std::size_t>(work.layer);
  if (work.kind == Work::Kind::Requantize || work.kind == Work::Kind::ZeroPointSums) {
    const int id = (work.kind == Work::Kind::Requantize ? requant_id_ : zero_point_id_)[layer];
    if (id < 0 || work.values == 0) return;
    delay = reserve(delay, seconds(static_cast<double>((work.values + lanes - 1) / lanes) * unit_.period_s()));
    log_.add(work.layer, id, work.values);
    return;
  }
  const VectorOps& ops = work.vector;
  const uint64_t cycles = (unit_.lane_cycles(ops, bits_[layer]) + lanes - 1) / lanes;
  delay = reserve(delay, seconds(static_cast<double>(cycles) * unit_.period_s()));
  log_.add(work.layer, op_id_[layer], ops.add);
  for (const auto& [id, n] : {std::pair{mult_id_[layer], ops.mult}, std::pair{exp_id_[layer], ops.exp},
                              std::pair{divide_id_[layer], ops.divide}, std::pair{sqrt_id_[layer], ops.sqrt}})
    if (id >= 0) log_.add(work.layer, id, n);
}

QNNSIM_REGISTER(VectorSpec::Registry, "VectorUnit", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<VectorSpec>(new VectorUnitSpec(n, c));
});

}  // namespace
}  // namespace qnnsim
