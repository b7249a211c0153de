// Systolic array (TPU style): a rows x cols grid of PEs passing operands to
// their neighbours. A pass in which each PE runs V iterations takes
// V + rows + cols - 2 cycles (fill and drain through the whole array), times
// the MAC unit's cycles per vector. With two weight registers per PE the next
// weight tile loads while the current one computes; a tile of r rows shifts
// in over r cycles.
//
// Per MAC, a PE reads its weight, the incoming input and partial sum, and
// writes the input and partial sum on to its neighbours: 3 register reads and
// 2 register writes, each of the tensor's width. Values fetched into the PE
// registers (weights, under weight stationary) are register writes too.
#include <array>
#include <cmath>

#include "arch/roles.h"
#include "mac/mac_spec.h"

namespace qnnsim {

namespace {

class SystolicSpec;

struct LayerActionIds {
  int mac = 0, gated = 0;
  std::vector<std::pair<int, int>> per_mac;  // (action id, index into mac_accesses)
  std::array<int, 3> fill{}, drain{};        // register writes and reads by tensor
  int link = 0;
};

class SystolicModule : public ComponentModule {
 public:
  SystolicModule(sc_core::sc_module_name name, const SystolicSpec& spec);
  void prepare(const std::vector<Layer>& layers) override;

 private:
  void serve(Work& work, sc_core::sc_time& delay) override;
  const SystolicSpec& array_;
  std::vector<LayerActionIds> ids_;
  std::vector<LayerPrecision> precision_;
};

class SystolicSpec : public ArraySpec {
 public:
  SystolicSpec(const ConfigNode& node, const BuildContext& ctx) : ArraySpec(node, ctx) {
    rows_ = node.integer_in("rows", 1, 1 << 16);
    cols_ = node.integer_in("cols", 1, 1 << 16);
    mac_ = make_mac(node.child("mac"), ctx);
    const ConfigNode spad = node.child("spad");
    spad.expect_map("per-PE register entries {weights, inputs, psums}");
    weight_entries_ = spad.integer_in("weights", 1, 1 << 16);
    input_entries_ = spad.integer_in("inputs", 1, 1 << 16);
    psum_entries_ = spad.integer_in("psums", 1, 1 << 16);
    spad.reject_unknown_keys();
    register_bit_pj_ = table_.energy_pj("register_file_per_bit", node);
    zero_gating_ = node.flag("zero_gating", false);
    finish_parse();
  }

  int64_t rows() const override { return rows_; }
  int64_t cols() const override { return cols_; }
  bool double_buffered_weights() const override { return weight_entries_ >= 2; }
  std::string precision_problem(const LayerPrecision& p) const override { return mac_->precision_problem(p); }
  int64_t spad_capacity(Tensor t) const override {
    if (t == Tensor::Weights) return double_buffered_weights() ? weight_entries_ / 2 : weight_entries_;
    return t == Tensor::Inputs ? input_entries_ : psum_entries_;
  }
  uint64_t pass_cycles(uint64_t iterations, int64_t, int64_t, const LayerPrecision& p) const override {
    return (iterations + static_cast<uint64_t>(rows_ + cols_ - 2)) * static_cast<uint64_t>(mac_->cycles_per_vector(p));
  }
  uint64_t weight_load_cycles(int64_t rows_used) const override { return static_cast<uint64_t>(rows_used); }
  const MacSpec& mac() const { return *mac_; }
  ActionDesc mac_action(const LayerPrecision& p) const override { return mac_->action(p); }
  uint64_t active_macs(uint64_t macs, const LayerPrecision& p) const override {
    if (!zero_gating_ || p.inputs.density >= 1.0) return macs;
    return static_cast<uint64_t>(std::llround(static_cast<double>(macs) * p.inputs.density));
  }
  std::vector<std::pair<ActionDesc, uint64_t>> mac_accesses(uint64_t macs, uint64_t active,
                                                            const LayerPrecision& p) const override {
    // A gated MAC skips its weight read; inputs and partial sums still pass through.
    return {{{"spad", "read", p.weights.bits}, active},   {{"spad", "read", p.inputs.bits}, macs},
            {{"spad", "read", p.accumulator.bits}, macs}, {{"spad", "write", p.inputs.bits}, macs},
            {{"spad", "write", p.accumulator.bits}, macs}};
  }
  double period_s() const { return tech_.period_s(); }
  std::unique_ptr<ComponentModule> build(const char* name) const override {
    return std::make_unique<SystolicModule>(name, *this);
  }

