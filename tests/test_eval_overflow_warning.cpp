// The accumulator-overflow warning (numerics/overflow_warning.h): a layer
// built to overflow gives a warning with its counts, its accumulator and the
// width that would have held its sums, and that width does hold them; a layer
// that fits gives none. On LeNet-5 the widths the warnings name are enough to
// run without overflow, and the warnings reach stderr and the JSON. The
// LeNet-5 cases read Debian's dataset-fashion-mnist.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "numerics/evaluate.h"
#include "numerics/overflow_warning.h"
#include "support.h"

using namespace qnnsim::numerics;
using qnnsim::Scheme;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;

namespace {

// A layer result as evaluate() fills it from one accumulate() in `spec`.
LayerResult layer_of(const std::string& name, const Accumulated& a, const AccumulatorSpec& spec,
                     const std::string& mac_class = "") {
  LayerResult l;
  l.name = name;
  l.accumulator_bits = spec.bits;
  l.overflow = spec.overflow;
  l.mac_class = mac_class;
  l.outputs = a.sums.size();
  l.overflowed = a.overflowed;
  l.exact_min = a.exact_min;
  l.exact_max = a.exact_max;
  return l;
}

EvalOptions lenet(int64_t limit) {
  EvalOptions o;
  o.model = qnnsim::test::shipped("workloads/models/lenet5_fashion.onnx");
  o.limit = limit;
  o.quant.calibration.images = 50;
  return o;
}

}  // namespace

TEST_CASE("signed_bits_needed is the narrowest two's-complement width holding a range", "[eval][overflow]") {
  CHECK(signed_bits_needed(0, 0) == 1);
  CHECK(signed_bits_needed(-1, 0) == 1);
  CHECK(signed_bits_needed(0, 1) == 2);
  CHECK(signed_bits_needed(-2, 1) == 2);
  CHECK(signed_bits_needed(-3, 0) == 3);
  CHECK(signed_bits_needed(0, 32767) == 16);
  CHECK(signed_bits_needed(-32768, 0) == 16);
  CHECK(signed_bits_needed(0, 32768) == 17);
  CHECK(signed_bits_needed(INT64_MIN, INT64_MAX) == 64);
}

TEST_CASE("a layer built to overflow gives the warning with its numbers, and one that fits gives none", "[eval][overflow]") {
  // Row 0: 100 weights of 127 on inputs of 255, every sum 3,238,500, past a
  // 16-bit accumulator's 32,767 and needing 23 bits (2^21 <= 3,238,500 < 2^22).
  // Row 1: weights of 1, sums 25,500, which fit.
  Matrix<int32_t> w(2, 100);
  w.row(0).setConstant(127);
  w.row(1).setConstant(1);
  const Matrix<int32_t> x = Matrix<int32_t>::Constant(100, 3, 255);
  const Accumulated a = accumulate(w, x, {16, Overflow::wrap});
  CHECK(a.overflowed == 3);
  CHECK(a.exact_max == 3238500);
  CHECK(a.exact_min == 0);
  CHECK(signed_bits_needed(a.exact_min, a.exact_max) == 23);
  // The width named holds the sums, one bit less does not.
  CHECK(accumulate(w, x, {23, Overflow::wrap}).overflowed == 0);
  CHECK(accumulate(w, x, {22, Overflow::wrap}).overflowed == 3);

  EvalResult r;
  r.accumulator_bits = 16;
  r.overflow = Overflow::wrap;
  r.layers.push_back(layer_of("big", a, {16, Overflow::wrap}));
  r.layers.push_back(
      layer_of("small", accumulate(Matrix<int32_t>(w.row(1)), x, {16, Overflow::wrap}), {16, Overflow::wrap}));
  const std::vector<std::string> warnings = overflow_warnings(r);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        "layer 'big': 3 of 6 sums (50.0000%) overflowed the 16-bit accumulator (eval's --accumulator) and wrapped "
        "(overflow: wrap); the largest |sum| seen, 3238500, needs 23 bits");

  // Nothing overflowed: no warning.
  r.layers.erase(r.layers.begin());
  CHECK(overflow_warnings(r).empty());
}

TEST_CASE("a saturating accumulator's warning names the largest partial sum", "[eval][overflow]") {
  // 50 products of +127 x 255 then 50 of -127 x 255: the total is 0, but
  // the partial sums reach 1,619,250, which needs 22 bits; in 16 bits they clamp.
  Matrix<int32_t> w(1, 100);
  w.leftCols(50).setConstant(127);
  w.rightCols(50).setConstant(-127);
  const Matrix<int32_t> x = Matrix<int32_t>::Constant(100, 2, 255);
  const Accumulated a = accumulate(w, x, {16, Overflow::saturate});
  CHECK(a.overflowed == 2);
  CHECK(a.exact_max == 1619250);
  CHECK(signed_bits_needed(a.exact_min, a.exact_max) == 22);
  CHECK(accumulate(w, x, {22, Overflow::saturate}).overflowed == 0);
  CHECK(accumulate(w, x, {21, Overflow::saturate}).overflowed == 2);
  // A wrapping accumulator gets the total right: the partial sums do not matter to it.
  CHECK(accumulate(w, x, {16, Overflow::wrap}).overflowed == 0);

  EvalResult r;
  r.accumulator_bits = 16;
  r.overflow = Overflow::saturate;
  r.arch_mac = true;
  r.arch_file = "arch/eyeriss_v1.yaml";
  r.layers.push_back(layer_of("conv", a, {16, Overflow::saturate}, "IntMAC"));
  const std::vector<std::string> warnings = overflow_warnings(r);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        "layer 'conv': 2 of 2 sums (100.0000%) overflowed the 16-bit accumulator of arch/eyeriss_v1.yaml's MAC class "
        "IntMAC and saturated (overflow: saturate); the largest |partial sum| seen, 1619250, needs 22 bits");
}

