// Systolic array (TPU style): a rows x cols grid of PEs passing operands to
// their neighbours. A pass in which each PE runs V iterations takes
// V' + rows + cols - 2 steps (fill and drain through the whole array), V' the
// steps the MAC unit needs for V MACs, each step the unit's cycles per step.
// With two weight registers per PE the next
// weight tile loads while the current one computes; a tile of r rows shifts
// in over r cycles.
//
// Three keys say how a design departs from that (each defaults to the TPU's way):
// - `weight_load: shifted | pe_buffer`. Shifted: a weight tile enters at the
//   array's top edge and moves down a row a cycle, r cycles for r rows (the
//   TPU's weight FIFO and shift; Jouppi et al., ISCA 2017, section 2).
//   pe_buffer: each PE reads its weights from its own bank of the weight
//   buffer, every PE at once, in one cycle (assumed: one read of each bank;
//   the release does not time it). Bit Fusion's weight buffer has a
//   bank per fusion unit, N x M banks for an N x M array (the authors'
//   release, github.com/hsharma35/bitfusion, src/simulator/simulator.py,
//   wbuf_bank = N * M), and no weight is passed from unit to unit.
// - `streamed_passes: true`: each pass of a layer after its first enters its
//   operands behind the previous pass's last ones, so its fill overlaps that
//   pass's drain and only the layer's first pass pays the rows + cols - 2
//   steps (pass_overlap_cycles).
//   It needs the next pass's weights in place while the previous one's last
//   operands are still in the array: a shadow weight register (weights: 2)
//   or a per-PE weight buffer. Bit Fusion's release charges no fill at all:
//   its compute cycles are the steps alone (src/simulator/accelerator.py,
//   get_compute_cycles), one pipeline of fusion units fed every cycle from
//   its buffers.
// - `im2col: array | host_input | none`. Array: the array's data setup feeds
//   any row any element of the flattened filter window, from the feature map
//   as stored, on any layer (the TPU; schedule/im2col.h). host_input: the
//   rows take whole factors of C, R and S, and only the network's input
//   arrives flattened, expanded by the host into one column of C x R x S
//   values per output position (schedule/host_im2col.h), as Bit Fusion's
//   release does (github.com/hsharma35/bitfusion, src/simulator/simulator.py,
//   get_cycles: im2col for the layer fed by the input only). none: no layer
//   is flattened.
//
// Per MAC, a PE reads its weight, the incoming input and partial sum, and
// writes the input and partial sum on to its neighbours: 3 register reads and
// 2 register writes, each of the tensor's width. Values fetched into the PE
// registers (weights, under weight stationary) are register writes too.
//
// A unit that sums its products inside itself (MacSpec::fused_reduction, Bit
// Fusion's fused bricks) holds a weight per lane and reads and passes on one
// partial sum a step for all its lanes: its products widen the rows'
// reduction (reduction_lanes), so the array reduces rows x lanes of C a step
// and each lane runs one MAC a step.
#include "pe_array/scratchpad_array.h"

namespace qnnsim {

namespace {

class SystolicSpec : public ScratchpadArray {
 public:
  SystolicSpec(const ConfigNode& node, const BuildContext& ctx) : ScratchpadArray(node, ctx) {
    // Operands march through the grid in lockstep: a PE cannot skip ahead
    // of its neighbours, and its registers hold dense values.
    if (sparse_.declared())
      node.fail("sparse", "a SystolicArray passes dense operands in lockstep and cannot skip or compress zeros; "
                          "sparse applies to a SpatialArray (zero_gating saves a systolic MAC's energy)");
    const std::string load = node.text("weight_load", "shifted");
    if (load != "shifted" && load != "pe_buffer")
      node.fail("weight_load", "expected shifted (down the rows, a row a cycle) or pe_buffer (each PE from its own "
                               "bank of the weight buffer), not '" + load + "'");
    weights_from_pe_buffer_ = load == "pe_buffer";
    streamed_passes_ = node.flag("streamed_passes", false);
    im2col_ = node.text("im2col", "array");
    if (im2col_ != "array" && im2col_ != "host_input" && im2col_ != "none")
      node.fail("im2col", "expected array (the array flattens any layer's filter window), host_input (the host "
                          "expands the network input's windows; the array flattens none) or none, not '" +
                              im2col_ + "'");
    finish_parse();
    if (streamed_passes_ && !double_buffered_weights() && !weights_from_pe_buffer_)
      node.fail("streamed_passes", "a pass can follow the previous one straight on only with its weights already in "
                                   "the PEs: give them a shadow set (spad: {weights: 2}) or weight_load: pe_buffer");
  }

