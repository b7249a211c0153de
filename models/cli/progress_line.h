#pragma once
// A run's progress on one terminal line of stderr: the phase, layers done of
// all, time so far and an estimate of the rest. Installed only when stderr is
// a terminal and --quiet is not given, so logs and pipes never see it; the
// line is cleared when the run ends, leaving the table as before.
#include <chrono>
#include <string>

#include "core/progress.h"

namespace qnnsim::cli {

class ProgressLine : public ProgressSink {
 public:
  // Installs itself when `wanted` and stderr is a terminal.
  explicit ProgressLine(bool wanted);
  ~ProgressLine() override { done(); }
  // Erases the line and stops showing progress (before the table is printed).
  void done();
  void step(const char* phase, std::size_t done, std::size_t total) override;

 private:
  using Clock = std::chrono::steady_clock;
  bool installed_ = false, shown_ = false;
  std::string phase_;
  Clock::time_point phase_start_, last_shown_;
};

}  // namespace qnnsim::cli
