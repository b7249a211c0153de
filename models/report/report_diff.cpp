#include "report/report_diff.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/quantity.h"

namespace qnnsim {

namespace {

void flatten(const nlohmann::json& j, const std::string& path, Figures& out) {
  const auto join = [&](const std::string& k) { return path.empty() ? k : path + "." + k; };
  if (j.is_number()) {
    out[path] = j.get<double>();
  } else if (j.is_boolean()) {
    out[path] = j.get<bool>() ? 1 : 0;
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items())
      if (k != "provenance") flatten(v, join(k), out);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      const nlohmann::json& e = j[i];
      // Layers by name and actions by component:action, so that a layer added
      // or removed does not shift every later one.
      std::string key = std::to_string(i);
      if (e.is_object() && e.contains("name") && e["name"].is_string()) key = e["name"].get<std::string>();
      else if (e.is_object() && e.contains("component") && e.contains("action"))
        key = e["component"].get<std::string>() + ":" + e["action"].get<std::string>();
      flatten(e, join(key), out);
    }
  }
}

}  // namespace

Figures flatten_report(const nlohmann::json& report) {
  Figures f;
  flatten(report, "", f);
  return f;
}

double FigureChange::relative() const {
  if (a == b) return 0;
  if (a == 0) return std::numeric_limits<double>::infinity();
  return (b - a) / std::fabs(a);
}

bool FigureChange::past(double tolerance) const { return only_a || only_b || std::fabs(relative()) > tolerance; }

std::vector<FigureChange> compare_figures(const Figures& a, const Figures& b) {
  std::vector<FigureChange> changes;
  for (const auto& [k, v] : a) {
    const auto it = b.find(k);
    if (it == b.end()) changes.push_back({k, v, 0, true, false});
    else if (it->second != v) changes.push_back({k, v, it->second, false, false});
  }
  for (const auto& [k, v] : b)
    if (a.count(k) == 0) changes.push_back({k, 0, v, false, true});
  const auto size = [](const FigureChange& c) {
    return c.only_a || c.only_b ? std::numeric_limits<double>::max() : std::fabs(c.relative());
  };
  std::stable_sort(changes.begin(), changes.end(),
                   [&](const FigureChange& x, const FigureChange& y) { return size(x) > size(y); });
  return changes;
}

std::string describe_change(const FigureChange& c) {
  if (c.only_a) return "gone";
  if (c.only_b) return "new";
  const double r = c.relative();
  if (std::isinf(r)) return "from 0";
  return fmt::format("{:+.3g}%", r * 100);
}

bool parse_tolerance(const std::string& text, double& fraction) {
  std::string t = text;
  double scale = 1;
  if (!t.empty() && t.back() == '%') {
    t.pop_back();
    scale = 0.01;
  }
  const auto v = parse_number(t);
  if (!v || *v < 0) return false;
  fraction = *v * scale;
  return true;
}

}  // namespace qnnsim
