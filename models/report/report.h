#pragma once
// Writers of a RunResult: a table for the terminal, JSON, and CSV of the layers.
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/run_result.h"

namespace qnnsim {

nlohmann::ordered_json to_json(const RunResult& r);
void write_json(const RunResult& r, std::ostream& out);
void write_csv(const RunResult& r, std::ostream& out);
void print_table(const RunResult& r, std::ostream& out);
void print_in_memory_table(const RunResult& r, std::ostream& out);  // print_table for in-memory chips
void write_in_memory_csv(const RunResult& r, std::ostream& out);    // write_csv for in-memory chips

// A value in engineering notation with its unit, e.g. "4.18 mJ".
std::string si(double v, const char* unit);

}  // namespace qnnsim
