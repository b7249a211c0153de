#pragma once
// The closed-form side of a mapping: every transfer and MAC its execution must
// produce, summed over the loop nest without walking it. Block sizes are
// counted per class (full blocks and the edge block of each level), so the
// cost grows with the number of distinct block shapes, not with the layer.
// The simulation walks the same nest tile by tile and pass by pass
// (nest_walk.h); a test holds the two equal.
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "arch/arch_spec.h"
#include "arch/dataflow.h"
#include "schedule/loop_nest.h"

namespace qnnsim {

struct OperandCounts {
  // DRAM <-> buffer: tile loads (weights, inputs) or stores (outputs).
  uint64_t dram_bits = 0;      // read from DRAM, or written to it
  uint64_t glb_dma_words = 0;  // buffer words the loads write, or the stores read
  // Buffer <-> PEs.
  uint64_t glb_read_words = 0, glb_write_words = 0;
  uint64_t noc_sent_bits = 0, noc_delivered_bits = 0;
  uint64_t fill_values = 0;   // values written into PE scratchpads
  uint64_t drain_values = 0;  // partial sums read out of PE scratchpads
  uint64_t hop_bits = 0;      // partial sums passed from PE to PE to be reduced
  uint64_t fetches = 0;       // deliveries into the PEs (kept) or passes (streamed)
  uint64_t noc_readback_bits = 0;  // partial sums of noc_sent_bits read back into the PEs (the rest go out)
};

struct NestCounts {
  std::array<OperandCounts, kOperands> op;
  uint64_t tiles = 0, passes = 0;
  uint64_t macs = 0, active_macs = 0;
  uint64_t compute_cycles = 0;      // the array busy with passes
  // The scratchpad accesses of the MACs themselves, summed pass by pass as
  // the array counts them (a sparse array rounds its skipped reads per pass).
  std::vector<std::pair<ActionDesc, uint64_t>> mac_accesses;
  uint64_t weight_load_cycles = 0;  // the array taking in weight tiles
  // The least head latency (NocSpec::head_cycles) of any pass's region: every
  // transfer goes to the PEs of the pass that takes it.
  int64_t least_head_cycles = 0;
  const OperandCounts& operator[](Operand o) const { return op[static_cast<std::size_t>(o)]; }
  OperandCounts& operator[](Operand o) { return op[static_cast<std::size_t>(o)]; }
};

NestCounts count_nest(const ArchSpec& arch, const Layer& layer, const LoopBounds& b, const Mapping& m,
                      const Dataflow& flow);

}  // namespace qnnsim
