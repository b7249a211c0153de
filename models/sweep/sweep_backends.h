#pragma once
// The two ways a planned sweep's missing points get run. Both store each
// finished point in `db` and report what happened; neither decides which
// points are missing (run_sweep does).
#include <cstddef>
#include <vector>

#include "sweep/results_db.h"
#include "sweep/sweep_plan.h"
#include "sweep/sweep_runner.h"

namespace qnnsim {

enum class BackendEnd { Done, Interrupted, Failed };

// Processes on this machine, `jobs` at a time: long-lived workers that run
// point after point, or (process_per_point) one forked process per point.
BackendEnd run_local(const SweepPlan& plan, const std::vector<std::size_t>& todo, ResultsDb& db, int jobs,
                     bool progress, bool process_per_point);

// A Slurm job array whose tasks run shares of `todo` into their own results
// files, merged into `db` when the array ends (and on the next run, if this
// one was stopped before merging).
BackendEnd run_slurm(const SweepPlan& plan, const std::vector<std::size_t>& todo, ResultsDb& db,
                     const SweepOptions& o);

// Merges the shard files a previous Slurm run left beside `db`; how many points they added.
int64_t merge_leftover_shards(ResultsDb& db);

}  // namespace qnnsim
