// Banked SRAM buffer. A tile of B bits takes ceil(B / width) word accesses,
// served `banks` per cycle. Energy per access scales with the bank's capacity
// (log-log between published points) and linearly with the word width; area
// is capacity x bit-cell area.
//
// RegisterFile is the same storage built from register cells (a PE's
// scratchpad, a register level of a level design): its access costs the
// table's register_file_per_bit for every bit of the word, whatever the size,
// and its area is priced per bit like the PE arrays' scratchpads.
#include <cmath>

#include "arch/roles.h"

namespace qnnsim {

namespace {

class SramSpec;

class SramModule : public ComponentModule {
 public:
  // Its calendars and counts are all its state (tile replay).
  bool replayable() const override { return true; }
  SramModule(sc_core::sc_module_name name, const SramSpec& spec);
  void prepare(const std::vector<Layer>& layers) override;

 private:
  void serve(Work& work, sc_core::sc_time& delay) override;
  const SramSpec& sram_;
  int read_id_ = 0, write_id_ = 0;
};

enum class Cells { Sram, Registers };

class SramSpec : public BufferSpec {
 public:
  SramSpec(const ConfigNode& node, const BuildContext& ctx, Cells cells) : BufferSpec(node, ctx), cells_(cells) {
    capacity_bits_ = static_cast<double>(node.whole_bits("size", int64_t{1} << 40));
    width_bits_ = node.whole_bits("width", 1 << 20);
    banks_ = node.integer_in("banks", 1, 1 << 16);
    tile_slots_ = static_cast<int>(node.integer_in("tile_slots", 1, 2, 2));
    kept_ = parse_kept_tensors(node);
    partitions_ = BufferPartitions::parse(node, capacity_bits_, kept_);
    const double bank_bits = capacity_bits_ / static_cast<double>(banks_);
    if (bank_bits < static_cast<double>(width_bits_))
      node.fail("banks", "each of the " + std::to_string(banks_) + " banks would hold fewer bits than one " +
                             std::to_string(width_bits_) + "-bit word; use fewer banks or a larger size");
    // Horowitz's figures are per 64-bit access of an array of the given size.
    const double bank_kib = bank_bits / 8192.0;
    access_pj_ = cells == Cells::Sram
                     ? table_.energy_curve_pj("sram_read_64bit", bank_kib, node) * static_cast<double>(width_bits_) / 64.0
                     : table_.energy_pj("register_file_per_bit", node) * static_cast<double>(width_bits_);
    finish_parse();
  }
  double capacity_bits() const override { return capacity_bits_; }
  int64_t width_bits() const override { return width_bits_; }
  int64_t banks() const override { return banks_; }
  std::string capacity_key() const override { return node_.key_path("size"); }
  int tile_slots() const override { return tile_slots_; }
  bool separate_read_write_ports() const override { return cells_ == Cells::Registers; }
  const BufferPartitions& partitions() const override { return partitions_; }
  bool keeps(Tensor t) const override { return t == Tensor::Accumulator || kept_[static_cast<std::size_t>(t)]; }
  double period_s() const { return tech_.period_s(); }
  std::unique_ptr<ComponentModule> build(const char* name) const override {
    return std::make_unique<SramModule>(name, *this);
  }

 protected:
  // A write is taken to cost as much as a read: the published table gives reads only.
  double model_energy_pj(const ActionDesc&) const override { return access_pj_; }
  double model_area_um2() const override { return capacity_bits_ * table_.area_um2("sram_bit", node_); }
  std::vector<std::string> action_names() const override { return {"read", "write"}; }

 private:
  double capacity_bits_ = 0;
  int64_t width_bits_ = 0, banks_ = 1;
  int tile_slots_ = 2;
  double access_pj_ = 0;
  Cells cells_;
  BufferPartitions partitions_;
  std::array<bool, 3> kept_{true, true, true};
};

SramModule::SramModule(sc_core::sc_module_name name, const SramSpec& spec) : ComponentModule(name, spec), sram_(spec) {}

void SramModule::prepare(const std::vector<Layer>& layers) {
  log_.set_layers(static_cast<int>(layers.size()));
  // The bucket is the role, as every other component's is (dram, noc, spad,
  // mac): breakdowns of designs that name their buffer differently line up.
  read_id_ = log_.declare(kBufferGroup, "read", 0);
  write_id_ = log_.declare(kBufferGroup, "write", 0);
}

void SramModule::serve(Work& work, sc_core::sc_time& delay) {
  const uint64_t width = static_cast<uint64_t>(sram_.width_bits());
  const uint64_t banks = static_cast<uint64_t>(sram_.banks());
  const uint64_t accesses = (work.bits + width - 1) / width;
  const uint64_t cycles = (accesses + banks - 1) / banks;
  delay = reserve(delay, seconds(static_cast<double>(cycles) * sram_.period_s()));
  log_.add(work.layer, work.kind == Work::Kind::Write ? write_id_ : read_id_, accesses);
}

QNNSIM_REGISTER(BufferSpec::Registry, "SRAMBuffer", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<BufferSpec>(new SramSpec(n, c, Cells::Sram));
});
QNNSIM_REGISTER(BufferSpec::Registry, "RegisterFile", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<BufferSpec>(new SramSpec(n, c, Cells::Registers));
});

}  // namespace
}  // namespace qnnsim
