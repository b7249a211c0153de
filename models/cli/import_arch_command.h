#pragma once
// `qnnsim import-arch --arch ARCH.yaml --ert ERT.yaml --map MAP.yaml
//  [--problem PROBLEM.yaml] -o DESIGN.yaml`: a Timeloop v0.4 / Accelergy
// design and mapping as a qnnsim level design, with its one-layer workload
// written beside it (DESIGN_problem.yaml).
#include <string>

#include <CLI/CLI.hpp>

namespace qnnsim::cli {

struct ImportArchArgs {
  std::string arch, ert, map, problem, out;
};

CLI::App* add_import_arch_command(CLI::App& app, ImportArchArgs& args);
int run_import_arch(const ImportArchArgs& args);  // the process exit code

}  // namespace qnnsim::cli
