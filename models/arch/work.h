#pragma once
// The TLM extension every transaction carries: which layer it belongs to and
// what tile-level work it asks for. One transaction moves or computes a whole
// tile; targets turn it into time (closed form) and action counts.
#include <cstdint>

#include <tlm>

#include "workload/precision.h"
#include "workload/vector_ops.h"

namespace qnnsim {

struct Work : tlm::tlm_extension<Work> {
  enum class Kind {
    Read,         // memory: read `bits`
    Write,        // memory: write `bits`
    Transfer,     // NoC: send `bits`, delivering `delivered_bits` in all (multicast sends once)
    LoadWeights,  // PE array: take a weight tile into `rows_used` rows of PEs (time only)
    Fill,         // PE array: write `values` of `tensor` into PE scratchpads
    Drain,        // PE array: read `values` partial sums out, passing `hop_bits` from PE to PE
    Compute,      // PE array: one pass, `macs` MACs, `iterations` per PE on rows_used x cols_used PEs
    Vector,       // vector unit: `vector` element operations
    Requantize,   // vector unit: requantize `values` finished outputs of an array layer
    ZeroPointSums,  // vector unit: `values` adds summing inputs for asymmetric weights' zero point
  };

  Kind kind = Kind::Read;
  int layer = 0;
  uint64_t bits = 0;
  uint64_t delivered_bits = 0;
  // Transfer: from the PEs to the buffer (partial sums out) rather than from
  // the buffer to the PEs; a mesh routes the two directions on different links.
  bool to_buffer = false;
  // Transfer to the PEs: the bits come straight from DRAM (a tensor the buffer
  // does not keep), so they enter the network where off-chip traffic does.
  bool from_dram = false;
  Tensor tensor = Tensor::Weights;
  uint64_t values = 0;
  uint64_t hop_bits = 0;
  uint64_t macs = 0;
  uint64_t iterations = 0;
  int64_t rows_used = 0;
  int64_t cols_used = 0;
  VectorOps vector;

  tlm::tlm_extension_base* clone() const override { return new Work(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const Work&>(other);
  }
};

}  // namespace qnnsim
