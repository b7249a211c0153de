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

namespace qnnsim {

// What the components of a level design share: the technology, its energy
// table, and the bits of one value (a word of the datapath).
struct LevelTechnology {
  Technology tech;
  std::shared_ptr<const EnergyTable> table;
  int word_bits = 0;
};

// The design's `technology`, `energy_table` and `word_bits` keys.
LevelTechnology parse_level_technology(const ConfigNode& root);

struct ComponentLevel {
  double read_pj = 0, write_pj = 0;  // per access of `block_words` values
  int64_t block_words = 1;           // values one access moves
  int64_t size = 0;                  // values one instance holds (0: off-chip, unbounded)
  double bandwidth = 0;              // values per cycle per instance, reads and writes sharing its ports
  bool separate_ports = false;       // `bandwidth` each way instead (a register file)
  double leak_pj_per_cycle = 0;      // the component's `leakage:` power over one clock period
};

// A fan-out's network from a registered network class (a level that keeps nothing).
struct ComponentNetwork {
  double pj_per_bit = 0;
  std::array<int, 3> network{};     // per tensor (weights, inputs, outputs): the network it travels on
  std::vector<int64_t> width_bits;  // per network
};
ComponentNetwork component_network(const ConfigNode& component, const LevelTechnology& t);

// The energy of one compute from a registered MAC class (`compute: {mac: {class: IntMAC, ...}}`),
// at the unit's own operand widths. The level model steps one MAC a cycle on
// each unit, so a class that completes MACs at another rate there is refused.
double mac_energy_pj(const ConfigNode& mac, const LevelTechnology& t);

// `component` is the level's `component:` mapping; `block_words` the level's
// own key, for off-chip memory (a buffer's word width sets it).
ComponentLevel component_level(const ConfigNode& component, const LevelTechnology& t, int64_t block_words);

}  // namespace qnnsim
