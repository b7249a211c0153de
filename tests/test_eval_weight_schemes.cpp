// Weights in binary, ternary, log and codebook schemes through eval's integer
// path (numerics/weight_schemes.h): each scheme's values against a reference
// computed here from the published definitions, the integer sums against the
// operation the hardware performs (XNOR-popcount, shift-and-add, a table
// look-up), a fixed image set scoring the same twice, and refusals naming
// the layer and the scheme. The LeNet-5 cases read Debian's dataset-fashion-mnist.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "numerics/eval_error.h"
#include "numerics/evaluate.h"
#include "numerics/weight_schemes.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::numerics;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::replace_all;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

// A small layer of normally distributed weights (M x K), fixed seed.
Eigen::MatrixXf random_weights(int M, int K, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal(0.0f, 0.1f);
  Eigen::MatrixXf w(M, K);
  for (int m = 0; m < M; ++m)
    for (int k = 0; k < K; ++k) w(m, k) = normal(gen);
  return w;
}

// Input codes, K x P, uniform in [lo, hi].
Matrix<int32_t> random_codes(int K, int P, int lo, int hi, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> pick(lo, hi);
  Matrix<int32_t> x(K, P);
  for (int k = 0; k < K; ++k)
    for (int p = 0; p < P; ++p) x(k, p) = pick(gen);
  return x;
}

// The rows sharing one scale: row m alone, or all of them.
std::vector<float> group_of(const Eigen::MatrixXf& w, int m, bool per_channel) {
  std::vector<float> v;
  for (int r = 0; r < w.rows(); ++r)
    if (!per_channel || r == m)
      for (int k = 0; k < w.cols(); ++k) v.push_back(w(r, k));
  return v;
}

// XNOR-Net: alpha * sign(w), alpha the mean |w|.
double binary_reference(const Eigen::MatrixXf& w, int m, int k, bool per_channel) {
  double sum = 0;
  const std::vector<float> g = group_of(w, m, per_channel);
  for (float v : g) sum += std::fabs(v);
  const double alpha = sum / g.size();
  return w(m, k) >= 0 ? alpha : -alpha;
}

// TWN: threshold 0.7 mean |w|, alpha the mean |w| above it.
double ternary_reference(const Eigen::MatrixXf& w, int m, int k, bool per_channel) {
  const std::vector<float> g = group_of(w, m, per_channel);
  double sum = 0;
  for (float v : g) sum += std::fabs(v);
  const double delta = 0.7 * sum / g.size();
  double above = 0;
  int n = 0;
  for (float v : g)
    if (std::fabs(v) > delta) above += std::fabs(v), ++n;
  const double alpha = above / n;
  const float v = w(m, k);
  return v > delta ? alpha : v < -delta ? -alpha : 0.0;
}

// Sign and exponent: +-top * base^-e, e the rounded log_base(top / |w|) within 0 .. 2^(b-1) - 1.
double log_reference(const Eigen::MatrixXf& w, int m, int k, bool per_channel, int bits, double base) {
  double top = 0;
  for (float v : group_of(w, m, per_channel)) top = std::max(top, double(std::fabs(v)));
  const int last = (1 << (bits - 1)) - 1;
  const double e = std::round(std::log(top / std::fabs(w(m, k))) / std::log(base));
  const double exponent = std::min(std::max(e, 0.0), double(last));
  return (w(m, k) < 0 ? -1 : 1) * top * std::pow(base, -exponent);
}

