// `qnnsim levels DESIGN --search`: the mapper for level designs, per layer.
#include <chrono>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/levels_command.h"
#include "core/output_file.h"
#include "design/objective.h"
#include "schedule/level_mapping_cache.h"
#include "workload/workload.h"

namespace qnnsim::cli {

int run_level_search(const LevelsArgs& args) {
  std::optional<OutputFile> out;
  if (!args.json.empty()) out.emplace(args.json);
  const LevelDesign d = load_level_design(args.design, LevelDesignUse::ToSearch);
  std::vector<std::pair<std::string, LoopBounds>> layers;
  if (!args.workload.empty()) {
    const Workload w = load_workload(args.workload);
    const int64_t batch = args.batch > 0 ? args.batch : w.batch;
    for (const Layer& l : w.layers)
      if (layer_uses_array(l.type)) layers.emplace_back(l.name, loop_bounds(l, batch));
  } else if (args.batch > 0) {
    throw std::invalid_argument("--batch goes with --workload");
  } else if (!d.layer.empty()) {
    layers.emplace_back(d.layer, d.bounds);
  } else {
    throw std::invalid_argument(args.design + " names no workload: give one with --workload");
  }
  const Objective objective = objective_named(args.objective);
  nlohmann::json j;
  j["design"] = d.file;
  j["objective"] = args.objective;
  double total_pj = 0;
  uint64_t total_cycles = 0;
  std::cout << fmt::format("{:<16} {:>14} {:>12} {:<12} {:>10} {:>9}  mapping\n", "layer", "energy uJ", "cycles", "bound",
                           "searched", "ms");
  LevelMappingCache mappings(d, objective);
  std::vector<LevelLayerToSimulate> to_simulate;
  for (const auto& [name, bounds] : layers) {
    const auto start = std::chrono::steady_clock::now();
    bool searched = false;
    const std::optional<LevelMapping>& m = mappings.find(bounds, &searched);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!m) throw std::invalid_argument(fmt::format("layer '{}': no mapping fits the levels' sizes and fan-outs", name));
    total_pj += m->energy_pj;
    total_cycles += m->cycles.total;
    // A layer of a shape met before takes that layer's mapping: no search.
    const uint64_t evaluated = searched ? m->evaluated : 0;
    std::cout << fmt::format("{:<16} {:>14.3f} {:>12} {:<12} {:>10} {:>9.1f}  {}\n", name, m->energy_pj * 1e-6,
                             m->cycles.total, m->cycles.bound, searched ? std::to_string(evaluated) : "same shape",
                             ms, level_nest_text(m->nest));
    LevelDesign mapped = d;  // the design with the chosen loops, for its counts per level
    mapped.nest = m->nest;
    nlohmann::json layer = level_counts_json(mapped, m->counts, price_levels(mapped, m->nest, m->counts));
    layer["name"] = name;
    layer["mappings_evaluated"] = evaluated;
    layer["search_ms"] = ms;
    layer["mapping"] = level_nest_text(m->nest);
    j["layers"].push_back(layer);
    to_simulate.push_back({&d, m->nest, bounds});
  }
  std::cout << fmt::format("{:<16} {:>14.3f} {:>12}\n", "total", total_pj * 1e-6, total_cycles);
  if (d.simulated_time) {  // the mappings stepped by the level engine, one after another
    const std::vector<LevelSimulation> simulated = simulate_level_layers(to_simulate);
    std::cout << "\n";
    for (std::size_t i = 0; i < simulated.size(); ++i) {
      std::cout << fmt::format("{:<16} {}\n", layers[i].first, simulated_text(d, simulated[i]));
      j["layers"][i]["simulated"] = simulated_json(d, simulated[i]);
    }
  }
  j["energy_pj"] = total_pj;
  j["cycles"] = total_cycles;
  if (out) out->commit(j.dump(2) + "\n");
  return 0;
}

}  // namespace qnnsim::cli
