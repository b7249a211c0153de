#pragma once
// What both ways of running sweep items in other processes (a process per
// item, forked_pool; long-lived workers, worker_pool) share: the item's
// outcome and how it is worded, so the results file reads the same whichever
// ran the points.
#include <cstddef>
#include <functional>
#include <string>

namespace qnnsim {

struct ItemOutcome {
  std::size_t item = 0;
  bool ok = false;
  std::string result;  // what the child returned (ok)
  std::string error;   // why it failed (not ok)
  double wall_s = 0;
};

struct PoolOptions {
  int jobs = 1;
  double timeout_s = 600;
};

// Runs in the child; returns the result, or throws (ConfigError: exit 2, other: exit 1).
using ChildBody = std::function<std::string(std::size_t item)>;

// How the process that ran an item ended: killed for its timeout, by a
// signal (non-zero), or with an exit code.
struct ItemEnd {
  bool timed_out = false;
  int signal = 0;
  int exit_code = 0;
};

// The outcome from how the item ended, what it returned and what it wrote to standard error.
ItemOutcome describe_outcome(std::size_t item, double wall_s, const ItemEnd& end, std::string result,
                             const std::string& error_text, double timeout_s);

// Runs `body` and gives the exit code the item's process ends with (0, or 2
// for ConfigError, 1 for any other exception); the exception's message goes to `error_fd`.
int run_body(const ChildBody& body, std::size_t item, std::string& result, int error_fd);

// Writes all of `s`, retrying after signals; false when the descriptor fails.
bool write_all(int fd, const std::string& s);

}  // namespace qnnsim