  bool double_buffered_weights() const override { return weight_entries_ >= 2; }
  // Inputs enter at the array's edge, one per row per step, from the buffer:
  // any element of the flattened filter window can go to any row, as in the
  // TPU's matrix unit fed by its systolic data setup (Jouppi et al., ISCA
  // 2017, section 2 and figure 1) and SCALE-Sim's weight-stationary operand
  // matrices (scale-sim-v2, scalesim/compute/systolic_compute_ws.py).
  bool flattens_reduction() const override { return im2col_ == "array"; }
  bool host_expands_input() const override { return im2col_ == "host_input"; }
  int64_t spad_capacity(Tensor t) const override {
    if (t == Tensor::Weights) return double_buffered_weights() ? weight_entries_ / 2 : weight_entries_;
    return t == Tensor::Inputs ? input_entries_ : psum_entries_;
  }
  // A fused unit's products widen the rows' reduction (its lanes), so each
  // lane runs one MAC a step; otherwise the unit's MACs a step run along the
  // PE's own loop.
  int64_t reduction_lanes(const LayerPrecision& p) const override {
    return mac().fused_reduction() ? mac().rate(p).macs : 1;
  }
  bool fuses_reduction() const override { return mac().fused_reduction(); }
  uint64_t pass_cycles(uint64_t iterations, int64_t, int64_t, const LayerPrecision& p) const override {
    MacRate r = mac().rate(p);
    if (reduction_lanes(p) > 1) r.macs = 1;
    return (mac_steps(iterations, r) + static_cast<uint64_t>(rows() + cols() - 2)) * static_cast<uint64_t>(r.cycles);
  }
  uint64_t weight_load_cycles(int64_t rows_used) const override {
    return weights_from_pe_buffer_ ? 1 : static_cast<uint64_t>(rows_used);
  }
  uint64_t pass_overlap_cycles(const LayerPrecision& p) const override {
    if (!streamed_passes_) return 0;
    return static_cast<uint64_t>(rows() + cols() - 2) * static_cast<uint64_t>(mac().rate(p).cycles);
  }
  std::vector<std::pair<ActionDesc, uint64_t>> mac_accesses(uint64_t macs, uint64_t active, uint64_t sums,
                                                            const LayerPrecision& p) const override {
    // A gated MAC skips its weight read; inputs and partial sums still pass
    // through. A fused unit passes one partial sum a step for all its lanes.
    std::vector<std::pair<ActionDesc, uint64_t>> a = {
        {{"spad", "read", p.weights.bits}, active},   {{"spad", "read", p.inputs.bits}, macs},
        {{"spad", "read", p.accumulator.bits}, sums}, {{"spad", "write", p.inputs.bits}, macs},
        {{"spad", "write", p.accumulator.bits}, sums}};
    add_codebook_lookups(a, active, p);
    return a;
  }

 protected:
  double link_bit_pj() const override { return register_bit_pj_; }  // into the next PE's register

 private:
  bool weights_from_pe_buffer_ = false;
  bool streamed_passes_ = false;
  std::string im2col_ = "array";
};

QNNSIM_REGISTER(ArraySpec::Registry, "SystolicArray", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<ArraySpec>(new SystolicSpec(n, c));
});

}  // namespace
}  // namespace qnnsim
