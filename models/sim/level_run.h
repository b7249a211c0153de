#pragma once
// `qnnsim run` on a level design (schedule/level_design.h): each convolution,
// fully connected and matrix layer of the workload is mapped by the level
// search and costed by the level model (closed-form counts per level and
// tensor; time set by the busiest level or the compute units), the layers one
// after another, and reported like any other run: per layer and for the
// network, energy by level and by action, the outermost level's traffic as
// DRAM traffic, and the chip's area where its levels are components.
//
// The SystemC engine does not step level designs yet, so their time is the
// level model's bound, not a simulated schedule with its stalls. A level
// design has no vector unit: pooling, element-wise and normalisation layers
// are listed as not costed (the table, the JSON and a warning say so).
#include <map>
#include <stdexcept>
#include <string>

#include "schedule/level_design.h"
#include "schedule/level_search.h"
#include "design/run_result.h"
#include "workload/workload.h"

namespace qnnsim {

// Throws std::invalid_argument naming the layer when the design cannot run a
// layer: no technology (no clock), a layer wider than the design's words, or
// no mapping that fits the levels.
RunResult run_level_design(const LevelDesign& d, const Workload& w, Objective objective);

// The chip's area by component: every level below off-chip memory (its
// instances), the compute units and the vector unit. Empty unless the design
// builds them all from components (LevelDesign::area_complete).
std::map<std::string, double> level_design_area_mm2(const LevelDesign& d);

}  // namespace qnnsim
