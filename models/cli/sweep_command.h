#pragma once
// `qnnsim sweep SPEC.yaml [-j N] [--db FILE] [--backend local|slurm] [--resume]`
// and `qnnsim results DB [--csv] [--pareto OBJ,OBJ]`.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sweep/sweep_runner.h"

namespace qnnsim::cli {

struct ResultsArgs {
  std::string db, output, sweep, pareto;
  bool csv = false;
  bool accuracy_layers = false;  // --accuracy-layers: the evaluation's per-layer figures as CSV
};

CLI::App* add_sweep_command(CLI::App& app, SweepOptions& o, std::string& shard);
int run_sweep_command(SweepOptions o, const std::string& shard);

CLI::App* add_results_command(CLI::App& app, ResultsArgs& args);
int run_results_command(const ResultsArgs& args);

}  // namespace qnnsim::cli