// Lloyd's k-means the plain way: every value against every centroid, until
// no value changes cluster; then the entries as entry_bits symmetric integers.
std::vector<double> codebook_reference(const Eigen::MatrixXf& w, int m, bool per_channel, int bits, int entry_bits,
                                       std::vector<int>* cluster_of) {
  const std::vector<float> g = group_of(w, m, per_channel);
  const int k = 1 << bits;
  const double lo = *std::min_element(g.begin(), g.end()), hi = *std::max_element(g.begin(), g.end());
  std::vector<double> c(k);
  for (int j = 0; j < k; ++j) c[j] = lo + (hi - lo) * j / (k - 1);
  std::vector<int> assign(g.size(), -1);
  for (bool moved = true; moved;) {
    moved = false;
    for (std::size_t i = 0; i < g.size(); ++i) {
      int best = 0;
      for (int j = 1; j < k; ++j)
        if (std::fabs(g[i] - c[j]) < std::fabs(g[i] - c[best])) best = j;
      moved |= best != assign[i];
      assign[i] = best;
    }
    for (int j = 0; j < k; ++j) {
      double s = 0;
      int n = 0;
      for (std::size_t i = 0; i < g.size(); ++i)
        if (assign[i] == j) s += g[i], ++n;
      if (n) c[j] = s / n;
    }
  }
  double mx = 0;
  for (double v : c) mx = std::max(mx, std::fabs(v));
  const int qmax = (1 << (entry_bits - 1)) - 1;
  const double scale = mx / qmax;
  std::vector<double> entries;
  for (double v : c) entries.push_back(scale * std::round(v / scale));
  // The weights of this row: the nearest centroid's entry.
  std::vector<double> row;
  for (int kk = 0; kk < w.cols(); ++kk) {
    int best = 0;
    for (int j = 1; j < k; ++j)
      if (std::fabs(w(m, kk) - c[j]) < std::fabs(w(m, kk) - c[best])) best = j;
    row.push_back(entries[best]);
    if (cluster_of) cluster_of->push_back(best);
  }
  return row;
}

void check_values(const WeightQuant& q, const Eigen::MatrixXf& w, const std::function<double(int, int)>& expected) {
  const Eigen::MatrixXd got = dequantized(q);
  for (int m = 0; m < w.rows(); ++m)
    for (int k = 0; k < w.cols(); ++k) {
      INFO("weight (" << m << ", " << k << ") = " << w(m, k));
      CHECK(got(m, k) == Approx(expected(m, k)).epsilon(1e-9).margin(1e-15));
    }
}

// The sum the accumulator must hold, wrapped to `bits` two's complement by hand.
int64_t wrapped(int64_t v, int bits) {
  const int64_t span = int64_t{1} << bits, half = span / 2;
  return ((v + half) % span + span) % span - half;
}

EvalOptions lenet(int64_t limit) {
  EvalOptions o;
  o.model = shipped("workloads/models/lenet5_fashion.onnx");
  o.limit = limit;
  o.quant.calibration.images = 200;
  return o;
}

}  // namespace

TEST_CASE("weight schemes take the values their definitions give", "[eval][schemes]") {
  const Eigen::MatrixXf w = random_weights(6, 45, 7);
  for (const bool per_channel : {true, false}) {
    INFO((per_channel ? "per channel" : "per tensor"));
    // binary
    const WeightQuant b = quantize_weight_scheme(w, {Scheme::Binary, per_channel}, 1, 8);
    CHECK(b.codes.max_abs == 1);
    check_values(b, w, [&](int m, int k) { return binary_reference(w, m, k, per_channel); });
    // ternary
    const WeightQuant t = quantize_weight_scheme(w, {Scheme::Ternary, per_channel}, 2, 8);
    CHECK(t.codes.max_abs == 1);
    CHECK((t.codes.codes.array() == 0).count() > 0);
    check_values(t, w, [&](int m, int k) { return ternary_reference(w, m, k, per_channel); });
    // power_of_two and log_radix4
    for (int bits = 2; bits <= 5; ++bits) {
      INFO(bits << " bits");
      const WeightQuant p2 = quantize_weight_scheme(w, {Scheme::PowerOfTwo, per_channel}, bits, 8);
      check_values(p2, w, [&](int m, int k) { return log_reference(w, m, k, per_channel, bits, 2.0); });
      const WeightQuant r4 = quantize_weight_scheme(w, {Scheme::LogRadix4, per_channel}, bits, 8);
      check_values(r4, w, [&](int m, int k) { return log_reference(w, m, k, per_channel, bits, 4.0); });
      // Every code is a signed power of two: the multiplier is a shifter.
      for (Eigen::Index i = 0; i < p2.codes.codes.size(); ++i) {
        const int64_t a = std::abs(int64_t{p2.codes.codes.data()[i]});
        CHECK((a > 0 && (a & (a - 1)) == 0));
      }
    }
    // codebook
    for (const int bits : {2, 4}) {
      INFO(bits << " index bits");
      const WeightQuant q = quantize_weight_scheme(w, {Scheme::Codebook, per_channel}, bits, 8);
      const Eigen::MatrixXd got = dequantized(q);
      for (int m = 0; m < w.rows(); ++m) {
        const std::vector<double> row = codebook_reference(w, m, per_channel, bits, 8, nullptr);
        for (int k = 0; k < w.cols(); ++k) CHECK(got(m, k) == Approx(row[k]).epsilon(1e-9));
      }
      CHECK(q.codes.max_abs <= 127);
    }
  }
}

