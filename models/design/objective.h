#pragma once
// What a search minimises: energy, latency, or their product (the
// energy-delay product). The PE-array mapper, the level search and the
// search over widths all take it, and `run`, `map`, `levels`,
// `mixed-precision` and the sweep spec read it by name, so the names and
// their one error message live here, below every folder that uses them.
#include <string>
#include <vector>

namespace qnnsim {

enum class Objective { Energy, Latency, Edp };

// energy, latency, edp: the order of the enum, for option checks and messages.
// (A sweep ranks its results by more: area, throughput, accuracy; sweep/pareto.h.)
const std::vector<std::string>& search_objective_names();
const char* objective_name(Objective o);
// The objective a name gives; std::invalid_argument listing the accepted
// names otherwise. A name nobody checked is an error, never a silent EDP.
Objective objective_named(const std::string& name);
// What `o` minimises, from a result's energy (pJ) and latency (s): pJ, s or pJ s.
double objective_value(Objective o, double energy_pj, double seconds);

}  // namespace qnnsim
