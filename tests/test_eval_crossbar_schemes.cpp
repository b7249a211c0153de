// Non-uniform weight schemes on in-memory designs: binary, ternary and log
// weights are integer codes, which a crossbar stores sliced over its cells at
// the width the codes need (workload/precision.h's integer_code_bits). With ideal
// devices and ADCs wide enough the crossbar's sums equal the integer product
// exactly, on a random layer and through LeNet-5 on ISAAC; narrower ADCs
// change them; codebook weights, indices into a table, are refused. The
// LeNet-5 cases read Debian's dataset-fashion-mnist.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "converter/adc_spec.h"
#include "numerics/crossbar_design.h"
#include "numerics/crossbar_numerics.h"
#include "numerics/dataset.h"
#include "numerics/eval_error.h"
#include "numerics/evaluate.h"
#include "numerics/image_input.h"
#include "numerics/network.h"
#include "numerics/quant_network.h"
#include "numerics/weight_schemes.h"
#include "support.h"

using namespace qnnsim::numerics;
using qnnsim::adc_bits_needed;
using qnnsim::Scheme;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

struct SchemeWidth {
  Scheme scheme;
  int bits;
  int code_bits;  // stated here from the definitions: +-1 needs 2 bits; +-2^S needs S + 2
};

// S = step x (2^(b-1) - 1): power_of_two 1, 3, 7, 15; log_radix4 2, 6, 14, 30.
const std::vector<SchemeWidth> kIntegerSchemes = {
    {Scheme::Binary, 1, 2},     {Scheme::Ternary, 2, 2},    {Scheme::PowerOfTwo, 2, 3}, {Scheme::PowerOfTwo, 3, 5},
    {Scheme::PowerOfTwo, 4, 9}, {Scheme::PowerOfTwo, 5, 17}, {Scheme::LogRadix4, 2, 4},  {Scheme::LogRadix4, 3, 8},
    {Scheme::LogRadix4, 4, 16}, {Scheme::LogRadix4, 5, 32},
};

Eigen::MatrixXf random_weights(int M, int K, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal(0.0f, 0.1f);
  Eigen::MatrixXf w(M, K);
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = normal(gen);
  return w;
}

Matrix<int32_t> random_codes(int K, int P, int lo, int hi, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> pick(lo, hi);
  Matrix<int32_t> x(K, P);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = pick(gen);
  return x;
}

CrossbarDesign design(int rows, int cell, int dac, bool differential, bool flipped) {
  CrossbarDesign d;
  d.rows = rows, d.bits_per_cell = cell, d.dac_bits = dac, d.differential = differential, d.flipped_columns = flipped;
  d.adc_bits = adc_bits_needed(rows, dac, cell, flipped);
  return d;
}

}  // namespace

TEST_CASE("integer weight schemes' codes need the widths their definitions give", "[eval][crossbar_schemes]") {
  const Eigen::MatrixXf w = random_weights(6, 80, 3);
  for (const SchemeWidth& s : kIntegerSchemes) {
    INFO(scheme_name(s.scheme) << " at " << s.bits << " bits");
    CHECK(integer_code_bits(s.scheme, s.bits) == s.code_bits);
    // Every code fits that width, and the largest magnitude the format has is
    // there (the top weight of each channel takes it), so one bit less would not do.
    const WeightQuant q = quantize_weight_scheme(w, {s.scheme, true}, s.bits, 8);
    const int64_t hi = (int64_t{1} << (s.code_bits - 1)) - 1;
    CHECK(q.codes.codes.cast<int64_t>().maxCoeff() <= hi);
    CHECK(q.codes.codes.cast<int64_t>().minCoeff() >= -hi - 1);
    CHECK(q.codes.max_abs > (hi >> 1));
  }
  CHECK(integer_code_bits(Scheme::UniformSymmetric, 8) == 8);
  CHECK(integer_code_bits(Scheme::Codebook, 4) == 0);
}

