#include "schedule/level_component.h"

#include <fmt/format.h>

#include "arch/arch_spec.h"
#include "arch/roles.h"
#include "mac/mac_spec.h"

namespace qnnsim {

namespace {
constexpr const char* kTensorNames[kOperands] = {"weights", "inputs", "partial sums"};
}  // namespace

LevelTechnology parse_level_technology(const ConfigNode& root) {
  LevelTechnology t;
  t.tech = parse_technology(root.child("technology"));
  t.table = std::make_shared<const EnergyTable>(EnergyTable::load(energy_table_path(root)));
  check_technology(root.child("technology"), t.tech, *t.table);
  t.word_bits = parse_word_bits(root, "word_bits", TensorBits{});
  return t;
}

TensorBits parse_word_bits(const ConfigNode& node, const std::string& key, const TensorBits& fallback) {
  static constexpr const char* kNames[kOperands] = {"weights", "inputs", "outputs"};
  const ConfigNode w = node.child(key);
  if (!w.is_map()) {
    const int bits = static_cast<int>(node.integer_in(key, 1, 64));
    return {bits, bits, bits};
  }
  TensorBits out = fallback;
  for (int o = 0; o < kOperands; ++o)
    if (w.has(kNames[o])) out[o] = static_cast<int>(w.integer_in(kNames[o], 1, 64));
    else if (out[o] == 0)
      w.fail(kNames[o], "the width of every tensor is needed here (weights, inputs and outputs), or one width for all");
  w.reject_unknown_keys();
  return out;
}

ComponentNetwork component_network(const ConfigNode& component, const LevelTechnology& t) {
  component.expect_map("a registered network: {class: ..., and its keys}");
  const std::string cls = component.text("class");
  const auto noc = NocSpec::Registry::instance().create(cls, component, BuildContext{t.tech, *t.table});
  if (!noc)
    component.fail("class", fmt::format("unknown class '{}' for a fan-out's network (a level that keeps nothing); "
                                        "registered network classes are {}",
                                        cls, NocSpec::Registry::instance().known_names()));
  ComponentNetwork out;
  out.pj_per_bit = noc->energy_per_bit_sent_pj();
  if (out.pj_per_bit <= 0)
    component.fail("class", fmt::format("a {} prices each transfer by the route it takes, which a level design's fan-out "
                                        "does not model; a fan-out's network must cost the same per bit sent "
                                        "(MulticastBus)",
                                        cls));
  for (int n = 0; n < noc->networks(); ++n) out.width_bits.push_back(noc->network_width_bits(n));
  out.area_mm2 = noc->area_mm2();
  for (Tensor x : {Tensor::Weights, Tensor::Inputs, Tensor::Outputs})
    out.network[static_cast<std::size_t>(x)] = noc->network_of(x);
  return out;
}

ComponentCompute mac_compute(const ConfigNode& node, const LevelTechnology& t) {
  auto mac = make_mac(node, BuildContext{t.tech, *t.table});
  LayerPrecision p;
  p.weights.bits = mac->weight_bits();
  p.inputs.bits = mac->input_bits();
  p.accumulator.bits = mac->accumulator_bits();
  if (const std::string problem = mac->precision_problem(p); !problem.empty()) node.fail("class", problem);
  const MacRate r = mac->rate(p);
  if (r.macs != 1 || r.cycles != 1)
    node.fail("class", fmt::format("a {} unit completes {} MAC(s) every {} cycle(s) at its {}x{}-bit widths; the level "
                                   "model steps one MAC a cycle on each unit",
                                   node.text("class"), r.macs, r.cycles, p.weights.bits, p.inputs.bits));
  const double energy = mac->energy_pj(mac->action(p)), area = mac->area_um2() * 1e-6;
  return {energy, area, std::move(mac)};
}

ComponentLevel component_level(const ConfigNode& component, const LevelTechnology& t, const TensorBits& bits,
                               const std::array<bool, kOperands>& keeps, int64_t block_words) {
  component.expect_map("a registered component: {class: ..., and its keys}");
  const std::string cls = component.text("class");
  const BuildContext ctx{t.tech, *t.table};
  ComponentLevel out;
  if (const auto buffer = BufferSpec::Registry::instance().create(cls, component, ctx)) {
    // An access is one word of the buffer's width, whatever it holds.
    for (int o = 0; o < kOperands; ++o) {
      if (!keeps[o]) continue;
      if (buffer->width_bits() % bits[o] != 0)
        component.fail("width", fmt::format("a {}-bit word does not hold a whole number of {}-bit {} (word_bits)",
                                            buffer->width_bits(), bits[o], kTensorNames[o]));
      out.block_words[o] = buffer->width_bits() / bits[o];
      out.access_bits[o] = buffer->width_bits();
      out.read_pj[o] = buffer->action_energy_pj({"", "read", 0});
      out.write_pj[o] = buffer->action_energy_pj({"", "write", 0});
    }
    out.size_bits = static_cast<int64_t>(buffer->capacity_bits());
    out.bandwidth_bits = static_cast<double>(buffer->banks() * buffer->width_bits());  // every bank one word a cycle
    out.separate_ports = buffer->separate_read_write_ports();
    out.leak_pj_per_cycle = buffer->leakage_w() * t.tech.period_s() * 1e12;
    out.area_mm2 = buffer->area_mm2();
    return out;
  }
  if (const auto dram = DramSpec::Registry::instance().create(cls, component, ctx)) {
    // Off-chip memory prices each bit it moves; an access moves `block_words` values.
    for (int o = 0; o < kOperands; ++o) {
      const double access_bits = static_cast<double>(block_words * bits[o]);
      out.block_words[o] = block_words;
      out.access_bits[o] = block_words * bits[o];
      out.read_pj[o] = dram->action_energy_pj({"", "read_bits", 0}) * access_bits;
      out.write_pj[o] = dram->action_energy_pj({"", "write_bits", 0}) * access_bits;
    }
    out.bandwidth_bits = dram->bandwidth_bits_per_s() * t.tech.period_s();
    out.leak_pj_per_cycle = dram->leakage_w() * t.tech.period_s() * 1e12;
    return out;
  }
  component.fail("class", fmt::format("unknown class '{}' for a storage level; registered classes are, for buffers, {}; "
                                      "for off-chip memory, {}",
                                      cls, BufferSpec::Registry::instance().known_names(),
                                      DramSpec::Registry::instance().known_names()));
}

}  // namespace qnnsim
