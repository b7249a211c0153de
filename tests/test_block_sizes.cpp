// The mapper's candidate block sizes for a dimension of extent n are every
// distinct ceil(n / k), smallest first; they are found in about 2*sqrt(n)
// steps, and must be the same as trying every k.
#include <catch2/catch.hpp>

#include <set>

#include "schedule/search_support.h"

using namespace qnnsim;

TEST_CASE("block sizes are every distinct ceil(n / k), smallest first", "[mapper]") {
  for (int64_t n : {1, 2, 3, 7, 64, 100, 224, 1000, 4097, 25088}) {
    INFO("n = " << n);
    std::set<int64_t> every;
    for (int64_t k = 1; k <= n; ++k) every.insert(search::ceil_div(n, k));
    CHECK(search::block_sizes(n) == std::vector<int64_t>(every.begin(), every.end()));
  }
}
