#include "cli/progress_line.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace qnnsim::cli {

ProgressLine::ProgressLine(bool wanted) {
  if (!wanted || isatty(STDERR_FILENO) == 0) return;
  installed_ = true;
  set_progress_sink(this);
}

void ProgressLine::done() {
  if (!installed_) return;
  installed_ = false;
  set_progress_sink(nullptr);
  if (shown_) std::fputs("\r\033[K", stderr);  // erase the line
}

void ProgressLine::step(const char* phase, std::size_t done, std::size_t total) {
  const Clock::time_point now = Clock::now();
  const bool new_phase = phase_ != phase;
  if (new_phase) {
    phase_ = phase;
    phase_start_ = now;
  }
  // A few updates a second are enough to read, and cost nothing measurable.
  if (!new_phase && done < total && now - last_shown_ < std::chrono::milliseconds(200)) return;
  last_shown_ = now;
  shown_ = true;
  const double elapsed = std::chrono::duration<double>(now - phase_start_).count();
  const double left = done == 0 ? 0 : elapsed / static_cast<double>(done) * static_cast<double>(total - done);
  std::fputs(fmt::format("\r\033[K{} {}/{} layers, {:.1f} s, about {:.1f} s left", phase, done, total, elapsed, left).c_str(),
             stderr);
  std::fflush(stderr);
}

}  // namespace qnnsim::cli