TEST_CASE("weight schemes' integer sums are the hardware's operations", "[eval][schemes]") {
  const Eigen::MatrixXf w = random_weights(5, 60, 11);
  const AccumulatorSpec acc32{32, Overflow::wrap};

  SECTION("binary weights and +-1 inputs: 2 popcount(XNOR) - K") {
    const WeightQuant q = quantize_weight_scheme(w, {Scheme::Binary, true}, 1, 8);
    Matrix<int32_t> x = random_codes(60, 9, 0, 1, 3);
    x = (2 * x.array() - 1).matrix();  // +-1
    const Accumulated a = accumulate(q.codes, x, acc32);
    for (int m = 0; m < 5; ++m)
      for (int p = 0; p < 9; ++p) {
        int popcount = 0;  // bit 1 stands for +1; XNOR is 1 where the signs agree
        for (int k = 0; k < 60; ++k) popcount += (w(m, k) >= 0) == (x(k, p) > 0);
        CHECK(a.sums(m, p) == 2 * popcount - 60);
      }
  }
  SECTION("binary weights on integer inputs: inputs added or subtracted") {
    const WeightQuant q = quantize_weight_scheme(w, {Scheme::Binary, true}, 1, 8);
    const Matrix<int32_t> x = random_codes(60, 9, 0, 255, 4);
    const Accumulated a = accumulate(q.codes, x, acc32);
    for (int m = 0; m < 5; ++m)
      for (int p = 0; p < 9; ++p) {
        int64_t s = 0;
        for (int k = 0; k < 60; ++k) s += w(m, k) >= 0 ? x(k, p) : -x(k, p);
        CHECK(a.sums(m, p) == s);
      }
  }
  SECTION("log weights: inputs shifted left, in a 32-bit and a wrapping 16-bit accumulator") {
    for (const Scheme scheme : {Scheme::PowerOfTwo, Scheme::LogRadix4}) {
      const int bits = 4, step = scheme == Scheme::PowerOfTwo ? 1 : 2;
      const WeightQuant q = quantize_weight_scheme(w, {scheme, true}, bits, 8);
      const Matrix<int32_t> x = random_codes(60, 9, 0, 255, 5);
      const int top_shift = step * ((1 << (bits - 1)) - 1);
      for (const int acc_bits : {32, 16}) {
        const Accumulated a = accumulate(q.codes, x, {acc_bits, Overflow::wrap});
        int64_t overflowed = 0;
        for (int m = 0; m < 5; ++m) {
          double top = 0;
          for (int k = 0; k < 60; ++k) top = std::max(top, double(std::fabs(w(m, k))));
          for (int p = 0; p < 9; ++p) {
            int64_t s = 0;
            for (int k = 0; k < 60; ++k) {
              const double base = step == 1 ? 2.0 : 4.0;
              const int e = int(std::min(std::max(std::round(std::log(top / std::fabs(w(m, k))) / std::log(base)), 0.0),
                                         double((1 << (bits - 1)) - 1)));
              const int64_t shifted = int64_t{x(k, p)} << (top_shift - step * e);
              s += w(m, k) < 0 ? -shifted : shifted;
            }
            const int64_t held = wrapped(s, acc_bits);
            overflowed += held != s;
            CHECK(a.sums(m, p) == held);
          }
        }
        CHECK(a.overflowed == overflowed);
        if (acc_bits == 16) CHECK(overflowed > 0);  // radix 4 at 4 bits shifts by up to 14: 16 bits cannot hold it
      }
    }
  }
  SECTION("codebook weights: each index's table entry times the input") {
    const WeightQuant q = quantize_weight_scheme(w, {Scheme::Codebook, false}, 3, 8);
    const Matrix<int32_t> x = random_codes(60, 9, -127, 127, 6);
    const Accumulated a = accumulate(q.codes, x, acc32);
    for (int m = 0; m < 5; ++m) {
      std::vector<int> index;
      codebook_reference(w, m, false, 3, 8, &index);
      // The table: the integer entry each index reads, as the codes hold it.
      std::vector<int32_t> table(8, 0);
      for (int k = 0; k < 60; ++k) table[index[k]] = q.codes.codes(m, k);
      for (int p = 0; p < 9; ++p) {
        int64_t s = 0;
        for (int k = 0; k < 60; ++k) s += int64_t{table[index[k]]} * x(k, p);
        CHECK(a.sums(m, p) == s);
      }
    }
  }
}

