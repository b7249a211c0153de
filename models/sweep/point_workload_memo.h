#pragma once
// A sweep worker runs point after point of one spec. When no parameter (and
// no `set:` edit) writes into the workload, every point resolves the very
// same workload tree, and loading it (the trace's layers, precisions and
// overrides) was about a thirtieth of a small point's run: it is then loaded
// once per process and reused. A spec that edits the workload loads it afresh
// for every point, as before.
#include "sweep/point_config.h"
#include "sweep/sweep_spec.h"
#include "workload/workload.h"

namespace qnnsim {

// load_point_workload(spec, r), reused while the workload's file, its text
// and the spec's run options are those it was loaded from. The reference is
// valid until the next call. Throws ConfigError as load_point_workload does.
const Workload& memoized_point_workload(const SweepSpec& spec, const ResolvedPoint& r);

}  // namespace qnnsim
