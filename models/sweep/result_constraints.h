#pragma once
// Constraints on what a point's run gives (`accuracy >= 0.88`,
// `adc_clip_fraction < 0.01`, `overflow_fraction < 0.001`): unlike those on
// parameters and area, which drop a point before it runs, these judge it
// after. A point that fails one keeps its row, figures and all (the
// trade-off it shows is still information), and the constraints it fails are
// written beside it; the Pareto fronts and the best points leave it out.
#include <cstdint>
#include <string>

#include "sweep/results_db.h"
#include "sweep/sweep_plan.h"

namespace qnnsim {

// The constraints on results that an ok point's record fails, as the spec
// wrote them, joined by "; "; empty when it passes them all.
std::string result_constraint_violations(const SweepSpec& spec, const SweepPoint& p, const PointRecord& r);

// Judges every ok point of the plan stored in `db` (run now or earlier, so a
// changed constraint applies on --resume too) and records the verdicts.
// Returns how many fail.
int64_t judge_results(const SweepPlan& plan, ResultsDb& db);

}  // namespace qnnsim
