// A SIMD unit beside the global buffer for pooling and element-wise layers:
// `lanes` operations per cycle on operands up to `bits` wide. A max-pool
// comparison and an add each cost one adder operation of the operand width.
#include "arch/roles.h"

namespace qnnsim {

namespace {

class VectorUnitSpec;

class VectorModule : public ComponentModule {
 public:
  VectorModule(sc_core::sc_module_name name, const VectorUnitSpec& spec);
  void prepare(const std::vector<Layer>& layers) override;

 private:
  void serve(Work& work, sc_core::sc_time& delay) override;
  const VectorUnitSpec& unit_;
  std::vector<int> op_id_;
};

class VectorUnitSpec : public VectorSpec {
 public:
  VectorUnitSpec(const ConfigNode& node, const BuildContext& ctx) : VectorSpec(node, ctx) {
    lanes_ = node.integer_in("lanes", 1, 1 << 16);
    bits_ = static_cast<int>(node.integer_in("bits", 1, 64));
    finish_parse();
  }
  int64_t lanes() const override { return lanes_; }
  std::string precision_problem(const LayerPrecision& p) const override {
    for (const TensorPrecision* t : {&p.inputs, &p.outputs}) {
      if (!scheme_is_integer(t->scheme))
        return std::string("the vector unit's integer adders cannot take ") + scheme_name(t->scheme) + " values";
      if (t->bits > bits_)
        return "the vector unit handles " + std::to_string(bits_) + "-bit operands; the layer has " +
               std::to_string(t->bits) + "-bit " + (t == &p.inputs ? "inputs" : "outputs");
    }
    return "";
  }
  double period_s() const { return tech_.period_s(); }
  std::unique_ptr<ComponentModule> build(const char* name) const override {
    return std::make_unique<VectorModule>(name, *this);
  }

 protected:
  double model_energy_pj(const ActionDesc& a) const override { return table_.energy_curve_pj("int_add", a.bits, node_); }
  double model_area_um2() const override {
    return static_cast<double>(lanes_) * table_.area_curve_um2("int_add", bits_, node_);
  }
  std::vector<std::string> action_names() const override { return {"op"}; }

 private:
  int64_t lanes_ = 1;
  int bits_ = 8;
};

VectorModule::VectorModule(sc_core::sc_module_name name, const VectorUnitSpec& spec)
    : ComponentModule(name, spec), unit_(spec) {}

void VectorModule::prepare(const std::vector<Layer>& layers) {
  log_.set_layers(static_cast<int>(layers.size()));
  for (const auto& l : layers) op_id_.push_back(log_.declare("vector", "op", l.precision.outputs.bits));
}

void VectorModule::serve(Work& work, sc_core::sc_time& delay) {
  const uint64_t lanes = static_cast<uint64_t>(unit_.lanes());
  const uint64_t cycles = (work.ops + lanes - 1) / lanes;
  delay = reserve(delay, seconds(static_cast<double>(cycles) * unit_.period_s()));
  log_.add(work.layer, op_id_[static_cast<std::size_t>(work.layer)], work.ops);
}

QNNSIM_REGISTER(VectorSpec::Registry, "VectorUnit", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<VectorSpec>(new VectorUnitSpec(n, c));
});

}  // namespace
}  // namespace qnnsim
