#pragma once
// Which of a spec's points a sweep runs: every expanded point that passes the
// constraints on parameters and area, once per distinct content hash
// (constraints on results judge points after they run: result_constraints.h). Pre-run figures (area_mm2)
// are computed only when a constraint reads them; an arch that cannot even be
// loaded for them is a failed point, recorded like one that fails to run.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sweep/point_config.h"
#include "sweep/results_db.h"
#include "sweep/sweep_points.h"
#include "sweep/sweep_spec.h"

namespace qnnsim {

struct SweepPlan {
  SweepSpec spec;
  std::vector<SweepPoint> points;   // all expanded points
  std::vector<std::string> hashes;  // per point; empty when dropped before resolving
  std::vector<std::size_t> runnable;   // point indices to run, in order
  std::vector<PointRecord> unloadable;  // points whose arch did not load for a constraint
  int64_t dropped = 0;                  // by constraints
  int64_t duplicates = 0;               // same inputs as an earlier point
  std::unique_ptr<PointResolver> resolver;
};

// A Slurm task's share of the points: indices into the expanded points, as
// read from `file` (which errors name). It may be empty: a shard can get none.
struct PointShare {
  std::string file;
  std::vector<std::size_t> indices;
};

// `share` (when given) restricts the plan to its point indices, each of
// which must be a point of the sweep; without it the plan takes every point.
std::unique_ptr<SweepPlan> plan_sweep(const std::string& spec_path, const std::optional<PointShare>& share);

// A result row for point i, its parameters and identity filled in.
PointRecord record_for(const SweepPlan& plan, std::size_t i);

}  // namespace qnnsim
