#pragma once
// A golden-figures file: a list of runs (design, workload, options) and the
// figures each produced when it was last blessed, with the relative tolerance
// a rerun must stay within. `qnnsim check` reruns and compares them;
// `qnnsim check --bless` writes the new figures back.
#include <string>
#include <vector>

#include "report/report_diff.h"

namespace qnnsim {

struct GoldenRun {
  std::string arch, workload;        // shipped names or paths (relative to the golden file)
  std::vector<std::string> options;  // further `qnnsim run` arguments, e.g. --batch 4
  Figures figures;                   // empty until blessed
  std::string label() const;         // "arch workload options", to name the run in messages
};

struct GoldenFile {
  std::string path;
  double tolerance = 1e-6;  // relative, for every figure
  std::vector<GoldenRun> runs;
};

// Throws ConfigError (file, line, key) on a malformed file.
GoldenFile load_golden(const std::string& path);
// The whole file, figures in full precision; the caller writes it.
std::string golden_yaml(const GoldenFile& g);

// The figures a golden file keeps of a report: the summary, the energy by
// component, the design's own summary (in-memory or dataflow), and each
// layer's cycles, latency, energy and DRAM traffic.
Figures golden_figures(const Figures& report);

// A run's arch or workload argument as `qnnsim run` takes it: a shipped name
// as it is, a relative path taken from the golden file's folder.
std::string golden_input_path(const GoldenFile& g, const std::string& value);

}  // namespace qnnsim
