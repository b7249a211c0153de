// DRAMDevice: a DRAM of channels, ranks, bank groups, banks, rows and
// columns, with JEDEC timing and DRAMPower energy, beside the simple `DRAM`.
// Each tile transfer becomes contiguous runs of bytes in its tensor's region;
// the address map spreads them over the banks, the open rows decide hits and
// activations, and the closed form (transfer_time.h) turns that pattern into
// time. Per tile, never per burst, so a run costs what the simple model costs
// up to the number of banks.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "arch/roles.h"
#include "dram/dram_device_spec.h"
#include "dram/dram_energy.h"
#include "dram/transfer_time.h"

namespace qnnsim {

namespace {

class DramDeviceSpecImpl;

// Where each tensor of each layer lies in DRAM, and where its next transfer starts.
struct Region {
  uint64_t base = 0, bytes = 1, cursor = 0;
};

class DramDeviceModule : public ComponentModule {
 public:
  DramDeviceModule(sc_core::sc_module_name name, const DramDeviceSpecImpl& spec);
  void prepare(const std::vector<Layer>& layers) override;
  void account_time(int layer, double start_s, double end_s) override;
  std::optional<ComponentStats> stats(double run_s) const override;
  void layer_figures(int layer, double layer_s, std::map<std::string, double>& out) const override;
  // Open rows, bank timers and the refresh schedule are state of their own.
  bool replayable() const override { return false; }

 private:
  void serve(Work& work, sc_core::sc_time& delay) override;
  Region& region_of(int layer, Tensor t);

  const DramDeviceSpecImpl& dram_;
  RowBuffers rows_;
  TransferShape shape_;
  std::vector<Region> weights_, activations_;  // by layer; a layer reads its predecessor's activations
  Region first_inputs_;
  int read_id_ = 0, write_id_ = 0, activate_id_ = 0, refresh_id_ = 0, active_id_ = 0, precharged_id_ = 0;
  bool served_ = false, last_write_ = false;
  double first_access_s_ = -1;
  std::vector<double> busy_by_layer_, bursts_by_layer_, hits_by_layer_;
  double busy_s_ = 0, refresh_s_ = 0, bytes_ = 0;
  std::vector<double> bank_bursts_, bank_hits_;
};

class DramDeviceSpecImpl : public DramSpec {
 public:
  DramDeviceSpecImpl(const ConfigNode& node, const BuildContext& ctx)
      : DramSpec(node, ctx), device_(load_dram_device(node, "device")) {
    channels_ = node.integer_in("channels", 1, 1024);
    ranks_ = node.integer_in("ranks", 1, 16, 1);
    for (const auto& [key, v] : {std::pair{"channels", channels_}, std::pair{"ranks", ranks_}})
      if ((v & (v - 1)) != 0) node.fail(key, fmt::format("expected a power of two (the address map slices bits), found {}", v));
    const std::string policy = node.text("page_policy", "open");
    if (policy != "open" && policy != "closed")
      node.fail("page_policy", "expected open (rows stay open until a conflict) or closed (precharge after every access), found '" + policy + "'");
    policy_ = policy == "open" ? PagePolicy::Open : PagePolicy::Closed;
    std::array<DramField, 4> order{DramField::Channel, DramField::BankGroup, DramField::Bank, DramField::Rank};
    if (node.has("interleave")) {
      const std::vector<std::string> names = node.text_list("interleave");
      std::array<bool, 4> seen{};
      if (names.size() != 4)
        node.fail("interleave", "expected the four fields channel, rank, bank_group and bank, each once, lowest first");
      for (std::size_t i = 0; i < 4; ++i) {
        if (!parse_dram_field(names[i], order[i]))
          node.fail("interleave", "unknown field '" + names[i] + "': expected channel, rank, bank_group or bank");
        if (seen[static_cast<std::size_t>(order[i])])
          node.fail("interleave", "field '" + names[i] + "' appears twice: each of the four must appear once");
        seen[static_cast<std::size_t>(order[i])] = true;
      }
    }
    const int64_t burst = device_.burst_bytes(), row = device_.row_bytes();
    int64_t grain = burst;
    if (node.has("interleave_size")) {
      const int64_t bits = node.whole_bits("interleave_size", row * 8);
      grain = bits / 8;
      if (bits % 8 != 0 || grain < burst || (grain & (grain - 1)) != 0)
        node.fail("interleave_size", fmt::format("expected a power of two of bytes from one burst ({} B) to one row ({} B)", burst, row));
    }
    map_ = std::make_unique<AddressMap>(
        burst, row, device_.rows,
        std::array<int64_t, 4>{channels_, ranks_, device_.bank_groups, device_.banks_per_group}, order, grain);
    energy_ = dram_action_energy(device_);
    finish_parse();
  }

  const DramDeviceSpec& device() const { return device_; }
  const AddressMap& map() const { return *map_; }
  PagePolicy policy() const { return policy_; }
  int64_t rank_count() const { return channels_ * ranks_; }
  const DramActionEnergy& energy() const { return energy_; }

