#include "core/calendar.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace qnnsim {

namespace {
[[noreturn]] void throw_time_overflow(const char* owner, sc_dt::uint64 limit) {
  throw std::runtime_error(std::string(owner) + ": simulated time passed " +
                           std::to_string(static_cast<long>(sc_core::sc_time::from_value(limit).to_seconds())) +
                           " s, the range of SystemC time at femtosecond resolution; is a bandwidth or clock far too low?");
}

}  // namespace

sc_core::sc_time Calendar::reserve(const sc_core::sc_time& delay, const sc_core::sc_time& busy, const char* owner) {
  using Tick = sc_dt::uint64;
  std::vector<Interval>& calendar = booked_;
  const Tick now = sc_core::sc_time_stamp().value();
  const Tick begin = now + delay.value();
  Tick need = busy.value();
  // 64-bit femtoseconds cover about five hours; past half of that a sum could wrap.
  if (limit_ == 0) limit_ = sc_core::sc_max_time().value() / 2;
  const Tick limit = limit_;
  if (begin > limit || need > limit - begin) throw_time_overflow(owner, limit);

  // No request starts before now, so intervals that have ended are history.
  // The calendar is a sorted vector: cheaper than a tree at this size. Its
  // intervals are disjoint, so their ends are sorted too, and the first
  // interval still alive (or still ahead of `begin`) is found by bisection:
  // initiators running ahead book far into the future, and a scan from the
  // front walked past every booking before `begin`, once per request.
  const auto ended_by = [](Tick t) {
    return [t](const Interval& x) { return x.second <= t; };
  };
  if (!calendar.empty() && calendar.front().second <= now)
    calendar.erase(calendar.begin(), std::partition_point(calendar.begin(), calendar.end(), ended_by(now)));
  if (need == 0) return delay;

  // Most requests come after everything booked (a unit working through its
  // own steps in order): they take [begin, begin + need) whole, joined to the
  // last booking when they touch it.
  if (calendar.empty() || calendar.back().second <= begin) {
    if (!calendar.empty() && calendar.back().second == begin)
      calendar.back().second = begin + need;
    else
      calendar.push_back({begin, begin + need});
    return sc_core::sc_time::from_value(begin + need - now);
  }

  // Walk the calendar from `begin`, taking free time until `need` is covered.
  std::size_t i = static_cast<std::size_t>(
      std::partition_point(calendar.begin(), calendar.end(), ended_by(begin)) - calendar.begin());
  Tick cursor = begin;
  while (need > 0) {
    if (i < calendar.size() && calendar[i].first <= cursor) {
      cursor = std::max(cursor, calendar[i].second);
      ++i;
      continue;
    }
    const Tick gap_end = i == calendar.size() ? std::numeric_limits<Tick>::max() : calendar[i].first;
    const Tick take = std::min(need, gap_end - cursor);
    if (cursor > limit - take) throw_time_overflow(owner, limit);
    // Book [cursor, cursor + take) at position i, merged with touching neighbours.
    const bool joins_prev = i > 0 && calendar[i - 1].second == cursor;
    const bool joins_next = i < calendar.size() && calendar[i].first == cursor + take;
    if (joins_prev && joins_next) {
      calendar[i - 1].second = calendar[i].second;
      calendar.erase(calendar.begin() + static_cast<std::ptrdiff_t>(i));
      --i;
    } else if (joins_prev) {
      calendar[i - 1].second = cursor + take;
      --i;
    } else if (joins_next) {
      calendar[i].first = cursor;
    } else {
      calendar.insert(calendar.begin() + static_cast<std::ptrdiff_t>(i), Interval{cursor, cursor + take});
    }
    need -= take;
    // Done: the tile completes where its last piece ends. Otherwise the next
    // free time is after the (possibly merged) interval just booked.
    cursor = need == 0 ? cursor + take : calendar[i].second;
    ++i;
  }
  return sc_core::sc_time::from_value(cursor - now);
}

void Calendar::relative_key(const sc_core::sc_time& now, std::vector<uint64_t>& out) const {
  const sc_dt::uint64 t = now.value();
  const auto first = std::partition_point(booked_.begin(), booked_.end(), [t](const Interval& x) { return x.second <= t; });
  out.push_back(static_cast<uint64_t>(booked_.end() - first));
  for (auto it = first; it != booked_.end(); ++it) {
    out.push_back(std::max(it->first, t) - t);
    out.push_back(it->second - t);
  }
}

}  // namespace qnnsim
