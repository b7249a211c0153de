#pragma once
// What `qnnsim results` prints from a results file: every point as CSV, or
// the Pareto front over chosen objectives, one front per workload (points of
// different workloads do not compete).
#include <ostream>
#include <string>
#include <vector>

#include "sweep/results_db.h"

namespace qnnsim {

// One row per point: identity, every parameter any point has (in first-seen
// order), status and error, then the figures.
void write_results_csv(const std::vector<PointRecord>& points, std::ostream& out);

// One row per point and evaluated layer (a long table, as pandas reads it):
// the point's identity and parameters, then the layer's figures from the
// `accuracy_layers` table (accuracy_layers_db.h).
void write_accuracy_layers_csv(const std::vector<PointRecord>& points, const std::vector<AccuracyLayerRow>& layers,
                               std::ostream& out);

void print_pareto(const std::vector<PointRecord>& points, const std::vector<std::string>& objectives, std::ostream& out);

// Counts by sweep and status, for a first look at a file.
void print_overview(const std::vector<PointRecord>& points, std::ostream& out);

}  // namespace qnnsim