TEST_CASE("ideal crossbars give integer schemes' products exactly, and narrower ADCs do not", "[eval][crossbar_schemes]") {
  // K = 300 spans several crossbars, so the digital sum of partial sums is exercised too.
  const Eigen::MatrixXf w = random_weights(7, 300, 5);
  const Matrix<int32_t> x = random_codes(300, 11, 0, 255, 6);
  const CrossbarDesign designs[] = {
      design(128, 2, 1, false, true),   // ISAAC's encodings
      design(128, 2, 1, false, false),  // PUMA's
      design(64, 1, 1, true, false),    // differential pairs of 1-bit cells
      design(32, 3, 2, true, true),
  };
  for (const SchemeWidth& s : kIntegerSchemes)
    for (const CrossbarDesign& d : designs) {
      INFO(scheme_name(s.scheme) << " at " << s.bits << " bits; " << d.rows << " rows, " << d.bits_per_cell
                                 << "-bit cells, " << d.adc_bits << "-bit ADCs, "
                                 << (d.differential ? "differential" : "offset"));
      const WeightQuant q = quantize_weight_scheme(w, {s.scheme, true}, s.bits, 8);
      const int code_bits = integer_code_bits(s.scheme, s.bits);
      const ProgrammedLayer layer(d, DeviceOptions{}, q.codes.codes, code_bits, 0);
      REQUIRE(layer.inexact_for(8).empty());
      const Accumulated reference = accumulate(q.codes, x, {64, Overflow::wrap});
      ConversionCounts n;
      CHECK(layer.multiply(x, 0, 8, 0, &n) == reference.sums);
      CHECK(n.clipped == 0);
      // The cost: one column per slice of the code (twice, differential), per input step, per crossbar.
      const int slices = (code_bits + d.bits_per_cell - 1) / d.bits_per_cell;
      CHECK(layer.columns_per_weight() == slices * (d.differential ? 2 : 1));
      const int steps = (8 + d.dac_bits - 1) / d.dac_bits;
      CHECK(n.conversions == int64_t(7) * layer.columns_per_weight() * steps * 11 * ((300 + d.rows - 1) / d.rows));

      // A 2-bit ADC (codes 0 to 3): sums of hundreds of driven cells clip, and the products change.
      CrossbarDesign narrow = d;
      narrow.adc_bits = 2;
      const ProgrammedLayer clipped(narrow, DeviceOptions{}, q.codes.codes, code_bits, 0);
      ConversionCounts c;
      CHECK(clipped.multiply(x, 0, 8, 0, &c) != reference.sums);
      CHECK(c.clipped > 0);
    }
}

TEST_CASE("LeNet-5 on ISAAC's crossbars gives the integer path's logits for each integer scheme", "[eval][crossbar_schemes]") {
  const Network net = load_network(shipped("workloads/models/lenet5_fashion.onnx"));
  const Dataset train = load_dataset("fashion-mnist", Split::train, 100);
  const Dataset test = load_dataset("fashion-mnist", Split::test, 12);
  std::string file;
  const CrossbarDesign isaac = load_crossbar_design(shipped("arch/isaac.yaml"), 0, &file);
  for (const auto& [scheme, bits] : std::vector<std::pair<Scheme, int>>{
           {Scheme::Binary, 1}, {Scheme::Ternary, 2}, {Scheme::PowerOfTwo, 3}, {Scheme::LogRadix4, 4}}) {
    INFO(scheme_name(scheme) << " at " << bits << " bits");
    QuantOptions integer;
    integer.calibration.images = 100;
    integer.weight_scheme = scheme;
    integer.bits = {bits, 8};
    integer.accumulator.bits = 64;  // the crossbar's shift-and-add is 64-bit: compare with sums that never wrap
    QuantOptions imc = integer, narrow = integer;
    imc.crossbar = isaac;
    narrow.crossbar = isaac;
    narrow.crossbar->adc_bits = 4;
    const QuantizedNetwork a(net, integer, train), b(net, imc, train), c(net, narrow, train);
    OverflowCounts counts, narrow_counts;
    bool differs = false;
    for (int64_t i = 0; i < test.count; ++i) {
      const std::vector<float> image = image_values(test, i);
      const std::vector<double> reference = a.run(image, nullptr);
      CHECK(reference == b.run(image, &counts, uint64_t(i)));
      differs = differs || reference != c.run(image, &narrow_counts, uint64_t(i));
    }
    for (const ConversionCounts& n : counts.adc) CHECK(n.clipped == 0);
    CHECK(differs);
    int64_t clipped = 0;
    for (const ConversionCounts& n : narrow_counts.adc) clipped += n.clipped;
    CHECK(clipped > 0);
    for (const QuantLayer& l : b.layers()) CHECK(l.crossbar->weight_bits() == integer_code_bits(scheme, bits));
  }
}

TEST_CASE("codebook weights on a crossbar are refused, saying why", "[eval][crossbar_schemes][cli]") {
  EvalOptions o;
  o.model = shipped("workloads/models/lenet5_fashion.onnx");
  o.limit = 5;
  o.quant.calibration.images = 50;
  o.arch = "isaac";
  o.quant.weight_scheme = Scheme::Codebook;
  o.quant.bits = {4, 8};
  try {
    evaluate(o);
    FAIL("codebook weights on ISAAC were not refused");
  } catch (const EvalError& e) {
    CHECK_THAT(e.what(), Catch::Contains("layer 'conv1_Conv'") &&
                             Catch::Contains("codebook weights on an in-memory design") &&
                             Catch::Contains("index into a table"));
  }
  const auto dir = scratch_dir("eval_crossbar_schemes_cli");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const std::string m = "eval lenet5_fashion --limit 10 --calibration-images 50 --arch isaac ";
  CHECK(qnnsim_cli(m + "--bits 4/8 --weight-scheme codebook", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("cannot look one up"));
  // The integer schemes run, and the table shows the stored width and the columns it takes.
  REQUIRE(qnnsim_cli(m + "--bits 3/8 --weight-scheme power_of_two", out, err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("power_of_two") && Catch::Contains("5b/3col"));
  std::filesystem::remove_all(dir);
}
