// XNOR-SRAM numerics (numerics/xnor_sram_numerics.h): with an ADC that
// tells every column sum apart the macros give the exact integer product
// for sign-coded and bit-plane inputs over several macros; the shipped
// 11-level ADC rounds each macro's sum to its codes and clips exactly the
// sums past its reach; `eval --arch xnor_sram` runs a binary LeNet-5
// through it. The eval cases read Debian's dataset-fashion-mnist.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "numerics/crossbar_design.h"
#include "numerics/eval_error.h"
#include "numerics/evaluate.h"
#include "numerics/xnor_sram_numerics.h"
#include "support.h"

using namespace qnnsim::numerics;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

CrossbarDesign macro(int rows, int levels, int step) {
  CrossbarDesign d;
  d.xnor_sram = true;
  d.rows = rows;
  d.adc_levels = levels;
  d.adc_step = step;
  return d;
}

Matrix<int32_t> random_signs(int rows, int cols, std::mt19937& rng) {
  std::bernoulli_distribution coin(0.5);
  Matrix<int32_t> m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = coin(rng) ? 1 : -1;
  return m;
}

Matrix<int32_t> random_codes(int rows, int cols, int lo, int hi, std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> d(lo, hi);
  Matrix<int32_t> m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = d(rng);
  return m;
}

}  // namespace

TEST_CASE("XNOR-SRAM macros with an ADC for every sum give the integer product", "[numerics][xnor]") {
  std::mt19937 rng(11);
  const int M = 7, K = 600, P = 9;  // K over three macros of 256 rows, the last partly used
  const Matrix<int32_t> w = random_signs(M, K, rng);
  const XnorSramLayer layer(macro(256, 513, 1), w);  // -256 .. 256: every sum its own code
  SECTION("ternary inputs, one read") {
    const Matrix<int32_t> x = random_codes(K, P, -1, 1, rng);
    ConversionCounts counts;
    CHECK(layer.multiply(x, true, 0, 2, &counts) == w.cast<int64_t>() * x.cast<int64_t>());
    CHECK(counts.conversions == int64_t(M) * P * 3);
    CHECK(counts.clipped == 0);
  }
  SECTION("uniform 8-bit inputs, signed and unsigned, in bit-planes") {
    for (const int low : {0, -128}) {
      const Matrix<int32_t> x = random_codes(K, P, low, low + 255, rng);
      ConversionCounts counts;
      CHECK(layer.multiply(x, false, low, 8, &counts) == w.cast<int64_t>() * x.cast<int64_t>());
      CHECK(counts.conversions == int64_t(M) * P * 3 * 8);
    }
  }
  CHECK_THROWS_AS(XnorSramLayer(macro(256, 11, 8), random_codes(2, 4, 0, 1, rng)), EvalError);
}

TEST_CASE("an 11-level ADC 8 units apart rounds each macro's sum and clips past +-44", "[numerics][xnor]") {
  std::mt19937 rng(5);
  const int M = 16, K = 300, P = 40, rows = 256;
  const Matrix<int32_t> w = random_signs(M, K, rng);
  // Inputs mostly agreeing with row 0's weights, so some sums reach far.
  Matrix<int32_t> x = random_signs(K, P, rng);
  for (int p = 0; p < P; p += 2)
    for (int k = 0; k < K; ++k) x(k, p) = w(p % M, k);
  ConversionCounts counts;
  const Matrix<int64_t> got = XnorSramLayer(macro(rows, 11, 8), w).multiply(x, true, 0, 1, &counts);
  // The reference, written out: each macro's exact sum, rounded to a
  // multiple of 8 (ties away from zero), held within +-40.
  int64_t clipped = 0;
  Matrix<int64_t> want = Matrix<int64_t>::Zero(M, P);
  for (int k0 = 0; k0 < K; k0 += rows) {
    const int n = std::min(rows, K - k0);
    const Matrix<int64_t> s = w.middleCols(k0, n).cast<int64_t>() * x.middleRows(k0, n).cast<int64_t>();
    for (Eigen::Index i = 0; i < s.size(); ++i) {
      const int64_t v = s.data()[i];
      clipped += std::llabs(v) > 44;
      const int64_t code = std::max<int64_t>(-5, std::min<int64_t>(5, std::llround(double(v) / 8.0)));
      want.data()[i] += 8 * code;
    }
  }
  CHECK(clipped > 0);
  CHECK(counts.clipped == clipped);
  CHECK(counts.conversions == int64_t(M) * P * 2);
  CHECK(got == want);
}

TEST_CASE("eval --arch xnor_sram runs a binary LeNet-5 through the macros", "[eval][xnor][in_memory]") {
  EvalOptions o;
  o.model = shipped("workloads/models/lenet5_fashion.onnx");
  o.limit = 200;
  o.quant.calibration.images = 200;
  o.quant.bits = {1, 1};
  o.quant.weight_scheme = qnnsim::Scheme::Binary;
  o.quant.binary_activations = true;
  const EvalResult plain = evaluate(o);
  o.arch = "xnor_sram";
  const EvalResult macros = evaluate(o);
  REQUIRE(macros.crossbar);
  CHECK(macros.crossbar->xnor_sram);
  REQUIRE(macros.layers.size() == plain.layers.size());
  // conv1 streams the 8-bit image in bit-planes; fc1 reads 400 signs over 2 macros.
  CHECK(macros.layers[0].conversions == macros.layers[0].outputs * 8);
  CHECK(macros.layers[2].conversions == macros.layers[2].outputs * 2);
  int64_t clipped = 0;
  for (const LayerResult& l : macros.layers) clipped += l.clipped;
  // The image's bit-planes over 25 rows never pass +-44; the 150- and
  // 400-row sign sums do, on data as on the binomial estimate.
  CHECK(macros.layers[0].clipped == 0);
  CHECK(clipped > 0);
  // --adc-bits 10: 1023 levels at step 8 reach +-4,092, past every sum: nothing clips.
  o.adc_bits = 10;
  const EvalResult wide = evaluate(o);
  for (const LayerResult& l : wide.layers) CHECK(l.clipped == 0);
}

TEST_CASE("eval --arch xnor_sram refuses what its cells cannot hold", "[eval][xnor][in_memory][cli]") {
  const auto dir = scratch_dir("eval_xnor_sram");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const std::string lenet = "eval lenet5_fashion --limit 20 --calibration-images 20 --arch xnor_sram ";
  CHECK(qnnsim_cli(lenet + "--bits 4/8", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("layer 'conv1_Conv'") && Catch::Contains("expected binary weights"));
  CHECK(qnnsim_cli(lenet + "--bits 1/1 --weight-scheme binary --scheme binary --variation 0.1", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("XNOR-SRAM design's bitcells"));
  REQUIRE(qnnsim_cli(lenet + "--bits 1/1 --weight-scheme binary --scheme binary", out, err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("XNOR-SRAM macros of 256 rows") && Catch::Contains("11 levels"));
  std::filesystem::remove_all(dir);
}
