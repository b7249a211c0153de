#pragma once
// `qnnsim levels DESIGN.yaml [--json FILE]`: the per-level, per-tensor access
// counts and energy of a level design (schedule/level_design.h).
#include <string>

#include <CLI/CLI.hpp>

namespace qnnsim::cli {

struct LevelsArgs {
  std::string design, json;
};

CLI::App* add_levels_command(CLI::App& app, LevelsArgs& args);
int run_levels(const LevelsArgs& args);  // the process exit code

}  // namespace qnnsim::cli
