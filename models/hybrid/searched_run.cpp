#include "hybrid/searched_run.h"

#include <optional>
#include <set>
#include <string>

#include "core/config_error.h"
#include "hybrid/hybrid_placement.h"
#include "hybrid/placement_search.h"

namespace qnnsim {

RunResult run_searched(const HybridSpec& h, const Workload& w, Objective objective, PlacedRuns& runs) {
  const std::vector<std::size_t> automatic = place_layers(h, w);
  const auto value = [objective](const RunResult& r) {
    return objective_value(objective, r.summary.energy_pj, r.summary.latency_s);
  };
  // The automatic placement runs as it would without the search, errors and
  // all. A candidate a part cannot run (CannotRun, or a part's ConfigError: a
  // layer its MAC units or its buffer cannot take, which cannot_run does not
  // foresee) is passed over, and so is one whose runs warn of something the
  // automatic placement's do not (an in-memory layer whose input window
  // exceeds its eDRAM, modelled as if it fitted; ADC conversions that clip):
  // its figures rest on a simplification the search must not seek out.
  // Warnings are compared as text, and some name what their run holds (the
  // tiles a layer shares, the layers not costed), so a warning the rule's
  // placement also raised can read as new in another run: the rule errs on
  // the side of passing a placement over.
  const RunResult start = runs.run(automatic, false);
  const double automatic_value = value(start);
  const std::set<std::string> known(start.hybrid->warnings.begin(), start.hybrid->warnings.end());
  std::size_t warned = 0, failed = 0;
  const PlacementSearch found =
      search_placement(w, placement_choices(h, w), automatic, [&](const std::vector<std::size_t>& part_of) {
        std::optional<double> v;
        try {
          const RunResult r = runs.run(part_of, false);
          for (const std::string& text : r.hybrid->warnings)
            if (!known.count(text)) return ++warned, v;
          v = value(r);
        } catch (const CannotRun&) {
          ++failed;
        } catch (const ConfigError&) {
          ++failed;
        }
        return v;
      });
  RunResult result = runs.run(found.part_of, true);
  PlacementSearchSummary summary;
  summary.objective = objective_name(objective);
  summary.automatic_value = automatic_value;
  summary.chosen_value = found.value;
  for (std::size_t i = 0; i < automatic.size(); ++i) summary.layers_moved += found.part_of[i] != automatic[i];
  summary.placements_scored = found.placements_scored;
  summary.runs_simulated = runs.runs_simulated();
  summary.starts = found.starts;
  summary.passes = found.passes;
  summary.passed_over_for_warnings = warned;
  summary.passed_over_cannot_run = failed;
  result.hybrid->placement_search = summary;
  return result;
}

}  // namespace qnnsim