 protected:
  double model_energy_pj(const ActionDesc& a) const override {
    // A gated MAC leaves the multiplier and the weight register idle.
    if (a.group == "mac") return a.action == "gated" ? 0.0 : mac_->energy_pj(a);
    if (a.group == "link") return register_bit_pj_;  // a partial sum bit passed to the next PE's register
    return register_bit_pj_ * a.bits;  // spad access of a.bits
  }
  double model_area_um2() const override {
    const double spad_bits = static_cast<double>(weight_entries_ * mac_->weight_bits() +
                                                 input_entries_ * mac_->input_bits() +
                                                 psum_entries_ * mac_->accumulator_bits());
    // PE registers are costed at the SRAM bit-cell area (a lower bound for flip-flops).
    const double pe = mac_->area_um2() + spad_bits * table_.area_um2("sram_bit", node_);
    return static_cast<double>(rows_ * cols_) * pe;
  }
  std::vector<std::string> action_names() const override {
    return {"read", "write", "gated", "bits", mac_->action(LayerPrecision{}).action};
  }

 private:
  static std::unique_ptr<MacSpec> make_mac(const ConfigNode& node, const BuildContext& ctx) {
    node.expect_map("a MAC unit {class, ...}");
    const std::string cls = node.text("class");
    auto mac = MacSpec::Registry::instance().create(cls, node, ctx);
    if (!mac) node.fail("class", "unknown MAC class '" + cls + "'; registered: " + MacSpec::Registry::instance().known_names());
    return mac;
  }

  int64_t rows_ = 0, cols_ = 0;
  int64_t weight_entries_ = 2, input_entries_ = 1, psum_entries_ = 1;
  double register_bit_pj_ = 0;
  bool zero_gating_ = false;  // skip the MAC and weight read when the input is zero (Eyeriss)
  std::unique_ptr<MacSpec> mac_;
};

SystolicModule::SystolicModule(sc_core::sc_module_name name, const SystolicSpec& spec)
    : ComponentModule(name, spec), array_(spec) {}

void SystolicModule::prepare(const std::vector<Layer>& layers) {
  log_.set_layers(static_cast<int>(layers.size()));
  for (const auto& l : layers) {
    const LayerPrecision& p = l.precision;
    LayerActionIds ids;
    const ActionDesc mac = array_.mac().action(p);
    ids.mac = log_.declare(mac.group, mac.action, mac.bits);
    ids.gated = log_.declare("mac", "gated", 0);
    const auto accesses = array_.mac_accesses(0, 0, p);
    for (std::size_t i = 0; i < accesses.size(); ++i) {
      const ActionDesc& a = accesses[i].first;
      ids.per_mac.emplace_back(log_.declare(a.group, a.action, a.bits), static_cast<int>(i));
    }
    const std::array<int, 3> bits = {p.weights.bits, p.inputs.bits, p.accumulator.bits};
    for (std::size_t t = 0; t < 3; ++t) {
      ids.fill[t] = log_.declare("spad", "write", bits[t]);
      ids.drain[t] = log_.declare("spad", "read", bits[t]);
    }
    ids.link = log_.declare("link", "bits", 0);
    ids_.push_back(ids);
    precision_.push_back(p);
  }
}

void SystolicModule::serve(Work& work, sc_core::sc_time& delay) {
  const LayerActionIds& id = ids_[static_cast<std::size_t>(work.layer)];
  const LayerPrecision& p = precision_[static_cast<std::size_t>(work.layer)];
  switch (work.kind) {
    case Work::Kind::LoadWeights: {
      const sc_core::sc_time t(static_cast<double>(array_.weight_load_cycles(work.rows_used)) * array_.period_s(),
                               sc_core::SC_SEC);
      // Shadow registers load beside the running tile; a single register set stalls the array.
      delay = array_.double_buffered_weights() ? delay + t : reserve(delay, t);
      return;
    }
    case Work::Kind::Fill:
      log_.add(work.layer, id.fill[static_cast<std::size_t>(work.tensor)], work.values);
      return;
    case Work::Kind::Drain:
      log_.add(work.layer, id.drain[static_cast<std::size_t>(Tensor::Outputs)], work.values);
      log_.add(work.layer, id.link, work.hop_bits);
      return;
    default: break;
  }
  const uint64_t cycles = array_.pass_cycles(work.iterations, work.rows_used, work.cols_used, p);
  delay = reserve(delay, seconds(static_cast<double>(cycles) * array_.period_s()));
  const uint64_t active = array_.active_macs(work.macs, p);
  log_.add(work.layer, id.mac, active);
  log_.add(work.layer, id.gated, work.macs - active);
  const auto accesses = array_.mac_accesses(work.macs, active, p);
  for (const auto& [action_id, i] : id.per_mac) log_.add(work.layer, action_id, accesses[static_cast<std::size_t>(i)].second);
}

QNNSIM_REGISTER(ArraySpec::Registry, "SystolicArray", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<ArraySpec>(new SystolicSpec(n, c));
});

}  // namespace
}  // namespace qnnsim
