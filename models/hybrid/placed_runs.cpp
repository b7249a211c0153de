#include "hybrid/placed_runs.h"

#include "core/config_error.h"
#include "design/fresh_kernel.h"
#include "hybrid/hybrid_result.h"
#include "hybrid/part_runs.h"

namespace qnnsim {

PlacedRuns::PlacedRuns(const HybridSpec& h, const Workload& w, RunRequest how) : h_(h), w_(w), how_(std::move(how)) {}

const PlacedRuns::Simulated& PlacedRuns::simulated(const Key& key) {
  auto it = memo_.find(key);
  if (it == memo_.end()) {
    const auto [part_index, first, last, in_place] = key;
    const HybridPartSpec& part = h_.parts[part_index];
    Simulated s;
    RunRequest part_how;
    part_how.objective = how_.objective;
    part_how.weights_in_place = in_place;
    part_how.warn = [&s](const std::string& text) { s.warnings.push_back(text); };
    // Each run elaborates a SystemC model of its part: a fresh kernel for each.
    install_fresh_systemc_kernel();
    // A run its part cannot make fails the same way each time it is asked for.
    try {
      s.result = part.design->run(run_workload(w_, PartRun{part_index, first, last}), part_how);
    } catch (const CannotRun& e) {
      s.failure = std::make_exception_ptr(CannotRun("part '" + part.name + "' of '" + h_.file + "': " + e.what()));
    } catch (const ConfigError&) {
      s.failure = std::current_exception();
    }
    if (s.result.in_memory)
      for (const std::string& warning : s.result.in_memory->warnings) s.warnings.push_back(warning);
    it = memo_.emplace(key, std::move(s)).first;
  }
  if (it->second.failure) std::rethrow_exception(it->second.failure);
  return it->second;
}

RunResult PlacedRuns::run(const std::vector<std::size_t>& part_of, bool warn) {
  const std::vector<PartRun> runs = cut_into_runs(w_, part_of);
  // A part that cannot hold the weights of all its layers at once has them
  // overwritten by its other runs: each run writes its own first.
  std::vector<bool> weights_stay;
  std::vector<double> areas;
  for (std::size_t p = 0; p < h_.parts.size(); ++p) {
    const Workload mine = part_workload(w_, part_of, p);
    weights_stay.push_back(mine.layers.empty() || h_.parts[p].design->holds_weights_of(mine));
    areas.push_back(h_.parts[p].design->area_mm2([&] { return mine; }));
  }
  std::vector<RunResult> results;
  for (const PartRun& run : runs) {
    const Simulated& s = simulated({run.part, run.first, run.last, weights_stay[run.part]});
    results.push_back(s.result);
    if (warn && how_.warn)
      for (const std::string& text : s.warnings) how_.warn(h_.parts[run.part].name + ": " + text);
  }
  return merge_part_runs(h_, w_, runs, results, areas);
}

}  // namespace qnnsim
