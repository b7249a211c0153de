#pragma once
// A hybrid design run under the placement a search chooses
// (`placement.search: true`; the search itself is hybrid/placement_search.h).
#include <vector>

#include "design/objective.h"
#include "design/run_result.h"
#include "hybrid/hybrid_spec.h"
#include "hybrid/placed_runs.h"
#include "workload/workload.h"

namespace qnnsim {

// Searches from the automatic placement (place_layers), scoring placements
// by `objective` through `runs`, and returns the chosen placement's result
// with its warnings passed on and `hybrid.placement_search` filled in.
// CannotRun when the automatic placement cannot run.
RunResult run_searched(const HybridSpec& h, const Workload& w, Objective objective, PlacedRuns& runs);

}  // namespace qnnsim
