// Rounding into low-precision float formats (numerics/float_format.h) and
// the float MAC's sums (numerics/float_mac.h), against values worked by hand
// from IEEE 754-2008 (binary16, binary32) and the OCP 8-bit floating point
// specification (E4M3, E5M2), and against the compiler's own conversion to
// binary32. Each expected figure is written as the sum of powers of two it is.
#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>

#include "numerics/float_format.h"
#include "numerics/float_mac.h"

using namespace qnnsim::numerics;

namespace {
const double kInf = std::numeric_limits<double>::infinity();
double p2(int e) { return std::ldexp(1.0, e); }
}  // namespace

TEST_CASE("float formats: largest values, rounding to nearest even, subnormals and overflow", "[numerics][float]") {
  const FloatFormat h = fp16(), e4 = fp8_e4m3(), e5 = fp8_e5m2(), s = fp32();
  SECTION("largest finite values") {
    CHECK(h.max_finite == 65504);               // (2 - 2^-10) * 2^15
    CHECK(e4.max_finite == 448);                // 1.75 * 2^8: S.1111.111 is NaN, S.1111.110 the largest
    CHECK(e5.max_finite == 57344);              // 1.75 * 2^15
    CHECK(s.max_finite == double(FLT_MAX));     // (2 - 2^-23) * 2^127
  }
  SECTION("fp16 of 1/3: 1.0101010101b * 2^-2 = 1365/4096, the rest below half a place") {
    CHECK(h.round(1.0 / 3) == 1365.0 / 4096);
    CHECK(s.round(1.0 / 3) == double(1.0f / 3.0f));
    CHECK(e4.round(1.0 / 3) == 0.34375);  // 1.011b * 2^-2: 1.0101..b rounds up past the half
    CHECK(e5.round(1.0 / 3) == 0.3125);   // 1.01b * 2^-2
  }
  SECTION("ties go to the even significand") {
    CHECK(h.round(1 + p2(-11)) == 1);                  // halfway to 1 + 2^-10: 1 is even
    CHECK(h.round(1 + 3 * p2(-11)) == 1 + p2(-9));     // halfway between ...01 and ...10: up
    CHECK(e4.round(1.0625) == 1);                      // 1 + 1/16, halfway to 1.125
    CHECK(e4.round(1.1875) == 1.25);                   // halfway between 1.125 (odd) and 1.25
    CHECK(e4.round(-1.1875) == -1.25);                 // the sign plays no part
    CHECK(e5.round(1.125) == 1);                       // halfway to 1.25
    CHECK(e5.round(1.375) == 1.5);
  }
  SECTION("what the exact value lost to a double decides a tie") {
    CHECK(h.round(1 + p2(-11), 1e-30) == 1 + p2(-10));
    CHECK(h.round(1 + 3 * p2(-11), -1e-30) == 1 + p2(-10));
    CHECK(h.round(-(1 + p2(-11)), -1e-30) == -(1 + p2(-10)));  // beyond the midpoint, away from zero
    CHECK(h.round(1 + p2(-12), 1e-30) == 1);                   // not a tie: no effect
  }
  SECTION("e4m3 at 448 and 464, and past it: saturation") {
    CHECK(e4.round(448) == 448);
    CHECK(e4.round(464) == 448);     // halfway to 480, which would be the NaN code: 448's 110 is even
    CHECK(e4.round(465) == 448);     // rounds to 480, past the largest: saturates
    CHECK(e4.round(1e6) == 448);
    CHECK(e4.round(-1e6) == -448);
    CHECK(e4.round(240) == 240);     // 1.111b * 2^7, an ordinary value in OFP8's E4M3
  }
  SECTION("formats with infinities overflow to them at max + half a place") {
    CHECK(h.round(65519) == 65504);
    CHECK(h.round(65520) == kInf);   // halfway to 2^16, and 65504's significand is odd
    CHECK(h.round(-65520) == -kInf);
    CHECK(e5.round(61439) == 57344);
    CHECK(e5.round(61440) == kInf);
    CHECK(e5.round(1e6) == kInf);
    CHECK(s.round(1e39) == kInf);
  }
  SECTION("subnormals step by 2^(1 - bias - M), and half the smallest ties to 0") {
    CHECK(e4.round(p2(-9)) == p2(-9));           // the smallest: 0.001b * 2^-6
    CHECK(e4.round(p2(-10)) == 0);               // halfway to it: 0 is even
    CHECK(e4.round(p2(-10) * 1.0001) == p2(-9));
    CHECK(e4.round(3 * p2(-10)) == p2(-8));      // 1.5 steps: to 2
    CHECK(e4.round(7 * p2(-9)) == 7 * p2(-9));   // the largest subnormal, 0.111b * 2^-6
    CHECK(e4.round(15 * p2(-10)) == p2(-6));     // 7.5 steps: up to the smallest normal
    CHECK(h.round(p2(-24)) == p2(-24));
    CHECK(h.round(p2(-25)) == 0);
    CHECK(h.round(5 * p2(-25)) == p2(-23));      // 2.5 steps: to 2
    CHECK(e5.round(p2(-16)) == p2(-16));         // 0.01b * 2^-14
    CHECK(e5.round(p2(-18)) == 0);
    CHECK(s.round(p2(-149)) == p2(-149));
    CHECK(s.round(p2(-150)) == 0);
    CHECK(std::signbit(h.round(-p2(-30))));      // a negative value that rounds to zero keeps its sign
  }
  SECTION("formats by the trace's scheme and width") {
    FloatFormat f;
    REQUIRE(float_format_of(qnnsim::Scheme::Float, 8, &f));
    CHECK(float_format_name(f) == "fp8_e4m3");
    REQUIRE(float_format_of(qnnsim::Scheme::FloatE5M2, 8, &f));
    CHECK(float_format_name(f) == "fp8_e5m2");
    REQUIRE(float_format_of(qnnsim::Scheme::Float, 16, &f));
    CHECK(float_format_name(f) == "fp16");
    CHECK_FALSE(float_format_of(qnnsim::Scheme::Float, 12, &f));
    CHECK_FALSE(float_format_of(qnnsim::Scheme::UniformSymmetric, 8, &f));
  }
}

