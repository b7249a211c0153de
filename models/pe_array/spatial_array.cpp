// Spatial array (Eyeriss style): PEs fed from the buffer by multicast buses,
// not by their neighbours. Each PE runs its own loop nest over its
// scratchpads, and partial sums are reduced by passing them up a column from
// PE to PE (Chen et al., ISCA 2016 and JSSC 2017).
//
// Timing: a PE does MACs at its MAC unit's rate (one per cycle for a plain
// multiplier). A pass ends when the last partial sums have travelled up the
// column, rows_used - 1 hops after the last MAC. There is one set of weight
// scratchpad entries: a new weight tile is written as it arrives over the
// network, so the network's time is the load time, and the array waits for
// it (the controller books both).
//
// Per MAC, a PE reads its weight and input and reads and writes its partial
// sum: 3 scratchpad reads and 1 write; a MAC unit that keeps inputs or
// partial sums inside itself shares one access among several MACs
// (MacSpec::operand_sharing, e.g. the lookup-table unit). With zero gating an input of zero skips
// the weight read and the multiply (Eyeriss JSSC 2017); the partial sum
// accesses still happen. A partial-sum bit passed to the next PE costs a
// network bit: Eyeriss' normalized energies count inter-PE transfers as
// array-network traffic (ISCA 2016).
//
// A sparse array (pe_array/sparse_operands.h, after Eyeriss v2) reads only
// the non-zero inputs it skips on, reads a weight entry (value and count)
// and updates a partial sum only for the MACs it performs, and, with
// saves_time, spends cycles only on them.
#include "pe_array/scratchpad_array.h"

namespace qnnsim {

namespace {

// Scratchpad accesses of `per_mac` MACs' worth when `sharing` MACs share one
// (rounded up: a part-filled group still makes its access).
uint64_t shared_accesses(uint64_t per_mac, int sharing) {
  const auto s = static_cast<uint64_t>(sharing);
  return (per_mac + s - 1) / s;
}

class SpatialSpec : public ScratchpadArray {
 public:
  SpatialSpec(const ConfigNode& node, const BuildContext& ctx) : ScratchpadArray(node, ctx) {
    link_bit_pj_ = table_.energy_pj("noc_per_bit", node);
    finish_parse();
  }

  bool double_buffered_weights() const override { return false; }
  int64_t spad_capacity(Tensor t) const override {
    return t == Tensor::Weights ? weight_entries_ : t == Tensor::Inputs ? input_entries_ : psum_entries_;
  }
  uint64_t pass_cycles(uint64_t iterations, int64_t rows_used, int64_t, const LayerPrecision& p) const override {
    const MacRate r = mac().rate(p);
    return (mac_steps(busy_iterations(iterations, p), r) + static_cast<uint64_t>(rows_used - 1)) *
           static_cast<uint64_t>(r.cycles);
  }
  uint64_t weight_load_cycles(int64_t) const override { return 0; }  // the network's time covers it
  // Each PE's unit keeps its own sums (no fused lanes: reduction_lanes is 1).
  std::vector<std::pair<ActionDesc, uint64_t>> mac_accesses(uint64_t macs, uint64_t active, uint64_t /*sums*/,
                                                            const LayerPrecision& p) const override {
    const OperandSharing shared = mac().operand_sharing(p);
    const uint64_t psums = shared_accesses(psum_updates(macs, active), shared.psums);
    std::vector<std::pair<ActionDesc, uint64_t>> a = {
        {{"spad", "read", weight_entry_bits(p)}, active},
        {{"spad", "read", p.inputs.bits}, shared_accesses(input_reads(macs, p), shared.inputs)},
        {{"spad", "read", p.accumulator.bits}, psums},
        {{"spad", "write", p.accumulator.bits}, psums}};
    add_codebook_lookups(a, active, p);
    return a;
  }

 protected:
  double link_bit_pj() const override { return link_bit_pj_; }

 private:
  double link_bit_pj_ = 0;
};

QNNSIM_REGISTER(ArraySpec::Registry, "SpatialArray", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<ArraySpec>(new SpatialSpec(n, c));
});

}  // namespace
}  // namespace qnnsim
