#pragma once
// One sweep point made concrete: the arch and workload trees with the point's
// values written in, and the content hash that keys its result. The hash
// covers everything that decides the result (the resolved arch, its energy
// table, the resolved workload, the run options, the result format and, with
// an `accuracy:` section, the evaluation's settings and the model's content), so
// two points, or two sweeps, that resolve to the same inputs share one row.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/content_hash.h"  // sha1_hex, the points' hashes

#include "sweep/sweep_points.h"
#include "sweep/sweep_spec.h"
#include "workload/workload.h"

namespace qnnsim {

// Bump when what a stored result means changes, so old rows are not reused.
constexpr int kResultFormatVersion = 2;  // 2: energies in pJ, fractions named _fraction

struct ResolvedPoint {
  YAML::Node arch, workload;
  YAML::Node accuracy;  // {accuracy: {...}} with the point's values; null without the section
  std::size_t workload_index = 0;  // into the spec's workloads
  std::string hash;                // hex SHA-1
};

class PointResolver {
 public:
  explicit PointResolver(const SweepSpec& spec);

  // Throws ConfigError (at the parameter in the spec) when a value cannot be written.
  ResolvedPoint resolve(const SweepPoint& p);
  // The same without the hash (left empty), for a point's run: the plan has
  // hashed it already, and writing the trees out to hash them is most of the cost.
  ResolvedPoint resolve_trees(const SweepPoint& p) const;
  // The same, for a process that runs point after point (a sweep's worker):
  // the trees are parsed once and each point's values written over the last
  // point's. Every point writes the same paths in the same order, and a write
  // replaces the whole value there, so the trees equal a fresh parse with the
  // point's values; every other value keeps its line for error messages. A
  // value of ~ removes its key, and the key written again later would move to
  // the end of its map: a spec with one parses afresh for every point. The
  // returned trees are valid until the next call. With `hash`, hashed as
  // resolve() does (the plan: one parse for all its points).
  ResolvedPoint resolve_over_last(const SweepPoint& p, bool hash = false);
  // The chip's area from the resolved arch, for constraints that read area_mm2.
  // A dataflow design's area depends on its engines, so on the workload too.
  // Throws ConfigError when the arch or the workload does not load.
  double area_mm2(const ResolvedPoint& r) const;

 private:
  const SweepSpec& spec_;
  bool arch_varies_ = false, workload_varies_ = false, accuracy_varies_ = false;
  std::string options_text_;
  std::string base_arch_emitted_;
  std::vector<std::string> base_workload_emitted_;
  bool can_write_over_ = true;  // no parameter value is ~
  std::optional<YAML::Node> kept_arch_, kept_accuracy_;
  std::vector<std::optional<YAML::Node>> kept_workloads_;  // per workload, parsed when first needed

  void write_values(ResolvedPoint& r, const SweepPoint& p) const;
  void add_hash(ResolvedPoint& r, const SweepPoint& p) const;
};

// The point's workload as it runs: the resolved trace with the spec's batch,
// bits and density options applied. Throws ConfigError.
Workload load_point_workload(const SweepSpec& spec, const ResolvedPoint& r);

}  // namespace qnnsim
