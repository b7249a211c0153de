// Weight-stationary systolic array (TPU style): a rows x cols grid of PEs, each
// holding a weight in a register; input vectors enter at the left edge and
// partial sums leave at the bottom. Streaming V vectors through a loaded tile
// takes V + rows + cols - 2 cycles (fill and drain through the whole array),
// times the MAC unit's cycles per vector. With two weight registers per PE
// the next tile loads while the current one computes.
//
// Per MAC, a PE reads its weight, the incoming input and partial sum, and
// writes the input and partial sum on to its neighbours: 3 register reads and
// 2 register writes, each of the tensor's width.
#include <cmath>

#include "arch/roles.h"
#include "mac/mac_spec.h"

namespace qnnsim {

namespace {

class SystolicSpec;

struct LayerActionIds {
  int mac = 0, gated = 0;
  int read_w = 0, read_i = 0, read_p = 0, write_i = 0, write_p = 0, write_w = 0;
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
  uint64_t compute_cycles(uint64_t vectors, const LayerPrecision& p) const override {
    return (vectors + static_cast<uint64_t>(rows_ + cols_ - 2)) * static_cast<uint64_t>(mac_->cycles_per_vector(p));
  }
  uint64_t weight_load_cycles(int rows_used) const override { return static_cast<uint64_t>(rows_used); }
  const MacSpec& mac() const { return *mac_; }
  ActionDesc mac_action(const LayerPrecision& p) const override { return mac_->action(p); }
  uint64_t active_macs(uint64_t macs, const LayerPrecision& p) const override {
    if (!zero_gating_ || p.inputs.density >= 1.0) return macs;
    return static_cast<uint64_t>(std::llround(static_cast<double>(macs) * p.inputs.density));
  }
  double period_s() const { return tech_.period_s(); }
  std::unique_ptr<ComponentModule> build(const char* name) const override {
    return std::make_unique<SystolicModule>(name, *this);
  }

 protected:
  double model_energy_pj(const ActionDesc& a) const override {
    // A gated MAC leaves the multiplier and the weight register idle.
    if (a.group == "mac") return a.action == "gated" ? 0.0 : mac_->energy_pj(a);
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
    return {"read", "write", "gated", mac_->action(LayerPrecision{}).action};
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
    ids.read_w = log_.declare("spad", "read", p.weights.bits);
    ids.read_i = log_.declare("spad", "read", p.inputs.bits);
    ids.read_p = log_.declare("spad", "read", p.accumulator.bits);
    ids.write_i = log_.declare("spad", "write", p.inputs.bits);
    ids.write_p = log_.declare("spad", "write", p.accumulator.bits);
    ids.write_w = log_.declare("spad", "write", p.weights.bits);
    ids_.push_back(ids);
    precision_.push_back(p);
  }
}

void SystolicModule::serve(Work& work, sc_core::sc_time& delay) {
  const LayerActionIds& id = ids_[static_cast<std::size_t>(work.layer)];
  const uint64_t tile = static_cast<uint64_t>(work.rows_used) * static_cast<uint64_t>(work.cols_used);
  if (work.kind == Work::Kind::LoadWeights) {
    const sc_core::sc_time t(static_cast<double>(array_.weight_load_cycles(work.rows_used)) * array_.period_s(),
                             sc_core::SC_SEC);
    // Shadow registers load beside the running tile; a single register set stalls the array.
    delay = array_.double_buffered_weights() ? delay + t : reserve(delay, t);
    log_.add(work.layer, id.write_w, tile);
    return;
  }
  const uint64_t cycles = array_.compute_cycles(work.vectors, precision_[static_cast<std::size_t>(work.layer)]);
  delay = reserve(delay, seconds(static_cast<double>(cycles) * array_.period_s()));
  const uint64_t macs = work.vectors * tile;
  const uint64_t active = array_.active_macs(macs, precision_[static_cast<std::size_t>(work.layer)]);
  log_.add(work.layer, id.mac, active);
  log_.add(work.layer, id.gated, macs - active);
  log_.add(work.layer, id.read_w, active);
  log_.add(work.layer, id.read_i, macs);
  log_.add(work.layer, id.read_p, macs);
  log_.add(work.layer, id.write_i, macs);
  log_.add(work.layer, id.write_p, macs);
}

QNNSIM_REGISTER(ArraySpec::Registry, "SystolicArray", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<ArraySpec>(new SystolicSpec(n, c));
});

}  // namespace
}  // namespace qnnsim
