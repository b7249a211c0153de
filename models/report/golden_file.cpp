#include "report/golden_file.h"

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/config_node.h"

namespace qnnsim {

namespace fs = std::filesystem;

std::string GoldenRun::label() const {
  std::string s = arch + " " + workload;
  for (const auto& o : options) s += " " + o;
  return s;
}

GoldenFile load_golden(const std::string& path) {
  const ConfigNode root = ConfigNode::load_file(path);
  root.expect_map("a golden-figures file {tolerance, runs}");
  GoldenFile g;
  g.path = path;
  if (root.has("tolerance")) {
    g.tolerance = root.number("tolerance");
    if (!(g.tolerance >= 0 && g.tolerance < 1)) root.fail("tolerance", "expected a relative tolerance in [0, 1), e.g. 1e-6");
  }
  for (const ConfigNode& item : root.child("runs").items()) {
    item.expect_map("a run {arch, workload, options, figures}");
    GoldenRun r;
    r.arch = item.text("arch");
    r.workload = item.text("workload");
    if (item.has("options")) r.options = item.text_list("options");
    for (const std::string& o : r.options)
      if (o == "--json" || o.rfind("--json=", 0) == 0)
        item.fail("options", "'--json' is check's own: it writes each run's report where it reads it back; "
                             "remove it from the run's options");
    if (item.has("figures")) {
      const ConfigNode figures = item.child("figures");
      figures.expect_map("figures {path: number}");
      for (const std::string& k : figures.keys()) r.figures[k] = figures.number(k);
    }
    item.reject_unknown_keys();
    g.runs.push_back(std::move(r));
  }
  if (g.runs.empty())
    root.fail("runs", "expected at least one run {arch, workload, options}: a file of no runs would check nothing "
                      "and pass");
  root.reject_unknown_keys();
  return g;
}

namespace {
std::string yaml_string(const std::string& s) { return nlohmann::json(s).dump(); }  // JSON strings are YAML
}  // namespace

std::string golden_yaml(const GoldenFile& g) {
  std::string out =
      "# Golden figures: `qnnsim check FILE` reruns every run below and compares\n"
      "# its figures with these; `qnnsim check --bless FILE` rewrites them after an\n"
      "# intended change. Paths are relative to this file; bare names are shipped files.\n"
      "# The tolerance is relative, per figure. A run is deterministic (the same\n"
      "# binary gives byte-identical figures), so it only absorbs floating-point\n"
      "# differences between compilers and CPUs; any change of a model moves more.\n";
  out += fmt::format("tolerance: {}  # relative, for every figure\nruns:\n", g.tolerance);
  for (const GoldenRun& r : g.runs) {
    out += fmt::format("  - arch: {}\n    workload: {}\n", yaml_string(r.arch), yaml_string(r.workload));
    if (!r.options.empty()) {
      out += "    options: [";
      for (std::size_t i = 0; i < r.options.size(); ++i) out += (i ? ", " : "") + yaml_string(r.options[i]);
      out += "]\n";
    }
    out += "    figures:\n";
    for (const auto& [k, v] : r.figures) out += fmt::format("      {}: {:.17g}\n", yaml_string(k), v);
  }
  return out;
}

namespace {
bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

Figures golden_figures(const Figures& report) {
  Figures kept;
  for (const auto& [k, v] : report) {
    const bool layer_figure = starts_with(k, "layers.") && k.find(".actions.") == std::string::npos &&
                              (ends_with(k, ".cycles") || ends_with(k, ".latency_s") || ends_with(k, ".energy_pj") ||
                               ends_with(k, ".dram_bytes"));
    if (starts_with(k, "summary.") || starts_with(k, "energy_breakdown_pj.") || starts_with(k, "in_memory.") ||
        starts_with(k, "dataflow.") || layer_figure)
      kept[k] = v;
  }
  return kept;
}

std::string golden_input_path(const GoldenFile& g, const std::string& value) {
  if (value.find('/') == std::string::npos && value.find(".yaml") == std::string::npos) return value;
  if (fs::path(value).is_absolute()) return value;
  return (fs::path(g.path).parent_path() / value).lexically_normal().string();
}

}  // namespace qnnsim
