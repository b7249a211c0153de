#pragma once
// A dataflow is a set of constraints on the mapping space, not a code path:
// which loop dimensions may be unrolled across the array's rows and columns,
// which may loop inside a PE, and which tensors the PEs keep in their
// scratchpads (the others stream through the PEs, fetched for every use).
// The mapper searches only mappings that satisfy them; the analysis and the
// simulation are the same for every dataflow.
//
//   weight_stationary  rows C R S, cols M; PEs keep weights, loop over N P Q
//                      (TPU-style systolic: inputs and partial sums stream)
//   output_stationary  rows N P Q, cols M; PEs keep partial sums, loop over C R S
//   input_stationary   rows C, cols N P Q; PEs keep inputs, loop over M
//   row_stationary     Eyeriss: rows R (folded with C and M), cols P (with N);
//                      PEs keep a filter row, an input window sliding along Q,
//                      and a row of partial sums; they loop over Q S C M N.
//                      Filter rows and columns are whole: R all on rows, S
//                      all inside a PE, never split over time
//   unconstrained      any dimension anywhere; PEs keep all three
//
// In the architecture YAML `dataflow:` is one of these names, or a mapping
// {rows: [...], cols: [...], pe: [...], keep: [...], slide: Q, whole: [...]}
// for a custom one.
#include <array>
#include <string>

#include "core/config_node.h"
#include "workload/loop_dims.h"

namespace qnnsim {

struct Dataflow {
  std::string name;
  std::array<bool, kDims> rows{}, cols{}, pe{};  // where each dimension may have a factor > 1
  std::array<bool, kOperands> keep{};            // what the PE scratchpads hold
  int slide = -1;  // a PE loop the kept input and output windows slide along (Q for row stationary)
  // Dimensions never looped over in time above the array: a pass covers as
  // much of them as the array and the PEs allow (all of it, when it fits).
  std::array<bool, kDims> whole{};

  bool keeps(Operand o) const { return keep[static_cast<std::size_t>(o)]; }
  // The most of a whole dimension of `extent` one pass can cover on an array of rows x cols.
  int64_t whole_reach(int d, int64_t extent, int64_t rows, int64_t cols) const;
  // Whether passes covering `covered` of a whole dimension each take as few
  // passes as the widest would. A pass need not be the widest: 11 filter rows
  // on 8 array rows take two passes of 6 as well as one of 8 and one of 3.
  bool covers_whole(int d, int64_t extent, int64_t covered, int64_t rows, int64_t cols) const;
  // Passes over a whole dimension when each covers `covered` of it.
  static int64_t whole_passes(int64_t extent, int64_t covered);
};

Dataflow parse_dataflow(const ConfigNode& root);  // root's `dataflow` key
Dataflow named_dataflow(const std::string& name);  // empty name when unknown
std::string dataflow_names();

}  // namespace qnnsim
