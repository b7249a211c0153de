#pragma once
// The output stage's rescaling of a layer's 64-bit sum to the next tensor's
// code: code = round(total * M) + zero point, M = input scale x weight scale
// / output scale, one M per output channel.
//
// `real` multiplies by M as a double and rounds to nearest, ties to even.
// `fixed` does what an integer-only output stage does (as gemmlowp and
// TFLite's reference kernels): M as a 31-bit integer multiplier m0 in
// [2^30, 2^31) and a right shift, total * m0 taken exactly and shifted with
// rounding half away from zero. The two can differ by one code where M's
// 31 bits or the rounding of a tie make them.
#include <cstdint>

namespace qnnsim::numerics {

enum class Requant { real, fixed };

const char* requant_name(Requant r);

struct FixedMultiplier {
  int64_t mantissa = 0;  // in [2^30, 2^31), or 0 for M = 0
  int shift = 0;         // M ~ mantissa / 2^shift
};

// Throws EvalError for an M that is not finite and positive or not below 2^30
// (no output stage scales a sum up that far).
FixedMultiplier fixed_multiplier(double m);

// round(total * mantissa / 2^shift), ties away from zero, clamped to +-2^62.
int64_t apply(const FixedMultiplier& f, int64_t total);

}  // namespace qnnsim::numerics
