#pragma once
// A run's timeline as Chrome trace-event JSON, which ui.perfetto.dev and
// chrome://tracing open: a track per unit of hardware the model books on its
// own (a component, each network of a bus, an in-memory tile group, eDRAM,
// router or I/O, a dataflow engine or port) with a slice per transaction, a track of stalls coloured by cause, a track
// of layers, and counters of bandwidth in use and buffer tile slots.
// Install it with set_trace_recorder() before the run, write it after.
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "core/trace_recorder.h"

namespace qnnsim {

struct TraceLimits {
  std::set<int> layers;                          // layer indices to keep; empty: all
  std::optional<double> from_s, to_s;            // simulated-time window to keep
};

class TraceFile : public TraceRecorder {
 public:
  explicit TraceFile(TraceLimits limits = {}) : limits_(std::move(limits)) {}

  void slice(const std::string& track, const char* what, int layer, const sc_core::sc_time& start,
             const sc_core::sc_time& end, uint64_t bits) override;
  void stall(const std::string& track, const char* cause, int layer, const sc_core::sc_time& start,
             const sc_core::sc_time& end) override;
  void counter(const char* name, const sc_core::sc_time& at, double value) override;

  // `layer_names` label the layers track; `clock_hz` turns durations into cycles.
  void write(std::ostream& out, const std::string& design, const std::vector<std::string>& layer_names,
             double clock_hz) const;
  std::size_t events() const { return slices_.size() + counters_.size(); }

 private:
  struct Slice {
    int track;
    const char* what;
    int layer;
    bool stall;
    double start_s, end_s;
    uint64_t bits;
  };
  struct Sample {
    const char* name;
    double at_s, value;
  };
  bool keeps(int layer, double start_s, double end_s) const;
  int track_id(const std::string& track);

  TraceLimits limits_;
  std::vector<std::string> tracks_;
  std::map<std::string, int> track_ids_;
  std::vector<Slice> slices_;
  std::vector<Sample> counters_;
};

}  // namespace qnnsim
