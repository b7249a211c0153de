#pragma once
// How far a long run has got: the mapper and the simulation report each layer
// they finish, and a sink (the command line's terminal line, cli/progress_line.h)
// shows it. One sink per process, like the trace recorder; with none, a report
// is one pointer test.
#include <cstddef>

namespace qnnsim {

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // `phase` ("mapping", "simulating") has finished `done` of its `total` steps.
  virtual void step(const char* phase, std::size_t done, std::size_t total) = 0;
};

ProgressSink* progress_sink();
void set_progress_sink(ProgressSink* s);

inline void report_progress(const char* phase, std::size_t done, std::size_t total) {
  if (ProgressSink* s = progress_sink()) s->step(phase, done, total);
}

}  // namespace qnnsim
