#pragma once
// What the array mapper's search enumerates, short of the loop orders: the
// spatial unrollings of the array's rows and columns, the PE loop factors
// that fit the scratchpads, and the buffer tile sizes to try per dimension.
// The search (array_search.cpp) takes their product and ranks it with the
// estimate (array_estimate.h). Internal to models/schedule.
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "schedule/search_support.h"

namespace qnnsim::search {

// A spatial unrolling of one axis: up to two dimensions the dataflow allows
// on it, with how much of the axis and of the dimensions it uses.
struct AxisChoice {
  DimArray f = kOnes;
  double efficiency = 0;
  unsigned dims = 0;  // bit set of the unrolled dimensions
};

// For every set of at most two dimensions the axis allows, the unrolling
// that uses the axis best; and leaving the axis unused.
std::vector<AxisChoice> axis_choices(const LoopBounds& b, const std::array<bool, kDims>& allowed, int64_t size);

// Row and column unrollings that share no dimension, the fullest arrays first;
// the rows as row_axis gives them for the layer's precision.
std::vector<std::pair<DimArray, DimArray>> spatial_candidates(const ArchSpec& arch, const LoopBounds& b,
                                                              const LayerPrecision& p);

// PE loops no kept tensor's scratchpad space depends on: the PE takes the
// whole tile's extent of them.
std::array<bool, kDims> free_pe_loops(const Dataflow& flow);

bool fits_scratchpads(const ArchSpec& arch, const LoopBounds& b, const DimArray& pe);

// Tile sizes to try, in units of passes, for a dimension of `n` passes.
std::vector<int64_t> tile_ladder(int64_t n);

// A mapping of the given spatial and PE factors whose buffer tile is a single pass.
Mapping one_pass_tile(const LoopBounds& b, const DimArray& rows, const DimArray& cols, const DimArray& pe,
                      const std::array<bool, kDims>& free_pe);

// PE factors of the constrained PE loops worth trying under one spatial unrolling.
std::vector<DimArray> pe_candidates(const ArchSpec& arch, const Layer& l, const LoopBounds& b, const DimArray& rows,
                                    const DimArray& cols, const std::array<bool, kDims>& free_pe);

}  // namespace qnnsim::search
