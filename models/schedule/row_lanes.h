#pragma once
// The rows' axis the array mapper unrolls a layer over. Usually the
// dataflow's row dimensions over the array's rows. On an array whose PEs sum
// their products inside themselves (ArraySpec::reduction_lanes > 1, Bit
// Fusion's fused bricks) each PE is that many lanes of one reduction, so the
// rows take C alone (the flattened C x R x S under im2col), rows x lanes of
// it, and a layer with less of C than that leaves lanes idle: the authors'
// release charges ceil(ic / (N x perf factor)) steps a position
// (github.com/hsharma35/bitfusion, src/simulator/accelerator.py,
// get_compute_cycles). Internal to models/schedule.
#include <array>
#include <cstdint>

#include "arch/arch_spec.h"

namespace qnnsim::search {

struct RowAxis {
  std::array<bool, kDims> allowed{};  // dimensions the rows may unroll
  int64_t size = 1;                   // lanes down a column: rows x lanes
  int64_t lanes = 1;                  // lanes a PE sums into one partial sum
};

RowAxis row_axis(const ArchSpec& arch, const LayerPrecision& p);

}  // namespace qnnsim::search
