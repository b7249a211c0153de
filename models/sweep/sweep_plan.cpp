#include "sweep/sweep_plan.h"

#include <set>

#include "core/config_node.h"
#include "sweep/edit_blame.h"

namespace qnnsim {

std::unique_ptr<SweepPlan> plan_sweep(const std::string& spec_path, const std::optional<PointShare>& share) {
  auto plan = std::make_unique<SweepPlan>();
  plan->spec = load_sweep_spec(spec_path);
  plan->points = expand_points(plan->spec);
  plan->hashes.assign(plan->points.size(), "");
  plan->resolver = std::make_unique<PointResolver>(plan->spec);
  std::vector<std::size_t> candidates;
  if (share) {
    for (std::size_t i : share->indices)
      if (i >= plan->points.size())
        throw ConfigError({share->file, 0, 0}, "",
                          "point index " + std::to_string(i) + " is not a point of sweep '" + plan->spec.name +
                              "', which has " + std::to_string(plan->points.size()) + " (0 to " +
                              std::to_string(plan->points.size() - 1) + "); was the file written for another spec?");
    candidates = share->indices;
  } else {
    for (std::size_t i = 0; i < plan->points.size(); ++i) candidates.push_back(i);
  }
  const bool need_area = plan->spec.constraints_need_area();
  std::set<std::string> seen;
  for (std::size_t i : candidates) {
    const SweepPoint& p = plan->points.at(i);
    std::map<std::string, double> values = numeric_values(plan->spec, p);
    // Constraints on parameters alone first: they cost nothing to check.
    // Those on results (accuracy) judge the point after its run (result_constraints.h).
    bool keep = true;
    for (const SweepConstraint& c : plan->spec.constraints)
      if (!c.reads_results() && !c.expr.names().count(kAreaName) && !c.holds(values, describe_point(plan->spec, p)))
        keep = false;
    if (!keep) {
      ++plan->dropped;
      continue;
    }
    // The plan needs each point's trees only until the next: written over one parse.
    const ResolvedPoint r = plan->resolver->resolve_over_last(p, true);
    plan->hashes[i] = r.hash;
    if (need_area) {
      try {
        values[kAreaName] = plan->resolver->area_mm2(r);
      } catch (const ConfigError& e) {
        PointRecord rec = record_for(*plan, i);
        rec.status = "failed";
        rec.error = std::string(blame_edit(plan->spec, e).what()) + " [this point sets " + describe_point(plan->spec, p) + "]";
        plan->unloadable.push_back(rec);
        continue;
      }
      for (const SweepConstraint& c : plan->spec.constraints)
        if (!c.reads_results() && !c.holds(values, describe_point(plan->spec, p))) keep = false;
      if (!keep) {
        ++plan->dropped;
        continue;
      }
    }
    if (!seen.insert(r.hash).second) {
      ++plan->duplicates;
      continue;
    }
    plan->runnable.push_back(i);
  }
  return plan;
}

PointRecord record_for(const SweepPlan& plan, std::size_t i) {
  const SweepPoint& p = plan.points.at(i);
  PointRecord r;
  r.hash = plan.hashes[i];
  r.sweep = plan.spec.name;
  r.point_index = static_cast<int64_t>(i);
  // A failed point has no report; its arch and network are still known by name.
  const YAML::Node arch_name = plan.spec.arch_tree["name"], network = plan.spec.workload_trees[p.workload]["network"];
  // (A missing key is an invalid node here, which throws if asked its type.)
  if (arch_name.IsDefined() && arch_name.IsScalar()) r.arch = arch_name.Scalar();
  if (network.IsDefined() && network.IsScalar()) r.workload = network.Scalar();
  for (std::size_t k = 0; k < plan.spec.parameters.size(); ++k) {
    const SweepParameter& param = plan.spec.parameters[k];
    if (!param.fixed) r.params.push_back({param.name, param.path.text, param.value_text[p.choice[k]]});
  }
  if (plan.spec.workload_files.size() > 1)
    r.params.push_back({"workload_file", "workload_file", plan.spec.workload_files[p.workload]});
  return r;
}

}  // namespace qnnsim
