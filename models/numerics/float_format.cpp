#include "numerics/float_format.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "numerics/eval_error.h"

namespace qnnsim::numerics {

namespace {

uint64_t bits_of(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// 2^e for a normal double's exponent range, built from its bits (no call).
double power_of_two(int e) {
  const uint64_t b = uint64_t(e + 1023) << 52;
  double v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

}  // namespace

double FloatFormat::round(double v, double below) const {
  if (v == 0 || !std::isfinite(v)) return v;
  const double a = std::fabs(v);
  // a's binade, from its exponent field; a double below 2^-1022 is far under
  // half of any supported format's smallest subnormal (at least 2^-149).
  const int e = int((bits_of(a) >> 52) & 0x7ff) - 1023;
  if (e < -1022) return std::copysign(0.0, v);
  // The format's spacing (its quantum) in that binade, or the subnormals'.
  const double q = power_of_two(std::max(e, min_exponent()) - mantissa_bits);
  // Adding 1.5 * 2^52 quanta puts the quantum at the double's last place, so
  // the hardware's round-to-nearest-even does the rounding; a has fewer than
  // 2^24 quanta here, so nothing else is lost. Without -ffast-math (the
  // build has none) the compiler may not fold the two steps back into a; the
  // tests of ties to even would fail if it did.
  const double magic = 0x1.8p52 * q;
  double r = (a + magic) - magic;
  // A tie in a may not be one in the exact value a + below.
  const double lost = v < 0 ? -below : below;
  if (lost != 0) {
    const double d = a - r;  // exact: r is within a quantum of a
    if (d == 0.5 * q && lost > 0) r += q;
    else if (d == -0.5 * q && lost < 0) r -= q;
  }
  if (r > max_finite) r = infinities ? std::numeric_limits<double>::infinity() : max_finite;
  return std::copysign(r, v);
}

FloatFormat make_float_format(int exponent_bits, int mantissa_bits, bool infinities) {
  if (exponent_bits < 2 || exponent_bits > 8 || mantissa_bits < 1 || mantissa_bits > 23)
    throw EvalError(fmt::format("a float format of {} exponent and {} mantissa bits: eval rounds to formats of 2 to 8 "
                                "exponent and 1 to 23 mantissa bits",
                                exponent_bits, mantissa_bits));
  FloatFormat f;
  f.exponent_bits = exponent_bits;
  f.mantissa_bits = mantissa_bits;
  f.infinities = infinities;
  const int bias = f.bias();
  // IEEE-style: the all-ones exponent is infinity and NaN, so the largest
  // binade is 2^bias and its largest significand all ones. OFP8 E4M3: the
  // all-ones exponent holds numbers too (2^(bias+1)), all but its all-ones
  // mantissa, which is NaN.
  f.max_finite = infinities ? (2.0 - std::ldexp(1.0, -mantissa_bits)) * std::ldexp(1.0, bias)
                            : (2.0 - std::ldexp(1.0, 1 - mantissa_bits)) * std::ldexp(1.0, bias + 1);
  return f;
}

FloatFormat fp32() { return make_float_format(8, 23); }
FloatFormat fp16() { return make_float_format(5, 10); }
FloatFormat fp8_e4m3() { return make_float_format(4, 3, false); }
FloatFormat fp8_e5m2() { return make_float_format(5, 2); }

bool float_format_of(Scheme scheme, int bits, FloatFormat* out) {
  if (scheme == Scheme::FloatE5M2 && bits == 8) return *out = fp8_e5m2(), true;
  if (scheme != Scheme::Float) return false;
  if (bits == 32) return *out = fp32(), true;
  if (bits == 16) return *out = fp16(), true;
  if (bits == 8) return *out = fp8_e4m3(), true;
  return false;
}

std::string float_format_name(const FloatFormat& f) {
  if (f == fp32()) return "fp32";
  if (f == fp16()) return "fp16";
  if (f == fp8_e4m3()) return "fp8_e4m3";
  if (f == fp8_e5m2()) return "fp8_e5m2";
  return fmt::format("e{}m{}{}", f.exponent_bits, f.mantissa_bits, f.infinities ? "" : " (no infinities)");
}

}  // namespace qnnsim::numerics
