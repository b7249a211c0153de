// In-memory numerics (numerics/crossbar_numerics.h): a crossbar with ideal
// devices and ADCs wide enough reproduces the integer product exactly; a
// narrow ADC clips as derived by hand and as the cost model's clip formula
// predicts; the encodings (offset, differential, flipped columns) and the
// device non-idealities do what device_options.h says; a seed fixes the draws.
#include <catch2/catch.hpp>

#include <random>

#include "converter/adc_spec.h"
#include "numerics/crossbar_numerics.h"

using namespace qnnsim::numerics;

namespace {

Matrix<int32_t> random_codes(int rows, int cols, int32_t lo, int32_t hi, std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> dist(lo, hi);
  Matrix<int32_t> m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = dist(rng);
  return m;
}

Matrix<int64_t> exact(const Matrix<int32_t>& w, const Matrix<int32_t>& x) {
  return w.cast<int64_t>() * x.cast<int64_t>();
}

}  // namespace

TEST_CASE("ideal crossbars with wide enough ADCs give the integer product exactly", "[in_memory_numerics]") {
  std::mt19937 rng(7);
  struct Case {
    int rows, cell, dac, wbits, abits;
    bool differential, flipped, symmetric_inputs;
  };
  // K = 300 spans three crossbars of 128 rows (and one of 300 with rows 512),
  // so the digital sum of partial sums is exercised too.
  const Case cases[] = {
      {128, 2, 1, 8, 8, false, true, false},   // ISAAC's encodings
      {128, 2, 1, 8, 8, false, false, false},  // PUMA's
      {128, 1, 1, 5, 4, true, false, false},   {64, 4, 2, 8, 8, false, true, true},
      {512, 2, 2, 6, 7, true, true, true},     {32, 3, 3, 7, 5, false, false, true},
  };
  for (const Case& c : cases) {
    CrossbarDesign d;
    d.rows = c.rows, d.bits_per_cell = c.cell, d.dac_bits = c.dac, d.differential = c.differential;
    d.flipped_columns = c.flipped;
    d.adc_bits = qnnsim::adc_bits_needed(c.rows, c.dac, c.cell, c.flipped);
    const int wmax = (1 << (c.wbits - 1)) - 1;
    const Matrix<int32_t> w = random_codes(11, 300, -wmax, wmax, rng);
    const int32_t low = c.symmetric_inputs ? -((1 << (c.abits - 1)) - 1) : 0;
    const Matrix<int32_t> x = random_codes(300, 17, low, low + (1 << c.abits) - 1 - (c.symmetric_inputs ? 1 : 0), rng);
    const ProgrammedLayer layer(d, DeviceOptions{}, w, c.wbits, 0);
    ConversionCounts n;
    const Matrix<int64_t> got = layer.multiply(x, low, c.abits, 0, &n);
    INFO("rows " << c.rows << ", " << c.cell << "-bit cells, " << c.dac << "-bit DACs, " << d.adc_bits << "-bit ADCs");
    CHECK(got == exact(w, x));
    CHECK(n.clipped == 0);
    const int slices = (c.wbits + c.cell - 1) / c.cell * (c.differential ? 2 : 1);
    const int steps = (c.abits + c.dac - 1) / c.dac;
    CHECK(n.conversions == int64_t(11) * slices * steps * 17 * ((300 + c.rows - 1) / c.rows));
  }
}

TEST_CASE("a 2-bit ADC on four 1-bit cells clips as derived by hand", "[in_memory_numerics]") {
  // Four rows of 1-bit cells, 1-bit DACs, an ADC of codes 0..3. Weights are
  // 2-bit codes, all +1, stored with ISAAC's offset as 1 + 2 = 3 = 0b11: both
  // slice columns hold level 1 in every row. Inputs are 2-bit codes.
  CrossbarDesign d;
  d.rows = 4, d.bits_per_cell = 1, d.dac_bits = 1, d.adc_bits = 2;
  const Matrix<int32_t> w = Matrix<int32_t>::Ones(1, 4);
  const ProgrammedLayer plain(d, DeviceOptions{}, w, 2, 0);

  // x = 3 (0b11): each of the 2 slices x 2 steps sums 4 rows = 4, read as 3:
  // sum 3 x (1 + 2 + 2 + 4) = 27, minus the offset 2 x (4 x 3) = 24, gives 3
  // where the exact product is 12; all 4 conversions clip.
  ConversionCounts n;
  CHECK(plain.multiply(Matrix<int32_t>::Constant(4, 1, 3), 0, 2, 0, &n)(0, 0) == 3);
  CHECK(n.conversions == 4);
  CHECK(n.clipped == 4);
  // x = 1 (0b01): step 0 sums 4 (read as 3) in both slices, step 1 sums 0:
  // 3 x (1 + 2) = 9 minus 2 x 4 = 8 gives 1, exact 4; 2 of 4 conversions clip.
  n = {};
  CHECK(plain.multiply(Matrix<int32_t>::Constant(4, 1, 1), 0, 2, 0, &n)(0, 0) == 1);
  CHECK(n.clipped == 2);
  // Flipped columns: both columns' levels sum to 4 > half of 4 rows x level 1,
  // so they are stored as level 0; the ADC reads 0 and the digital side takes
  // 1 x (the 4 driven rows) - 0: exact, nothing clips.
  d.flipped_columns = true;
  const ProgrammedLayer flipped(d, DeviceOptions{}, w, 2, 0);
  n = {};
  CHECK(flipped.multiply(Matrix<int32_t>::Constant(4, 1, 3), 0, 2, 0, &n)(0, 0) == 12);
  CHECK(n.clipped == 0);
}

