#include "cli/diff_command.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/report_diff.h"

namespace qnnsim::cli {

namespace {

constexpr int kExitBadInput = 2;

// A run's JSON report; false (after a message) when it is missing or not one.
bool load_report(const std::string& path, nlohmann::json& out) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::cerr << "error: '" << path << "' is a directory; expected the JSON file of `qnnsim run --json`\n";
    return false;
  }
  std::ifstream in(path);
  if (!in) {
    std::cerr << "error: cannot read '" << path << "'\n";
    return false;
  }
  try {
    out = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    std::cerr << "error: " << path << ": not JSON (" << e.what() << ")\n";
    return false;
  } catch (const std::exception& e) {  // the stream itself failed (a device, an I/O error)
    std::cerr << "error: cannot read '" << path << "': " << e.what() << "\n";
    return false;
  }
  if (!out.is_object() || !out.contains("summary") || !out.contains("layers")) {
    std::cerr << "error: " << path << ": not a qnnsim report (expected the 'summary' and 'layers' of `qnnsim run --json`)\n";
    return false;
  }
  return true;
}

}  // namespace

CLI::App* add_diff_command(CLI::App& app, DiffArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "diff", "Print what changed between two JSON reports, per layer and component, largest change first; exit 1 "
              "when a figure changed past the tolerance");
  cmd->add_option("A", a.a, "the earlier report (run --json)")->required();
  cmd->add_option("B", a.b, "the later report")->required();
  cmd->add_option("--tolerance", a.tolerance, "relative change allowed, e.g. 1% or 0.01 (default 0: any change)");
  cmd->add_option("--limit", a.limit, "print at most N changes, largest first (0: all; default 40)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--actions", a.actions, "compare each action's count and energy too (default: layers, components, totals)");
  return cmd;
}

// Prints changes, largest first, up to `limit` (0: all); returns how many are past the tolerance.
std::size_t print_changes(const std::vector<FigureChange>& changes, double tolerance, std::size_t limit) {
  std::size_t past = 0;
  for (const FigureChange& c : changes) past += c.past(tolerance) ? 1 : 0;
  std::size_t shown = 0;
  for (const FigureChange& c : changes) {
    if (limit != 0 && shown == limit) {
      std::cout << fmt::format("  ... and {} smaller changes (--limit 0 shows all)\n", changes.size() - shown);
      break;
    }
    const auto num = [](bool absent, double v) { return absent ? std::string("-") : fmt::format("{:.9g}", v); };
    std::cout << fmt::format("  {:>10} {:>17} {:>17}  {}{}\n", describe_change(c), num(c.only_b, c.a), num(c.only_a, c.b),
                             c.key, c.past(tolerance) ? "" : "  (within tolerance)");
    ++shown;
  }
  return past;
}

int run_diff(const DiffArgs& a) {
  double tolerance = 0;
  if (!parse_tolerance(a.tolerance, tolerance)) {
    std::cerr << "error: --tolerance '" << a.tolerance << "': expected a relative change such as 1% or 0.01\n";
    return kExitBadInput;
  }
  nlohmann::json ja, jb;
  if (!load_report(a.a, ja) || !load_report(a.b, jb)) return kExitBadInput;
  Figures fa = flatten_report(ja), fb = flatten_report(jb);
  if (!a.actions)
    for (Figures* f : {&fa, &fb})
      for (auto it = f->begin(); it != f->end();)
        it = it->first.find(".actions.") != std::string::npos || it->first.rfind("energy_by_action_pj.", 0) == 0 ? f->erase(it)
                                                                                                             : std::next(it);
  const std::vector<FigureChange> changes = compare_figures(fa, fb);
  std::cout << fmt::format("qnnsim diff: {} -> {} (tolerance {:g}%)\n", a.a, a.b, tolerance * 100);
  if (!changes.empty()) std::cout << fmt::format("  {:>10} {:>17} {:>17}  {}\n", "change", "A", "B", "figure");
  const std::size_t past = print_changes(changes, tolerance, a.limit);
  // Every figure either report has: one only in A or only in B is a change too.
  std::size_t figures = fa.size();
  for (const auto& entry : fb) figures += fa.count(entry.first) == 0 ? 1 : 0;
  std::cout << fmt::format("{} figures compared, {} changed, {} past the tolerance\n", figures, changes.size(), past);
  return past == 0 ? 0 : kExitChanged;
}

}  // namespace qnnsim::cli
