#include "numerics/crossbar_numerics.h"

#include <algorithm>
#include <cmath>

#include "numerics/eval_error.h"
#include "numerics/noise_source.h"

namespace qnnsim::numerics {

namespace {

// Keys of the independent random streams under one seed.
constexpr uint64_t kCellStream = 1, kAdcStream = 2, kReadStream = 3;

}  // namespace

ProgrammedLayer::ProgrammedLayer(const CrossbarDesign& d, const DeviceOptions& dev, const Matrix<int32_t>& w,
                                 int weight_bits, uint64_t layer)
    : d_(d), dev_(dev), M_(int(w.rows())), K_(int(w.cols())), W_(weight_bits), layer_(layer) {
  // The analog sums are taken in float, exact for integers below 2^24.
  const double largest = double(d.rows) * ((1 << d.bits_per_cell) - 1) * ((1 << d.dac_bits) - 1);
  if (largest >= 16777216.0)
    throw EvalError("a crossbar of " + std::to_string(d.rows) + " rows, " + std::to_string(d.bits_per_cell) +
                    "-bit cells and " + std::to_string(d.dac_bits) +
                    "-bit DACs has column sums past 2^24, beyond what eval computes exactly");
  if (weight_bits < 1 || weight_bits > 32)
    throw EvalError("crossbar weights of " + std::to_string(weight_bits) + " bits: eval stores codes of 1 to 32 bits");
  const int64_t code_min = -(int64_t{1} << (weight_bits - 1)), code_max = (int64_t{1} << (weight_bits - 1)) - 1;
  if (w.size() > 0 && (w.minCoeff() < code_min || w.maxCoeff() > code_max))
    throw EvalError("a weight code outside the " + std::to_string(weight_bits) + "-bit range the crossbar stores");
  const int slices = (weight_bits + d.bits_per_cell - 1) / d.bits_per_cell;
  const int top = (1 << d.bits_per_cell) - 1;  // the highest cell level
  for (int j = 0; j < slices; ++j) shift_.push_back(j * d.bits_per_cell), sign_.push_back(1);
  if (d.differential)
    for (int j = 0; j < slices; ++j) shift_.push_back(j * d.bits_per_cell), sign_.push_back(-1);
  Q_ = int(shift_.size());
  for (int m = 0; m < M_; ++m) weight_sums_.push_back(w.row(m).cast<int64_t>().sum());

  NoiseSource cells(dev.seed, layer, kCellStream), adcs(dev.seed, layer, kAdcStream);
  // Level 0's conductance with a finite on/off ratio: G_off in steps of
  // (G_on - G_off) / top, from G_on = ratio x G_off.
  const double leak = dev.on_off_ratio > 0 ? top / (dev.on_off_ratio - 1) : 0.0;
  const int columns = M_ * Q_;
  for (int k0 = 0; k0 < K_; k0 += d.rows) {
    Chunk c;
    c.k0 = k0;
    c.rows = std::min(d.rows, K_ - k0);
    Matrix<int32_t> level(columns, c.rows);
    for (int m = 0; m < M_; ++m)
      for (int q = 0; q < Q_; ++q)
        for (int k = 0; k < c.rows; ++k) {
          const int64_t v = w(m, k0 + k);
          const int64_t stored = d.differential ? std::max<int64_t>(sign_[q] * v, 0) : v + (int64_t{1} << (W_ - 1));
          level(q * M_ + m, k) = int32_t((stored >> shift_[q]) & top);
        }
    c.flip.assign(columns, 0);
    if (d.flipped_columns)
      for (int r = 0; r < columns; ++r)
        if (2 * int64_t(level.row(r).sum()) > int64_t(top) * c.rows) {
          c.flip[r] = 1;
          c.any_flip = true;
          level.row(r) = (top - level.row(r).array()).matrix();
        }
    c.g.resize(columns, c.rows);
    for (int r = 0; r < columns; ++r)
      for (int k = 0; k < c.rows; ++k) {
        int lv = level(r, k);
        if (dev.stuck_at_0 > 0 || dev.stuck_at_1 > 0) {
          const double u = cells.uniform();
          if (u < dev.stuck_at_0) lv = 0;
          else if (u < dev.stuck_at_0 + dev.stuck_at_1) lv = top;
        }
        double g = lv + leak;
        if (dev.variation > 0) {
          const double z = cells.normal();
          g = dev.variation_model == VariationModel::lognormal ? g * std::exp(dev.variation * z)
                                                               : std::max(0.0, g * (1 + dev.variation * z));
        }
        c.g(r, k) = float(g);
      }
    if (dev.read_noise > 0) c.g2 = c.g.cwiseProduct(c.g);
    if (dev.adc_offset > 0) {
      c.offset.resize(columns);
      float current = 0;
      // In the crossbar a weight's slices sit in adjacent columns, m * Q + q;
      // each run of columns_per_adc of those shares one ADC.
      for (int col = 0; col < columns; ++col) {
        if (col % d.columns_per_adc == 0) current = float(dev.adc_offset * adcs.normal());
        c.offset[(col % Q_) * M_ + col / Q_] = current;
      }
    }
    chunks_.push_back(std::move(c));
  }
}

std::string ProgrammedLayer::inexact_for(int input_bits) const {
  // Every digital term is a conversion (at most the ADC's full scale, or a
  // flipped column's top level x the DAC levels summed over the rows) times a
  // slice's and a step's place value; the offset's correction adds
  // 2^(W-1) x the inputs. The bound sums their magnitudes over every chunk.
  const int v = d_.dac_bits;
  const int steps = (input_bits + v - 1) / v;
  const double top = double((1 << d_.bits_per_cell) - 1);
  const double read = std::max(std::ldexp(1.0, d_.adc_bits) - 1, top * d_.rows * ((1 << v) - 1));
  double places = 0;
  for (int q = 0; q < Q_; ++q)
    for (int b = 0; b < steps; ++b) places += std::ldexp(1.0, shift_[q] + v * b);
  const double inputs = double(d_.rows) * (std::ldexp(1.0, input_bits) - 1);
  const double bound =
      double(chunks_.size()) * (read * places + (d_.differential ? 0.0 : std::ldexp(1.0, W_ - 1) * inputs));
  if (bound < 9007199254740992.0) return "";
  return "the crossbar's shift-and-add of " + std::to_string(W_) + "-bit weights and " + std::to_string(input_bits) +
         "-bit inputs over " + std::to_string(chunks_.size()) +
         " crossbars may pass 2^53, beyond what eval adds exactly in double";
}

namespace {

// Per-thread scratch that keeps its capacity from image to image: the
// matrices here are up to megabytes, and allocating them afresh for every
// layer of every image costs more in page faults than the arithmetic.
struct Scratch {
  std::vector<float> dac, sum, var;

