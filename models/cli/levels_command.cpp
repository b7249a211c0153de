#include "cli/levels_command.h"

#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/output_files.h"
#include "core/output_file.h"
#include "design/objective.h"
#include "schedule/level_cycles.h"
#include "schedule/level_design.h"
#include "workload/workload.h"

namespace qnnsim::cli {

nlohmann::json level_counts_json(const LevelDesign& d, const LevelNestCounts& c, const std::vector<LevelEnergy>& e) {
  nlohmann::json j;
  const LevelCycles cycles = level_cycles(d, c);
  j["cycles"] = cycles.total;
  j["compute_cycles"] = cycles.compute;
  j["bound"] = cycles.bound;
  j["computes"] = c.computes;
  j["compute"] = {{"name", d.compute_name}, {"instances_used", c.computes_used},
                  {"energy_pj", d.compute_pj * static_cast<double>(c.computes)}};
  double total = d.compute_pj * static_cast<double>(c.computes), drains = 0;
  for (std::size_t l = 0; l < e.size(); ++l) {
    nlohmann::json level;
    level["name"] = d.nest.levels[l].name;
    level["instances_used"] = c.level[l].instances_used;
    level["cycles"] = cycles.level[l];
    level["energy_pj"] = e[l].total_pj();
    level["leak_pj"] = e[l].leak_pj;
    for (int t = 0; t < kOperands; ++t) {
      if (!d.nest.levels[l].keeps[t]) continue;
      const TensorAccesses& a = c.level[l].tensor[t];
      level["tensors"][kTensorKeys[t]] = {{"block", a.block},           {"reads", a.reads},
                                          {"fills", a.fills},           {"updates", a.updates},
                                          {"drains", a.drains},         {"energy_pj", e[l].accesses_pj[t]},
                                          {"drain_energy_pj", e[l].drains_pj[t]}};
      drains += e[l].drains_pj[t];
    }
    if (l < d.networks.size() && d.networks[l].present)
      for (int t = 0; t < kOperands; ++t)
        level["network"][kTensorKeys[t]] = {{"values", values_crossing(d.nest, c, l, static_cast<Operand>(t))},
                                            {"energy_pj", e[l].network_pj[t]}};
    total += e[l].total_pj();
    j["levels"].push_back(level);
  }
  j["energy_pj"] = total;
  j["drain_energy_pj"] = drains;
  return j;
}

std::string simulated_text(const LevelDesign& d, const LevelSimulation& s) {
  std::string waits;
  for (std::size_t l = 0; l < s.stalled.size(); ++l)
    if (s.stalled[l] > 0) waits += fmt::format("{}{} on {}", waits.empty() ? "" : ", ", s.stalled[l], d.nest.levels[l].name);
  return fmt::format("simulated (time: simulated): {} cycles over {} steps; {} computing, waiting {}", s.cycles, s.steps,
                     s.counts.cycles, waits.empty() ? "on nothing" : waits);
}

nlohmann::json simulated_json(const LevelDesign& d, const LevelSimulation& s) {
  nlohmann::json j = {{"cycles", s.cycles}, {"steps", s.steps}, {"compute_cycles", s.counts.cycles}};
  j["stall_cycles"] = nlohmann::json::object();
  for (std::size_t l = 0; l < s.stalled.size(); ++l)
    if (s.stalled[l] > 0) j["stall_cycles"][d.nest.levels[l].name] = s.stalled[l];
  return j;
}

namespace {

nlohmann::json to_json(const LevelDesign& d, const LevelNestCounts& c, const std::vector<LevelEnergy>& e) {
  nlohmann::json j = level_counts_json(d, c, e);
  j["design"] = d.file;
  j["layer"] = d.layer;
  return j;
}

void print_table(const LevelDesign& d, const LevelNestCounts& c, const std::vector<LevelEnergy>& e) {
  const LevelCycles cycles = level_cycles(d, c);
  std::cout << fmt::format("{} (layer {}): {} cycles ({} bound; {} compute steps), {} computes on {} of {} units\n\n",
                           d.file, d.layer, cycles.total, cycles.bound, cycles.compute, c.computes, c.computes_used,
                           d.compute_instances);
  std::cout << fmt::format("{:<24} {:<8} {:>10} {:>14} {:>14} {:>14} {:>14} {:>16}\n", "level", "tensor", "block", "reads",
                           "fills", "updates", "drains", "energy pJ");
  double total = d.compute_pj * static_cast<double>(c.computes);
  for (std::size_t l = 0; l < e.size(); ++l) {
    for (int t = 0; t < kOperands; ++t) {
      if (!d.nest.levels[l].keeps[t]) continue;
      const TensorAccesses& a = c.level[l].tensor[t];
      std::cout << fmt::format("{:<24} {:<8} {:>10} {:>14} {:>14} {:>14} {:>14} {:>16.2f}\n", d.nest.levels[l].name,
                               kTensorKeys[t], a.block, a.reads, a.fills, a.updates, a.drains, e[l].accesses_pj[t]);
    }
    if (l < d.networks.size() && d.networks[l].present)  // values sent across the fan-out, in the reads column
      for (int t = 0; t < kOperands; ++t)
        std::cout << fmt::format("{:<24} {:<8} {:>10} {:>14} {:>14} {:>14} {:>14} {:>16.2f}\n", d.nest.levels[l].name,
                                 kTensorKeys[t], "network", values_crossing(d.nest, c, l, static_cast<Operand>(t)), "", "",
                                 "", e[l].network_pj[t]);
    if (e[l].leak_pj > 0)
      std::cout << fmt::format("{:<24} {:<8} {:>101.2f}\n", d.nest.levels[l].name, "leakage", e[l].leak_pj);
    total += e[l].total_pj();
  }
  std::cout << fmt::format("{:<24} {:<8} {:>101.2f}\n", d.compute_name, "compute",
                           d.compute_pj * static_cast<double>(c.computes));
  std::cout << fmt::format("\ntotal energy {:.2f} pJ (drain reads, not counted as Timeloop does: see README)\n", total);
}

}  // namespace

CLI::App* add_levels_command(CLI::App& app, LevelsArgs& args) {
  CLI::App* cmd = app.add_subcommand("levels", "Count the accesses and energy of each storage level of a level design "
                                               "(a mapping over any number of levels)");
  cmd->add_option("DESIGN", args.design, "the level design (.yaml)")->required();
  writes_file(cmd->add_option("--json", args.json, "write the counts as JSON to FILE"));
  cmd->add_flag("--search", args.search, "choose the mapping (the file's loops are ignored)");
  cmd->add_option("--workload", args.workload, "with --search: map every conv and fc layer of this trace");
  cmd->add_option("--objective", args.objective, "with --search: what to minimise")
      ->check(CLI::IsMember(search_objective_names()));
  cmd->add_option("--batch", args.batch, "with --workload: override the trace's batch size")
      ->check(CLI::Range(int64_t{1}, kMaxBatch));
  return cmd;
}

int run_levels(const LevelsArgs& args) {
  if (args.search) return run_level_search(args);
  if (!args.workload.empty()) throw std::invalid_argument("--workload needs --search (the file's own mapping is for its own layer)");
  // ConfigErrors propagate to main, which reports them with file, line and key.
  std::optional<OutputFile> out;
  if (!args.json.empty()) out.emplace(args.json);
  const LevelDesign d = load_level_design(args.design);
  const LevelNestCounts c = count_level_accesses(d.nest, d.bounds);
  const std::vector<LevelEnergy> e = price_levels(d, d.nest, c);
  print_table(d, c, e);
  nlohmann::json j = to_json(d, c, e);
  if (d.simulated_time) {
    const LevelSimulation s = simulate_level_layers({{&d, d.nest, d.bounds}}).front();
    std::cout << simulated_text(d, s) << "\n";
    j["simulated"] = simulated_json(d, s);
  }
  if (out) out->commit(j.dump(2) + "\n");
  return 0;
}

}  // namespace qnnsim::cli
