// The fixed-point output stage against the real multiplication it stands for.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "numerics/eval_error.h"
#include "numerics/evaluate.h"
#include "numerics/network.h"
#include "numerics/quant_network.h"
#include "numerics/requantizer.h"
#include "support.h"

using namespace qnnsim::numerics;

TEST_CASE("a fixed-point multiplier and shift round total x M half away from zero", "[numerics]") {
  // A power of two is exact in 31 bits: the only differences are the ties.
  const FixedMultiplier quarter = fixed_multiplier(0.25);
  CHECK(quarter.mantissa == int64_t{1} << 30);
  CHECK(apply(quarter, 6) == 2);    // 1.5: away from zero, where nearbyint gives 2 too
  CHECK(apply(quarter, 10) == 3);   // 2.5: away from zero, nearbyint would give 2
  CHECK(apply(quarter, -10) == -3);
  CHECK(apply(quarter, -9) == -2);  // -2.25
  CHECK(apply(fixed_multiplier(0), 12345) == 0);
  CHECK_THROWS_AS(fixed_multiplier(-1), EvalError);
  CHECK_THROWS_AS(fixed_multiplier(NAN), EvalError);

  // Random multipliers over the range output stages use, and totals whose
  // product lies within 2^24 (an output code is at most 16 bits; the clamp
  // takes the rest): M's 31 bits are then good to within 2^-7 of a code, and
  // the result is within one of the real product, rounded.
  std::mt19937_64 rng(31);
  std::uniform_real_distribution<double> exponent(-30, 4), unit(-1, 1);
  int exact = 0;
  for (int i = 0; i < 20000; ++i) {
    const double m = std::pow(2.0, exponent(rng));
    const FixedMultiplier f = fixed_multiplier(m);
    REQUIRE(f.mantissa >= int64_t{1} << 30);
    REQUIRE(f.mantissa < int64_t{1} << 31);
    const double reach = std::min(std::ldexp(1.0, 24) / m, std::ldexp(1.0, 40));
    const int64_t t = std::llround(unit(rng) * reach);
    const long double want = std::round(static_cast<long double>(t) * m);
    const int64_t got = apply(f, t);
    REQUIRE(std::abs(static_cast<long double>(got) - want) <= 1);
    exact += static_cast<long double>(got) == want;
  }
  CHECK(exact > 19000);  // a difference of one is the exception (M's 31 bits), not the rule
}

TEST_CASE("the integer-only output stage keeps 8-bit accuracy on the shipped CNN", "[eval]") {
  EvalOptions o;
  o.model = qnnsim::test::shipped("workloads/models/mnist_cnn_fashion.onnx");
  o.limit = 2000;
  o.quant.calibration.images = 500;
  const EvalResult real = evaluate(o);
  o.quant.requant = Requant::fixed;
  const EvalResult fixed = evaluate(o);
  CHECK(fixed.float_correct == real.float_correct);
  // The two output stages differ only where M's 31 bits or a tie decide a
  // rounding, so the accuracies stay close.
  CHECK(std::abs(fixed.quant_accuracy() - real.quant_accuracy()) <= 0.005);
  // And the fixed-point stage is the one that ran: the layers that write codes carry multipliers.
  const Network net = load_network(o.model);
  const Dataset calibration = load_dataset("fashion-mnist", Split::train, 50);
  const QuantizedNetwork q(net, o.quant, calibration);
  CHECK(q.layers()[0].multipliers.size() == 12);
  CHECK(q.layers()[1].multipliers.size() == 12);
  CHECK(q.layers()[2].multipliers.empty());  // the logits are read as real values
}