TEST_CASE("clipping on random levels matches the cost model's clip formula", "[in_memory_numerics]") {
  // 8-bit weight codes stored with an offset put near-uniform levels in the
  // 2-bit cells; 8-bit inputs give 1-bit DAC levels that are 0 or 1 with equal
  // odds: the case adc_clip_fraction (converter/adc_spec.h) takes with density 1.
  std::mt19937 rng(3);
  CrossbarDesign d;  // ISAAC's 128 rows, 2-bit cells, 1-bit DACs, no flipping
  for (const int adc_bits : {6, 7, 8}) {
    d.adc_bits = adc_bits;
    const Matrix<int32_t> w = random_codes(64, 128, -127, 127, rng);
    const Matrix<int32_t> x = random_codes(128, 200, 0, 255, rng);
    ConversionCounts n;
    ProgrammedLayer(d, DeviceOptions{}, w, 8, 0).multiply(x, 0, 8, 0, &n);
    const double predicted = qnnsim::adc_clip_fraction(128, 1, 2, 1.0, adc_bits, false);
    INFO(adc_bits << "-bit ADC: " << n.clipped << " of " << n.conversions << " clip, predicted " << predicted);
    CHECK(double(n.clipped) / double(n.conversions) == Approx(predicted).margin(0.01));
    // A column sums 128 rows of (DAC level 0 or 1) x (cell level 0..3): mean
    // 128 x 1/2 x 3/2 = 96, standard deviation sqrt(128 x 1.1875) = 12.3.
    if (adc_bits == 6) CHECK(predicted > 0.99);  // full scale 63, 2.7 sigma below the mean
    if (adc_bits == 7) CHECK(predicted > 0.002);  // 127, 2.5 sigma above
    if (adc_bits == 8) CHECK(n.clipped == 0);     // 255, 13 sigma above
  }
}

TEST_CASE("device non-idealities: faults, the on/off ratio and a seed", "[in_memory_numerics]") {
  std::mt19937 rng(11);
  CrossbarDesign d;
  d.rows = 4, d.bits_per_cell = 1, d.dac_bits = 1, d.adc_bits = 8;
  const Matrix<int32_t> ones = Matrix<int32_t>::Constant(4, 1, 1);

  // A finite on/off ratio of 3 makes level 0 conduct 1 / (3 - 1) = 0.5 steps,
  // so level 1 conducts 1.5. Weight 0 with 2 bits is stored as 0 + 2 = 0b10:
  // slice 0 at level 0 reads 4 x 0.5 = 2, slice 1 at level 1 reads 4 x 1.5 = 6,
  // with 1-bit inputs of 1: 2 + 2 x 6 = 14, minus the offset 2 x 4 = 8: 6, not 0.
  DeviceOptions leaky;
  leaky.on_off_ratio = 3;
  CHECK(ProgrammedLayer(d, leaky, Matrix<int32_t>::Zero(1, 4), 2, 0).multiply(ones, 0, 1, 0, nullptr)(0, 0) == 6);

  // Every cell stuck at the lowest level: differential columns both read 0.
  d.differential = true;
  DeviceOptions dead;
  dead.stuck_at_0 = 1;
  CHECK(ProgrammedLayer(d, dead, Matrix<int32_t>::Constant(1, 4, 3), 3, 0).multiply(ones, 0, 1, 0, nullptr)(0, 0) == 0);
  // Every cell stuck at the highest: both parts read 4 rows x 1 per slice, cancelling.
  DeviceOptions shorted;
  shorted.stuck_at_1 = 1;
  CHECK(ProgrammedLayer(d, shorted, Matrix<int32_t>::Constant(1, 4, 3), 3, 0).multiply(ones, 0, 1, 0, nullptr)(0, 0) == 0);

  // Variation, read noise and ADC offsets: the same seed gives the same sums,
  // another seed others, and both stray from the exact product.
  CrossbarDesign isaac;
  isaac.flipped_columns = true;
  const Matrix<int32_t> w = random_codes(16, 300, -127, 127, rng);
  const Matrix<int32_t> x = random_codes(300, 40, 0, 255, rng);
  for (const VariationModel model : {VariationModel::lognormal, VariationModel::gaussian}) {
    DeviceOptions noisy;
    noisy.variation = 0.1, noisy.variation_model = model, noisy.read_noise = 0.02, noisy.adc_offset = 0.5;
    noisy.seed = 5;
    const Matrix<int64_t> a = ProgrammedLayer(isaac, noisy, w, 8, 2).multiply(x, 0, 8, 9, nullptr);
    const Matrix<int64_t> b = ProgrammedLayer(isaac, noisy, w, 8, 2).multiply(x, 0, 8, 9, nullptr);
    noisy.seed = 6;
    const Matrix<int64_t> c = ProgrammedLayer(isaac, noisy, w, 8, 2).multiply(x, 0, 8, 9, nullptr);
    CHECK(a == b);
    CHECK(a != c);
    const Matrix<int64_t> e = exact(w, x);
    CHECK(a != e);
    // Relative error of the sums: visible, but far from garbage at sigma 0.1.
    const double err = (a - e).cast<double>().norm() / e.cast<double>().norm();
    CHECK(err > 0.001);
    CHECK(err < 0.5);
  }
  // The same layer on another image draws other read noise.
  DeviceOptions read;
  read.read_noise = 0.05;
  const ProgrammedLayer layer(isaac, read, w, 8, 0);
  CHECK(layer.multiply(x, 0, 8, 1, nullptr) != layer.multiply(x, 0, 8, 2, nullptr));
  CHECK(layer.multiply(x, 0, 8, 1, nullptr) == layer.multiply(x, 0, 8, 1, nullptr));
}