  static Eigen::Map<Matrix<float>> view(std::vector<float>& v, Eigen::Index rows, Eigen::Index cols) {
    if (v.size() < std::size_t(rows * cols)) v.resize(std::size_t(rows * cols));
    return Eigen::Map<Matrix<float>>(v.data(), rows, cols);
  }
};

}  // namespace

Matrix<int64_t> ProgrammedLayer::multiply(const Matrix<int32_t>& cols, int32_t low, int input_bits, uint64_t image,
                                          ConversionCounts* counts) const {
  thread_local Scratch scratch;
  const int v = d_.dac_bits;
  const int steps = (input_bits + v - 1) / v;
  const int32_t vmask = (1 << v) - 1;
  const float top = float((1 << d_.bits_per_cell) - 1);
  const float amax = float((int64_t{1} << d_.adc_bits) - 1);
  const int P = int(cols.cols()), columns = M_ * Q_, reads = steps * P;
  // Sums of shifted ADC values, exact in double while below 2^53 (at most
  // 2^16 codes x 2^32 place value x the crossbars along K).
  Matrix<double> sums = Matrix<double>::Zero(M_, P);
  NoiseSource noise(dev_.seed, layer_ + (kReadStream << 32), image);
  int64_t clipped = 0;

  for (const Chunk& c : chunks_) {
    // The DAC levels of every input step: columns b * P .. b * P + P - 1 for step b.
    const Matrix<int32_t> u = cols.middleRows(c.k0, c.rows).array() - low;
    Eigen::Map<Matrix<float>> dac = Scratch::view(scratch.dac, c.rows, reads);
    for (int b = 0; b < steps; ++b)
      dac.middleCols(b * P, P) = u.unaryExpr([&](int32_t x) { return float((x >> (v * b)) & vmask); });
    // Every column's analog sum for every read: exact in float while below 2^24.
    Eigen::Map<Matrix<float>> sum = Scratch::view(scratch.sum, columns, reads);
    sum.noalias() = c.g * dac;
    if (dev_.read_noise > 0) {
      Eigen::Map<Matrix<float>> var = Scratch::view(scratch.var, columns, reads);
      var.noalias() = c.g2 * dac.cwiseProduct(dac);
      for (Eigen::Index i = 0; i < sum.size(); ++i)
        sum.data()[i] += float(dev_.read_noise * std::sqrt(double(var.data()[i])) * noise.normal());
    }
    if (!c.offset.empty()) sum.colwise() += Eigen::Map<const Eigen::VectorXf>(c.offset.data(), columns);
    // The ADC: round to a code, saturate at 0 and full scale.
    auto code = sum.array();
    code = (code + 0.5f).floor();
    clipped += (code > amax).count() + (code < 0.0f).count();
    code = code.max(0.0f).min(amax);
    // Flipped columns: (top level) x (the sum of the DAC levels) minus the read value.
    if (c.any_flip) {
      const Eigen::RowVectorXf dac_sums = dac.colwise().sum();  // integers below 2^24: exact
      for (int r = 0; r < columns; ++r)
        if (c.flip[r]) sum.row(r) = top * dac_sums - sum.row(r);
    }
    // Shift-and-add: rows q * M .. q * M + M - 1 are slice group q.
    for (int q = 0; q < Q_; ++q)
      for (int b = 0; b < steps; ++b)
        sums.noalias() += double(sign_[q]) * std::ldexp(1.0, shift_[q] + v * b) *
                          sum.block(q * M_, b * P, M_, P).cast<double>();
    if (!d_.differential)  // undo the weights' offset: 2^(W-1) x the sum of the inputs
      sums.rowwise() -= std::ldexp(1.0, W_ - 1) * u.cast<double>().colwise().sum();
  }
  if (counts) counts->conversions += int64_t(columns) * reads * int64_t(chunks_.size()), counts->clipped += clipped;
  // Undo the inputs' offset (x = u + low).
  Matrix<int64_t> out = sums.cast<int64_t>();
  for (int m = 0; m < M_; ++m) out.row(m).array() += int64_t(low) * weight_sums_[m];
  return out;
}

}  // namespace qnnsim::numerics
