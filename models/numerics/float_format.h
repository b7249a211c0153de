#pragma once
// A binary floating-point format of 1 sign bit, E exponent bits and M
// mantissa (trailing significand) bits, and rounding a real value into it the
// way a float MAC's datapath does: to nearest, ties to even, with the format's
// subnormals and its largest finite value.
//
//   fp32      1-8-23  IEEE 754-2008 binary32; max (2 - 2^-23) * 2^127
//   fp16      1-5-10  IEEE 754-2008 binary16; max 65504
//   fp8 e5m2  1-5-2   OCP 8-bit Floating Point Specification (OFP8), rev. 1.0,
//                     2023: IEEE-style, with infinities; max 57344
//   fp8 e4m3  1-4-3   OFP8 as above: no infinities, and of the top binade only
//                     S.1111.111 is NaN, so max 1.75 * 2^8 = 448
//
// Exponent bias 2^(E-1) - 1; the smallest normal is 2^(1 - bias), subnormals
// step by 2^(1 - bias - M) below it.
//
// Overflow. A value whose rounding lands above the largest finite value goes
// to +-infinity in a format that has them (IEEE 754-2008 section 4.3.1:
// round to nearest sends |x| >= max + half an ulp to infinity; fp32, fp16,
// e5m2). E4M3 has no infinity; OFP8 leaves an overflowing conversion to the
// implementation, saturating to +-max or giving NaN. This model saturates
// (+-448): a NaN would poison every sum downstream, and saturating
// conversion is the mode FP8 inference uses.
#include <string>

#include "workload/precision.h"

namespace qnnsim::numerics {

struct FloatFormat {
  int exponent_bits = 8, mantissa_bits = 23;
  bool infinities = true;  // false: saturates at max_finite (e4m3)
  double max_finite = 0;   // set by make_float_format

  int bias() const { return (1 << (exponent_bits - 1)) - 1; }
  int min_exponent() const { return 1 - bias(); }  // of the smallest normal
  int bits() const { return 1 + exponent_bits + mantissa_bits; }
  bool operator==(const FloatFormat& o) const {
    return exponent_bits == o.exponent_bits && mantissa_bits == o.mantissa_bits && infinities == o.infinities;
  }
  bool operator!=(const FloatFormat& o) const { return !(*this == o); }

  // v rounded into the format (to nearest, ties to even). `below` is what v
  // lost when it was itself rounded to a double (v + below is the exact value,
  // |below| at most half of v's last place, as TwoSum gives it): it decides a
  // tie v alone would make, so an exact sum is rounded once, not twice.
  double round(double v, double below = 0) const;
};

// A format of `exponent_bits` (2 to 8) and `mantissa_bits` (1 to 23) with
// IEEE-style infinities, or (infinities false) the OFP8 E4M3 encoding, whose
// top binade is finite but for its all-ones mantissa.
FloatFormat make_float_format(int exponent_bits, int mantissa_bits, bool infinities = true);

FloatFormat fp32();
FloatFormat fp16();
FloatFormat fp8_e4m3();
FloatFormat fp8_e5m2();

// The format a trace's scheme and width name (workload/precision.h): float at
// 32, 16 or 8 bits is fp32, fp16 or e4m3, float_e5m2 is e5m2. False for any
// other pair.
bool float_format_of(Scheme scheme, int bits, FloatFormat* out);

// "fp32", "fp16", "fp8_e4m3", "fp8_e5m2" (FloatMAC's names), else "e<E>m<M>".
std::string float_format_name(const FloatFormat& f);

}  // namespace qnnsim::numerics
