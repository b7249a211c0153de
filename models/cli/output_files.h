#pragma once
// Options that name a file a command writes, and the check that what the
// command line names for them is sound: not empty (a write that silently
// never happens), not one of the command's own input files (which the
// write would destroy), and not a file another output also writes (one of
// the two reports would be lost).
#include <string>

#include <CLI/CLI.hpp>

namespace qnnsim::cli {

// Marks `opt` as naming a file the command writes; returns it.
CLI::Option* writes_file(CLI::Option* opt);

// After parsing: empty when the files the chosen subcommand writes are
// sound, else the problem, naming the options involved. An input is any
// other option (or positional) naming an existing file.
std::string output_file_problem(const CLI::App& app);

}  // namespace qnnsim::cli
