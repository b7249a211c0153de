#include "sweep/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qnnsim {

const std::vector<std::string>& objective_names() {
  static const std::vector<std::string> names{"energy", "latency", "edp", "area", "throughput", "accuracy"};
  return names;
}

bool is_objective(const std::string& name) {
  const auto& n = objective_names();
  return std::find(n.begin(), n.end(), name) != n.end();
}

double objective_value(const PointRecord& r, const std::string& objective) {
  if (objective == "energy") return r.energy_pj;
  if (objective == "latency") return r.latency_s;
  if (objective == "edp") return r.edp_pj_s;
  if (objective == "area") return r.area_mm2;
  if (objective == "accuracy") return r.accuracy ? *r.accuracy : std::numeric_limits<double>::quiet_NaN();
  return r.throughput_gops;
}

bool is_maximised(const std::string& objective) { return objective == "throughput" || objective == "accuracy"; }

std::string objective_unit(const std::string& objective) {
  if (objective == "energy") return "pJ";
  if (objective == "latency") return "s";
  if (objective == "edp") return "pJ*s";
  if (objective == "area") return "mm2";
  if (objective == "accuracy") return "fraction";
  return "GOPS";
}

namespace {

// Smaller is better, whatever the objective.
double cost(const PointRecord& r, const std::string& objective) {
  const double v = objective_value(r, objective);
  return is_maximised(objective) ? -v : v;
}

bool competes(const PointRecord& r, const std::vector<std::string>& objectives) {
  if (r.status != "ok" || !r.constraint_violations.empty()) return false;
  for (const std::string& o : objectives)
    if (std::isnan(objective_value(r, o))) return false;
  return true;
}

bool dominates(const PointRecord& a, const PointRecord& b, const std::vector<std::string>& objectives) {
  bool strictly = false;
  for (const std::string& o : objectives) {
    if (cost(a, o) > cost(b, o)) return false;
    if (cost(a, o) < cost(b, o)) strictly = true;
  }
  return strictly;
}

}  // namespace

std::vector<std::size_t> pareto_front(const std::vector<PointRecord>& points, const std::vector<std::string>& objectives) {
  std::vector<std::size_t> ok;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (competes(points[i], objectives)) ok.push_back(i);
  // Sorted by every objective in turn, a point can be dominated only by one before it.
  std::sort(ok.begin(), ok.end(), [&](std::size_t a, std::size_t b) {
    for (const std::string& o : objectives) {
      const double x = cost(points[a], o), y = cost(points[b], o);
      if (x != y) return x < y;
    }
    return a < b;
  });
  std::vector<std::size_t> front;
  for (std::size_t i : ok) {
    bool dominated = false;
    for (std::size_t f : front)
      if (dominates(points[f], points[i], objectives)) {
        dominated = true;
        break;
      }
    if (!dominated) front.push_back(i);
  }
  return front;
}

}  // namespace qnnsim
