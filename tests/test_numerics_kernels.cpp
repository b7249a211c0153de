// The integer arithmetic of the quantized path against straightforward loops:
// convolutions and fully connected layers on random codes at several widths,
// with accumulators narrow enough to overflow, wrapping and saturating.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "numerics/accumulator.h"
#include "numerics/calibration.h"
#include "numerics/quant_params.h"

using namespace qnnsim::numerics;

namespace {

struct Reference {
  std::vector<int64_t> sums;  // M x OH x OW
  int64_t overflowed = 0;
};

// One product at a time in the order channel, filter row, filter column, the
// accumulator kept in range after every addition: by subtracting or adding
// 2^bits (wrap), or by clamping (saturate).
Reference loop_reference(const ConvShape& s, const std::vector<int32_t>& x, int32_t pad, const Matrix<int32_t>& w,
                         const AccumulatorSpec& acc) {
  Reference r;
  const int64_t lo = acc.min(), hi = acc.max();
  const int64_t span = acc.bits >= 63 ? 0 : int64_t{1} << acc.bits;
  for (int m = 0; m < s.M; ++m)
    for (int oy = 0; oy < s.out_h(); ++oy)
      for (int ox = 0; ox < s.out_w(); ++ox) {
        int64_t sum = 0, exact = 0;
        bool clamped = false;
        for (int c = 0; c < s.C; ++c)
          for (int r = 0; r < s.R; ++r)
            for (int q = 0; q < s.S; ++q) {
              const int iy = oy * s.stride_h - s.pad_top + r, ix = ox * s.stride_w - s.pad_left + q;
              const int32_t v = iy < 0 || iy >= s.H || ix < 0 || ix >= s.W ? pad : x[(c * s.H + iy) * s.W + ix];
              const int64_t product = int64_t{w(m, (c * s.R + r) * s.S + q)} * v;
              exact += product;
              sum += product;
              if (acc.overflow == Overflow::wrap) {
                while (sum > hi) sum -= span;
                while (sum < lo) sum += span;
              } else if (sum > hi || sum < lo) {
                sum = sum > hi ? hi : lo;
                clamped = true;
              }
            }
        r.sums.push_back(sum);
        r.overflowed += acc.overflow == Overflow::wrap ? (exact > hi || exact < lo) : clamped;
      }
  return r;
}

}  // namespace

TEST_CASE("wrap_to keeps the low bits as two's complement", "[numerics]") {
  CHECK(wrap_to(127, 8) == 127);
  CHECK(wrap_to(128, 8) == -128);
  CHECK(wrap_to(255, 8) == -1);
  CHECK(wrap_to(256, 8) == 0);
  CHECK(wrap_to(-129, 8) == 127);
  CHECK(wrap_to(-32768 - 5, 16) == 32763);
  CHECK(wrap_to(int64_t{1} << 40, 64) == int64_t{1} << 40);
}

TEST_CASE("integer conv and fc equal a loop reference at several widths, wrapping and saturating", "[numerics]") {
  std::mt19937 rng(18);
  struct Case {
    int wbits, abits;
    bool unsigned_inputs;
  };
  const Case widths[] = {{8, 8, true}, {4, 4, true}, {2, 8, true}, {8, 2, false}, {16, 16, false}, {3, 5, true}};
  int64_t wrapped = 0, saturated = 0, exact_saturations = 0;
  for (const Case& wc : widths)
    for (const int acc_bits : {10, 14, 20, 32})
      for (const Overflow ov : {Overflow::wrap, Overflow::saturate})
        for (int trial = 0; trial < 3; ++trial) {
          ConvShape s;
          const bool fc = trial == 2;
          std::uniform_int_distribution<int> small(1, 4), size(3, 9), pad(0, 2), stride(1, 2);
          if (fc) {
            s.C = 20 + small(rng) * 30;
            s.M = small(rng) + 3;
          } else {
            s.C = small(rng), s.H = size(rng), s.W = size(rng), s.M = small(rng);
            s.R = std::min(s.H, small(rng)), s.S = std::min(s.W, small(rng));
            s.stride_h = stride(rng), s.stride_w = stride(rng);
            s.pad_top = pad(rng), s.pad_left = pad(rng), s.pad_bottom = pad(rng), s.pad_right = pad(rng);
          }
          const int wmax = (1 << (wc.wbits - 1)) - 1;
          const int amin = wc.unsigned_inputs ? 0 : -((1 << (wc.abits - 1)) - 1);
          const int amax = wc.unsigned_inputs ? (1 << wc.abits) - 1 : (1 << (wc.abits - 1)) - 1;
          std::uniform_int_distribution<int> wd(-wmax, wmax), ad(amin, amax);
          Matrix<int32_t> w(s.M, s.K());
          for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = wd(rng);
          std::vector<int32_t> x(std::size_t(s.C) * s.H * s.W);
          for (int32_t& v : x) v = ad(rng);
          const int32_t pad_code = ad(rng);  // an asymmetric input pads with its zero point, any code
          const AccumulatorSpec acc{acc_bits, ov};
          const Accumulated got = accumulate(w, im2col<int32_t>(s, x.data(), pad_code), acc);
          const Reference want = loop_reference(s, x, pad_code, w, acc);
          INFO("W" << wc.wbits << " A" << wc.abits << " acc " << acc_bits << " " << overflow_name(ov) << " C" << s.C
                   << " H" << s.H << " W" << s.W << " M" << s.M << " R" << s.R << " S" << s.S);
          REQUIRE(got.sums.rows() == s.M);
          REQUIRE(got.sums.cols() == s.P());
          for (int m = 0; m < s.M; ++m)
            for (int p = 0; p < s.P(); ++p) REQUIRE(got.sums(m, p) == want.sums[std::size_t(m) * s.P() + p]);
          CHECK(got.overflowed == want.overflowed);
          (ov == Overflow::wrap ? wrapped : saturated) += got.overflowed;
          if (ov == Overflow::saturate && got.overflowed == 0) ++exact_saturations;
        }
  // The cases must reach both overflow behaviours and the saturating fast path.
  CHECK(wrapped > 0);
  CHECK(saturated > 0);
  CHECK(exact_saturations > 0);
}

