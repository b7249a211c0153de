#include "cli/import_arch_command.h"

#include <filesystem>
#include <iostream>

#include "cli/output_files.h"
#include "core/config_node.h"
#include "core/output_file.h"
#include "importer/timeloop_import.h"
#include "schedule/level_design.h"
#include "workload/workload.h"

namespace qnnsim::cli {

CLI::App* add_import_arch_command(CLI::App& app, ImportArchArgs& args) {
  CLI::App* cmd = app.add_subcommand("import-arch", "Translate a Timeloop v0.4 / Accelergy design and mapping into a qnnsim "
                                                    "level design (see `qnnsim levels`)");
  cmd->add_option("--arch", args.arch, "the architecture (architecture: subtree/local form)")->required();
  cmd->add_option("--ert", args.ert, "Accelergy's energy reference table (ERT.yaml)")->required();
  cmd->add_option("--map", args.map, "the mapping (map.yaml)")->required();
  cmd->add_option("--problem", args.problem, "the problem (default: the --arch file, which then holds problem:)");
  writes_file(cmd->add_option("-o,--output", args.out, "where to write the level design; its workload goes beside it"))
      ->required();
  return cmd;
}

int run_import_arch(const ImportArchArgs& args) {
  // ConfigErrors (the Timeloop files' or the result's) propagate to main: file, line, key, exit 2.
  const std::filesystem::path out(args.out);
  const std::string workload_name = out.stem().string() + "_problem.yaml";
  const std::filesystem::path workload_path = out.parent_path() / workload_name;
  OutputFile design_file(args.out), workload_file(workload_path.string());
  const ImportedDesign d = import_timeloop({args.arch, args.ert, args.problem.empty() ? args.arch : args.problem, args.map},
                                           workload_name);
  load_workload(ConfigNode::load_string(d.workload_yaml, workload_path.string()));  // holds together before it is written
  workload_file.commit(d.workload_yaml);
  const LevelDesign design = load_level_design(ConfigNode::load_string(d.design_yaml, args.out));
  design_file.commit(d.design_yaml);
  std::cout << "imported " << design.nest.levels.size() << " storage levels and a " << design.compute_instances << "-unit "
            << design.compute_name << " array into " << args.out << " (workload " << workload_path.string() << ")\n";
  for (const std::string& n : d.notes) std::cout << "note: " << n << "\n";
  return 0;
}

}  // namespace qnnsim::cli
