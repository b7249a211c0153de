#pragma once
// The points of a sweep, before constraints: every combination of parameter
// values the spec's `combine` asks for, crossed with its workloads. The
// order is fixed by the spec alone (random sampling is seeded), so every
// process that expands the same spec numbers its points the same way.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "sweep/sweep_spec.h"

namespace qnnsim {

struct SweepPoint {
  std::size_t index = 0;     // position in the expanded sweep
  std::size_t workload = 0;  // into SweepSpec::workload_files
  std::vector<std::size_t> choice;  // per parameter, the index of its value
};

std::vector<SweepPoint> expand_points(const SweepSpec& spec);

// The point's parameters that are plain numbers, by name (for constraints).
std::map<std::string, double> numeric_values(const SweepSpec& spec, const SweepPoint& p);

// name=value for every parameter, in spec order (for progress and errors).
std::string describe_point(const SweepSpec& spec, const SweepPoint& p);

}  // namespace qnnsim
