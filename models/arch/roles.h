#pragma once
// The roles an accelerator is built from. Each role is an interface with a
// registry; `class:` in the YAML picks the registered implementation. The
// schedule sees only these interfaces, never a concrete class.
#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arch/buffer_partitions.h"
#include "arch/component_spec.h"
#include "core/registry.h"
#include "workload/layer.h"

namespace qnnsim {

class MacSpec;  // mac/mac_spec.h, a folder above this one

// Off-chip memory.
class DramSpec : public ComponentSpec {
 public:
  using ComponentSpec::ComponentSpec;
  using Registry = qnnsim::Registry<DramSpec, const ConfigNode&, const BuildContext&>;
  virtual double bandwidth_bits_per_s() const = 0;
  virtual double latency_s() const = 0;
  // Bits that `values` activations of `bits` each, a `density` of them
  // non-zero, occupy in DRAM (and on its bus): raw, or compressed.
  virtual uint64_t activation_bits(uint64_t values, int bits, double density) const = 0;
};

// The energy-breakdown bucket of the global buffer's actions, whatever the
// design names the component (its instance name labels it in the report).
inline constexpr const char* kBufferGroup = "glb";

// On-chip buffer (global buffer, scratchpad, eDRAM).
class BufferSpec : public ComponentSpec {
 public:
  using ComponentSpec::ComponentSpec;
  using Registry = qnnsim::Registry<BufferSpec, const ConfigNode&, const BuildContext&>;
  virtual double capacity_bits() const = 0;
  virtual int64_t width_bits() const = 0;
  virtual int64_t banks() const = 0;
  // Where the capacity is set, so a tile that does not fit can point at it.
  virtual std::string capacity_key() const = 0;
  // Tiles alternate between this many slots: with two, the next tile loads
  // while the current one computes; with one, loads wait for the store.
  virtual int tile_slots() const = 0;
  // Whether each bank reads and writes a word in the same cycle (a register
  // file's separate ports) rather than one or the other (an SRAM bank).
  virtual bool separate_read_write_ports() const { return false; }
  // How the capacity is shared between tensors (one pool, or partitions).
  virtual const BufferPartitions& partitions() const = 0;
  // Whether the buffer keeps a tensor; one it does not keep passes through:
  // its values go from DRAM over the network straight to the PEs each time
  // they are fetched (a TPU's weight FIFO, Simba's and Timeloop's
  // Eyeriss-like global buffers for weights).
  virtual bool keeps(Tensor t) const = 0;
};

// Network between the buffer and the compute array: one shared bus, or a
// separate network per tensor (as Eyeriss' filter, ifmap and psum networks).
class NocSpec : public ComponentSpec {
 public:
  using ComponentSpec::ComponentSpec;
  using Registry = qnnsim::Registry<NocSpec, const ConfigNode&, const BuildContext&>;
  virtual int networks() const = 0;
  // The network a tensor travels on (partial sums travel as Tensor::Outputs).
  virtual int network_of(Tensor t) const = 0;
  virtual int64_t network_width_bits(int network) const = 0;
  // Energy per bit sent, for a network that costs the same whatever the
  // destinations (a bus: one drive reaches them all); 0 for one whose cost
  // depends on the route each transfer takes.
  virtual double energy_per_bit_sent_pj() const { return 0; }
  // Cycles a transfer between the buffer and the PEs of the rows x cols
  // region at the array's corner takes beyond its serialisation: a mesh
  // head's latency over the longest of its routes. The PEs of a pass wait for
  // it however few bits they take, so a mapping of many small passes pays it
  // once a pass. 0 for a bus, whose one drive reaches every PE in its cycle.
  virtual int64_t head_cycles(int64_t /*rows*/, int64_t /*cols*/) const { return 0; }
  // Whether a transfer's rate depends on the PEs it goes to (a mesh, whose
  // busiest link carries a share of the bits that the route sets), rather
  // than being its network's width (a bus).
  virtual bool rate_by_route() const { return false; }
  // Cycles a bit takes to the PEs of the rows x cols region at the array's
  // corner, each value to `copies` of them, from DRAM or from the buffer
  // (`to_pes`), or back from each of them to the buffer (partial sums going
  // out): one over the rate its route's busiest link carries it at. Only
  // asked where rate_by_route(); a network of fixed rate answers with none.
  virtual double cycles_per_bit(bool /*to_pes*/, int64_t /*rows*/, int64_t /*cols*/, int64_t /*copies*/,
                                bool /*from_dram*/) const {
    return 0;
  }
  // Whether partial sums read back into the PEs share the inputs' network
  // (a mesh, whose links to the PEs carry them) rather than the partial
  // sums' own (a bus, which carries them both ways).
  virtual bool reads_back_beside_inputs() const { return false; }
  // What Shape::busy_cycles needs to time transfers over a network whose
  // rate depends on the route: each tensor's cycles per bit, and the partial
  // sums read back into the PEs, which travel toward them on the inputs'
  // network (reads_back_beside_inputs).
  struct Routes {
    std::array<double, 3> cycles_per_bit{};  // by Tensor; partial sums going out
    double readback_bits = 0;                // of the partial sums' bits, those read back in
    double readback_cycles_per_bit = 0;      // 0 where they come from the buffer's own accumulation
  };
  // The loader hands the network the PE array it feeds once both are built,
  // so a network laid out over the PEs (a mesh) can check that it fits them;
  // a ConfigError names the network's own key.
  virtual void fit_array(int64_t /*rows*/, int64_t /*cols*/) {}
  // Bits per cycle over all networks together.
  int64_t total_width_bits() const {
    int64_t w = 0;
    for (int n = 0; n < networks(); ++n) w += network_width_bits(n);
    return w;
  }
  // Which network each tensor takes and how wide each is, read once: the
  // mapper asks busy cycles for every candidate it ranks, and asking the
  // network each time is a dozen virtual calls.
  struct Shape {
    int networks = 1;
    std::array<std::size_t, 3> network_of{};  // by Tensor: weights, inputs, outputs
    std::array<double, 3> width_bits{1, 1, 1};
    // Cycles the busiest network needs to send these bits of each tensor
    // (indexed by Tensor: weights, inputs, outputs), with no gaps. There is at
    // most one network per tensor, so at most three.
    double busy_cycles(const std::array<double, 3>& bits) const {
      std::array<double, 3> per{};
      for (std::size_t t = 0; t < 3; ++t) per[network_of[t]] += bits[t];
      double most = 0;
      for (std::size_t n = 0; n < static_cast<std::size_t>(networks); ++n) most = std::max(most, per[n] / width_bits[n]);
      return most;
    }
    // The same with the transfers the PEs wait for: `waited` of the bits
    // (by Tensor) go in `transfers` transfers (by Tensor) that each end
    // `head` cycles after their serialisation, and the passes that wait do
    // not overlap. Transfers of one pass share their heads, so a network's
    // heads are its most frequent tensor's transfers. A network is busy the
    // longer of sending all its bits and the waited ones with their heads.
    // With `routes` each tensor's bits move at the rate its route allows,
    // not the network's width, and the partial sums read back (which the
    // PEs wait for) travel on the inputs' network.
    double busy_cycles(const std::array<double, 3>& bits, const std::array<double, 3>& waited,
                       const std::array<double, 3>& transfers, double head, const Routes* routes = nullptr) const {
      if (head <= 0 && !routes) return busy_cycles(bits);
      std::array<double, 3> all{}, waits{}, heads{};
      const auto out = static_cast<std::size_t>(Tensor::Outputs);
      for (std::size_t t = 0; t < 3; ++t) {
        const double per_bit = routes ? routes->cycles_per_bit[t] : 1.0;
        all[network_of[t]] += (routes && t == out ? bits[t] - routes->readback_bits : bits[t]) * per_bit;
        waits[network_of[t]] += waited[t] * per_bit;
        heads[network_of[t]] = std::max(heads[network_of[t]], transfers[t] * head);
      }
      if (routes) {
        const double back = routes->readback_bits * routes->readback_cycles_per_bit;
        all[network_of[static_cast<std::size_t>(Tensor::Inputs)]] += back;
        waits[network_of[static_cast<std::size_t>(Tensor::Inputs)]] += back;
      }
      double most = 0;
      for (std::size_t n = 0; n < static_cast<std::size_t>(networks); ++n) {
        const double width = routes ? 1.0 : width_bits[n];
        most = std::max({most, all[n] / width, waits[n] / width + heads[n]});
      }
      return most;
    }
  };
  Shape shape() const {
    Shape s;
    s.networks = networks();
    for (Tensor t : {Tensor::Weights, Tensor::Inputs, Tensor::Outputs})
      s.network_of[static_cast<std::size_t>(t)] = static_cast<std::size_t>(network_of(t));
    for (int n = 0; n < s.networks; ++n)
      s.width_bits[static_cast<std::size_t>(n)] = static_cast<double>(network_width_bits(n));
    return s;
  }
  double busy_cycles(const std::array<double, 3>& bits) const { return shape().busy_cycles(bits); }
  double busy_cycles(const std::array<double, 3>& bits, const std::array<double, 3>& waited,
                     const std::array<double, 3>& transfers, double head, const Routes* routes = nullptr) const {
    return shape().busy_cycles(bits, waited, transfers, head, routes);
  }
};

// The array of processing elements with its MAC units and scratchpads.
class ArraySpec : public ComponentSpec {
 public:
  using ComponentSpec::ComponentSpec;
  using Registry = qnnsim::Registry<ArraySpec, const ConfigNode&, const BuildContext&>;
  virtual int64_t rows() const = 0;
  virtual int64_t cols() const = 0;
  // The MAC class every PE holds (mac/mac_spec.h), whose numerics `qnnsim
  // eval --arch` runs; null for an array without one.
  virtual const MacSpec* mac_unit() const { return nullptr; }
  // Whether the next weight tile can load while the current one computes.
  virtual bool double_buffered_weights() const = 0;
  // Whether each row can take any one element of the flattened filter window
  // C x R x S (im2col, schedule/im2col.h), not only whole factors of C, R and S.
  virtual bool flattens_reduction() const { return false; }
  // Whether the host expands the network input's filter windows before the
  // array sees them (im2col on the host): the layer fed by the input then
  // arrives as a 1 x 1 convolution over C x R x S channels, its windows'
  // overlapping pixels stored once per window (schedule/host_im2col.h).
  virtual bool host_expands_input() const { return false; }
  // Empty when the array can execute the layer's precision, else why not.
  virtual std::string precision_problem(const LayerPrecision& p) const = 0;
  // Values of a tensor one PE's scratchpad holds for one pass (double
  // buffering already taken off). Tensors a dataflow streams need none.
  virtual int64_t spad_capacity(Tensor t) const = 0;
  // Cycles of one pass in which each active PE runs `iterations` loop
  // iterations, `rows_used` x `cols_used` PEs active.
  virtual uint64_t pass_cycles(uint64_t iterations, int64_t rows_used, int64_t cols_used,
                               const LayerPrecision& p) const = 0;
  // Array cycles to take a weight tile into `rows_used` rows of PEs (beside
  // the network's time); rows as the PEs count them (unit_rows).
  virtual uint64_t weight_load_cycles(int64_t rows_used) const = 0;
  // Reduction terms one PE sums into one partial sum a step at this
  // precision: 1, or, where the array's rows reduce and its MAC unit sums its
  // products inside itself (MacSpec::fused_reduction), the unit's products a
  // step. A mapping's row factor on C then counts lanes, not PEs: the rows
  // reduce rows x lanes of C, ceil(row factor / lanes) PEs down a column, and
  // each lane runs one MAC a step (schedule/row_lanes.h).
  virtual int64_t reduction_lanes(const LayerPrecision& /*p*/) const { return 1; }
  // Whether reduction_lanes can exceed 1 at some precision.
  virtual bool fuses_reduction() const { return false; }
  // PEs down a column that `lane_rows` rows of lanes occupy.
  int64_t unit_rows(int64_t lane_rows, const LayerPrecision& p) const {
    const int64_t lanes = reduction_lanes(p);
    return (lane_rows + lanes - 1) / lanes;
  }
  // Partial sums the PEs update in a pass of `macs` MACs, `iterations` per
  // lane, on `rows_used` x `cols_used` lanes: one a MAC, or with fused lanes
  // one per PE per step, whatever number of its lanes hold work.
  uint64_t unit_sums(uint64_t macs, uint64_t iterations, int64_t rows_used, int64_t cols_used,
                     const LayerPrecision& p) const {
    if (reduction_lanes(p) <= 1) return macs;
    return iterations * static_cast<uint64_t>(unit_rows(rows_used, p)) * static_cast<uint64_t>(cols_used);
  }
  // Of a pass's pass_cycles, those the next pass of the same layer hides when
  // it follows straight on: a pipelined array's fill and drain, which the next
  // pass's operands overlap by entering behind the last ones. Zero where every
  // pass pays its whole time.
  virtual uint64_t pass_overlap_cycles(const LayerPrecision& /*p*/) const { return 0; }
  // The action one MAC of this precision counts as.
  virtual ActionDesc mac_action(const LayerPrecision& p) const = 0;
  // MACs the whole array completes per cycle at this precision with every PE
  // busy: its peak, from the MAC class's rate and the PE count.
  virtual double peak_macs_per_cycle(const LayerPrecision& p) const = 0;
  // Of `macs` MACs in one pass, how many do work: all of them, or with zero
  // gating or skipping only those whose skipped operands are not zero (the
  // rest count as mac.gated).
  virtual uint64_t active_macs(uint64_t macs, const LayerPrecision& p) const = 0;
  // Of `macs` MACs, how many take a MAC's time: all of them (a gated MAC
  // still spends its cycle), or on an array whose skipped MACs save time
  // only those left after skipping. What utilization counts as work.
  virtual uint64_t timed_macs(uint64_t macs, const LayerPrecision& /*p*/) const { return macs; }
  // Stored weight entries that `values` weights take (in buffers, on the
  // network, in the PE scratchpads), and the bits of one entry: the values
  // themselves, or compressed entries on an array that stores pruned weights
  // compressed (pe_array/sparse_operands.h).
  virtual uint64_t weight_entries(uint64_t values, const LayerPrecision& /*p*/) const { return values; }
  virtual int weight_entry_bits(const LayerPrecision& p) const { return p.weights.bits; }
  uint64_t weight_bits(uint64_t values, const LayerPrecision& p) const {
    return weight_entries(values, p) * static_cast<uint64_t>(weight_entry_bits(p));
  }
  // Scratchpad and register accesses the MACs themselves make (operand reads,
  // partial-sum updates), for `macs` MACs of which `active` do work, the PEs
  // updating `sums` partial sums (unit_sums).
  virtual std::vector<std::pair<ActionDesc, uint64_t>> mac_accesses(uint64_t macs, uint64_t active, uint64_t sums,
                                                                    const LayerPrecision& p) const = 0;
};

// Element-wise and pooling unit beside the buffer.
class VectorSpec : public ComponentSpec {
 public:
  using ComponentSpec::ComponentSpec;
  using Registry = qnnsim::Registry<VectorSpec, const ConfigNode&, const BuildContext&>;
  virtual int64_t lanes() const = 0;
  // "" when the unit can run a layer of `type` at `p`, else why not.
  virtual std::string precision_problem(const LayerPrecision& p, LayerType type) const = 0;
  // Lane-cycles the operations take on operands `bits` wide: an add or a
  // multiply one each; an exponential, a divide or a square root as many as
  // the steps the unit takes for it.
  virtual uint64_t lane_cycles(const VectorOps& ops, int bits) const = 0;
  // The action that requantizes one finished output of an array layer from
  // its accumulator to its output code; an empty action name when the code
  // needs none.
  virtual ActionDesc requant_action(const LayerPrecision& p) const = 0;
  // With asymmetric weights, sum_k (w_k - z_w) x_k = sum_k w_k x_k - z_w sum_k x_k:
  // each output position needs the sum of its inputs, one add per input of
  // its reduction (Jacob et al., CVPR 2018). The action of one such add; an
  // empty name when the weights are not asymmetric. (Asymmetric inputs'
  // correction, z_x sum_k w_k, is a constant per output channel, folded into
  // the bias ahead of time.)
  ActionDesc zero_point_action(const LayerPrecision& p) const {
    return {"vector", p.weights.scheme == Scheme::UniformAsymmetric ? "zero_point_sum" : "", p.accumulator.bits};
  }
};

}  // namespace qnnsim
