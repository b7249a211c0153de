#pragma once
// Figures a component reports beside its action counts, for the JSON report:
// a DRAM device's row-hit rates and bandwidth, say. Names carry their unit
// suffix (`_s`, `_bytes_per_s`, `_fraction`) like every other report key.
#include <string>
#include <utility>
#include <vector>

namespace qnnsim {

struct ComponentStats {
  std::string component;  // instance in the arch file
  std::vector<std::pair<std::string, double>> values;
  std::vector<std::pair<std::string, std::vector<double>>> series;  // e.g. one value per bank
};

}  // namespace qnnsim
