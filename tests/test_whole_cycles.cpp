// A layer's whole cycles split between compute and its stalls
// (core/whole_cycles.h): the parts add up, each within a cycle of its exact
// figure, the leftover cycles going to the largest fractions.
#include <catch2/catch.hpp>

#include <numeric>

#include "core/whole_cycles.h"

using namespace qnnsim;

TEST_CASE("whole cycles: a span's leftover cycle goes to the part with the largest fraction", "[analytic]") {
  // 30 cycles computing and 0.4 draining end in cycle 31: the drain took it.
  CHECK(split_whole_cycles(31, {30.0, 0.4}) == std::vector<uint64_t>{30, 1});
  // Rounded one by one, 10.6 + 20.6 + 0.8 = 32 would give 11 + 21 + 1 = 33.
  CHECK(split_whole_cycles(32, {10.6, 20.6, 0.8}) == std::vector<uint64_t>{10, 21, 1});
  // A tie goes to the later part (a stall), so an exact compute keeps its figure.
  CHECK(split_whole_cycles(3, {1.5, 1.5}) == std::vector<uint64_t>{1, 2});
}

TEST_CASE("whole cycles: the parts always add up to the span, and none goes past it", "[analytic]") {
  for (uint64_t total : {0u, 1u, 7u, 1000u})
    for (const std::vector<double>& exact :
         {std::vector<double>{}, {0.0}, {5.2, 1.9}, {999.7, 0.2, 0.05}, {2000.0, 3.0}, {0.3, 0.3, 0.3}}) {
      const std::vector<uint64_t> parts = split_whole_cycles(total, exact);
      REQUIRE(parts.size() == exact.size());
      if (exact.empty()) continue;
      CHECK(std::accumulate(parts.begin(), parts.end(), uint64_t{0}) == total);
    }
  // Time no part accounts for goes to the first (compute, the rest).
  CHECK(split_whole_cycles(10, {2.0, 3.0}) == std::vector<uint64_t>{7, 3});
}
