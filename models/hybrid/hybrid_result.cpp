#include "hybrid/hybrid_result.h"

#include <algorithm>
#include <array>

#include "design/time_causes.h"

namespace qnnsim {

RunResult merge_part_runs(const HybridSpec& h, const Workload& w, const std::vector<PartRun>& runs,
                          const std::vector<RunResult>& results, const std::vector<double>& part_area_mm2) {
  RunResult r;
  r.arch = h.name;
  r.workload = w.name;
  r.batch = w.batch;
  HybridSummary hybrid;
  hybrid.runs = runs.size();
  for (std::size_t i = 0; i < h.parts.size(); ++i) {
    HybridPart part;
    part.name = h.parts[i].name;
    part.family = h.parts[i].family->name();
    part.area_mm2 = part_area_mm2[i];
    hybrid.parts.push_back(part);
  }
  std::vector<bool> area_given(h.parts.size(), false);
  Summary& s = r.summary;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const RunResult& one = results[k];
    const std::string& prefix = h.parts[runs[k].part].name;
    HybridPart& part = hybrid.parts[runs[k].part];
    part.design = one.arch;
    part.clock_hz = one.clock_hz;
    part.runs += 1;
    part.layers += one.layers.size();
    part.macs += one.summary.macs;
    part.latency_s += one.summary.latency_s;
    part.energy_pj += one.summary.energy_pj;
    part.dram_bytes += one.summary.dram_bytes;
    for (const TimeCause& c : time_causes(one)) {
      const auto same = std::find_if(part.time.begin(), part.time.end(), [&](const TimeCause& t) { return t.what == c.what; });
      if (same == part.time.end())
        part.time.push_back(c);
      else
        same->seconds += c.seconds;
    }
    // A family's warnings, from the section it keeps them in; a run repeats a
    // part's warning that holds for every run, so each is kept once.
    std::vector<std::string> warnings;
    if (one.in_memory) warnings = one.in_memory->warnings;
    if (one.levels) warnings.insert(warnings.end(), one.levels->warnings.begin(), one.levels->warnings.end());
    for (const std::string& text : warnings) {
      const std::string line = prefix + ": " + text;
      if (std::find(hybrid.warnings.begin(), hybrid.warnings.end(), line) == hybrid.warnings.end())
        hybrid.warnings.push_back(line);
    }
    for (LayerResult l : one.layers) {
      l.placement = prefix;
      r.layers.push_back(std::move(l));
    }
    // The run's own totals, not its layers' sum: a family may charge energy
    // no single layer owns (reprogramming between segments, a pipeline's idle time).
    s.latency_s += one.summary.latency_s;
    s.macs += one.summary.macs;
    s.energy_pj += one.summary.energy_pj;
    s.dram_bytes += one.summary.dram_bytes;
    for (const auto& [component, pj] : one.summary.energy_breakdown_pj) s.energy_breakdown_pj[prefix + "." + component] += pj;
    for (const auto& [action, pj] : one.summary.energy_by_action_pj) s.energy_by_action_pj[prefix + "." + action] += pj;
    if (!area_given[runs[k].part])
      for (const auto& [block, mm2] : one.summary.area_breakdown_mm2) s.area_breakdown_mm2[prefix + "." + block] = mm2;
    area_given[runs[k].part] = true;
  }
  for (std::size_t i = 0; i < h.parts.size(); ++i) {
    s.area_mm2 += part_area_mm2[i];
    // A part nothing ran on is still on the chip; its area is known only whole.
    if (!area_given[i]) s.area_breakdown_mm2[h.parts[i].name] = part_area_mm2[i];
  }
  // The runs follow one another, so each kind of resource's share of the
  // latency is its causes' sum over every part.
  std::array<double, 3> by_bound{};
  for (const HybridPart& part : hybrid.parts)
    for (const TimeCause& c : part.time) by_bound[static_cast<std::size_t>(c.bound)] += c.seconds;
  const auto most = std::max_element(by_bound.begin(), by_bound.end());
  if (*most > 0) {  // no time recorded (no clock, no latency): the default stands
    hybrid.bound = static_cast<TimeBound>(most - by_bound.begin());
    hybrid.bound_s = *most;
  }
  finish_summary(s);
  r.hybrid = std::move(hybrid);
  return r;
}

}  // namespace qnnsim
