#pragma once
// One named share of a run's time and what kind of resource it waits on
// (design/time_causes.h derives them from a run's result).
#include <string>

namespace qnnsim {

enum class TimeBound { OffChip, OnChip, Compute };

const char* time_bound_name(TimeBound b);  // "off-chip", "on-chip", "compute"

struct TimeCause {
  std::string what;  // e.g. "computing", "stalled on dram", "writing weights"
  TimeBound bound = TimeBound::Compute;
  double seconds = 0;
};

}  // namespace qnnsim