  // No compression on this device: activations cross raw.
  uint64_t activation_bits(uint64_t values, int bits, double) const override {
    return values * static_cast<uint64_t>(bits);
  }
  double bandwidth_bits_per_s() const override { return static_cast<double>(channels_) * device_.peak_bits_per_s(); }
  // An access to a precharged bank: activate, read, and its burst.
  double latency_s() const override {
    const DramTiming& t = device_.timing;
    return t.s(t.rcd + t.cl) + device_.burst_s();
  }
  std::unique_ptr<ComponentModule> build(const char* name) const override {
    return std::make_unique<DramDeviceModule>(name, *this);
  }

 protected:
  // Reads and writes are priced per bit at their burst's energy; activations,
  // refreshes and standby (per picosecond, so pJ per ps is the power in W)
  // are actions of their own.
  double model_energy_pj(const ActionDesc& a) const override {
    const double burst_bits = static_cast<double>(device_.burst_bytes() * 8);
    if (a.action == "read_bits") return energy_.read_burst_pj / burst_bits;
    if (a.action == "write_bits") return energy_.write_burst_pj / burst_bits;
    if (a.action == "activate") return energy_.activate_pj;
    if (a.action == "refresh") return energy_.refresh_pj;
    if (a.action == "standby_active_ps") return energy_.active_standby_w;
    return energy_.precharged_standby_w;
  }
  double model_area_um2() const override { return 0; }  // off chip: not part of the accelerator's area
  std::vector<std::string> action_names() const override {
    return {"read_bits", "write_bits", "activate", "refresh", "standby_active_ps", "standby_precharged_ps"};
  }

