#include "sweep/point_config.h"

#include <filesystem>

#include <fmt/format.h>

#include "arch/arch_spec.h"
#include "core/config_node.h"
#include "core/yaml_guard.h"
#include "design/design_family.h"

namespace qnnsim {

namespace fs = std::filesystem;

namespace {

std::string emit(const YAML::Node& n) {
  YAML::Emitter e;
  e << n;
  return e.c_str();
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + ";";
  return out;
}

}  // namespace

PointResolver::PointResolver(const SweepSpec& spec) : spec_(spec) {
  for (const SweepParameter& p : spec.parameters)
    (p.in_accuracy ? accuracy_varies_ : p.in_arch ? arch_varies_ : workload_varies_) = true;
  const SweepRunOptions& o = spec.options;
  options_text_ = fmt::format("batch={} objective={} execution={} bits={} density={}", o.batch, o.objective,
                              o.execution, joined(o.bits), joined(o.densities));
  base_arch_emitted_ = emit(spec.arch_tree);
  for (const SweepParameter& p : spec.parameters)
    for (const YAML::Node& v : p.values) can_write_over_ = can_write_over_ && !v.IsNull();
  for (const YAML::Node& w : spec.workload_trees) base_workload_emitted_.push_back(emit(w));
}

ResolvedPoint PointResolver::resolve(const SweepPoint& p) {
  ResolvedPoint r = resolve_trees(p);
  add_hash(r, p);
  return r;
}

namespace {

// A hybrid's parts given by file are read as the files are, not from the
// point's tree: their text, and the energy table each part names (a part
// written in place too: the arch's text holds only the table's name), go
// into the hash, so that editing a part file or its table runs the points
// again. Empty for any other design, whose hash stays what it was.
std::string part_files_text(const YAML::Node& arch, const std::string& arch_file) {
  const YAML::Node parts = arch["parts"];
  if (!parts || !parts.IsMap()) return {};
  std::string text;
  for (const auto& part : parts) {
    const std::string name = part.first.as<std::string>();
    // A part that does not load fails its point's run with the file's own
    // message; here it is only content to hash.
    try {
      if (part.second.IsScalar()) {
        const std::string file = part.second.as<std::string>();
        const std::string path = (fs::path(arch_file).parent_path() / file).string();
        const std::string part_text = read_config_text(path);
        text += fmt::format("--- part {} ({})\n{}\n", name, file, part_text);
        const ConfigNode root = ConfigNode::load_string(part_text, path);
        if (root.has("energy_table"))
          text += fmt::format("--- part {} energy table\n{}\n", name, read_config_text(energy_table_path(root)));
      } else if (part.second.IsMap() && part.second["energy_table"]) {
        const ConfigNode root = ConfigNode::from_tree(part.second, arch_file);
        text += fmt::format("--- part {} energy table\n{}\n", name, read_config_text(energy_table_path(root)));
      }
    } catch (const std::exception& e) {
      text += fmt::format("--- part {} does not load: {}\n", name, e.what());
    }
  }
  return text;
}

}  // namespace

void PointResolver::add_hash(ResolvedPoint& r, const SweepPoint& p) const {
  const std::string arch_text = arch_varies_ ? emit(r.arch) : base_arch_emitted_;
  const std::string workload_text = workload_varies_ ? emit(r.workload) : base_workload_emitted_[p.workload];
  std::string text = fmt::format("qnnsim result format {}\n--- arch\n{}\n--- energy table\n{}\n--- workload\n{}\n--- options\n{}\n",
                                 kResultFormatVersion, arch_text, spec_.energy_table_text, workload_text, options_text_);
  // Only with the section, so that the hashes of sweeps without it stay what they were.
  if (spec_.accuracy.enabled)
    text += fmt::format("--- accuracy\n{}\n--- model\n{}\n", read_accuracy_settings(r.accuracy, spec_.file).canonical_text(),
                        spec_.accuracy.model_sha1);
  text += part_files_text(r.arch, spec_.arch_file);
  r.hash = sha1_hex(text);
}

ResolvedPoint PointResolver::resolve_trees(const SweepPoint& p) const {
  ResolvedPoint r;
  r.workload_index = p.workload;
  // Parsed afresh rather than cloned: a parse keeps every other value's line
  // for error messages, and the shared trees stay untouched.
  r.arch = arch_varies_ ? parse_yaml_guarded(spec_.arch_text, spec_.arch_file) : spec_.arch_tree;
  r.workload = workload_varies_ ? parse_yaml_guarded(spec_.workload_texts[p.workload], spec_.workload_files[p.workload])
                                : spec_.workload_trees[p.workload];
  if (spec_.accuracy.enabled) r.accuracy = accuracy_varies_ ? YAML::Clone(spec_.accuracy.tree) : spec_.accuracy.tree;
  write_values(r, p);
  return r;
}

ResolvedPoint PointResolver::resolve_over_last(const SweepPoint& p, bool hash) {
  if (!can_write_over_) return hash ? resolve(p) : resolve_trees(p);
  ResolvedPoint r;
  r.workload_index = p.workload;
  if (arch_varies_ && !kept_arch_) kept_arch_ = parse_yaml_guarded(spec_.arch_text, spec_.arch_file);
  kept_workloads_.resize(spec_.workload_texts.size());
  std::optional<YAML::Node>& workload = kept_workloads_[p.workload];
  if (workload_varies_ && !workload)
    workload = parse_yaml_guarded(spec_.workload_texts[p.workload], spec_.workload_files[p.workload]);
  if (accuracy_varies_ && !kept_accuracy_) kept_accuracy_ = YAML::Clone(spec_.accuracy.tree);
  if (spec_.accuracy.enabled) r.accuracy = accuracy_varies_ ? *kept_accuracy_ : spec_.accuracy.tree;
  r.arch = arch_varies_ ? *kept_arch_ : spec_.arch_tree;
  r.workload = workload_varies_ ? *workload : spec_.workload_trees[p.workload];
  write_values(r, p);
  if (hash) add_hash(r, p);
  return r;
}

void PointResolver::write_values(ResolvedPoint& r, const SweepPoint& p) const {
  for (std::size_t i = 0; i < spec_.parameters.size(); ++i) {
    const SweepParameter& param = spec_.parameters[i];
    const YamlPath& path = param.in_arch || param.in_accuracy ? param.path : param.workload_paths[p.workload];
    YAML::Node& tree = param.in_accuracy ? r.accuracy : param.in_arch ? r.arch : r.workload;
    std::string why;
    if (assign_yaml_path(tree, path, param.values[p.choice[i]], &why).empty())
      throw ConfigError(param.where, "path", why);
  }
}

Workload load_point_workload(const SweepSpec& spec, const ResolvedPoint& r) {
  Workload w = load_workload(ConfigNode::from_tree(r.workload, spec.workload_files[r.workload_index]));
  const SweepRunOptions& o = spec.options;
  if (o.batch > 0) w.batch = o.batch;
  if (std::string problem = apply_run_overrides(w, o.bits, o.densities); !problem.empty())
    throw ConfigError({spec.file, 0, 0}, "options", problem);
  return w;
}

double PointResolver::area_mm2(const ResolvedPoint& r) const {
  const ConfigNode root = ConfigNode::from_tree(r.arch, spec_.arch_file);
  return design_family_of(root).load(root, "")->area_mm2([&] { return load_point_workload(spec_, r); });
}

}  // namespace qnnsim
