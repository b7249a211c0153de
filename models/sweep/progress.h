#pragma once
// Sweep progress on stdout: a bar redrawn in place when stdout is a terminal,
// otherwise a plain line every few seconds (logs, CI, Slurm task output).
#include <chrono>
#include <cstdint>
#include <string>

namespace qnnsim {

class Progress {
 public:
  Progress(int64_t total, bool enabled);
  void set(int64_t done, int64_t failed);  // prints when due
  void finish();                           // the last state, then a newline on a terminal

 private:
  void print(bool force);
  int64_t total_, done_ = 0, failed_ = 0;
  bool enabled_, tty_;
  std::chrono::steady_clock::time_point start_, last_print_;
};

}  // namespace qnnsim
