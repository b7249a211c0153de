#include "sweep/sweep_spec.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "arch/arch_spec.h"
#include "core/config_node.h"
#include "core/yaml_guard.h"
#include "core/quantity.h"
#include "design/objective.h"
#include "sweep/point_accuracy.h"
#include "workload/workload.h"

namespace qnnsim {

namespace fs = std::filesystem;

namespace {

// More points than this is a mistake in the spec, not a sweep anyone can run.
constexpr double kMaxPoints = 10e6;
constexpr int64_t kMaxRangeValues = 100000;

std::string read_text(const std::string& path) { return read_config_text(path); }

// A bare name is a shipped file (arch/NAME.yaml, workloads/NAME.yaml); a path
// is taken relative to the spec, so shipped specs run from any directory.
std::string resolve_file(const ConfigNode& owner, const std::string& key, const std::string& value,
                         const std::string& shipped_dir) {
  fs::path p;
  if (value.find('/') == std::string::npos && value.find(".yaml") == std::string::npos)
    p = fs::path(data_dir()) / shipped_dir / (value + ".yaml");
  else if (fs::path(value).is_absolute())
    p = value;
  else
    p = fs::path(owner.file()).parent_path() / value;
  std::error_code ec;  // a name the OS refuses is bad input too, never an exception
  if (!fs::is_regular_file(p, ec))
    owner.fail(key, "file '" + p.lexically_normal().string() + "' " +
                        (ec && ec != std::errc::no_such_file_or_directory ? "cannot be read: " + ec.message()
                                                                           : "does not exist"));
  return p.lexically_normal().string();
}

std::string value_text(const YAML::Node& v) {
  if (v.IsScalar()) return v.Scalar();
  YAML::Emitter e;
  e << YAML::Flow << v;
  return e.c_str();
}

std::string last_key(const YamlPath& p) {
  for (auto it = p.steps.rbegin(); it != p.steps.rend(); ++it)
    if (it->kind == PathStep::Kind::Key) return it->key;
  return p.text;
}

// `range: {from, to, step}` or `{from, to, factor}`, optionally with a unit
// appended to each value ("16 KiB").
std::vector<YAML::Node> range_values(const ConfigNode& r) {
  r.expect_map("a range {from, to, step} or {from, to, factor}");
  const double from = r.number("from"), to = r.number("to");
  const bool by_step = r.has("step");
  if (by_step == r.has("factor")) r.fail_here("give exactly one of 'step' (to add) and 'factor' (to multiply)");
  const double by = r.number(by_step ? "step" : "factor");
  const std::string unit = r.text("unit", "");
  r.reject_unknown_keys();
  if (to < from) r.fail("to", fmt::format("'to' ({}) is below 'from' ({}): the range is empty", to, from));
  if (by_step && !(by > 0)) r.fail("step", "expected a step greater than zero");
  if (!by_step && !(by > 1)) r.fail("factor", "expected a factor greater than one");
  if (!by_step && !(from > 0)) r.fail("from", "a range by factor starts above zero");
  std::vector<YAML::Node> out;
  for (double v = from; v <= to * (1 + 1e-12); v = by_step ? v + by : v * by) {
    if (static_cast<int64_t>(out.size()) >= kMaxRangeValues)
      r.fail_here(fmt::format("the range has more than {} values", kMaxRangeValues));
    const double rounded = std::abs(v - std::round(v)) < 1e-9 * std::max(1.0, std::abs(v)) ? std::round(v) : v;
    std::string text = fmt::format("{}", rounded);
    if (!unit.empty()) text += " " + unit;
    out.emplace_back(text);
  }
  return out;
}

// The trees a parameter's path is anchored in: the base files as read, or
// with the `set:` edits applied.
struct AnchorTrees {
  YAML::Node arch;
  std::vector<YAML::Node> workloads;
  YAML::Node accuracy;  // {accuracy: {...}}, when the spec has the section
};

// `accuracy.KEY`, or `in: accuracy`: a setting of the points' evaluation.
// The model and the data set stay fixed: the points' hashes take the model's
// content once, and a sweep compares designs on one subset of images.
void anchor_in_accuracy(const ConfigNode& p, const SweepSpec& spec, const AnchorTrees& trees, const YamlPath& path,
                        SweepParameter& out) {
  if (!spec.accuracy.enabled)
    p.fail("path", "'" + path.text + "' is a setting of the points' evaluation, but the spec has no `accuracy:` "
                   "section");
  std::string why;
  const auto anchored = anchor_yaml_path(trees.accuracy, path, &why);
  if (!anchored) p.fail("path", "unknown path in the `accuracy:` settings: " + why);
  if (anchored->text == "accuracy.model" || anchored->text == "accuracy.data")
    p.fail("path", "the evaluation's model and data set are fixed for a sweep; run one sweep per model or data set");
  out.in_arch = false;
  out.in_accuracy = true;
  out.path = *anchored;
}

// Each value a parameter writes into the `accuracy:` settings, read as a
// point would: a bad one stops the sweep before it starts, at the parameter.
void check_accuracy_values(const ConfigNode& p, const SweepSpec& spec, const AnchorTrees& trees,
                           const SweepParameter& param) {
  for (std::size_t i = 0; i < param.values.size(); ++i) {
    YAML::Node tree = YAML::Clone(trees.accuracy);
    std::string why;
    if (assign_yaml_path(tree, param.path, param.values[i], &why).empty()) p.fail("path", why);
    try {
      read_accuracy_settings(tree, spec.file);
    } catch (const ConfigError& e) {
      p.fail(p.has("values") ? "values" : "range", "value '" + param.value_text[i] + "': " + e.message());
    }
  }
}

// A path into the arch, or into every workload (`in:` says which when both have it).
void anchor_in_files(const ConfigNode& p, const SweepSpec& spec, const AnchorTrees& trees, const YamlPath& path,
                     const std::string& in, SweepParameter& out) {
  std::string arch_why;
  std::vector<YamlPath> in_workloads;
  std::string workload_why;
  const auto in_arch = in == "workload" ? std::nullopt : anchor_yaml_path(trees.arch, path, &arch_why);
  if (in != "arch") {
    for (std::size_t w = 0; w < trees.workloads.size(); ++w) {
      std::string w_why;
      const auto a = anchor_yaml_path(trees.workloads[w], path, &w_why);
      if (!a) {
        workload_why = spec.workload_files[w] + ": " + w_why;
        in_workloads.clear();
        break;
      }
      in_workloads.push_back(*a);
    }
  }
  if (in_arch && !in_workloads.empty())
    p.fail("path", "'" + path.text + "' exists in the arch (" + in_arch->text + ") and in the workload (" +
                       in_workloads[0].text + "); say which with `in: arch` or `in: workload`");
  if (in_arch) {
    out.path = *in_arch;
  } else if (!in_workloads.empty()) {
    out.in_arch = false;
    out.path = in_workloads[0];
    out.workload_paths = in_workloads;
  } else {
    std::string msg = "unknown path";
    if (in != "workload") msg += "; in the arch " + spec.arch_file + ": " + arch_why;
    if (in != "arch") msg += "; in the workload " + workload_why;
    if (spec.accuracy.enabled) msg += "; the evaluation's settings are `accuracy.KEY`";
    p.fail("path", msg);
  }
}

SweepParameter parse_parameter(const ConfigNode& p, const SweepSpec& spec, const AnchorTrees& trees) {
  p.expect_map("a parameter {path, values} or {path, range}");
  SweepParameter out;
  out.where = p.location();
  std::string why;
  const auto path = parse_yaml_path(p.text("path"), &why);
  if (!path) p.fail("path", why);
  const std::string in = p.text("in", "auto");
  if (in != "auto" && in != "arch" && in != "workload" && in != "accuracy")
    p.fail("in", "expected arch, workload, accuracy or auto, found '" + in + "'");
  out.name = p.text("name", last_key(*path));
  const bool accuracy_path = in == "accuracy" || (in == "auto" && !path->steps.empty() &&
                                                  path->steps[0].kind == PathStep::Kind::Key &&
                                                  path->steps[0].key == "accuracy");
  if (accuracy_path)
    anchor_in_accuracy(p, spec, trees, *path, out);
  else
    anchor_in_files(p, spec, trees, *path, in, out);

  if (p.has("values") == p.has("range")) p.fail_here("give the parameter's 'values' (a list) or a 'range', not both");
  if (p.has("values")) {
    const ConfigNode values = p.child("values");
    if (!values.is_sequence()) p.fail("values", "expected a list of values");
    for (const ConfigNode& v : values.items()) out.values.push_back(v.yaml());
    if (out.values.empty()) p.fail("values", "the list of values is empty: a sweep over no values has no points");
  } else {
    out.values = range_values(p.child("range"));
  }
  for (const YAML::Node& v : out.values) {
    out.value_text.push_back(value_text(v));
    out.numeric.push_back(v.IsScalar() && v.Tag() != "!" ? parse_number(v.Scalar()) : std::nullopt);
  }
  if (out.in_accuracy) check_accuracy_values(p, spec, trees, out);
  p.reject_unknown_keys();
  return out;
}

Combine parse_combine(const ConfigNode& root) {
  const std::string c = root.text("combine", "grid");
  if (c == "grid") return Combine::Grid;
  if (c == "zip") return Combine::Zip;
  if (c == "random") return Combine::Random;
  root.fail("combine", "expected grid, zip or random, found '" + c + "'");
}

// `set: {PATH: VALUE}`: edits every point shares, e.g. a model switch the
// swept values need; axes of one value that stay out of the results. They
// come first, so a point applies them before its swept values, and the swept
// paths are anchored in the edited trees (a `set:` may add the key a
// parameter then sweeps). Returns those edited trees.
AnchorTrees parse_set(const ConfigNode& root, SweepSpec& spec) {
  AnchorTrees edited{YAML::Clone(spec.arch_tree), {}, {}};
  if (spec.accuracy.enabled) edited.accuracy = YAML::Clone(spec.accuracy.tree);
  for (const YAML::Node& w : spec.workload_trees) edited.workloads.push_back(YAML::Clone(w));
  const auto set = root.optional_child("set");
  if (!set) return edited;
  set->expect_map("fixed edits {PATH: VALUE}");
  for (const std::string& key : set->keys()) {
    // Built as nodes, not as text, so that any key (quotes included) stays one path.
    YAML::Node shim;
    shim["path"] = key;
    shim["values"].push_back(set->yaml()[key]);
    SweepParameter p;
    try {
      p = parse_parameter(ConfigNode::from_tree(shim, root.file()), spec, edited);
    } catch (const ConfigError& e) {
      throw ConfigError(set->location_of(key), set->key_path(key), e.message());
    }
    p.where = set->location_of(key);
    p.name = "set:" + key;
    p.fixed = true;
    std::string why;
    if (p.in_accuracy) {
      if (assign_yaml_path(edited.accuracy, p.path, p.values[0], &why).empty())
        throw ConfigError(p.where, set->key_path(key), why);
    } else if (p.in_arch) {
      if (assign_yaml_path(edited.arch, p.path, p.values[0], &why).empty())
        throw ConfigError(p.where, set->key_path(key), why);
    } else {
      for (std::size_t w = 0; w < edited.workloads.size(); ++w)
        if (assign_yaml_path(edited.workloads[w], p.workload_paths[w], p.values[0], &why).empty())
          throw ConfigError(p.where, set->key_path(key), why);
    }
    spec.axes.push_back(SweepAxis{{spec.parameters.size()}, 1});
    spec.parameters.push_back(p);
  }
  return edited;
}

void parse_axes(const ConfigNode& root, SweepSpec& spec) {
  const AnchorTrees trees = parse_set(root, spec);
  const ConfigNode list = root.child("parameters");
  if (!list.is_sequence() || list.items().empty())
    root.fail("parameters", "expected a non-empty list of parameters ({path, values}, or {zip: [...]})");
  for (const ConfigNode& item : list.items()) {
    SweepAxis axis;
    std::vector<ConfigNode> members;
    if (item.is_map() && item.has("zip")) {
      const ConfigNode z = item.child("zip");
      if (!z.is_sequence() || z.items().size() < 2) item.fail("zip", "expected a list of two or more parameters");
      item.reject_unknown_keys();
      members = z.items();
    } else {
      members.push_back(item);
    }
    for (const ConfigNode& m : members) {
      axis.parameters.push_back(spec.parameters.size());
      spec.parameters.push_back(parse_parameter(m, spec, trees));
      const std::size_t n = spec.parameters.back().values.size();
      if (axis.size != 0 && n != axis.size)
        m.fail_here(fmt::format("zipped parameters need equal numbers of values: this one has {}, the first {}", n,
                                axis.size));
      axis.size = n;
    }
    spec.axes.push_back(axis);
  }
  std::map<std::string, SourceLocation> seen;
  for (const SweepParameter& p : spec.parameters) {
    if (p.name == kAreaName) throw ConfigError(p.where, "name", "'area_mm2' is the chip area figure; name the parameter otherwise");
    if (!p.fixed && (p.name == kAccuracyName || p.name == kAdcClipName || p.name == kOverflowName))
      throw ConfigError(p.where, "name", "'" + p.name + "' is a figure of the points' evaluation, which constraints "
                                         "read; name the parameter otherwise (`name:`)");
    if (!seen.emplace(p.name, p.where).second)
      throw ConfigError(p.where, "name", "two parameters are called '" + p.name + "'; give one a `name:`");
  }
}

void parse_combination(const ConfigNode& root, SweepSpec& spec) {
  spec.combine = parse_combine(root);
  double grid = 1;
  for (const SweepAxis& a : spec.axes) grid *= static_cast<double>(a.size);
  if (spec.combine == Combine::Random) {
    spec.samples = root.integer("samples", 1);
    spec.seed = static_cast<uint64_t>(root.integer("seed", 0, 1));
    if (static_cast<double>(spec.samples) > grid)
      root.fail("samples", fmt::format("{} samples asked for, but the parameters have only {:.0f} distinct "
                                       "combinations; use combine: grid", spec.samples, grid));
  } else {
    for (const char* key : {"samples", "seed"})
      if (root.has(key)) root.fail(key, std::string("'") + key + "' is for combine: random");
  }
  if (spec.combine == Combine::Zip) {
    for (const SweepAxis& a : spec.axes)
      if (a.size != spec.axes[0].size)
        root.fail("parameters", "combine: zip needs the same number of values in every parameter");
  }
  const double points = (spec.combine == Combine::Grid ? grid
                         : spec.combine == Combine::Zip ? static_cast<double>(spec.axes[0].size)
                                                        : static_cast<double>(spec.samples)) *
                        static_cast<double>(spec.workload_files.size());
  if (points > kMaxPoints)
    root.fail("parameters", fmt::format("the sweep has {:.3g} points, more than {:.0e}; narrow it or use combine: "
                                        "random with samples", points, kMaxPoints));
}

void parse_constraints(const ConfigNode& root, SweepSpec& spec) {
  const auto list = root.optional_child("constraints");
  if (!list) return;
  if (!list->is_sequence()) root.fail("constraints", "expected a list of expressions, e.g. [\"rows * cols <= 256\"]");
  std::set<std::string> known{kAreaName};
  if (spec.accuracy.enabled) known.insert({kAccuracyName, kAdcClipName, kOverflowName});
  for (const SweepParameter& p : spec.parameters)
    if (!p.fixed) known.insert(p.name);
  for (const ConfigNode& c : list->items()) {
    std::string why;
    auto e = Expression::parse(c.as_text(), &why);
    if (!e) c.fail_here("bad constraint '" + c.as_text() + "': " + why);
    for (const std::string& n : e->names()) {
      if (!spec.accuracy.enabled && (n == kAccuracyName || n == kAdcClipName || n == kOverflowName))
        c.fail_here("constraint '" + c.as_text() + "' reads '" + n + "', which only a point's evaluation gives: add an "
                    "`accuracy: {model: ..., images: N}` section to the spec");
      if (!known.count(n)) {
        std::string names;
        for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
        c.fail_here("constraint '" + c.as_text() + "' reads '" + n + "', which is no parameter (names: " + names + ")");
      }
      for (const SweepParameter& p : spec.parameters)
        if (p.name == n)
          for (std::size_t i = 0; i < p.values.size(); ++i)
            if (!p.numeric[i])
              c.fail_here("constraint '" + c.as_text() + "' reads '" + n + "', whose value '" + p.value_text[i] +
                          "' is not a plain number");
    }
    spec.constraints.push_back({*e, c.location(), c.path(), c.as_text()});
  }
}

SweepRunOptions parse_options(const ConfigNode& root) {
  SweepRunOptions o;
  const auto node = root.optional_child("options");
  if (!node) return o;
  node->expect_map("run options {batch, objective, execution, bits, density}");
  o.batch = node->integer_in("batch", 1, kMaxBatch, 0);
  o.objective = node->text("objective", "edp");
  try {
    objective_named(o.objective);  // checked here, where the spec names it; the run parses it again
  } catch (const std::invalid_argument& e) {
    node->fail("objective", e.what());
  }
  o.execution = node->text("execution", "");
  if (const auto e = node->optional_child("execution")) o.execution_where = e->location();
  if (!o.execution.empty() && o.execution != "layer_pipelined" && o.execution != "layer_sequential")
    node->fail("execution", "expected layer_pipelined or layer_sequential, found '" + o.execution + "'");
  if (node->has("bits")) o.bits = node->text_list("bits");
  if (node->has("density")) o.densities = node->text_list("density");
  node->reject_unknown_keys();
  return o;
}

}  // namespace

bool SweepConstraint::reads_results() const {
  return expr.names().count(kAccuracyName) > 0 || expr.names().count(kAdcClipName) > 0 ||
         expr.names().count(kOverflowName) > 0;
}

bool SweepConstraint::holds(const std::map<std::string, double>& values, const std::string& point) const {
  try {
    return expr.evaluate(values) != 0;
  } catch (const std::domain_error& e) {
    throw ConfigError(where, key, "'" + text + "' " + e.what() + " at the point that sets " + point);
  }
}

bool SweepSpec::constraints_need_area() const {
  for (const SweepConstraint& c : constraints)
    if (!c.reads_results() && c.expr.names().count(kAreaName)) return true;
  return false;
}

SweepSpec load_sweep_spec(const std::string& path) {
  SweepSpec spec;
  spec.text = read_text(path);
  const ConfigNode root = ConfigNode::load_string(spec.text, path);
  spec.file = path;
  spec.name = root.text("name", fs::path(path).stem().string());
  spec.arch_file = resolve_file(root, "arch", root.text("arch"), "arch");
  spec.arch_text = read_text(spec.arch_file);
  spec.arch_tree = ConfigNode::load_string(spec.arch_text, spec.arch_file).yaml();  // a syntax error names the arch file
  if (spec.arch_tree["energy_table"].IsDefined())
    spec.energy_table_text = read_text(energy_table_path(ConfigNode::from_tree(spec.arch_tree, spec.arch_file)));

  const ConfigNode workloads = root.child("workloads");
  const std::vector<ConfigNode> items = workloads.is_sequence() ? workloads.items() : std::vector<ConfigNode>{workloads};
  if (items.empty()) root.fail("workloads", "expected one or more workload files");
  for (const ConfigNode& w : items) {
    const std::string file = resolve_file(w, "", w.as_text(), "workloads");
    spec.workload_files.push_back(file);
    spec.workload_texts.push_back(read_text(file));
    spec.workload_trees.push_back(ConfigNode::load_string(spec.workload_texts.back(), file).yaml());
  }
  spec.accuracy = parse_sweep_accuracy(root);
  if (spec.accuracy.enabled) check_accuracy_inputs(spec);
  parse_axes(root, spec);
  parse_combination(root, spec);
  parse_constraints(root, spec);

  spec.objectives = {"energy", "latency"};
  if (root.has("objectives")) spec.objectives = root.text_list("objectives");
  if (spec.objectives.empty()) root.fail("objectives", "expected one or more of energy, latency, edp, area, throughput, accuracy");
  for (const std::string& o : spec.objectives) {
    if (o == kAccuracyName && !spec.accuracy.enabled)
      root.fail("objectives", "objective 'accuracy' needs an `accuracy: {model: ..., images: N}` section");
    if (o != "energy" && o != "latency" && o != "edp" && o != "area" && o != "throughput" && o != kAccuracyName)
      root.fail("objectives",
                "unknown objective '" + o + "'; expected energy, latency, edp, area, throughput or accuracy");
  }
  if (root.has("timeout")) spec.timeout_s = root.quantity_in("timeout", Dimension::Time, 1e-3, 7 * 86400.0);
  spec.options = parse_options(root);
  if (root.has("description")) root.text("description");
  root.reject_unknown_keys();
  return spec;
}

}  // namespace qnnsim
