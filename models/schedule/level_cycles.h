#pragma once
// How long a mapped layer takes on a level design: the compute units step
// through the mapping's temporal loops, and every level must move its values
// through its ports meanwhile. Transfers overlap computation (each level
// double-buffers its blocks, as Timeloop assumes), so the layer takes as long
// as the slowest of them; the one that sets it is the bound.
#include <cstdint>
#include <string>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "schedule/level_design.h"

namespace qnnsim {

struct LevelCycles {
  uint64_t compute = 0;         // the mapping's temporal steps: every level keeping up
  std::vector<uint64_t> level;  // what each level's busiest port needs (as the nest's levels)
  uint64_t total = 0;           // the largest of these
  std::string bound;            // "compute", or the name of the level that sets `total`
};

LevelCycles level_cycles(const LevelDesign& d, const LevelNestCounts& c);
// What level l's ports and network need (LevelCycles::level), and the
// largest of every level's and the compute's (LevelCycles::total) alone,
// without the names: a search asks for it several times a mapping.
uint64_t level_cycles_at(const LevelDesign& d, const LevelNestCounts& c, std::size_t l);
uint64_t level_cycles_total(const LevelDesign& d, const LevelNestCounts& c);

// What each independent resource of level l needs to move its share of `c`,
// each on its own: the port shared by reads and writes, the read port, the
// write port, then each network of its fan-out (0 where the level has no such
// resource, or it is unbounded). level_cycles_at is the largest; the level
// engine (sim/level_engine.h) books each on its own calendar.
using LevelLanes = boost::container::small_vector<uint64_t, 6>;
LevelLanes level_lane_cycles(const LevelDesign& d, const LevelNestCounts& c, std::size_t l);

// Cycles the ports of one instance of level `l` need to move `a` (totals
// over `instances` instances sharing the work evenly), at the level's
// bandwidth in its units; 0 when unbounded.
uint64_t level_port_cycles(const LevelDesign& d, std::size_t l, const std::array<TensorAccesses, kOperands>& a,
                           double instances);

}  // namespace qnnsim
