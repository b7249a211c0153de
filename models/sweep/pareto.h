#pragma once
// Objectives of stored points, and the Pareto front over two or more of them.
// Every objective is minimised except throughput and accuracy, which are
// maximised. A point competes when it ran (status ok), has every objective
// (accuracy only with the spec's `accuracy:` section) and fails no
// constraint on its results.
#include <optional>
#include <string>
#include <vector>

#include "sweep/results_db.h"

namespace qnnsim {

// The objective names (energy, latency, edp, area, throughput, accuracy), for messages.
const std::vector<std::string>& objective_names();
bool is_objective(const std::string& name);
double objective_value(const PointRecord& r, const std::string& objective);  // accuracy: NaN when not measured
bool is_maximised(const std::string& objective);
std::string objective_unit(const std::string& objective);

// Indices into `points` (competing ones only) that no other competing point dominates,
// ordered by the first objective.
std::vector<std::size_t> pareto_front(const std::vector<PointRecord>& points, const std::vector<std::string>& objectives);

}  // namespace qnnsim
