#include "sweep/edit_blame.h"

#include <algorithm>
#include <vector>

namespace qnnsim {

namespace {

// "layers[3].weights.bits", "layers[*].weights.bits" and "layers[conv1].weights.bits"
// all become "layers[].weights.bits": which item a selector picks is not
// known here, and one parameter never writes two different list paths.
std::string shape_of(const std::string& path) {
  std::string out;
  bool inside = false;
  for (char c : path) {
    if (c == '[') inside = true;
    if (!inside) out += c;
    if (c == ']') {
      out += "[]";
      inside = false;
    }
  }
  return out;
}

// True when `key` is the edited path or lies below it (past a dot or a list
// selector): the value there came from the edit.
bool within(const std::string& edited, const std::string& key) {
  if (key.compare(0, edited.size(), edited) != 0) return false;
  return key.size() == edited.size() || key[edited.size()] == '.' || key[edited.size()] == '[';
}

}  // namespace

const SweepParameter* edit_behind(const SweepSpec& spec, const ConfigError& e) {
  if (e.key_path().empty()) return nullptr;
  const std::string& file = e.where().file;
  const bool in_arch = file == spec.arch_file;
  const bool in_workload =
      std::find(spec.workload_files.begin(), spec.workload_files.end(), file) != spec.workload_files.end();
  if (!in_arch && !in_workload) return nullptr;
  const std::string key = shape_of(e.key_path());
  const SweepParameter* best = nullptr;
  std::size_t best_length = 0;
  for (const SweepParameter& p : spec.parameters) {
    if (p.in_arch != in_arch) continue;
    std::vector<const YamlPath*> paths;
    if (p.in_arch) paths.push_back(&p.path);
    for (const YamlPath& w : p.workload_paths) paths.push_back(&w);
    for (const YamlPath* path : paths) {
      const std::string shape = shape_of(path->text);
      // The most specific edit wins: a later parameter inside an earlier `set:` map, say.
      if (within(shape, key) && shape.size() >= best_length) {
        best = &p;
        best_length = shape.size();
      }
    }
  }
  return best;
}

ConfigError blame_edit(const SweepSpec& spec, const ConfigError& e) {
  const SweepParameter* p = edit_behind(spec, e);
  if (!p) return e;
  const std::string what = p->fixed ? "set: " + p->name.substr(4) : "parameter '" + p->name + "'";
  return ConfigError(p->where, p->fixed ? "set." + p->name.substr(4) : p->path.text,
                     e.message() + " (the value the sweep's " + what + " writes into " + e.where().file + " at '" +
                         e.key_path() + "')");
}

}  // namespace qnnsim
