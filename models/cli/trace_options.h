#pragma once
// `run --trace FILE [--trace-layers A,B] [--trace-window FROM:TO]`: records the
// run's timeline (report/trace_writer.h) and writes it once the run is done.
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "report/trace_writer.h"
#include "workload/workload.h"

namespace qnnsim::cli {

struct TraceArgs {
  std::string file;
  std::vector<std::string> layers;
  std::string window;
};

void add_trace_options(CLI::App* cmd, TraceArgs& a);

// Installed for the length of one run when --trace is given.
class TraceSession {
 public:
  // Checks the layer names and the window against the workload and opens the
  // file; false (after a message) on bad input or an unwritable path.
  bool start(const TraceArgs& a, const Workload& w);
  // Writes the timeline; false (after a message) when the write fails.
  bool finish(const std::string& design, const Workload& w, double clock_hz);
  ~TraceSession();

 private:
  std::string path_;
  std::ofstream out_;
  std::unique_ptr<TraceFile> trace_;
};

}  // namespace qnnsim::cli
