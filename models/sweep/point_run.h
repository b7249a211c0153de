#pragma once
// Simulates one resolved sweep point in this process and returns its report
// as JSON: the document `qnnsim run --json` writes, less the per-action
// counts, which the results file does not keep and which make up most of
// the text the sweep would otherwise parse for every point. SystemC elaborates
// once per process, so the sweep calls this in a fresh child per point.
// Bad input throws ConfigError; the message then says which of the point's
// values were set by the sweep, since an edited value has no line of its own.
#include <string>

#include "sweep/point_config.h"
#include "sweep/sweep_points.h"
#include "sweep/sweep_spec.h"

namespace qnnsim {

std::string run_point(const SweepSpec& spec, const SweepPoint& p, const ResolvedPoint& r);

}  // namespace qnnsim
