#include "design/objective.h"

#include <stdexcept>

#include <fmt/format.h>

namespace qnnsim {

const std::vector<std::string>& search_objective_names() {
  static const std::vector<std::string> names{"energy", "latency", "edp"};
  return names;
}

const char* objective_name(Objective o) { return search_objective_names()[static_cast<std::size_t>(o)].c_str(); }

Objective objective_named(const std::string& name) {
  const std::vector<std::string>& names = search_objective_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Objective>(i);
  throw std::invalid_argument(
      fmt::format("unknown objective '{}': expected {} or {}", name,
                  fmt::join(names.begin(), names.end() - 1, ", "), names.back()));
}

double objective_value(Objective o, double energy_pj, double seconds) {
  switch (o) {
    case Objective::Energy: return energy_pj;
    case Objective::Latency: return seconds;
    case Objective::Edp: return energy_pj * seconds;
  }
  return energy_pj * seconds;
}

}  // namespace qnnsim
