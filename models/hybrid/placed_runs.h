#pragma once
// A hybrid design run under one placement: the trace cut into runs of
// consecutive layers on one part (part_runs.h), each run simulated by its
// part's family in a fresh SystemC kernel, the results merged into one
// (hybrid_result.h).
//
// A run's result depends only on its part, its layers and whether the part's
// weights are in place as it starts (RunRequest::weights_in_place), never on
// the runs around it: the runs follow one another through off-chip memory.
// So a placement search, which tries placements that differ in a few layers,
// simulates each such run once and takes it from here after; the figures are
// those a run of that placement alone gives.
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "design/design_family.h"
#include "hybrid/hybrid_spec.h"
#include "workload/workload.h"

namespace qnnsim {

class PlacedRuns {
 public:
  // `how.warn` receives the warnings of the runs a placement's result is
  // made of, when run() is asked to pass them on.
  PlacedRuns(const HybridSpec& h, const Workload& w, RunRequest how);

  // The hybrid's result with layer i on part part_of[i]. CannotRun names the
  // part when one cannot run its share; a part's ConfigError (a layer its
  // units or buffers cannot take) passes through. Warnings are passed on only
  // with `warn`: a search's rejected placements raise none.
  RunResult run(const std::vector<std::size_t>& part_of, bool warn);

  // Runs simulated so far (each distinct part, layers and weights state
  // once, those that failed included).
  std::size_t runs_simulated() const { return memo_.size(); }

 private:
  struct Simulated {
    RunResult result;
    std::vector<std::string> warnings;  // what the part's run raised, in order
    std::exception_ptr failure;         // CannotRun or ConfigError: the part cannot make this run
  };
  // part, first layer, last layer, weights in place
  using Key = std::tuple<std::size_t, std::size_t, std::size_t, bool>;

  const Simulated& simulated(const Key& key);

  const HybridSpec& h_;
  const Workload& w_;
  RunRequest how_;
  std::map<Key, Simulated> memo_;
};

}  // namespace qnnsim
