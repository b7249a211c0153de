// A shared resource's calendar of bookings (core/calendar.h): each request
// takes the first free time at or after its start, split over gaps if need
// be. Worked by hand at simulated time zero, in nanoseconds.
#include <catch2/catch.hpp>

#include <systemc>

#include "core/calendar.h"

using qnnsim::Calendar;

namespace {
sc_core::sc_time ns(double v) { return sc_core::sc_time(v, sc_core::SC_NS); }
// Books `busy` ns from `start` ns and returns when it completes, in ns.
double book(Calendar& c, double start, double busy) { return c.reserve(ns(start), ns(busy), "test").to_seconds() * 1e9; }
}  // namespace

TEST_CASE("a calendar books each request in the first free time at or after its start", "[calendar]") {
  Calendar c;
  CHECK(book(c, 0, 10) == Approx(10));   // [0, 10)
  CHECK(book(c, 0, 5) == Approx(15));    // waits for it: [10, 15)
  CHECK(book(c, 20, 5) == Approx(25));   // after a gap: [20, 25)
  CHECK(book(c, 30, 5) == Approx(35));   // after everything, not touching: [30, 35)
  CHECK(book(c, 35, 5) == Approx(40));   // touching the last: [35, 40)
  // Split over the gaps: 5 in [15, 20), 5 in [25, 30), the last 2 after 40.
  CHECK(book(c, 12, 12) == Approx(42));
  // Now busy from 0 to 42 without a break.
  CHECK(book(c, 1, 1) == Approx(43));
  CHECK(book(c, 50, 0) == Approx(50));   // nothing to do: done when asked
  CHECK(book(c, 44, 2) == Approx(46));   // a request inside no booking starts at once
  CHECK(book(c, 43, 2) == Approx(47));   // [43, 44), then after [44, 46): [46, 47)
}
