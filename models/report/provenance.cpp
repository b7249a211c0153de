#include "report/provenance.h"

#include "core/content_hash.h"
#include "core/version.h"
#include "report/report.h"

namespace qnnsim {

void Provenance::add_input(const std::string& role, const std::string& path) {
  if (!path.empty()) inputs.push_back({role, path, file_sha1(path)});
}

namespace {
std::string shell_word(const std::string& w) {
  if (!w.empty() && w.find_first_of(" \t\n'\"\\$`") == std::string::npos) return w;
  std::string q = "'";
  for (char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

Provenance make_provenance(int argc, const char* const* argv) {
  Provenance p{qnnsim_version(), qnnsim_commit(), "qnnsim", {}};
  for (int i = 1; i < argc; ++i) p.command_line += " " + shell_word(argv[i]);
  return p;
}

nlohmann::ordered_json provenance_json(const Provenance& p) {
  nlohmann::ordered_json inputs = nlohmann::ordered_json::object();
  for (const InputFile& f : p.inputs) inputs[f.role] = {{"path", f.path}, {"sha1", f.sha1}};
  return {{"qnnsim_version", p.version}, {"commit", p.commit}, {"command_line", p.command_line}, {"inputs", inputs}};
}

void write_json(const RunResult& r, const Provenance& p, std::ostream& out) {
  nlohmann::ordered_json j = to_json(r);
  j["provenance"] = provenance_json(p);
  out << j.dump(2) << "\n";
}

}  // namespace qnnsim
