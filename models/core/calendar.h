#pragma once
// A shared resource's bookings as a calendar of busy intervals: a request takes
// the first free time at or after its start, split over gaps if need be. This
// is how a target shows contention without stepping a clock, and because an
// initiator running ahead in local time books the future rather than blocking
// the present, results depend on the quantum only through the order in which
// overlapping requests are booked.
#include <cstdint>
#include <utility>
#include <vector>

#include <systemc>

namespace qnnsim {

class Calendar {
 public:
  // Books `busy` starting no earlier than now + `delay`; returns the completion
  // time as an offset from now. `owner` names the resource if time overflows
  // (a C string: a booking is on the simulation's hot path, and builds no string).
  sc_core::sc_time reserve(const sc_core::sc_time& delay, const sc_core::sc_time& busy, const char* owner);
  // Nothing is booked to end after `t`.
  bool idle_after(const sc_core::sc_time& t) const { return booked_.empty() || booked_.back().second <= t.value(); }
  // What decides the calendar's answers from `now` on: the busy time still
  // ahead, as [start, end) offsets from now (an interval under way counts
  // from now), appended to `out` with their count first.
  void relative_key(const sc_core::sc_time& now, std::vector<uint64_t>& out) const;

 private:
  using Interval = std::pair<sc_dt::uint64, sc_dt::uint64>;  // [start, end) in time ticks
  std::vector<Interval> booked_;                               // sorted, disjoint, not touching
  // Half the kernel's largest time, found at the first booking: a calendar
  // lives in one kernel, whose resolution is fixed once time is in use.
  sc_dt::uint64 limit_ = 0;
};

}  // namespace qnnsim
