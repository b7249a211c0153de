#pragma once
// Writers of a RunResult: a table for the terminal, JSON, and CSV of the layers.
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "design/run_result.h"

namespace qnnsim {

nlohmann::ordered_json to_json(const RunResult& r);
void write_json(const RunResult& r, std::ostream& out);
// One row per layer, the same columns for every design (report/csv_report.cpp).
void write_csv(const RunResult& r, std::ostream& out);
void print_table(const RunResult& r, std::ostream& out);
void print_in_memory_table(const RunResult& r, std::ostream& out);  // print_table for in-memory chips
void print_dataflow_table(const RunResult& r, std::ostream& out);   // print_table for dataflow designs
void print_hybrid_table(const RunResult& r, std::ostream& out);     // print_table for hybrid designs
// The JSON sections of a dataflow run: the design's, and one layer's.
nlohmann::ordered_json dataflow_json(const DataflowSummary& d);
nlohmann::ordered_json dataflow_layer_json(const DataflowLayer& d);

// A value in engineering notation with its unit, e.g. "4.18 mJ".
std::string si(double v, const char* unit);

}  // namespace qnnsim
