#pragma once
// Runs work items in child processes, a few at a time: each item is forked
// from this process (which has parsed everything once), computes in the child
// and hands its result back through a pipe. A crash, an error exit or a
// timeout ends only that child and comes back as the item's error. SIGINT and
// SIGTERM stop the pool: running children are killed and their items left
// unfinished, so a later run can do them.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <csignal>

#include "sweep/item_outcome.h"

namespace qnnsim {

// Returns false when a signal stopped the pool before every item finished.
// `on_done` runs in this process as each item finishes; `on_tick` about ten
// times a second, for progress.
bool run_in_children(const std::vector<std::size_t>& items, const PoolOptions& options, const ChildBody& body,
                     const std::function<void(const ItemOutcome&)>& on_done, const std::function<void()>& on_tick);

// While one exists, SIGINT and SIGTERM set a flag (stop_requested) instead
// of ending the process, so a sweep can stop its children and keep its results.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction* old_;
};

// Whether SIGINT or SIGTERM arrived since the first StopSignals of this process.
bool stop_requested();

}  // namespace qnnsim
