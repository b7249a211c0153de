#pragma once
// The warning `eval` gives when a layer's accumulator overflowed: without it
// the only sign is a percentage in one column of the table, and a run whose
// sums wrapped scores as if the network were simply poor. One sentence per
// layer, each whole on its own (a sweep stores them apart): the layer, how
// many of its sums overflowed, the accumulator's width and what it does past
// its range, and the width that would have held every sum seen. That width
// is exact for the inputs the run gave the layer; a layer after one that
// overflowed sees other inputs once that one is widened, and its warning
// says so.
#include <string>
#include <vector>

#include "numerics/evaluate.h"

namespace qnnsim::numerics {

// One warning per layer whose accumulator wrapped or saturated; none when no
// sum overflowed.
std::vector<std::string> overflow_warnings(const EvalResult& r);

}  // namespace qnnsim::numerics