 private:
  DramDeviceSpec device_;
  int64_t channels_ = 1, ranks_ = 1;
  PagePolicy policy_ = PagePolicy::Open;
  std::unique_ptr<AddressMap> map_;
  DramActionEnergy energy_;
};

DramDeviceModule::DramDeviceModule(sc_core::sc_module_name name, const DramDeviceSpecImpl& spec)
    : ComponentModule(name, spec),
      dram_(spec),
      rows_(spec.map().banks()),
      shape_(spec.map().banks()),
      bank_bursts_(static_cast<std::size_t>(spec.map().banks())),
      bank_hits_(static_cast<std::size_t>(spec.map().banks())) {}

void DramDeviceModule::prepare(const std::vector<Layer>& layers) {
  log_.set_layers(static_cast<int>(layers.size()));
  read_id_ = log_.declare("dram", "read_bits", 0);
  write_id_ = log_.declare("dram", "write_bits", 0);
  activate_id_ = log_.declare("dram", "activate", 0);
  refresh_id_ = log_.declare("dram", "refresh", 0);
  active_id_ = log_.declare("dram", "standby_active_ps", 0);
  precharged_id_ = log_.declare("dram", "standby_precharged_ps", 0);
  busy_by_layer_.assign(layers.size(), 0.0);
  bursts_by_layer_.assign(layers.size(), 0.0);
  hits_by_layer_.assign(layers.size(), 0.0);
  // Tensors lie one after another, each starting on a 4 KiB boundary (an
  // assumed allocator page), weights first, then each layer's activations
  // for one image; later images of a batch reuse the same region.
  uint64_t next = 0;
  const auto place = [&next](uint64_t bits) {
    Region r;
    r.base = next;
    r.bytes = std::max<uint64_t>(1, (bits + 7) / 8);
    next += (r.bytes + 4095) / 4096 * 4096;
    return r;
  };
  for (const Layer& l : layers)
    weights_.push_back(place(static_cast<uint64_t>(l.weight_count()) * static_cast<uint64_t>(l.precision.weights.bits)));
  if (!layers.empty())
    first_inputs_ = place(static_cast<uint64_t>(layers[0].input_count()) * static_cast<uint64_t>(layers[0].precision.inputs.bits));
  for (const Layer& l : layers)
    activations_.push_back(place(static_cast<uint64_t>(l.output_count()) * static_cast<uint64_t>(l.precision.outputs.bits)));
}

Region& DramDeviceModule::region_of(int layer, Tensor t) {
  const auto l = static_cast<std::size_t>(layer);
  if (t == Tensor::Weights) return weights_[l];
  if (t == Tensor::Outputs) return activations_[l];
  return l == 0 ? first_inputs_ : activations_[l - 1];
}

void DramDeviceModule::serve(Work& work, sc_core::sc_time& delay) {
  const DramDeviceSpec& device = dram_.device();
  const DramTiming& t = device.timing;
  const bool write = work.kind == Work::Kind::Write;
  shape_.clear();
  // The transfer continues its tensor where the last one stopped, wrapping
  // to the tensor's start (a re-fetch reads the same bytes again).
  Region& region = region_of(work.layer, work.tensor);
  uint64_t left = (work.bits + 7) / 8;
  while (left > 0) {
    const uint64_t run = std::min(left, region.bytes - region.cursor);
    add_run(dram_.map(), dram_.policy(), region.base + region.cursor, run, rows_, shape_);
    region.cursor = (region.cursor + run) % region.bytes;
    left -= run;
  }
  const TransferTime time = transfer_time(device, dram_.map(), shape_, write);
  double busy = time.span_s;
  // Turning the bus around (JESD79-4): a read after a write waits tCWL + a
  // burst + tWTR from the last write command; a write after a read waits
  // tCL + a burst + 2 tCK - tCWL from the last read command.
  if (served_ && write != last_write_)
    busy += write ? t.s(t.cl + 2 - t.cwl) + device.burst_s() : t.s(t.cwl + t.wtr) + device.burst_s();
  const double refresh = refresh_s(t, busy);
  busy += refresh;
  const sc_core::sc_time done = reserve(delay, seconds(busy));
  if (first_access_s_ < 0) first_access_s_ = (sc_core::sc_time_stamp() + done).to_seconds() - busy;
  delay = done + seconds(time.tail_s);
  served_ = true;
  last_write_ = write;

  uint64_t activations = 0;
  for (std::size_t k = 0; k < shape_.banks.size(); ++k) {
    const BankLoad& b = shape_.banks[k];
    activations += b.activations;
    bank_bursts_[k] += static_cast<double>(b.bursts);
    bank_hits_[k] += static_cast<double>(b.hits());
    bursts_by_layer_[static_cast<std::size_t>(work.layer)] += static_cast<double>(b.bursts);
    hits_by_layer_[static_cast<std::size_t>(work.layer)] += static_cast<double>(b.hits());
  }
  log_.add(work.layer, write ? write_id_ : read_id_, work.bits);
  log_.add(work.layer, activate_id_, activations);
  busy_by_layer_[static_cast<std::size_t>(work.layer)] += busy;
  busy_s_ += busy;
  refresh_s_ += refresh;
  bytes_ += static_cast<double>((work.bits + 7) / 8);
}

void DramDeviceModule::account_time(int layer, double start_s, double end_s) {
  const DramTiming& t = dram_.device().timing;
  const double refi = t.s(t.refi);
  const auto ranks = static_cast<uint64_t>(dram_.rank_count());
  // Every rank refreshes once per tREFI, busy or idle.
  const auto refreshes = static_cast<uint64_t>(std::floor(end_s / refi) - std::floor(start_s / refi));
  log_.add(layer, refresh_id_, refreshes * ranks);
  // Standby: with open pages a row stays open from the first access on; with
  // closed pages rows are open only while transfers run.
  const double span = std::max(0.0, end_s - start_s);
  double active = 0;
  if (dram_.policy() == PagePolicy::Open)
    active = first_access_s_ < 0 ? 0.0 : std::max(0.0, end_s - std::max(start_s, first_access_s_));
  else
    active = std::min(span, busy_by_layer_[static_cast<std::size_t>(layer)]);
  const auto ps = [](double s) { return static_cast<uint64_t>(std::llround(s * 1e12)); };
  log_.add(layer, active_id_, ps(active) * ranks);
  log_.add(layer, precharged_id_, ps(span - active) * ranks);
}

void DramDeviceModule::layer_figures(int layer, double /*layer_s*/, std::map<std::string, double>& out) const {
  const auto l = static_cast<std::size_t>(layer);
  if (bursts_by_layer_[l] > 0) out["dram_row_hit_fraction"] = hits_by_layer_[l] / bursts_by_layer_[l];
}

std::optional<ComponentStats> DramDeviceModule::stats(double run_s) const {
  ComponentStats s;
  s.component = dram_.instance();
  const double peak = dram_.bandwidth_bits_per_s() / 8;
  const double during = busy_s_ > 0 ? bytes_ / busy_s_ : 0;
  double bursts = 0, hits = 0;
  std::vector<double> hit_rate;
  for (std::size_t k = 0; k < bank_bursts_.size(); ++k) {
    bursts += bank_bursts_[k];
    hits += bank_hits_[k];
    hit_rate.push_back(bank_bursts_[k] > 0 ? bank_hits_[k] / bank_bursts_[k] : 0.0);
  }
  s.values = {{"peak_bandwidth_bytes_per_s", peak},
              {"transfer_bandwidth_bytes_per_s", during},
              {"transfer_bandwidth_fraction", peak > 0 ? during / peak : 0},
              {"run_bandwidth_bytes_per_s", run_s > 0 ? bytes_ / run_s : 0},
              {"busy_s", busy_s_},
              {"refresh_s", refresh_s_},
              {"bursts", bursts},
              {"row_hit_fraction", bursts > 0 ? hits / bursts : 0}};
  s.series = {{"bank_row_hit_fraction", hit_rate}, {"bank_bursts", bank_bursts_}};
  return s;
}

QNNSIM_REGISTER(DramSpec::Registry, "DRAMDevice", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<DramSpec>(new DramDeviceSpecImpl(n, c));
});

}  // namespace
}  // namespace qnnsim
