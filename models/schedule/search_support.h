#pragma once
// What the array mapper and the vector-layer planner share: candidate block
// sizes, the ranking of candidates (estimates, the exact score of a laid-out
// plan), and the error for a layer whose smallest tile does not fit. Internal
// to models/schedule.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "schedule/mapper.h"

namespace qnnsim::search {

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Candidate block sizes for a dimension of extent n: every distinct ceil(n / k).
// Those are the sizes that split n into k nearly equal blocks, about 2*sqrt(n) of them.
std::vector<int64_t> block_sizes(int64_t n);

struct Estimate {
  // A default estimate is worse than any real one, whatever the objective.
  PlanScore figures{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  double dram_bits = 0;
  int64_t tiles = 0;

  double score(Objective o) const { return figures.value(o); }
  // The objective first; estimates within 1% count as equal (the estimate is
  // not that precise), and then the other figure decides (latency for an
  // energy objective, energy otherwise), then less DRAM traffic, then fewer tiles.
  bool better_than(const Estimate& o, Objective obj) const;
};

// Bits of each tensor one buffer tile holds (inputs with their halo), per
// slot; none of a tensor the buffer does not keep.
struct TileNeed {
  double w = 0, i = 0, o = 0;
  int slots = 2;
  double total() const { return slots * (w + i + o); }
  std::array<double, 3> by_tensor() const { return {slots * w, slots * i, slots * o}; }
  std::string parts() const;
};
TileNeed tile_need(const Layer& l, const LoopBounds& b, const Mapping& m, const BufferSpec& buffer, const ArraySpec& pe);
// The same from the tile's extents per dimension (dim_extents(m, b, d).tile).
TileNeed tile_need(const Layer& l, const LoopBounds& b, const DimArray& tile_extents, const BufferSpec& buffer,
                   const ArraySpec& pe);

// Values of a kept tensor one PE holds for a pass; a sliding loop counts once.
int64_t pe_need(Operand o, const LoopBounds& b, const DimArray& pe, int slide);

// DRAM bits per raw bit of activations (compression, if the DRAM has it), for estimates.
double activation_ratio(const ArchSpec& arch, int64_t bits, double density);

// The exact analytical figures of a laid-out plan (see score_plan).
Estimate exact_estimate(const ArchSpec& arch, const Layer& l, const LayerPlan& plan);

[[noreturn]] void does_not_fit(const ArchSpec& arch, const Layer& l, double need_bits, const std::string& parts);

// The planners of the two kinds of layer.
Mapping search_array_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective);
// `described`: with the plan's tiling text (for reports); the search's exact
// scoring of its front runners, which reads only figures, leaves it out.
LayerPlan layout_array_layer(const ArchSpec& arch, const Layer& l, int64_t batch, const Mapping& m,
                             bool described = true);
VectorTiling search_vector_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective);
void check_vector_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, const VectorTiling& m,
                          const ConfigNode& where);
LayerPlan layout_vector_layer(const ArchSpec& arch, const Layer& l, int64_t batch, const VectorTiling& m);
// Embedding lookups (lookup_plan.cpp): tiles of images and tokens (C is
// always 1, the id), each reading its ids and the rows they select.
VectorTiling search_lookup_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, Objective objective);
void check_lookup_mapping(const ArchSpec& arch, const Layer& l, int64_t batch, const VectorTiling& m,
                          const ConfigNode& where);
LayerPlan layout_lookup_layer(const ArchSpec& arch, const Layer& l, int64_t batch, const VectorTiling& m);

}  // namespace qnnsim::search
