#pragma once
// `qnnsim diff A.json B.json [--tolerance 1%] [--limit N]` and
// `qnnsim check GOLDEN.yaml [--bless]`: what changed between two runs, and
// published figures kept under regression.
#include <cstddef>
#include <string>

#include <vector>

#include <CLI/CLI.hpp>

#include "report/report_diff.h"

namespace qnnsim::cli {

// Exit codes of diff and check: 0 within tolerance, 1 past it, 2 bad input.
constexpr int kExitChanged = 1;

struct DiffArgs {
  std::string a, b;
  std::string tolerance = "0";
  std::size_t limit = 40;
  bool actions = false;  // compare every action's count and energy too
};
CLI::App* add_diff_command(CLI::App& app, DiffArgs& args);
int run_diff(const DiffArgs& args);

// Prints changes, largest first, at most `limit` (0: all); returns how many are past the tolerance.
std::size_t print_changes(const std::vector<FigureChange>& changes, double tolerance, std::size_t limit);

struct CheckArgs {
  std::string golden;
  bool bless = false;
  std::size_t limit = 20;
};
CLI::App* add_check_command(CLI::App& app, CheckArgs& args);
int run_check(const CheckArgs& args);

}  // namespace qnnsim::cli
