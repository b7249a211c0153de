#pragma once
// A layer's time in whole cycles, split between its causes (computing, and
// each cause of a stall) so that the parts add up to the whole. Rounded
// one by one, parts of 30.4 and 0.4 cycles in a span of 31 would give 30 and
// 0: a cycle nobody spent.
#include <cstdint>
#include <vector>

namespace qnnsim {

// `total` whole cycles split among parts of `exact` (fractional) cycles:
// each part gets its exact figure rounded down, and the cycles left over go
// one each to the parts with the largest fractions (the largest-remainder
// method; on a tie the later part). Cycles beyond one per part, which only
// time no part accounts for leaves, go to the first part. A part's share
// never exceeds what the total leaves for it.
std::vector<uint64_t> split_whole_cycles(uint64_t total, const std::vector<double>& exact);

}  // namespace qnnsim
