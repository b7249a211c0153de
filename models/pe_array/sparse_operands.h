#pragma once
// What a PE array does with zeros when it declares `sparse:` (Eyeriss v2,
// Chen et al., JETCAS 2019): weights stored compressed in CSC form, so
// storage and traffic follow the non-zero count, and MACs whose weight (or
// input) is zero skipped, saving their energy and, where the array says so,
// their cycles.
//
//   sparse:
//     weights: csc             # weights kept as (value, zero count) pairs
//     count_bits: 4            # width of the count stored beside each value
//     skip: [weights, inputs]  # operands whose zeros skip the MAC
//     saves_time: true         # a skipped MAC takes no cycle
//
// Densities come from the trace (precision.weights.density and
// inputs.density). Zeros are taken as independent of each other.
#include <cstdint>

#include "core/config_node.h"
#include "workload/precision.h"

namespace qnnsim {

struct SparseOperands {
  bool csc_weights = false;  // weights stored and moved as CSC entries
  int count_bits = 0;        // zero-run count per entry
  bool skip_weights = false, skip_inputs = false;
  bool saves_time = false;

  bool declared() const { return csc_weights || skip_weights || skip_inputs; }

  // CSC entries `values` weights of this density take: one per non-zero, and
  // one more for each run of zeros longer than the count can say (a run of
  // L zeros needs floor(L / 2^count_bits) extra entries whose value is zero).
  // For independent zeros that is q^(2^c) / (1 - q^(2^c)) extra entries per
  // non-zero on average, q = 1 - density: ceil(values x density / (1 -
  // q^(2^c))) entries in all, never more than the values. The
  // per-column address vector is not counted (see README, Eyeriss v2).
  uint64_t weight_entries(uint64_t values, double density) const;
  // Bits of one stored weight entry: the value, and its count under CSC.
  int entry_bits(int weight_bits) const { return weight_bits + (csc_weights ? count_bits : 0); }
  // The fraction of MACs left once zeros of the skipped operands are skipped.
  double work_fraction(const LayerPrecision& p) const;
};

// Reads `sparse:` of a PE array node; an absent key declares nothing.
SparseOperands parse_sparse_operands(const ConfigNode& array_node);

}  // namespace qnnsim
