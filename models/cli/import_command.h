#pragma once
// `qnnsim import MODEL.onnx -o TRACE.yaml [--input-shape N,C,H,W]`.
#include <string>

#include <CLI/CLI.hpp>

namespace qnnsim::cli {

struct ImportArgs {
  std::string model, out, input_shape;
};

CLI::App* add_import_command(CLI::App& app, ImportArgs& args);
// Imports, checks the trace loads, writes it; the process exit code.
int run_import(const ImportArgs& args);

}  // namespace qnnsim::cli
