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

}  // namespace qnnsim
