#pragma once
// A design-space sweep as configs/sweeps/*.yaml describes it: a base arch,
// one or more workloads, parameters addressed by path into either file, how
// they combine (grid, zip, seeded random), constraints that drop points before
// they run, and the objectives to report. Loading checks everything a point
// could not fix: paths exist, lists are not empty, constraints parse and read
// only known names; each error names the spec's file, line and key.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/config_error.h"
#include "sweep/expression.h"
#include "sweep/sweep_accuracy.h"
#include "sweep/yaml_path.h"

namespace qnnsim {

struct SweepParameter {
  std::string name;  // in constraints and printed fronts; result columns use path.text
  SourceLocation where;
  bool in_arch = true;  // else in every workload, or in the `accuracy:` settings
  bool in_accuracy = false;  // `accuracy.KEY`: the path is anchored in SweepAccuracy::tree
  YamlPath path;        // anchored in the arch, or (per workload) below; its text is the full key path
  std::vector<YamlPath> workload_paths;
  std::vector<YAML::Node> values;
  std::vector<std::string> value_text;           // as the results show them
  std::vector<std::optional<double>> numeric;    // for constraints, when a plain number
  bool fixed = false;  // from `set:`: one value for every point, not a result column
};

// Parameters that vary together (zip); a lone parameter is an axis of one.
struct SweepAxis {
  std::vector<std::size_t> parameters;
  std::size_t size = 0;
};

enum class Combine { Grid, Zip, Random };

struct SweepConstraint {
  Expression expr;
  SourceLocation where;
  std::string key;
  std::string text;  // as the spec wrote it, for the results of points that fail it

  // True when it reads a figure only a point's run gives (accuracy,
  // adc_clip_fraction, overflow_fraction): it then judges the point after the run instead of
  // dropping it before.
  bool reads_results() const;
  // Whether a point of these values passes; a division by zero is an error
  // at the constraint's key, naming `point` (what the point sets).
  bool holds(const std::map<std::string, double>& values, const std::string& point) const;
};

// What `qnnsim run` takes on its command line, applied to every point.
struct SweepRunOptions {
  int64_t batch = 0;  // 0: the workload's own
  std::string objective = "edp";
  std::string execution;  // in-memory chips
  SourceLocation execution_where;  // of the execution key, for a design that takes none
  std::vector<std::string> bits, densities;
};

struct SweepSpec {
  std::string file, name;
  std::string text;  // the spec file itself, stored with the results
  std::string arch_file;
  std::string arch_text, energy_table_text;  // contents, for the points' hashes
  YAML::Node arch_tree;                      // parsed once; points copy it before editing
  std::vector<std::string> workload_files, workload_texts;
  std::vector<YAML::Node> workload_trees;
  std::vector<SweepParameter> parameters;
  std::vector<SweepAxis> axes;
  Combine combine = Combine::Grid;
  int64_t samples = 0;
  uint64_t seed = 1;
  std::vector<SweepConstraint> constraints;
  std::vector<std::string> objectives;  // energy, latency, edp, area, throughput
  double timeout_s = 600;
  SweepRunOptions options;
  SweepAccuracy accuracy;  // disabled unless the spec has an `accuracy:` section

  // Whether a constraint checked before the run reads area_mm2.
  bool constraints_need_area() const;
};

// Names a constraint may read besides the parameters: figures known before
// a run (area_mm2), and with an `accuracy:` section kAccuracyName,
// kAdcClipName and kOverflowName (sweep_accuracy.h), known after it.
inline constexpr const char* kAreaName = "area_mm2";

SweepSpec load_sweep_spec(const std::string& path);

}  // namespace qnnsim
