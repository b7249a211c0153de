// A shared bus with multicast (as Eyeriss' global input network): one drive of
// a tile reaches every destination, so energy is per bit sent, not per bit
// received. A tile of B bits holds the bus for ceil(B / width) cycles.
#include "arch/roles.h"

namespace qnnsim {

namespace {

class BusSpec;

class BusModule : public ComponentModule {
 public:
  BusModule(sc_core::sc_module_name name, const BusSpec& spec);
  void prepare(const std::vector<Layer>& layers) override;

 private:
  void serve(Work& work, sc_core::sc_time& delay) override;
  const BusSpec& bus_;
  int sent_id_ = 0, delivered_id_ = 0;
};

class BusSpec : public NocSpec {
 public:
  BusSpec(const ConfigNode& node, const BuildContext& ctx) : NocSpec(node, ctx) {
    width_bits_ = node.whole_bits("width", 1 << 20);
    bit_pj_ = table_.energy_pj("noc_per_bit", node);
    finish_parse();
  }
  int64_t width_bits() const override { return width_bits_; }
  double period_s() const { return tech_.period_s(); }
  std::unique_ptr<ComponentModule> build(const char* name) const override {
    return std::make_unique<BusModule>(name, *this);
  }

 protected:
  double model_energy_pj(const ActionDesc& a) const override { return a.action == "sent_bits" ? bit_pj_ : 0.0; }
  double model_area_um2() const override { return 0; }  // wires over the array: no published area figure used
  std::vector<std::string> action_names() const override { return {"sent_bits"}; }

 private:
  int64_t width_bits_ = 0;
  double bit_pj_ = 0;
};

BusModule::BusModule(sc_core::sc_module_name name, const BusSpec& spec) : ComponentModule(name, spec), bus_(spec) {}

void BusModule::prepare(const std::vector<Layer>& layers) {
  log_.set_layers(static_cast<int>(layers.size()));
  sent_id_ = log_.declare("noc", "sent_bits", 0);
  delivered_id_ = log_.declare("noc", "delivered_bits", 0);  // counted for insight; costs nothing extra on a bus
}

void BusModule::serve(Work& work, sc_core::sc_time& delay) {
  const uint64_t width = static_cast<uint64_t>(bus_.width_bits());
  const uint64_t cycles = (work.bits + width - 1) / width;
  delay = reserve(delay, seconds(static_cast<double>(cycles) * bus_.period_s()));
  log_.add(work.layer, sent_id_, work.bits);
  log_.add(work.layer, delivered_id_, work.delivered_bits);
}

QNNSIM_REGISTER(NocSpec::Registry, "MulticastBus", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<NocSpec>(new BusSpec(n, c));
});

}  // namespace
}  // namespace qnnsim
