#pragma once
// A design written as a chain of storage levels with one layer's mapping on
// it, priced per level, per tensor and per action: the file form of a
// LevelNest (level_nest.h). It is how Timeloop designs are written down for
// qnnsim (configs/validation/timeloop), level for level.
//
//   workload: problem.yaml        # relative to this file
//   layer: conv1                  # the layer mapped (default: the first)
//   levels:                       # outermost first
//     - name: glb
//       instances: 1
//       keeps: [weights, inputs, outputs]
//       block_words: 4            # values one access moves (width / word size)
//       energy_pj: {read: 32.4, write: 26.2, update: 26.2}   # per access
//       # or per tensor: energy_pj: {weights: {read: ..}, inputs: {..}, outputs: {..}}
//       leak_pj_per_cycle: 0.0054 # per instance the mapping uses
//       read_bandwidth: 4         # values per cycle per instance, out and in (optional;
//       write_bandwidth: 4        #   or `bandwidth:` for one port shared by both)
//       size: 65536               # values per instance (for the search; optional)
//       partitions:               # shares of the size for some kept tensors (optional)
//         - {keeps: [weights], size: 4096}
//       cluster: 64               # instances sharing one wide access (optional)
//       spatial_dims: [C, M]      # what the fan-out may spread (for the search; optional)
//       temporal_dims: [S, Q]     # what the level's own loops may iterate (optional; [] for none)
//       temporal: [S3, P2, M8]    # outermost first
//       spatial: [C3, M4]         # fan-out to the level below
//       multicast: per_value      # or per_dimension (level_nest.h)
//   compute: {name: mac, instances: 256, energy_pj: 0.315}
//   time: simulated               # or closed_form (the default): how `qnnsim run` times layers
//
// Levels may instead be built from registered components (`component:`,
// level_component.h); the design then gives its technology, energy table and
// `word_bits` (one width, or one per tensor), and a level may give its own
// `word_bits` (DRAM keeping outputs requantized at 8 bits while partial sums
// are 32 bits wide below it). Such a level packs a layer's narrower values
// into its words unless it says `pack: false` (level_packing.h).
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/config_node.h"
#include "schedule/level_nest.h"

namespace qnnsim {
class EnergyTable;  // energy/energy_table.h
class MacSpec;      // mac/mac_spec.h
class VectorSpec;   // arch/roles.h
}

