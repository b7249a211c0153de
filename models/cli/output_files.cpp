#include "cli/output_files.h"

#include <filesystem>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

namespace qnnsim::cli {

namespace {

std::set<const CLI::Option*>& outputs() {
  static std::set<const CLI::Option*> marked;
  return marked;
}

// The option's long name, or its positional name (ARCH, MODEL, ...).
std::string spelling(const CLI::Option* opt) { return opt->get_name(); }

// Whether two paths name one file: the same file where both exist, else the
// same normalised path (an output need not exist yet).
bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec) && !ec;
  const fs::path pa = fs::weakly_canonical(a, ec);
  if (ec) return false;
  const fs::path pb = fs::weakly_canonical(b, ec);
  return !ec && pa == pb;
}

}  // namespace

CLI::Option* writes_file(CLI::Option* opt) {
  outputs().insert(opt);
  return opt;
}

std::string output_file_problem(const CLI::App& app) {
  for (const CLI::App* cmd : app.get_subcommands()) {
    std::vector<std::pair<const CLI::Option*, std::string>> written, read;
    for (const CLI::Option* opt : cmd->get_options()) {
      if (opt->count() == 0) continue;
      const bool writes = outputs().count(opt) > 0;
      for (const std::string& value : opt->results()) {
        if (writes) {
          if (value.empty()) return spelling(opt) + ": the file name is empty; name the file to write";
          written.emplace_back(opt, value);
        } else {
          std::error_code ec;
          if (!value.empty() && std::filesystem::is_regular_file(value, ec)) read.emplace_back(opt, value);
        }
      }
    }
    for (std::size_t i = 0; i < written.size(); ++i) {
      for (const auto& [opt, path] : read)
        if (same_file(written[i].second, path))
          return spelling(written[i].first) + ": '" + written[i].second + "' is the file " + spelling(opt) +
                 " reads; writing it would destroy that input. Name another file";
      for (std::size_t j = i + 1; j < written.size(); ++j)
        if (same_file(written[i].second, written[j].second))
          return spelling(written[i].first) + " and " + spelling(written[j].first) + " both name '" +
                 written[i].second + "'; one report would overwrite the other. Name two files";
    }
  }
  return "";
}

}  // namespace qnnsim::cli