TEST_CASE("activation and weight quantization by hand", "[numerics]") {
  // 8-bit asymmetric over [0, 2.55]: scale 0.01, zero point 0.
  const ActQuant a = act_quant(0, 2.55, 8, false);
  CHECK(a.scale == Approx(0.01));
  CHECK(a.zero == 0);
  CHECK(a.quantize(1.004) == 100);
  CHECK(a.quantize(-3) == 0);
  CHECK(a.quantize(9) == 255);
  // 2-bit asymmetric over [-1, 3]: 4 levels 4/3 apart, 0 at code round(0.75) = 1.
  const ActQuant b = act_quant(-1, 3, 2, false);
  CHECK(b.scale == Approx(4.0 / 3));
  CHECK(b.zero == 1);
  CHECK(b.real(b.quantize(0)) == 0);
  // 4-bit symmetric over [-0.5, 7]: codes -7..7, scale 1.
  const ActQuant c = act_quant(-0.5, 7, 4, true);
  CHECK(c.scale == Approx(1));
  CHECK(c.qmin == -7);
  CHECK(c.qmax == 7);
  CHECK(c.quantize(-0.5) == 0);  // ties to even
  CHECK(c.quantize(-1.5) == -2);

  Eigen::MatrixXf w(2, 3);
  w << 1.0f, -0.4f, 0.25f, 0.05f, 0.0f, -0.2f;
  const WeightQuant pc = quantize_weights(w, 3, true);  // codes -3..3
  CHECK(pc.scales[0] == Approx(1.0 / 3));
  CHECK(pc.scales[1] == Approx(0.2 / 3));
  CHECK(pc.codes.codes(0, 0) == 3);
  CHECK(pc.codes.codes(0, 1) == -1);  // -1.2
  CHECK(pc.codes.codes(0, 2) == 1);   // 0.75
  CHECK(pc.codes.codes(1, 0) == 1);   // 0.75
  CHECK(pc.codes.codes(1, 2) == -3);
  const WeightQuant pt = quantize_weights(w, 3, false);  // one scale, 1/3: row 1 keeps little
  CHECK(pt.scales[1] == Approx(1.0 / 3));
  CHECK(pt.codes.codes(1, 0) == 0);   // 0.15
  CHECK(pt.codes.codes(1, 2) == -1);  // -0.6
}

TEST_CASE("percentile ignores an outlier that min-max follows", "[numerics]") {
  TensorSamples s;
  for (int i = 0; i < 100000; ++i) s.values.push_back(float(i % 1000) / 1000.0f);  // 0 .. 0.999, evenly
  s.values.push_back(100.0f);
  s.lo = 0, s.hi = 100;
  CalibrationOptions o;
  const ActQuant mm = choose_quant(s, o, 8, false);
  CHECK(mm.scale == Approx(100.0 / 255));
  o.method = RangeMethod::percentile;
  o.percentile = 99.9;
  const ActQuant pc = choose_quant(s, o, 8, false);
  CHECK(pc.scale == Approx(0.999 / 255).epsilon(0.01));
}

TEST_CASE("mse clips a long tail at low widths, and never does worse than min-max", "[numerics]") {
  // An exponential distribution through its quantiles: most values small, a
  // tail to about 12. At 4 bits the steps min-max gives cost more than
  // clipping the tail.
  TensorSamples s;
  const int n = 100000;
  for (int i = 0; i < n; ++i) s.values.push_back(float(-std::log(1 - (i + 0.5) / n)));
  s.lo = 0, s.hi = s.values.back();
  const auto error = [&](const ActQuant& q) {
    double e = 0;
    for (const float v : s.values) e += (q.real(q.quantize(v)) - v) * (q.real(q.quantize(v)) - v);
    return e;
  };
  CalibrationOptions o;
  const ActQuant mm = choose_quant(s, o, 4, false);
  o.method = RangeMethod::mse;
  const ActQuant ms = choose_quant(s, o, 4, false);
  CHECK(ms.scale < 0.8 * mm.scale);
  CHECK(error(ms) < 0.8 * error(mm));
  // At 16 bits the steps are fine enough that clipping anything costs more.
  CHECK(choose_quant(s, o, 16, false).scale == Approx(choose_quant(s, CalibrationOptions{}, 16, false).scale));
}