namespace qnnsim {

// How level design files name the tensors, in Operand order.
inline constexpr const char* kTensorKeys[kOperands] = {"weights", "inputs", "outputs"};

enum class LevelAction { Read, Write, Update };
constexpr int kLevelActions = 3;

struct LevelPrices {
  int64_t instances = 1;
  // Values of each tensor one access moves: the same for every tensor when
  // the design gives `block_words`; a component's word over each tensor's
  // width (word_bits) otherwise, so a 64-bit word moves eight 8-bit weights
  // but two 32-bit partial sums.
  std::array<int64_t, kOperands> block_words{1, 1, 1};
  // Instances that share one wide access port (a vector register feeding a
  // row of MACs): one access serves every instance of the cluster the mapping
  // uses, so its energy is shared among them (Timeloop's cluster_size).
  int64_t cluster = 1;
  std::array<std::array<double, kLevelActions>, kOperands> pj{};  // [tensor][action], per access
  double leak_pj_per_cycle = 0;
  double per_value(Operand o, LevelAction a) const {
    const auto t = static_cast<std::size_t>(o);
    return pj[t][static_cast<std::size_t>(a)] / static_cast<double>(block_words[t]);
  }
};

// What a mapping may ask of a level, for the search (level_search.h).
// A share of a level's capacity set aside for some of the tensors it keeps
// (Eyeriss' 108 KB buffer: 100 KB for inputs and partial sums, 8 KB for filters).
struct LevelPartition {
  std::array<bool, kOperands> tensors{};
  int64_t size = 0;  // what one instance holds of these tensors together, in the level's units
};

struct LevelLimits {
  // The units sizes and bandwidths count: values, for a level whose file gives
  // them in values; bits, for a level built from a component, so that tensors
  // of different widths share its capacity and ports as the hardware does.
  bool in_bits = false;
  std::array<int64_t, kOperands> units{1, 1, 1};  // what one value of each tensor takes: 1, or its bits
  // ... over this: where a level packs a layer's narrower values into its
  // words (level_packing.h), a value takes a word's bits over the whole
  // values the word holds (units: the word's bits; per_unit: the values), so
  // six 6-bit values in a 64-bit word take 64/10 bits each. A block's count is
  // rounded up to a whole unit, not to a whole word, as unpacked values are.
  std::array<int64_t, kOperands> per_unit{1, 1, 1};
  int64_t size = 0;               // what one instance holds, all kept tensors together (0: unbounded)
  // Kept tensors in no partition share what the partitions leave of `size`
  // (unbounded when the level gives no size).
  std::vector<LevelPartition> partitions;
  int64_t fanout = 1;             // instances below each instance of this level
  std::array<bool, kDims> spatial_dims{};   // dimensions the fan-out may spread
  std::array<bool, kDims> temporal_dims{};  // dimensions the level's own loops may iterate (a dataflow's constraint)
};

// How fast one instance of a level moves values, per cycle (0: unbounded),
// in the level's units (LevelLimits: values, or bits).
// A level with one port shared by reads and writes gives `shared`.
struct LevelBandwidth {
  double read = 0;    // values sent out: reads down to the children, drains up to the parent
  double write = 0;   // values taken in: fills from the parent, updates from the children
  double shared = 0;  // both together, through one port
};

// The network of a fan-out (a level that keeps nothing, built from a
// registered network class such as MulticastBus): what it costs per bit sent
// (a multicast drives its wires once) and how many bits a cycle each tensor's
// network carries. Tensors on one network share its width.
struct LevelNetwork {
  bool present = false;
  double pj_per_bit = 0;
  std::array<double, kOperands> value_bits{};  // per tensor: the bits one value takes on the wires (less than a
                                              // whole number where packed: level_packing.h)
  std::array<int, kOperands> network{};  // per tensor: the network it travels on
  std::vector<int64_t> width_bits;      // per network
};

struct LevelDesign {
  std::string file;
  std::string name;               // `name:`, or the file's name without its folder and extension
  std::string layer;              // empty when the file names no workload (a design to search)
  LoopBounds bounds;
  LevelNest nest;
  std::vector<LevelPrices> prices;  // as nest.levels
  std::vector<LevelLimits> limits;  // as nest.levels
  std::vector<LevelBandwidth> bandwidth;  // as nest.levels
  std::vector<LevelNetwork> networks;     // as nest.levels
  // As nest.levels: the level keeps outputs narrower than the partial sums
  // below it (word_bits), so what reaches it has been requantized and only
  // finished outputs may be written there: a mapping that would bring a
  // partial sum back out of it to go on accumulating is refused.
  std::vector<bool> final_outputs_only;
  std::string compute_name;
  int64_t compute_instances = 1;
  double compute_pj = 0;
  // One register bit's read, from the energy table (`compute: {mac: ...}`
  // only): what a codebook operand's table beside each MAC costs a bit.
  double register_bit_pj = 0;
  // What only designs built from registered components give (level_component.h).
  double clock_hz = 0;  // the technology's clock; 0 when the design gives no technology
  std::vector<std::array<int, kOperands>> word_bits;  // as nest.levels: each tensor's width there; 0 when not given
  // As nest.levels, for packing a layer's narrower values (level_packing.h):
  // whether the level packs them (`pack:`, default true on a level built from
  // a component; never on a level priced by numbers), the bits one access
  // moves of each tensor it keeps (a buffer's word; off-chip memory's
  // `block_words` values at their width; 0 elsewhere), and the bits one value
  // takes there (word_bits until packed).
  std::vector<bool> packs;
  std::vector<std::array<int64_t, kOperands>> access_bits;
  std::vector<std::array<double, kOperands>> value_bits;
  std::vector<double> area_mm2;  // as nest.levels: one instance's component (its network, for a fan-out); 0 without
  double compute_area_mm2 = 0;   // one compute unit's MAC class; 0 without
  bool area_complete = false;    // every on-chip level and the compute units come from components
  // `vector:` a registered vector unit beside the first on-chip level, for
  // pooling, element-wise and normalisation layers and the requantization of
  // array layers' outputs (sim/level_vector.h); null when the design has none.
  std::shared_ptr<const VectorSpec> vector;
  std::shared_ptr<const MacSpec> mac;  // `compute: {mac: ...}`: the units' class, whose widths a layer must fit; or null
  std::shared_ptr<const EnergyTable> energy_table;  // the table `vector` and `mac` price from, kept alive with them
  // `time: simulated`: `qnnsim run` steps each layer's mapping through the
  // SystemC engine (sim/level_engine.h), whose schedule shows the stalls the
  // closed form's time leaves out, and `qnnsim levels` prints the stepped
  // time beside the closed form's; `time: closed_form` (the default) takes
  // the closed form's time, every transfer hidden behind computation.
  bool simulated_time = false;
};

// Parses and checks a level design; errors are ConfigErrors naming file, line and key.
// Mapped: the file's loops are the mapping, and must cover its layer.
// To search: the loops are left out, and the workload may come from elsewhere.
enum class LevelDesignUse { Mapped, ToSearch };
LevelDesign load_level_design(const std::string& path, LevelDesignUse use = LevelDesignUse::Mapped);
// The same for a design already parsed; its workload is found beside root.file().
LevelDesign load_level_design(const ConfigNode& root, LevelDesignUse use = LevelDesignUse::Mapped);

struct LevelEnergy {
  std::array<double, kOperands> accesses_pj{};  // reads, fills and updates
  std::array<double, kOperands> drains_pj{};    // drain reads, priced as reads (not in accesses_pj)
  double leak_pj = 0;
  std::array<double, kOperands> network_pj{};  // a fan-out's network: the values of each tensor sent across it
  double total_pj() const;  // accesses, network and leakage (drains apart, as Timeloop counts)
};
// Values of tensor o that cross the fan-out of `level` (a level that keeps
// nothing): what the nearest keeper above sends down (reads, multicast once)
// and takes back up (updates).
uint64_t values_crossing(const LevelNest& nest, const LevelNestCounts& c, std::size_t level, Operand o);
// Prices `c`, the counts of `nest` (the design's levels with a mapping's loops).
std::vector<LevelEnergy> price_levels(const LevelDesign& d, const LevelNest& nest, const LevelNestCounts& c);
// How many used instances of `level` each access serves (its price is
// divided among them): the used instances over the clusters they fall in.
double cluster_sharing(const LevelDesign& d, const LevelNest& nest, std::size_t level);
// What price_levels charges level l, given the layer's cycles (leakage
// lasts as long as the layer) and the level's cluster_sharing: for a search,
// which knows both already.
LevelEnergy price_level(const LevelDesign& d, const LevelNest& nest, const LevelNestCounts& c, std::size_t l,
                        uint64_t cycles, double shared);

}  // namespace qnnsim