TEST_CASE("eval --weight-scheme: a fixed image set scores the same, at any --jobs, and as its quantize trace", "[eval][schemes]") {
  for (const auto& [scheme, bits] : std::vector<std::pair<Scheme, int>>{
           {Scheme::Binary, 1}, {Scheme::Ternary, 2}, {Scheme::PowerOfTwo, 4}, {Scheme::Codebook, 4}}) {
    INFO(scheme_name(scheme));
    EvalOptions o = lenet(150);
    o.quant.weight_scheme = scheme;
    o.quant.bits = {bits, 8};
    const EvalResult a = evaluate(o);
    o.jobs = 2;
    const EvalResult b = evaluate(o);
    CHECK(a.quant_correct == b.quant_correct);
    CHECK(a.agree == b.agree);
    for (const numerics::LayerResult& l : a.layers) CHECK(l.weight_scheme == scheme);
    CHECK(a.quant_correct > 15);  // better than chance (10%) on 150 images
  }
  // quantize writes the scheme into the trace; eval --trace scores the same images.
  const auto dir = scratch_dir("eval_weight_schemes_trace");
  const std::string trace = (dir / "lenet_ternary.yaml").string(), out = (dir / "out").string(),
                    err = (dir / "err").string();
  REQUIRE(qnnsim_cli("quantize lenet5_fashion --bits 2/8 --weight-scheme ternary --weight-scales per-tensor "
                     "--calibration-images 200 -o " + trace, out, err) == 0);
  CHECK_THAT(read_file(trace), Catch::Contains("scheme: ternary"));
  EvalOptions by_trace = lenet(150);
  by_trace.trace = trace;
  EvalOptions by_options = lenet(150);
  by_options.quant.weight_scheme = Scheme::Ternary;
  by_options.quant.bits = {2, 8};
  by_options.quant.per_channel_weights = false;
  const EvalResult t = evaluate(by_trace), d = evaluate(by_options);
  CHECK(t.quant_correct == d.quant_correct);
  CHECK(t.agree == d.agree);
  // The trace prices as any other: run takes it on the systolic design.
  CHECK(qnnsim_cli("run systolic_ws " + trace, out, err) == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("eval refuses weight schemes it cannot run, naming the layer and the scheme", "[eval][schemes][cli]") {
  const auto dir = scratch_dir("eval_weight_schemes_refusals");
  const std::string out = (dir / "out").string(), errf = (dir / "err").string();
  const auto fails = [&](const std::string& args, const std::vector<std::string>& words) {
    INFO(args);
    CHECK(qnnsim_cli(args, out, errf) == 2);
    const std::string text = read_file(errf);
    for (const std::string& w : words) CHECK_THAT(text, Catch::Contains(w));
  };
  const std::string m = "eval lenet5_fashion --limit 20 --calibration-images 50 ";
  fails(m + "--weight-scheme binary", {"binary weights are 1 bit, not 8"});
  fails(m + "--bits conv1_Conv=3/8 --weight-scheme conv1_Conv=ternary", {"conv1_Conv", "ternary weights are 2 bits, not 3"});
  fails(m + "--bits 6/8 --weight-scheme power_of_two", {"power_of_two weights of 2 to 5 bits"});
  // Float weights run on a float MAC, whose inputs must be of the same format (test_eval_float.cpp).
  fails(m + "--weight-scheme float", {"layer 'conv1_Conv'", "expected fp8_e4m3 inputs"});
  fails(m + "--weight-scheme posit", {"unknown weight scheme 'posit'"});
  fails(m + "--weight-scheme conv9=ternary --bits conv9=2/8", {"--bits conv9", "no Conv, Gemm or MatMul layer 'conv9'"});
  fails(m + "--weight-scheme conv9=uniform_symmetric", {"--weight-scheme conv9", "no Conv, Gemm or MatMul layer 'conv9'"});
  fails(m + "--weight-scheme fc1_Gemm=binary", {"--weight-scheme fc1_Gemm=binary at --bits 8/8", "binary weights are 1 bit, not 8"});
  fails(m + "--bits 4/8 --weight-scheme power_of_two --arch systolic_ws", {"layer 'conv1_Conv'", "power_of_two"});
  fails(m + "--bits 4/8 --weight-scheme codebook --arch isaac",
        {"layer 'conv1_Conv'", "codebook weights on an in-memory design", "cannot look one up"});
  fails("quantize lenet5_fashion --bits 1/8 --weight-scheme binary --calibration-images 50 --qdq " +
            (dir / "q.onnx").string() + " -o " + (dir / "q.yaml").string(),
        {"--qdq", "binary weights"});

  // A trace whose layer has float weights but uniform inputs: eval names the layer, the key and the inputs expected.
  const std::string trace = (dir / "t.yaml").string();
  REQUIRE(qnnsim_cli("quantize lenet5_fashion --bits 1/8 --weight-scheme binary --weight-scales per-tensor "
                     "--calibration-images 50 -o " + trace,
                     out, errf) == 0);
  const std::string text = read_file(trace);
  REQUIRE(text.find("{bits: 1, scheme: binary}") != std::string::npos);
  const std::string float_trace = (dir / "float.yaml").string();
  std::ofstream(float_trace) << replace_all(text, "{bits: 1, scheme: binary", "{bits: 8, scheme: float");
  fails("eval lenet5_fashion --limit 20 --trace " + float_trace,
        {"conv1_Conv", "layers[0].inputs.scheme", "expected inputs: {bits: 8, scheme: float}"});
  std::filesystem::remove_all(dir);
}

TEST_CASE("eval --arch with a digital design runs codebook weights at its MAC's width", "[eval][schemes][mac]") {
  // systolic_ws's IntMAC is 8-bit: a table of 8-bit entries, the default without --arch too.
  EvalOptions by_arch = lenet(100);
  by_arch.arch = "systolic_ws";
  by_arch.quant.weight_scheme = Scheme::Codebook;
  by_arch.quant.bits = {4, 8};
  EvalOptions by_hand = by_arch;
  by_hand.arch.clear();
  const EvalResult a = evaluate(by_arch), h = evaluate(by_hand);
  CHECK(a.arch_mac);
  CHECK(a.quant_correct == h.quant_correct);
}

TEST_CASE("eval --arch with a ShiftAddMAC design shifts log weights into its accumulator", "[eval][schemes][mac]") {
  // systolic_ws with its IntMAC replaced by a 4-bit shift-add unit of a
  // 16-bit accumulator: one product (8 input bits + a shift of up to 7) fits,
  // so `run` takes it, but LeNet-5's sums do not.
  std::string text = read_file(shipped("arch/systolic_ws.yaml"));
  const std::string int_mac = "class: IntMAC\n      weight_bits: 8\n      input_bits: 8\n      accumulator_bits: 32";
  REQUIRE(text.find(int_mac) != std::string::npos);
  text = replace_all(text, int_mac,
                     "class: ShiftAddMAC\n      weight_bits: 4\n      input_bits: 8\n      accumulator_bits: 16");
  const auto dir = scratch_dir("eval_weight_schemes_shift_add");
  const std::string arch = (dir / "shift_add_16.yaml").string();
  std::ofstream(arch) << text;

  EvalOptions by_arch = lenet(100);
  by_arch.arch = arch;
  by_arch.quant.weight_scheme = Scheme::PowerOfTwo;
  by_arch.quant.bits = {4, 8};
  const EvalResult a = evaluate(by_arch);
  CHECK(a.arch_mac);
  CHECK(a.accumulator_bits == 16);
  EvalOptions by_hand = by_arch;
  by_hand.arch.clear();
  by_hand.quant.accumulator = {16, Overflow::wrap};
  const EvalResult h = evaluate(by_hand);
  CHECK(a.quant_correct == h.quant_correct);
  REQUIRE(a.layers.size() == h.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) CHECK(a.layers[i].overflowed == h.layers[i].overflowed);
  CHECK(a.layers[0].overflowed > 0);

  // Uniform weights are not the shift-add unit's: refused, naming the layer and the scheme.
  by_arch.quant.weight_scheme = Scheme::UniformSymmetric;
  by_arch.quant.bits = {4, 8};
  try {
    evaluate(by_arch);
    FAIL("uniform weights on a ShiftAddMAC were not refused");
  } catch (const EvalError& e) {
    CHECK_THAT(e.what(), Catch::Contains("layer 'conv1_Conv'") && Catch::Contains("uniform_symmetric"));
  }
  std::filesystem::remove_all(dir);
}
