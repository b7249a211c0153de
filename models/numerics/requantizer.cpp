#include "numerics/requantizer.h"

#include <cmath>
#include <string>

#include "numerics/eval_error.h"

namespace qnnsim::numerics {

const char* requant_name(Requant r) { return r == Requant::real ? "real" : "fixed"; }

FixedMultiplier fixed_multiplier(double m) {
  if (m == 0) return {};
  if (!std::isfinite(m) || m < 0 || m >= double(1 << 30))
    throw EvalError("requantization multiplier " + std::to_string(m) + " cannot be a fixed-point multiplier "
                    "(expected a finite value in [0, 2^30))");
  int exponent = 0;
  const double fraction = std::frexp(m, &exponent);  // m = fraction * 2^exponent, fraction in [0.5, 1)
  FixedMultiplier f;
  f.mantissa = std::llround(std::ldexp(fraction, 31));
  f.shift = 31 - exponent;
  if (f.mantissa == int64_t{1} << 31) f.mantissa >>= 1, --f.shift;  // the fraction rounded up to 1
  return f;
}

int64_t apply(const FixedMultiplier& f, int64_t total) {
  if (f.mantissa == 0 || f.shift > 126) return 0;  // beyond 126 the product is shifted out entirely
  const __int128 product = static_cast<__int128>(total) * f.mantissa;
  // M < 2^30 makes the shift at least 0 (0 only when M rounds up to 2^30).
  __int128 q = product;
  if (f.shift > 0) {
    const __int128 half = __int128{1} << (f.shift - 1);
    q = product >= 0 ? (product + half) >> f.shift : -((-product + half) >> f.shift);
  }
  // Clamped to +-2^62, so that adding a zero point afterwards cannot overflow.
  const __int128 hi = __int128{1} << 62, lo = -hi;
  return static_cast<int64_t>(q < lo ? lo : q > hi ? hi : q);
}

}  // namespace qnnsim::numerics