TEST_CASE("fp32 rounding equals the compiler's conversion of double to float", "[numerics][float]") {
  // The processor's own binary32 conversion (round to nearest even, with
  // subnormals) is an independent reference, over normal, subnormal and
  // overflowing magnitudes.
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> mantissa(1.0, 2.0);
  std::uniform_int_distribution<int> exponent(-155, 126);  // below FLT_MAX: overflow is tested above
  const FloatFormat s = fp32();
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    const double v = std::ldexp(mantissa(gen), exponent(gen)) * (i % 2 ? -1 : 1);
    const double expected = double(static_cast<float>(v));
    if (s.round(v) != expected) FAIL("fp32 of " << v << ": " << s.round(v) << ", the conversion gives " << expected);
    ++checked;
  }
  CHECK(checked == 200000);
}

TEST_CASE("a float MAC layer rounds every accumulate in its accumulator's format", "[numerics][float][eval]") {
  // One output channel, three products, worked by hand in fp16:
  //   w = (1/3, 1, 1) -> fp16 (1365/4096, 1, 1); x = (3, 2048, 1), all exact.
  //   1365/4096 * 3 = 4095/4096 = 1 - 2^-12, exact in fp16 (11 significant bits).
  //   fp16 accumulator: 0 + (1 - 2^-12) = 1 - 2^-12; + 2048 -> 2048.99976, and
  //   fp16's step at 2048 is 2, so 2048; + 1 -> 2049, a tie, to 2048 (even).
  //   Bias 0.5: 2048.5 -> 2048.
  //   fp32 accumulator: every sum is exact (2049.99976 needs 24 bits), 2050.49976.
  Eigen::MatrixXf w(1, 3);
  w << 1.0f / 3.0f, 1.0f, 1.0f;
  Eigen::VectorXf bias(1);
  bias << 0.5f;
  Matrix<double> x(3, 1);
  x << 3, 2048, 1;
  const FloatMacLayer narrow(w, bias, fp16(), fp16());
  CHECK(narrow.weights()(0, 0) == 1365.0 / 4096);
  const FloatSums a = narrow.multiply(x);
  CHECK(a.sums(0, 0) == 2048);
  CHECK(a.overflowed == 0);
  const FloatMacLayer wide(w, bias, fp16(), fp32());
  CHECK(wide.multiply(x).sums(0, 0) == 2050.5 - p2(-12));
}
