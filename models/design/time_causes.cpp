#include "design/time_causes.h"

#include <algorithm>

namespace qnnsim {

const char* time_bound_name(TimeBound b) {
  switch (b) {
    case TimeBound::OffChip: return "off-chip";
    case TimeBound::OnChip: return "on-chip";
    case TimeBound::Compute: return "compute";
  }
  return "compute";
}

namespace {

void add(std::vector<TimeCause>& causes, std::string what, TimeBound bound, double seconds) {
  if (seconds > 0) causes.push_back({std::move(what), bound, seconds});
}

}  // namespace

std::vector<TimeCause> time_causes(const RunResult& r) {
  std::vector<TimeCause> causes;
  const Summary& s = r.summary;
  if (r.in_memory || r.dataflow) {
    // Pipelined stages overlap, so their waits do not add up to the run's
    // time; what does is the weights written between segments (the run
    // stops for them) and the pipeline running the rest of the time.
    const double rewrites = r.in_memory ? std::min(r.in_memory->reprogram_s, s.latency_s) : 0.0;
    add(causes, "writing weights", TimeBound::OffChip, rewrites);
    add(causes, "the pipeline computing", TimeBound::Compute, s.latency_s - rewrites);
    return causes;
  }
  if (r.clock_hz <= 0) return causes;
  const auto seconds = [&](uint64_t cycles) { return static_cast<double>(cycles) / r.clock_hz; };
  add(causes, "computing", TimeBound::Compute, seconds(s.compute_cycles));
  for (const auto& [resource, cycles] : s.stall_cycles) {
    // A PE-array run keys its stalls dram, buffer and noc; a level design by
    // level name, its outermost level being off-chip memory.
    const bool off_chip = resource == "dram" || (r.levels && resource == r.levels->off_chip_level);
    add(causes, "stalled on " + resource, off_chip ? TimeBound::OffChip : TimeBound::OnChip, seconds(cycles));
  }
  return causes;
}

}  // namespace qnnsim
