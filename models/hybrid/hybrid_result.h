#pragma once
// One RunResult from the runs of a hybrid design's parts.
#include <vector>

#include "hybrid/hybrid_spec.h"
#include "hybrid/part_runs.h"
#include "design/run_result.h"

namespace qnnsim {

// `results[k]` is what `runs[k]`'s part returned for it. The layers come out
// in trace order, each with the part it ran on; the totals add the runs' (the
// runs follow one another, so latencies add), energy and actions by component
// are keyed "part.component", and the area is the parts' areas
// (`part_area_mm2`, in the order of h.parts) and nothing more. Cycles are per
// layer in its part's clock; the parts' clocks differ, so the hybrid's own
// clock and cycle totals are 0 and its time is in seconds.
RunResult merge_part_runs(const HybridSpec& h, const Workload& w, const std::vector<PartRun>& runs,
                          const std::vector<RunResult>& results, const std::vector<double>& part_area_mm2);

}  // namespace qnnsim
