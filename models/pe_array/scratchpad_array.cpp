#include "pe_array/scratchpad_array.h"

#include <array>
#include <cmath>

namespace qnnsim {

namespace {

struct LayerActionIds {
  int mac = 0, gated = 0;
  std::vector<std::pair<int, int>> per_mac;  // (action id, index into mac_accesses)
  std::array<int, 3> fill{}, drain{};        // scratchpad writes and reads by tensor
  int link = 0;
};

class ArrayModule : public ComponentModule {
 public:
  // Its calendars, counts and state_key() are all its state (tile replay).
  bool replayable() const override { return true; }
  ArrayModule(sc_core::sc_module_name name, const ScratchpadArray& spec) : ComponentModule(name, spec), array_(spec) {}
  void prepare(const std::vector<Layer>& layers) override;
  // Whether the next pass continues the stream of passes before it.
  void state_key(std::vector<uint64_t>& out) const override { out.push_back(static_cast<uint64_t>(stream_layer_ + 1)); }

 private:
  void serve(Work& work, sc_core::sc_time& delay) override;
  const ScratchpadArray& array_;
  std::vector<LayerActionIds> ids_;
  std::vector<LayerPrecision> precision_;
  // The scratchpad access counts of the last pass served, by its layer, MACs
  // and active MACs: a layer's passes are mostly alike, and working the
  // counts out builds their actions' names every time.
  struct LastPass {
    int layer = -1;
    uint64_t macs = 0, active = 0, sums = 0;
    std::vector<uint64_t> counts;  // as mac_accesses orders them
  } last_;
  // The layer of the last pass: a pass of the same layer enters behind the
  // one before and hides its fill (pass_overlap_cycles). Its start may be
  // later than that pass's end when the buffer or the network took longer
  // than the array; the fill is latency, hidden all the same, while their
  // time stays booked on their own calendars. A pass that waited for its
  // tile's DRAM load is counted the same way (at most one fill per tile
  // undercharged); the first pass of a layer pays its fill.
  int stream_layer_ = -1;
};

void ArrayModule::prepare(const std::vector<Layer>& layers) {
  log_.set_layers(static_cast<int>(layers.size()));
  for (const auto& l : layers) {
    const LayerPrecision& p = l.precision;
    LayerActionIds ids;
    const ActionDesc mac = array_.mac_action(p);
    ids.mac = log_.declare(mac.group, mac.action, mac.bits);
    ids.gated = log_.declare("mac", "gated", 0);
    const auto accesses = array_.mac_accesses(0, 0, 0, p);
    for (std::size_t i = 0; i < accesses.size(); ++i) {
      const ActionDesc& a = accesses[i].first;
      ids.per_mac.emplace_back(log_.declare(a.group, a.action, a.bits), static_cast<int>(i));
    }
    const std::array<int, 3> bits = {array_.weight_entry_bits(p), p.inputs.bits, p.accumulator.bits};
    for (std::size_t t = 0; t < 3; ++t) {
      ids.fill[t] = log_.declare("spad", "write", bits[t]);
      ids.drain[t] = log_.declare("spad", "read", bits[t]);
    }
    ids.link = log_.declare("link", "bits", 0);
    ids_.push_back(ids);
    precision_.push_back(p);
  }
}

void ArrayModule::serve(Work& work, sc_core::sc_time& delay) {
  const LayerActionIds& id = ids_[static_cast<std::size_t>(work.layer)];
  const LayerPrecision& p = precision_[static_cast<std::size_t>(work.layer)];
  switch (work.kind) {
    case Work::Kind::LoadWeights: {
      const sc_core::sc_time t(static_cast<double>(array_.weight_load_cycles(array_.unit_rows(work.rows_used, p))) *
                                   array_.period_s(),
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
  uint64_t cycles = array_.pass_cycles(work.iterations, work.rows_used, work.cols_used, p);
  const uint64_t overlap = array_.pass_overlap_cycles(p);
  if (overlap > 0 && overlap < cycles && stream_layer_ == work.layer) cycles -= overlap;
  stream_layer_ = work.layer;
  delay = reserve(delay, seconds(static_cast<double>(cycles) * array_.period_s()));
  const uint64_t active = array_.active_macs(work.macs, p);
  log_.add(work.layer, id.mac, active);
  log_.add(work.layer, id.gated, work.macs - active);
  const uint64_t sums = array_.unit_sums(work.macs, work.iterations, work.rows_used, work.cols_used, p);
  if (last_.layer != work.layer || last_.macs != work.macs || last_.active != active || last_.sums != sums) {
    last_.layer = work.layer;
    last_.macs = work.macs;
    last_.active = active;
    last_.sums = sums;
    last_.counts.clear();
    for (const auto& [action, count] : array_.mac_accesses(work.macs, active, sums, p)) last_.counts.push_back(count);
  }
  for (const auto& [action_id, i] : id.per_mac) log_.add(work.layer, action_id, last_.counts[static_cast<std::size_t>(i)]);
}

}  // namespace

ScratchpadArray::ScratchpadArray(const ConfigNode& node, const BuildContext& ctx) : ArraySpec(node, ctx) {
  rows_ = node.integer_in("rows", 1, 1 << 16);
  cols_ = node.integer_in("cols", 1, 1 << 16);
  mac_ = make_mac(node.child("mac"), ctx);
  const ConfigNode spad = node.child("spad");
  spad.expect_map("per-PE scratchpad entries {weights, inputs, psums}");
  weight_entries_ = spad.integer_in("weights", 1, 1 << 16);
  input_entries_ = spad.integer_in("inputs", 1, 1 << 16);
  psum_entries_ = spad.integer_in("psums", 1, 1 << 16);
  spad.reject_unknown_keys();
  register_bit_pj_ = table_.energy_pj("register_file_per_bit", node);
  zero_gating_ = node.flag("zero_gating", false);
  sparse_ = parse_sparse_operands(node);
  if (zero_gating_ && sparse_.declared())
    node.fail("zero_gating", "zero_gating and sparse both say what zeros do; use sparse: {skip: [inputs]} alone");
}

uint64_t ScratchpadArray::active_macs(uint64_t macs, const LayerPrecision& p) const {
  if (sparse_.declared()) {
    const double f = sparse_.work_fraction(p);
    return f >= 1.0 ? macs : static_cast<uint64_t>(std::llround(static_cast<double>(macs) * f));
  }
  if (!zero_gating_ || p.inputs.density >= 1.0) return macs;
  return static_cast<uint64_t>(std::llround(static_cast<double>(macs) * p.inputs.density));
}

uint64_t ScratchpadArray::timed_macs(uint64_t macs, const LayerPrecision& p) const {
  const double f = sparse_.work_fraction(p);
  if (!sparse_.saves_time || f >= 1.0) return macs;
  return static_cast<uint64_t>(std::llround(static_cast<double>(macs) * f));
}

uint64_t ScratchpadArray::busy_iterations(uint64_t iterations, const LayerPrecision& p) const {
  const double f = sparse_.work_fraction(p);
  if (!sparse_.saves_time || f >= 1.0) return iterations;
  return static_cast<uint64_t>(std::ceil(static_cast<double>(iterations) * f));
}

uint64_t ScratchpadArray::input_reads(uint64_t macs, const LayerPrecision& p) const {
  if (!sparse_.skip_inputs || p.inputs.density >= 1.0) return macs;
  return static_cast<uint64_t>(std::llround(static_cast<double>(macs) * p.inputs.density));
}

std::unique_ptr<ComponentModule> ScratchpadArray::build(const char* name) const {
  return std::make_unique<ArrayModule>(name, *this);
}

double ScratchpadArray::model_energy_pj(const ActionDesc& a) const {
  // A gated MAC leaves the multiplier and the weight register idle.
  if (a.group == "mac") return a.action == "gated" ? 0.0 : mac_->energy_pj(a);
  if (a.group == "link") return link_bit_pj();
  return register_bit_pj_ * a.bits;  // a scratchpad access of a.bits
}

double ScratchpadArray::model_area_um2() const {
  const double spad_bits = static_cast<double>(weight_entries_ * mac_->weight_bits() + input_entries_ * mac_->input_bits() +
                                               psum_entries_ * mac_->accumulator_bits());
  // Scratchpads are costed at the SRAM bit-cell area (a lower bound for register files).
  const double pe = mac_->area_um2() + spad_bits * table_.area_um2("sram_bit", node_);
  return static_cast<double>(rows_ * cols_) * pe;
}

std::vector<std::string> ScratchpadArray::action_names() const {
  return {"read", "write", "gated", "bits", mac_->action(LayerPrecision{}).action};
}

}  // namespace qnnsim
