#pragma once
// `qnnsim sweep`: plan the points, skip those the results file already holds,
// run the rest (here, in forked processes, or as a Slurm job array) and store
// each as it finishes.
#include <string>
#include <vector>

namespace qnnsim {

struct SweepOptions {
  std::string spec_path, db_path;
  int jobs = 0;  // 0: one per core
  std::string backend = "local";
  bool resume = false;
  bool retry_failed = false;
  bool dry_run = false;
  bool progress = true;
  // Each point in its own process forked from the sweep, as before workers ran
  // many points each: for debugging, and to check both give the same results.
  bool process_per_point = false;
  std::string command_line;  // recorded with the results (provenance)
  // A Slurm task's share: the point indices in `points_file` at positions k with k % shards == shard.
  std::string points_file;
  int shard = 0, shards = 1;
  // The Slurm backend's job array.
  int slurm_tasks = 0;  // 0: as many as the points allow, up to 16
  std::vector<std::string> sbatch_args;
};

// Returns the process exit code: 0 done, 1 every point failed or Slurm failed,
// 2 bad spec or options, 130 interrupted.
int run_sweep(const SweepOptions& o);

}  // namespace qnnsim
