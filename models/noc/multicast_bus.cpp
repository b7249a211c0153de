// Buses with multicast (as Eyeriss' global input network): one drive of a
// tile reaches every destination, so energy is per bit sent, not per bit
// received. A tile of B bits holds its bus for ceil(B / width) cycles.
//
// `width: 64 bit` is one bus all tensors share. A map of widths,
// `width: {weights: 64 bit, inputs: 16 bit, psums: 64 bit}`, gives each
// tensor a bus of its own that runs beside the others, as Eyeriss' separate
// filter, ifmap and psum networks do (Chen et al., JSSC 2017).
#include <array>

#include "arch/roles.h"

namespace qnnsim {

namespace {

class BusSpec;

class BusModule : public ComponentModule {
 public:
  // Its calendars and counts are all its state (tile replay).
  bool replayable() const override { return true; }
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
    const ConfigNode width = node.child("width");
    if (width.is_map()) {
      // One bus per tensor, in the order weights, inputs, partial sums.
      const std::array<const char*, 3> keys = {"weights", "inputs", "psums"};
      for (std::size_t t = 0; t < keys.size(); ++t) {
        widths_.push_back(width.whole_bits(keys[t], 1 << 20));
        network_[t] = static_cast<int>(t);
      }
      width.reject_unknown_keys();
    } else {
      widths_.push_back(node.whole_bits("width", 1 << 20));
    }
    bit_pj_ = table_.energy_pj("noc_per_bit", node);
    finish_parse();
  }
  int networks() const override { return static_cast<int>(widths_.size()); }
  // The networks as the timeline names them: one per tensor, or the one shared bus.
  std::vector<std::string> network_names() const {
    if (widths_.size() == 1) return {"bus"};
    return {"weights", "inputs", "psums"};
  }
  int network_of(Tensor t) const override {
    return t == Tensor::Accumulator ? network_[static_cast<std::size_t>(Tensor::Outputs)]
                                    : network_[static_cast<std::size_t>(t)];
  }
  int64_t network_width_bits(int n) const override { return widths_[static_cast<std::size_t>(n)]; }
  double energy_per_bit_sent_pj() const override { return action_energy_pj({"noc", "sent_bits", 0}); }
  double period_s() const { return tech_.period_s(); }
  std::unique_ptr<ComponentModule> build(const char* name) const override {
    return std::make_unique<BusModule>(name, *this);
  }

 protected:
  double model_energy_pj(const ActionDesc& a) const override { return a.action == "sent_bits" ? bit_pj_ : 0.0; }
  double model_area_um2() const override { return 0; }  // wires over the array: no published area figure used
  std::vector<std::string> action_names() const override { return {"sent_bits"}; }

 private:
  std::vector<int64_t> widths_;
  std::array<int, 3> network_{};  // by tensor: weights, inputs, outputs
  double bit_pj_ = 0;
};

BusModule::BusModule(sc_core::sc_module_name name, const BusSpec& spec) : ComponentModule(name, spec), bus_(spec) {
  set_lanes(spec.network_names());
}

void BusModule::prepare(const std::vector<Layer>& layers) {
  log_.set_layers(static_cast<int>(layers.size()));
  sent_id_ = log_.declare("noc", "sent_bits", 0);
  delivered_id_ = log_.declare("noc", "delivered_bits", 0);  // counted for insight; costs nothing extra on a bus
}

void BusModule::serve(Work& work, sc_core::sc_time& delay) {
  const int net = bus_.network_of(work.tensor);
  const uint64_t width = static_cast<uint64_t>(bus_.network_width_bits(net));
  const uint64_t cycles = (work.bits + width - 1) / width;
  delay = reserve(delay, seconds(static_cast<double>(cycles) * bus_.period_s()), static_cast<std::size_t>(net));
  log_.add(work.layer, sent_id_, work.bits);
  log_.add(work.layer, delivered_id_, work.delivered_bits);
}

QNNSIM_REGISTER(NocSpec::Registry, "MulticastBus", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<NocSpec>(new BusSpec(n, c));
});

}  // namespace
}  // namespace qnnsim
