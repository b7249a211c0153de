#pragma once
// `qnnsim run` on a level design (schedule/level_design.h): each convolution,
// fully connected and matrix layer of the workload is mapped by the level
// search and costed by the level model (counts per level and tensor), the
// layers one after another, and reported like any other run: per layer and
// for the network, energy by level and by action, the outermost level's
// traffic as DRAM traffic, and the chip's area where its levels are
// components. Pooling, element-wise and normalisation layers go to the
// design's vector unit (level_vector.h), or are listed as not costed.
//
// A layer's time is the closed form's (the busiest level or the compute
// units), or with `time: simulated` the schedule the SystemC engine steps
// (level_engine.h), whose counts a test holds equal to the closed form's:
// leakage then lasts as long as the simulated layer.
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
