#pragma once
// Where a run's time went, in seconds, named and sorted into what bounds it:
// off-chip transfers, on-chip storage and networks, or the compute units.
// The families report time in their own terms (cycles of one clock, stalls
// keyed by resource or by level, a pipeline's weight rewrites); this puts
// them on one scale, so a design made of parts with different clocks (a
// hybrid) can say which of them its latency waits on.
#include <vector>

#include "design/run_result.h"
#include "design/time_cause.h"

namespace qnnsim {

// A run's time by cause, each cause once, in the order the family reports
// them. Stall causes are the run's own stall cycles at its clock: DRAM and a
// level design's outermost level are off-chip, every other level, the
// buffer and the network on-chip. An in-memory run's weight rewrites are
// off-chip (the weights come in through the chip I/O); the rest of its
// latency, and a dataflow design's, is its pipeline computing. Causes of
// zero seconds are left out.
std::vector<TimeCause> time_causes(const RunResult& r);

}  // namespace qnnsim
