#pragma once
// Where a result came from: the qnnsim version and git commit that made it,
// the command line, and a content hash of every input file (arch, workload,
// energy table, mappings), so that two results can be told apart, or shown
// to share their inputs, without trusting file names.
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qnnsim {

struct InputFile {
  std::string role;  // arch, workload, energy_table, mappings
  std::string path;
  std::string sha1;  // of the file's bytes
};

struct Provenance {
  std::string version, commit, command_line;
  std::vector<InputFile> inputs;

  // Hashes the file now; a file that cannot be read records an empty hash.
  void add_input(const std::string& role, const std::string& path);
};

// The version and commit of this binary and the command line, words joined
// by spaces (quoted where a word has a space or a quote); argv[0] reads "qnnsim".
Provenance make_provenance(int argc, const char* const* argv);

nlohmann::ordered_json provenance_json(const Provenance& p);

}  // namespace qnnsim

namespace qnnsim {
struct RunResult;
// The run's JSON report (report/report.h) with a "provenance" section.
void write_json(const RunResult& r, const Provenance& p, std::ostream& out);
}  // namespace qnnsim
