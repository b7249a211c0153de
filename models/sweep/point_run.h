#pragma once
// Simulates one resolved sweep point in this process and returns its report
// as JSON: of the document `qnnsim run --json` writes, the keys the results
// file reads (report_for_results.h); the rest, the per-action counts above
// all, would be most of the text the sweep parses for every point. With the spec's
// `accuracy:` section the report gains an `accuracy` object: the point's
// top-1 accuracy (`accuracy_fraction`), the float reference, the images and,
// on an in-memory design, `adc_clip_fraction`. SystemC elaborates
// once per process, so the sweep calls this in a fresh child per point.
// Bad input throws ConfigError; the message then says which of the point's
// values were set by the sweep, since an edited value has no line of its own.
#include <string>

#include "sweep/point_config.h"
#include "sweep/sweep_points.h"
#include "sweep/sweep_spec.h"

namespace qnnsim {

std::string run_point(const SweepSpec& spec, const SweepPoint& p, const ResolvedPoint& r);

// Loads a point's arch and workload as its run would, without simulating
// (no SystemC), in this process. A `set:` edit applies to every point, so an
// error it causes here would fail them all: it is thrown, at the spec's line,
// before the sweep starts. Any other error is left for the point's own run.
void check_shared_edits(const SweepSpec& spec, const ResolvedPoint& r);

}  // namespace qnnsim
