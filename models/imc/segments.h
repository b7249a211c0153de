#pragma once
// Weight reloading: which consecutive layers share the chip between two
// reprogrammings, and how spare IMAs become copies inside a segment.
//
// Packing as many layers as fit into each segment minimises the number of
// reprogrammings, but it can leave the slowest layer of a segment with no
// spare IMAs for copies, and a segment runs the whole batch at the pace of
// its slowest layer. So the boundaries are chosen to minimise the estimated
// time of the whole run instead: per segment, the rewrite (its weights,
// copies included, over the chip I/O, or its rows written one by one,
// whichever is longer), the activations crossing its edges over the chip
// I/O, and its layers over the batch with copies given out as `replicate`
// gives them, each layer no faster than its outputs leave through one router
// link. The estimate leaves out contention; the simulation then measures the
// chosen plan with it.
#include <cstdint>
#include <vector>

#include "imc/imc_arch.h"
#include "imc/placement.h"
#include "workload/workload.h"

namespace qnnsim {

// Gives the chip's IMAs beyond `used` to the slowest of `members`, one copy
// at a time, until the next copy would not fit or cannot help.
void replicate(const ImcArch& arch, std::vector<LayerPlacement>& layers, const std::vector<std::size_t>& members,
               int64_t& used);

// The segments (lists of consecutive layer indices) that minimise the
// estimated run time. A layer in parts has a segment to itself. `layers`
// holds one copy of each layer, parts set.
std::vector<std::vector<std::size_t>> choose_segments(const ImcArch& arch, const Workload& w,
                                                      const std::vector<LayerPlacement>& layers);

}  // namespace qnnsim
