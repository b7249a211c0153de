#include "cli/trace_options.h"

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/output_files.h"
#include "core/quantity.h"

namespace qnnsim::cli {

void add_trace_options(CLI::App* cmd, TraceArgs& a) {
  writes_file(
      cmd->add_option("--trace", a.file, "write the run's timeline as Chrome trace-event JSON (ui.perfetto.dev) to FILE"));
  cmd->add_option("--trace-layers", a.layers, "record only these layers in the timeline (comma-separated names)")
      ->delimiter(',');
  cmd->add_option("--trace-window", a.window, "record only FROM:TO of simulated time in the timeline, e.g. 1ms:2.5ms");
}

bool TraceSession::start(const TraceArgs& a, const Workload& w) {
  if (a.file.empty()) {
    if (!a.layers.empty() || !a.window.empty()) {
      std::cerr << "error: --trace-layers and --trace-window limit a timeline: give --trace FILE too\n";
      return false;
    }
    return true;
  }
  TraceLimits limits;
  for (const std::string& name : a.layers) {
    std::size_t i = 0;
    while (i < w.layers.size() && w.layers[i].name != name) ++i;
    if (i == w.layers.size()) {
      std::cerr << "error: --trace-layers: workload '" << w.name << "' has no layer '" << name
                << "' (its first is '" << w.layers.front().name << "')\n";
      return false;
    }
    limits.layers.insert(static_cast<int>(i));
  }
  if (!a.window.empty()) {
    const std::size_t colon = a.window.find(':');
    std::string why;
    const auto from = colon == std::string::npos ? std::nullopt : parse_quantity(a.window.substr(0, colon), Dimension::Time, why);
    const auto to = colon == std::string::npos ? std::nullopt : parse_quantity(a.window.substr(colon + 1), Dimension::Time, why);
    if (!from || !to || *to <= *from) {
      std::cerr << "error: --trace-window '" << a.window
                << "': expected FROM:TO, two times with units and TO after FROM, e.g. 1ms:2.5ms\n";
      return false;
    }
    limits.from_s = *from;
    limits.to_s = *to;
  }
  out_.open(a.file);
  if (!out_) {
    std::cerr << "error: cannot write '" << a.file << "': " << std::strerror(errno) << "\n";
    return false;
  }
  path_ = a.file;
  trace_ = std::make_unique<TraceFile>(std::move(limits));
  set_trace_recorder(trace_.get());
  return true;
}

bool TraceSession::finish(const std::string& design, const Workload& w, double clock_hz) {
  if (!trace_) return true;
  set_trace_recorder(nullptr);
  std::vector<std::string> names;
  for (const Layer& l : w.layers) names.push_back(l.name);
  trace_->write(out_, design, names, clock_hz);
  out_.close();
  if (!out_) {
    std::cerr << "error: writing '" << path_ << "' failed: " << std::strerror(errno) << "\n";
    return false;
  }
  return true;
}

TraceSession::~TraceSession() {
  if (trace_) set_trace_recorder(nullptr);
}

}  // namespace qnnsim::cli
