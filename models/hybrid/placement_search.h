#pragma once
// A search over a hybrid design's placements (`placement.search: true`):
// which part each layer runs on, chosen by the run's objective rather than by
// the automatic rule.
//
// A placement's cost is not a sum over layers: consecutive layers on one part
// run as one workload (an in-memory chip pipelines them and keeps their
// activations on chip), a layer moved to another part cuts that run in two
// and sends its activations off chip and back, and whether a crossbar part
// holds all its layers' weights at once decides whether each run rewrites
// them. So the search scores whole placements (hybrid/placed_runs.h runs
// them, each run once), and moves layers in the groups where those effects
// show:
//   - every free layer of one type onto one part (all depthwise convolutions
//     to the digital array, as a designer would try first);
//   - a run's free layers together onto another part (a segment of the
//     trace, so that it stays one run);
//   - one layer at a time.
// A descent takes a move only when it lowers the objective; passes over all
// moves repeat until one changes nothing. It descends from the automatic
// rule's placement, then from each part taking every layer it may (a local
// move cannot cross a ridge where each step adds a cut before the next pays
// for it), and keeps the best placement found, so never one worse than the
// rule's. The order of the starts and moves is fixed, so the search is
// deterministic. It is a local search: it does not promise the best
// placement; a test compares it with every placement of a small network.
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "workload/workload.h"

namespace qnnsim {

struct PlacementSearch {
  std::vector<std::size_t> part_of;  // the part of each layer
  double start_value = 0;            // the objective under the starting placement
  double value = 0;                  // and under the one chosen
  std::size_t placements_scored = 0;  // distinct placements scored, the start included
  std::size_t passes = 0;             // the most passes a descent took, the last (changing nothing) included
  std::size_t starts = 0;             // descents started (a start that cannot run is skipped)
};

// The objective's value of a placement, or nothing when a part cannot run its share.
using PlacementCost = std::function<std::optional<double>(const std::vector<std::size_t>&)>;

// `choices[i]`: the parts layer i may run on, in part order (one part for a
// layer the placement names); `start` must give each layer one of its
// choices, and `cost(start)` a value (std::invalid_argument otherwise).
PlacementSearch search_placement(const Workload& w, const std::vector<std::vector<std::size_t>>& choices,
                                 const std::vector<std::size_t>& start, const PlacementCost& cost);

}  // namespace qnnsim
