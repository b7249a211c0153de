#pragma once
// Figures of two JSON reports side by side: every number a report holds,
// named by its path (summary.energy_pj, layers.conv1.energy_breakdown_pj.dram,
// layers.conv1.actions.glb:glb.read.count), with the relative change of each.
// `qnnsim diff` prints them; `qnnsim check` compares a run with golden figures.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qnnsim {

using Figures = std::map<std::string, double>;

// Every number in a report, keyed by its path; layers by name, a layer's
// actions by component:action. Provenance and text are left out.
Figures flatten_report(const nlohmann::json& report);

struct FigureChange {
  std::string key;
  double a = 0, b = 0;
  bool only_a = false, only_b = false;
  // (b - a) / |a|; infinite when a is 0 and b is not.
  double relative() const;
  bool past(double tolerance) const;  // beyond the relative tolerance, or present on one side only
};

// The figures that differ, largest relative change first (figures on one side
// only before all others).
std::vector<FigureChange> compare_figures(const Figures& a, const Figures& b);

// "+12.5%", "-0.031%", "new", "gone": a change for a person to read.
std::string describe_change(const FigureChange& c);

// "1%" or "0.01" as a fraction; false when it is neither, or negative.
bool parse_tolerance(const std::string& text, double& fraction);

}  // namespace qnnsim
