#pragma once
// A sweep point's report goes to the sweep as JSON text, which the sweep
// parses only to fill the point's row (fill_from_report, results_db.h). The
// run's report holds much the results file never keeps (each layer's tiling,
// stalls, bound and energy breakdown; the summary's other figures), and
// writing it out and parsing it back cost more than the SQLite insert: the
// point sends only what fill_from_report reads, each value as the full report
// has it, so the row is the same.
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace qnnsim {

// The keys of `report` (a run's JSON report) that fill_from_report reads,
// written out as JSON. Keep the two in step: a key read there and dropped
// here would read as absent.
std::string report_for_results(const nlohmann::ordered_json& report);

}  // namespace qnnsim
