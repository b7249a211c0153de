#pragma once
// A storage level of a level design built from a registered component class
// (`component: {class: SRAMBuffer, size: 108 KiB, width: 64 bit, banks: 27}`):
// the same classes, keys and energy tables as the engine's designs, so a
// level's prices, capacity and bandwidth come from the cited tables instead
// of numbers typed into the design. Buffer classes (SRAMBuffer, RegisterFile)
// and off-chip memory classes (DRAM, DRAMDevice) can be levels.
#include <cstdint>
#include <array>
#include <memory>
#include <vector>

#include "arch/technology.h"
#include "core/config_node.h"
#include "energy/energy_table.h"
#include "schedule/loop_nest.h"

namespace qnnsim {

class MacSpec;  // mac/mac_spec.h

// Bits of one value of each tensor (weights, inputs, outputs).
using TensorBits = std::array<int, kOperands>;

// What the components of a level design share: the technology and its energy
// table, and the design's word widths.
struct LevelTechnology {
  Technology tech;
  std::shared_ptr<const EnergyTable> table;
  TensorBits word_bits{};
};

// The design's `technology`, `energy_table` and `word_bits` keys.
LevelTechnology parse_level_technology(const ConfigNode& root);

// `word_bits` at `key` of `node`: one width for every tensor (`16`), or some
// of them by name (`{weights: 8, inputs: 8, outputs: 32}`) over `fallback`.
TensorBits parse_word_bits(const ConfigNode& node, const std::string& key, const TensorBits& fallback);

struct ComponentLevel {
  std::array<double, kOperands> read_pj{}, write_pj{};  // per access of `block_words` values of each tensor
  std::array<int64_t, kOperands> block_words{1, 1, 1};  // values of each tensor one access moves
  std::array<int64_t, kOperands> access_bits{};        // bits one access moves (a word), for packing
  int64_t size_bits = 0;             // what one instance holds (0: off-chip, unbounded)
  double bandwidth_bits = 0;         // per cycle per instance, reads and writes sharing its ports
  bool separate_ports = false;       // `bandwidth_bits` each way instead (a register file)
  double leak_pj_per_cycle = 0;      // the component's `leakage:` power over one clock period
  double area_mm2 = 0;               // one instance (off-chip memory: 0, not on the chip)
};

// A fan-out's network from a registered network class (a level that keeps nothing).
struct ComponentNetwork {
  double pj_per_bit = 0;
  std::array<int, 3> network{};     // per tensor (weights, inputs, outputs): the network it travels on
  std::vector<int64_t> width_bits;  // per network
  double area_mm2 = 0;
};
ComponentNetwork component_network(const ConfigNode& component, const LevelTechnology& t);

// The energy of one compute from a registered MAC class (`compute: {mac: {class: IntMAC, ...}}`),
// at the unit's own operand widths. The level model steps one MAC a cycle on
// each unit, so a class that completes MACs at another rate there is refused.
struct ComponentCompute {
  double energy_pj = 0;  // one MAC
  double area_mm2 = 0;   // one unit
  std::shared_ptr<const MacSpec> mac;  // prices from `t`'s table, which must outlive it
};
ComponentCompute mac_compute(const ConfigNode& mac, const LevelTechnology& t);

// `component` is the level's `component:` mapping; `bits` the widths of the
// values the level keeps (`keeps`); `block_words` the level's own key, for
// off-chip memory (a buffer's word width sets it).
ComponentLevel component_level(const ConfigNode& component, const LevelTechnology& t, const TensorBits& bits,
                               const std::array<bool, kOperands>& keeps, int64_t block_words);

}  // namespace qnnsim
