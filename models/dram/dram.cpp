// DRAM: peak bandwidth = channels x bus width x data rate; each tile transfer
// holds the bus for bits / bandwidth and completes one access latency later.
// Energy per bit by DRAM type comes from the energy table.
#include <algorithm>
#include <cmath>

#include "arch/roles.h"

namespace qnnsim {

namespace {

class DramSpecImpl;

class DramModule : public ComponentModule {
 public:
  // Its calendars and counts are all its state (tile replay).
  bool replayable() const override { return true; }
  DramModule(sc_core::sc_module_name name, const DramSpecImpl& spec);
  void prepare(const std::vector<Layer>& layers) override;

 private:
  void serve(Work& work, sc_core::sc_time& delay) override;
  const DramSpecImpl& dram_;
  int read_id_ = 0, write_id_ = 0;
};

class DramSpecImpl : public DramSpec {
 public:
  DramSpecImpl(const ConfigNode& node, const BuildContext& ctx) : DramSpec(node, ctx) {
    type_ = node.text("type");
    channels_ = node.integer_in("channels", 1, 1024);
    width_bits_ = static_cast<double>(node.whole_bits("width", 4096));
    data_rate_ = node.quantity_in("data_rate", Dimension::Frequency, 1e3, 1e12);
    latency_s_ = node.quantity_in("latency", Dimension::Time, 0, 1e-3);
    energy_per_bit_pj_ = table_.energy_keyed_pj("dram_per_bit", type_, node, "type");
    const std::string compression = node.text("compression", "none");
    if (compression != "none" && compression != "rlc")
      node.fail("compression", "expected none or rlc (run-length coding of activations), found '" + compression + "'");
    rlc_ = compression == "rlc";
    finish_parse();
  }

  // Run-length coding after Eyeriss (Chen et al., JSSC 2017): a 64-bit word
  // holds three (5-bit zero run, 16-bit value) pairs and a last-word bit. For
  // b-bit values a word holds floor(63 / (5 + b)) pairs (derived). A pair
  // covers one non-zero value and up to 31 zeros before it; a run of L zeros
  // needs floor(L / 32) extra pairs. With independent zeros (q = 1 - d) a
  // run's length is geometric, so the expected extra pairs per non-zero value
  // are sum_j q^(32 j) = q^32 / (1 - q^32) (derived). Where coding would be
  // larger than the raw values (dense data), the raw values are sent: an
  // assumption of ours.
  uint64_t activation_bits(uint64_t values, int bits, double density) const override {
    const uint64_t raw = values * static_cast<uint64_t>(bits);
    if (!rlc_) return raw;
    const uint64_t pairs_per_word = static_cast<uint64_t>(63 / (5 + bits));
    if (pairs_per_word == 0) return raw;
    const double nonzero = std::ceil(static_cast<double>(values) * density);
    const double q32 = std::pow(1.0 - density, 32);
    const uint64_t pairs = static_cast<uint64_t>(nonzero + std::llround(nonzero * q32 / (1.0 - q32)));
    const uint64_t coded = (pairs + pairs_per_word - 1) / pairs_per_word * 64;
    return std::min(raw, coded);
  }
  double bandwidth_bits_per_s() const override { return static_cast<double>(channels_) * width_bits_ * data_rate_; }
  double latency_s() const override { return latency_s_; }
  std::unique_ptr<ComponentModule> build(const char* name) const override {
    return std::make_unique<DramModule>(name, *this);
  }

 protected:
  double model_energy_pj(const ActionDesc&) const override { return energy_per_bit_pj_; }
  double model_area_um2() const override { return 0; }  // off chip: not part of the accelerator's area
  std::vector<std::string> action_names() const override { return {"read_bits", "write_bits"}; }

 private:
  std::string type_;
  int64_t channels_ = 1;
  double width_bits_ = 0, data_rate_ = 0, latency_s_ = 0, energy_per_bit_pj_ = 0;
  bool rlc_ = false;
};

DramModule::DramModule(sc_core::sc_module_name name, const DramSpecImpl& spec)
    : ComponentModule(name, spec), dram_(spec) {}

void DramModule::prepare(const std::vector<Layer>& layers) {
  log_.set_layers(static_cast<int>(layers.size()));
  read_id_ = log_.declare("dram", "read_bits", 0);
  write_id_ = log_.declare("dram", "write_bits", 0);
}

void DramModule::serve(Work& work, sc_core::sc_time& delay) {
  const double busy_s = static_cast<double>(work.bits) / dram_.bandwidth_bits_per_s();
  delay = reserve(delay, seconds(busy_s)) + seconds(dram_.latency_s());
  log_.add(work.layer, work.kind == Work::Kind::Write ? write_id_ : read_id_, work.bits);
}

QNNSIM_REGISTER(DramSpec::Registry, "DRAM", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<DramSpec>(new DramSpecImpl(n, c));
});

}  // namespace
}  // namespace qnnsim
