#pragma once
// `qnnsim levels DESIGN.yaml [--json FILE]`: the per-level, per-tensor access
// counts and energy of a level design (schedule/level_design.h).
// `qnnsim levels DESIGN.yaml --search [--workload W] [--objective energy|latency|edp]`:
// its mapping searched for its layer, or for every array layer of W.
// A design that says `time: simulated` is also stepped by the level engine.
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "schedule/level_design.h"
#include "sim/level_engine.h"

namespace qnnsim::cli {

struct LevelsArgs {
  std::string design, json;
  bool search = false;
  std::string workload, objective = "energy";
  int64_t batch = 0;  // with --workload: the batch mapped (0: the trace's)
};

// One mapping's counts and energy per level and tensor, and its totals.
nlohmann::json level_counts_json(const LevelDesign& d, const LevelNestCounts& c, const std::vector<LevelEnergy>& e);
// A design with `time: simulated`: each mapping stepped by the level engine
// (sim/level_engine.h) as well, its time and what the compute units waited
// on, as a line of text and as JSON.
std::string simulated_text(const LevelDesign& d, const LevelSimulation& s);
nlohmann::json simulated_json(const LevelDesign& d, const LevelSimulation& s);

CLI::App* add_levels_command(CLI::App& app, LevelsArgs& args);
int run_levels(const LevelsArgs& args);        // the process exit code
int run_level_search(const LevelsArgs& args);  // --search (level_search_command.cpp)

}  // namespace qnnsim::cli
