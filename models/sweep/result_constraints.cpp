#include "sweep/result_constraints.h"

#include <limits>
#include <map>
#include <stdexcept>

namespace qnnsim {

std::string result_constraint_violations(const SweepSpec& spec, const SweepPoint& p, const PointRecord& r) {
  std::map<std::string, double> values = numeric_values(spec, p);
  values[kAreaName] = r.area_mm2;
  // An unknown figure fails every comparison (NaN), so a point that has none
  // is never taken for one that passed.
  values[kAccuracyName] = r.accuracy ? *r.accuracy : std::numeric_limits<double>::quiet_NaN();
  // A design without ADCs clips no conversion.
  values[kAdcClipName] = r.adc_clip_fraction ? *r.adc_clip_fraction : 0.0;
  // Unknown in a point stored before the figure was: it fails, as accuracy does.
  values[kOverflowName] = r.overflow_fraction ? *r.overflow_fraction : std::numeric_limits<double>::quiet_NaN();
  std::string out;
  for (const SweepConstraint& c : spec.constraints) {
    if (!c.reads_results()) continue;
    // A figure of 0 it divides by fails the point, as an unknown figure does.
    bool passes = false;
    try {
      passes = c.expr.evaluate(values) != 0;
    } catch (const std::domain_error&) {
    }
    if (!passes) out += (out.empty() ? "" : "; ") + c.text;
  }
  return out;
}

int64_t judge_results(const SweepPlan& plan, ResultsDb& db) {
  bool any = false;
  for (const SweepConstraint& c : plan.spec.constraints) any = any || c.reads_results();
  if (!any) return 0;
  std::map<std::string, std::size_t> point_of;
  for (std::size_t i : plan.runnable) point_of.emplace(plan.hashes[i], i);
  int64_t failing = 0;
  for (const PointRecord& r : db.points()) {
    const auto found = point_of.find(r.hash);
    if (found == point_of.end() || r.status != "ok") continue;
    const std::string v = result_constraint_violations(plan.spec, plan.points[found->second], r);
    if (v != r.constraint_violations) db.set_constraint_violations(r.hash, v);
    failing += !v.empty();
  }
  return failing;
}

}  // namespace qnnsim
