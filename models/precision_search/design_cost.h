#pragma once
// What a quantized trace costs on a design: the design's own run (its family
// from the design registry), so that a search over widths ranks candidates by
// the figures `qnnsim run` would report for them. Runs many traces in one
// process, each on a fresh SystemC kernel.
#include <string>

#include "core/config_node.h"
#include "design/objective.h"
#include "design/run_result.h"

namespace qnnsim {

class DesignCost {
 public:
  // Reads the design file; a ConfigError names its file, line and key.
  // Designs that search mappings search them for `objective`.
  DesignCost(const std::string& arch_file, Objective objective);
  const std::string& arch_file() const { return file_; }
  // The run of `trace_yaml` (named `trace_name` in messages). Throws
  // ConfigError or CannotRun when the design cannot run the trace as given
  // (a width its MAC class does not take, a layer it has no unit for).
  RunResult run(const std::string& trace_yaml, const std::string& trace_name);

 private:
  std::string file_;
  ConfigNode root_;
  Objective objective_;
};

}  // namespace qnnsim
