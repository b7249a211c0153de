#pragma once
// A sweep point's figures go to the sweep as JSON text, which the sweep
// parses only to fill the point's row (fill_from_report, results_db.h). The
// run's whole report (report/report.h, to_json) holds much the results file
// never keeps (each layer's tiling, stalls, bound, actions and energy
// breakdown; the summary's other figures), and building it, writing it out
// and parsing it back cost more than the SQLite insert: the point writes
// only what fill_from_report reads, straight from the run's result, each
// value as the whole report has it (same keys, same numbers), so the row is
// the same (a test fills rows from both on every kind of design).
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "design/run_result.h"

namespace qnnsim {

// The keys of the run's report that fill_from_report reads, written out as
// JSON; `accuracy` (or null) is the point's accuracy section. Keep it in step
// with fill_from_report: a key read there and missing here would read as absent.
std::string report_for_results(const RunResult& r, const nlohmann::ordered_json* accuracy);

}  // namespace qnnsim