TEST_CASE("LeNet-5's log weights overflow 32 bits, and the widths the warnings name hold the sums", "[eval][overflow]") {
  // 5-bit log_radix4 codes shift inputs by up to 30 bits (README, Weight schemes).
  EvalOptions o = lenet(20);
  o.quant.weight_scheme = Scheme::LogRadix4;
  o.quant.bits = {5, 8};
  const EvalResult wrapped = evaluate(o);
  REQUIRE_FALSE(wrapped.warnings.empty());
  std::size_t overflowing = 0;
  for (const LayerResult& l : wrapped.layers) {
    if (l.overflowed == 0) continue;
    const int bits = signed_bits_needed(l.exact_min, l.exact_max);
    CHECK(bits > 32);
    // The layer's own warning carries its numbers; after the first, each says its inputs came through overflow.
    const auto w = std::find_if(wrapped.warnings.begin(), wrapped.warnings.end(),
                                [&](const std::string& s) { return s.rfind("layer '" + l.name + "'", 0) == 0; });
    REQUIRE(w != wrapped.warnings.end());
    CHECK_THAT(*w, Catch::Contains(std::to_string(l.overflowed) + " of " + std::to_string(l.outputs) + " sums") &&
                       Catch::Contains("32-bit accumulator") && Catch::Contains("wrapped (overflow: wrap)") &&
                       Catch::Contains("needs " + std::to_string(bits) + " bits"));
    CHECK((overflowing > 0) == (w->find("an earlier layer overflowed") != std::string::npos));
    ++overflowing;
  }
  CHECK(wrapped.warnings.size() == overflowing);

  // conv1 reads the image, whatever the accumulator: the width its warning
  // names holds its sums, one bit less does not.
  const LayerResult& conv1 = wrapped.layers.at(0);
  REQUIRE(conv1.overflowed > 0);
  const int conv1_bits = signed_bits_needed(conv1.exact_min, conv1.exact_max);
  o.quant.accumulator.bits = conv1_bits;
  CHECK(evaluate(o).layers.at(0).overflowed == 0);
  o.quant.accumulator.bits = conv1_bits - 1;
  CHECK(evaluate(o).layers.at(0).overflowed > 0);

  // Widening to the widest width named, run after run, reaches a width that
  // holds every sum (later layers' inputs change as earlier ones stop wrapping).
  o.quant.accumulator.bits = 32;
  EvalResult r = wrapped;
  int rounds = 0;
  while (!r.warnings.empty() && rounds < 10) {
    int needed = 0;
    for (const LayerResult& l : r.layers)
      if (l.overflowed > 0) needed = std::max(needed, signed_bits_needed(l.exact_min, l.exact_max));
    REQUIRE(needed > o.quant.accumulator.bits);
    REQUIRE(needed <= 64);
    o.quant.accumulator.bits = needed;
    r = evaluate(o);
    ++rounds;
  }
  CHECK(r.warnings.empty());
  for (const LayerResult& l : r.layers) CHECK(l.overflowed == 0);
  // With every sum held, the outputs are the exact ones: the 64-bit run's.
  o.quant.accumulator.bits = 64;
  CHECK(evaluate(o).quant_correct == r.quant_correct);
  CHECK(r.quant_correct > wrapped.quant_correct);
}

TEST_CASE("eval prints the overflow warning on stderr, even with --quiet, and writes it to the JSON", "[eval][overflow][cli]") {
  const auto dir = scratch_dir("eval_overflow_warning");
  const auto out = dir / "out.txt", err = dir / "err.txt", json = dir / "eval.json";
  const std::string m = "eval lenet5_fashion --limit 20 --calibration-images 50 --quiet --json " + json.string() + " ";

  REQUIRE(qnnsim_cli(m + "--bits 5/8 --weight-scheme log_radix4", out, err) == 0);
  const std::string text = read_file(err.string());
  CHECK_THAT(text, Catch::Contains("warning: accumulator overflow: layer 'conv1_Conv'") &&
                       Catch::Contains("32-bit accumulator (eval's --accumulator) and wrapped"));
  CHECK(read_file(out.string()).empty());
  const auto j = nlohmann::json::parse(read_file(json.string()));
  REQUIRE(j.at("warnings").is_array());
  CHECK_FALSE(j.at("warnings").empty());
  for (const auto& w : j.at("warnings")) CHECK_THAT(text, Catch::Contains(w.get<std::string>()));
  const auto& conv1 = j.at("layers").at(0);
  CHECK(conv1.at("overflowed_sums").get<int64_t>() > 0);
  CHECK(conv1.at("accumulator_bits_needed").get<int>() > 32);

  // A digital design's MAC class: its width and behaviour are the ones named.
  REQUIRE(qnnsim_cli(m + "--arch eyeriss_v1", out, err) == 0);
  CHECK_THAT(read_file(err.string()), Catch::Contains("16-bit accumulator of") && Catch::Contains("MAC class") &&
                                          Catch::Contains("wrapped (overflow: wrap)"));

  // Sums that fit: no warning anywhere.
  REQUIRE(qnnsim_cli(m + "--bits 8/8", out, err) == 0);
  CHECK_THAT(read_file(err.string()), !Catch::Contains("warning"));
  CHECK(nlohmann::json::parse(read_file(json.string())).at("warnings").empty());
  std::filesystem::remove_all(dir);
}
