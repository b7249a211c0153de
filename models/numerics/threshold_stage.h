#pragma once
// The integer-only output stage (Requant::fixed) of a layer writing ternary,
// power-of-two or codebook codes: the code follows from comparing the accumulator's total
// with integer thresholds, one comparator per code boundary, instead of
// multiplying the total down to a uniform code. A ternary output compares
// |total| with delta in accumulator units; a log output counts the boundaries
// 2^(e - 1/2) (log_activations.h's rounding) the total reaches. Each threshold
// is the real boundary over the real value of one accumulator unit, rounded so
// that the integer comparison decides exactly as the real one: total > T for
// ternary (T = floor(delta / unit)), total >= T_j for log (T_j = ceil(...)).
// A codebook output (codebook_activations.h) takes the entry above every
// midpoint between neighbouring entries the total passes: total > T_j, with
// T_j = floor(midpoint / unit).
#include <cstdint>
#include <vector>

#include "numerics/quant_params.h"

namespace qnnsim::numerics {

// `out` is ternary, log or codebook; `unit` > 0, the real value of an accumulator unit
// (input scale x the channel's weight scale).
std::vector<int64_t> code_thresholds(const ActQuant& out, double unit);

// The code of an accumulator total under those thresholds.
int32_t threshold_code(const ActQuant& out, const std::vector<int64_t>& thresholds, int64_t total);

}  // namespace qnnsim::numerics
