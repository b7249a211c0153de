// Ternary and power-of-two activations through eval
// (numerics/ternary_activations.h, log_activations.h): codes on hand-made
// tensors, calibration equal to TWN's and Miyashita et al.'s formulas on the
// shipped LeNet-5, the integer output stage's comparators equal to the real
// quantization, quantize writing traces that eval --trace scores alike, and
// the refusals.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <string>

#include "numerics/dataset.h"
#include "numerics/evaluate.h"
#include "numerics/float_run.h"
#include "numerics/image_input.h"
#include "numerics/log_activations.h"
#include "numerics/ternary_activations.h"
#include "numerics/threshold_stage.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::numerics;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

const std::string kLenet = "workloads/models/lenet5_fashion.onnx";

QuantOptions coded_options(int weight_bits, int activation_bits, bool ternary) {
  QuantOptions q;
  q.bits = {weight_bits, activation_bits};
  q.ternary_activations = ternary;
  q.log_activations = !ternary;
  q.calibration.images = 20;
  return q;
}

// The float network's values of tensor `t` over the first images of `data`,
// with or without the ReLU fused into its writer.
std::vector<float> values_of(const Network& net, const Dataset& data, int t, bool before_relu) {
  Network n = net;
  if (before_relu)
    for (NetOp& op : n.ops)
      if (op.out == t) op.relu = false;
  std::vector<float> out;
  for (int64_t i = 0; i < data.count; ++i) {
    const auto v = run_float(n, image_values(data, i))[t];
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

double accuracy_in(const std::string& json) {
  const auto at = json.find("\"quantized_accuracy_fraction\"");
  REQUIRE(at != std::string::npos);
  return std::stod(json.substr(json.find(':', at) + 1));
}

}  // namespace

TEST_CASE("a ternary activation is sign(x) beyond 0.7 mean |x| at the mean |x| beyond it", "[eval][ternary]") {
  // mean |x| = (2 + 1 + 0 + 3 + 0.5 + 0.5) / 6 = 7/6, delta = 0.7 * 7/6 = 49/60;
  // beyond it: 2, 1 and 3, so alpha = 2.
  const std::vector<float> x = {-2.0f, 1.0f, 0.0f, 3.0f, -0.5f, 0.5f};
  const TernaryParams p = twn_rule(x);
  CHECK(p.delta == Approx(49.0 / 60.0));
  CHECK(p.alpha == Approx(2.0));
  // The same values in two batches (two images) give the same rule.
  const std::vector<float> first(x.begin(), x.begin() + 2), second(x.begin() + 2, x.end());
  const TernaryParams batched = twn_rule([&](const std::function<void(const std::vector<float>&)>& f) {
    f(first);
    f(second);
  });
  CHECK(batched.delta == Approx(p.delta));
  CHECK(batched.alpha == Approx(p.alpha));
  const ActQuant a = ternary_act(p);
  CHECK(a.bits == 2);
  CHECK(a.zero == 0);
  CHECK(a.qmin == -1);
  CHECK(a.qmax == 1);
  // Nearest rounding at step 2 would give -1, 0 (not 1), 0, 1 (not 2 clamped), 0, 0 here.
  const std::vector<int32_t> expected = {-1, 1, 0, 1, 0, 0};
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(a.quantize(x[i]) == expected[i]);
  CHECK(a.real(a.quantize(-2.0)) == Approx(-2.0));
  CHECK(a.quantize(0.82) == 1);
  CHECK(a.quantize(-0.81) == 0);
  // An all-zero tensor: every code 0, a scale of 1 standing for it.
  const ActQuant zero = ternary_act(twn_rule(std::vector<float>(4, 0.0f)));
  CHECK(zero.quantize(0.0) == 0);
  CHECK(zero.scale == 1.0);
}

TEST_CASE("a power-of-two activation rounds log2 x and keeps the top 2^b - 1 exponents", "[eval][log]") {
  // 3 bits: 7 exponents and 0. The range's top 10 rounds to e_max = 3 (log2 10
  // = 3.32), so e_min = 3 - 6 = -3, the scale 1/8 and the codes 0 and 1 .. 64.
  const ActQuant a = log_act_for_range(10.0, 3);
  CHECK(a.log);
  CHECK(a.scale == 0.125);
  CHECK(a.zero == 0);
  CHECK(a.qmin == 0);
  CHECK(a.qmax == 64);
  CHECK(a.quantize(0.0) == 0);
  CHECK(a.quantize(-1.0) == 0);                  // no sign: only a tensor with no ReLU would have it
  CHECK(a.quantize(std::nan("")) == 0);
  CHECK(a.quantize(1.0) == 8);                   // 2^0 = 2^(0 - e_min) x 2^e_min
  CHECK(a.quantize(0.7) == 4);                   // log2 0.7 = -0.51 rounds to -1
  CHECK(a.quantize(0.75) == 8);                  // log2 0.75 = -0.42 rounds to 0
  CHECK(a.quantize(10.0) == 64);                 // 2^3.32 to 2^3, e_max
  CHECK(a.quantize(100.0) == 64);                // clipped at e_max
  CHECK(a.quantize(0.09) == 1);                  // log2 = -3.47 rounds to e_min = -3
  CHECK(a.quantize(0.088) == 0);                 // log2 = -3.51 rounds to -4, below e_min: 0
  CHECK(a.real(a.quantize(6.0)) == 8.0);         // log2 6 = 2.58 rounds to 3
  CHECK(a.real(a.quantize(5.5)) == 4.0);         // log2 5.5 = 2.46 rounds to 2
  // Every code is 0 or a power of two: what the MAC multiplies is a shift.
  for (double v = 0.01; v < 20; v *= 1.1) {
    const int32_t c = a.quantize(v);
    CHECK((c == 0 || (c & (c - 1)) == 0));
  }
  CHECK(log_act_for_range(10.0, 5).qmax == (int32_t{1} << 30));
  CHECK(log_width_problem(2).empty());
  CHECK(log_width_problem(5).empty());
  CHECK_THAT(log_width_problem(6), Catch::Contains("2^62") && Catch::Contains("64 bits"));
  CHECK_THAT(log_width_problem(8), Catch::Contains("255 exponents"));
  CHECK(!log_width_problem(1).empty());
}

TEST_CASE("the comparator output stage codes as the real quantization does", "[eval][ternary][log][requant]") {
  // One accumulator unit is 0.0137 real: the thresholds in accumulator units
  // must decide every total exactly as quantizing total x unit does.
  const double unit = 0.0137;
  const ActQuant t = ternary_act({0.9, 0.61});
  const std::vector<int64_t> tt = code_thresholds(t, unit);
  REQUIRE(tt.size() == 1);
  CHECK(tt[0] == 44);  // 0.61 / 0.0137 = 44.5
  for (int64_t total = -3000; total <= 3000; ++total)
    REQUIRE(threshold_code(t, tt, total) == t.quantize(double(total) * unit));
  const ActQuant l = log_act(-4, 4);  // 15 exponents from 2^-4
  const std::vector<int64_t> lt = code_thresholds(l, unit);
  CHECK(lt.size() == 15);
  for (int64_t total = -100; total <= 200000; total += 1)
    REQUIRE(threshold_code(l, lt, total) == l.quantize(double(total) * unit));
}

TEST_CASE("ternary activations on LeNet-5 follow TWN's rule before the ReLU", "[eval][ternary]") {
  const Network net = load_network(shipped(kLenet));
  const Dataset train = load_dataset("fashion-mnist", Split::train, 20);
  const QuantizedNetwork q(net, coded_options(8, 2, true), train);
  CHECK(!q.tensor_quant(net.input).ternary);
  CHECK(q.tensor_quant(net.input).bits == 8);
  int ternary_layers = 0;
  for (const QuantLayer& l : q.layers()) {
    const NetOp& op = net.ops[l.op];
    if (op.out == net.output) continue;
    const ActQuant& a = q.tensor_quant(op.out);
    REQUIRE(a.ternary);
    ++ternary_layers;
    const std::vector<float> x = values_of(net, train, op.out, true);
    double sum = 0;
    for (const float v : x) sum += std::fabs(v);
    const double delta = 0.7 * sum / double(x.size());
    double above = 0;
    int64_t n = 0;
    std::set<int32_t> codes;
    for (const float v : x) {
      if (std::fabs(v) > delta) above += std::fabs(v), ++n;
      codes.insert(a.quantize(v));
    }
    CHECK(a.threshold == Approx(double(float(delta))).epsilon(1e-6));
    CHECK(a.scale == Approx(double(float(above / double(n)))).epsilon(1e-6));
    // All three codes occur: after the ReLU -1 never would.
    CHECK(codes == std::set<int32_t>{-1, 0, 1});
  }
  CHECK(ternary_layers == 4);
}

TEST_CASE("power-of-two activations on LeNet-5 take their full scale from the largest value", "[eval][log]") {
  const Network net = load_network(shipped(kLenet));
  const Dataset train = load_dataset("fashion-mnist", Split::train, 20);
  const QuantizedNetwork q(net, coded_options(8, 4, false), train);
  CHECK(!q.tensor_quant(net.input).log);
  int log_layers = 0;
  for (const QuantLayer& l : q.layers()) {
    const NetOp& op = net.ops[l.op];
    if (op.out == net.output) continue;
    const ActQuant& a = q.tensor_quant(op.out);
    REQUIRE(a.log);
    ++log_layers;
    const std::vector<float> x = values_of(net, train, op.out, false);  // after the ReLU, as stored
    float hi = 0;
    for (const float v : x) hi = std::max(hi, v);
    const int e_max = int(std::floor(std::log2(double(hi)) + 0.5));
    CHECK(a.scale == std::ldexp(1.0, e_max - 14));  // 4 bits: 15 exponents, e_min = e_max - 14
    CHECK(a.qmax == 1 << 14);
    CHECK(a.quantize(hi) == 1 << 14);
  }
  CHECK(log_layers == 4);
}

TEST_CASE("eval runs ternary and power-of-two activations above chance", "[eval][ternary][log]") {
  EvalOptions o;
  o.model = shipped(kLenet);
  o.limit = 300;
  o.jobs = 2;
  o.quant = coded_options(8, 2, true);
  const EvalResult ternary = evaluate(o);
  CHECK(ternary.coded_activations == "ternary");
  CHECK(ternary.coded_image_bits == 8);
  o.quant = coded_options(8, 4, false);
  const EvalResult log4 = evaluate(o);
  CHECK(log4.coded_activations == "power_of_two");
  // The integer-only output stage's comparators give the same codes as the
  // real one, up to the fixed-point products' last bit.
  o.quant.requant = Requant::fixed;
  const EvalResult log4_fixed = evaluate(o);
  o.quant = coded_options(8, 2, false);
  const EvalResult log2 = evaluate(o);
  // Chance is 30 of 300. 4-bit log activations keep the float network's
  // accuracy within a few points (the README's figures); 2 bits (3 exponents)
  // lose more.
  CHECK(ternary.quant_correct > 60);
  CHECK(log4.quant_correct > log4.float_correct - 15);
  CHECK(std::abs(log4_fixed.quant_correct - log4.quant_correct) <= 3);
  CHECK(log2.quant_correct < log4.quant_correct);
  for (const EvalResult* r : {&ternary, &log4, &log2})
    for (const auto& layer : r->layers) CHECK(layer.overflowed == 0);
}

TEST_CASE("quantize writes ternary and power-of-two traces that eval --trace scores as eval does",
          "[eval][ternary][log][quantize][cli]") {
  const auto dir = scratch_dir("eval_ternary_log_trace");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  struct Case {
    std::string name, args, in_trace;
  };
  const std::vector<Case> cases = {
      {"ternary", "--scheme ternary --bits 2/2 --weight-scheme ternary",
       "scheme: ternary, scale:"},
      {"log", "--scheme power_of_two --bits 8/3 --requantize fixed", "scheme: power_of_two, scale:"},
      {"log_mse", "--scheme power_of_two --bits 6/4 --calibrate mse", "scheme: power_of_two, scale:"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string trace = (dir / (c.name + ".yaml")).string();
    const std::string calib = " --calibration-images 20";
    // --requantize is eval's; quantize writes no output stage.
    std::string qargs = c.args;
    if (const auto at = qargs.find(" --requantize fixed"); at != std::string::npos) qargs.erase(at);
    REQUIRE(qnnsim_cli("quantize lenet5_fashion " + qargs + calib + " -o " + trace, out, err) == 0);
    const std::string yaml = read_file(trace);
    CHECK_THAT(yaml, Catch::Contains("outputs: {bits: ") && Catch::Contains(c.in_trace) &&
                         Catch::Contains("inputs: {bits: 8, scheme: uniform_asymmetric"));
    if (c.name == "ternary") CHECK_THAT(yaml, Catch::Contains(", threshold: "));
    const std::string fixed = c.name == "log" ? " --requantize fixed" : "";
    REQUIRE(qnnsim_cli("eval lenet5_fashion --limit 200 --trace " + trace + fixed + " --json " +
                           (dir / "t.json").string(), out, err) == 0);
    CHECK_THAT(read_file(out.string()), Catch::Contains(c.name == "ternary" ? "activations ternary" : "activations power_of_two"));
    REQUIRE(qnnsim_cli("eval lenet5_fashion --limit 200 " + c.args + calib + " --json " + (dir / "o.json").string(), out,
                       err) == 0);
    CHECK(accuracy_in(read_file((dir / "t.json").string())) == accuracy_in(read_file((dir / "o.json").string())));
  }
}

TEST_CASE("eval refuses ternary and power-of-two activations where they cannot run", "[eval][ternary][log][cli]") {
  const auto dir = scratch_dir("eval_ternary_log_refusals");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const auto fails = [&](const std::string& command) {
    CHECK(qnnsim_cli(command, out, err) == 2);
    return read_file(err.string());
  };
  const std::string eval = "eval lenet5_fashion --limit 20 --calibration-images 20 ";
  CHECK_THAT(fails(eval + "--scheme ternary --bits 8/4"), Catch::Contains("--scheme ternary") && Catch::Contains("expected 2"));
  CHECK_THAT(fails(eval + "--scheme power_of_two --bits 8/1"), Catch::Contains("expected 2 to 5"));
  CHECK_THAT(fails(eval + "--scheme power_of_two --bits 8/6"),
             Catch::Contains("63 exponents") && Catch::Contains("2^62") && Catch::Contains("expected 2 to 5 bits"));
  // 5 bits: codes up to 2^30; times a 7-bit weight code (127) one product needs 38 bits.
  CHECK_THAT(fails(eval + "--scheme power_of_two --bits 8/5"),
             Catch::Contains("layer 'conv2_Conv'") && Catch::Contains("one product needs 38 accumulator bits") &&
                 Catch::Contains("the accumulator has 32"));
  CHECK(qnnsim_cli(eval + "--scheme power_of_two --bits 8/5 --accumulator 48", out, err) == 0);
  // A crossbar's DACs take the linear codes: 2^(e - e_min) is not what they are sized for.
  CHECK_THAT(fails(eval + "--scheme power_of_two --bits 8/4 --arch isaac"),
             Catch::Contains("layer 'conv2_Conv'") && Catch::Contains("power_of_two inputs on an in-memory design"));
  // Ternary codes are a 2-bit symmetric input's codes, which ISAAC's DACs take.
  CHECK(qnnsim_cli(eval + "--scheme ternary --bits 8/2 --arch isaac", out, err) == 0);
  // A digital design's integer MAC does not take log inputs.
  CHECK_THAT(fails(eval + "--scheme power_of_two --bits 8/4 --arch systolic_ws"),
             Catch::Contains("conv2_Conv") && Catch::Contains("not power_of_two"));
  const std::string quantize = "quantize lenet5_fashion --calibration-images 10 ";
  CHECK_THAT(fails(quantize + "--scheme ternary --bits 8/2 --qdq " + (dir / "t.onnx").string() + " -o " + (dir / "t.yaml").string()),
             Catch::Contains("--qdq with --scheme ternary"));
  CHECK_THAT(fails(quantize + "--scheme power_of_two --bits 8/4 --qdq " + (dir / "l.onnx").string() + " -o " + (dir / "l.yaml").string()),
             Catch::Contains("--qdq with --scheme power_of_two"));
  CHECK_THAT(fails(quantize + "--scheme power_of_two --bits 8/7 -o " + (dir / "l.yaml").string()),
             Catch::Contains("--scheme power_of_two") && Catch::Contains("expected 2 to 5 bits"));

  // Traces edited by hand: each error names the file, line and key.
  const std::string ternary = (dir / "ternary.yaml").string(), log = (dir / "log.yaml").string();
  REQUIRE(qnnsim_cli(quantize + "--scheme ternary --bits 8/2 -o " + ternary, out, err) == 0);
  REQUIRE(qnnsim_cli(quantize + "--scheme power_of_two --bits 8/4 -o " + log, out, err) == 0);
  // `edit` changes the trace's text; eval must refuse the result.
  const auto refused = [&](const std::string& from, const std::string& name,
                           const std::function<void(std::string&)>& edit) {
    std::string yaml = read_file(from);
    edit(yaml);
    const std::string path = (dir / name).string();
    std::ofstream(path) << yaml;
    CHECK(qnnsim_cli("eval lenet5_fashion --limit 20 --trace " + path, out, err) == 2);
    return read_file(err.string());
  };
  // The first tensor holding `what` gets `with` in place of its text up to the closing brace.
  const auto first = [](const std::string& what, const std::string& with) {
    return [=](std::string& yaml) {
      const auto at = yaml.find(what);
      REQUIRE(at != std::string::npos);
      yaml.replace(at, yaml.find('}', at) - at, with);
    };
  };
  // Every occurrence of `what` becomes `with` (a tensor is written by one layer and read by the next).
  const auto every = [](const std::string& what, const std::string& with) {
    return [=](std::string& yaml) {
      REQUIRE(yaml.find(what) != std::string::npos);
      for (auto at = yaml.find(what); at != std::string::npos; at = yaml.find(what, at + with.size()))
        yaml.replace(at, what.size(), with);
    };
  };
  CHECK_THAT(refused(ternary, "no_threshold.yaml",
                     [](std::string& yaml) { yaml = std::regex_replace(yaml, std::regex(", threshold: [-+.0-9e]+"), ""); }),
             Catch::Contains("no_threshold.yaml:") && Catch::Contains("layers[0].outputs") &&
                 Catch::Contains("a threshold, delta"));
  CHECK_THAT(refused(ternary, "bad_threshold.yaml",
                     first("outputs: {bits: 2, scheme: ternary", "outputs: {bits: 2, scheme: ternary, scale: 0.5, threshold: -1")),
             Catch::Contains("bad_threshold.yaml:") && Catch::Contains("layers[0].outputs.threshold") &&
                 Catch::Contains("expected a non-negative, finite number"));
  CHECK_THAT(refused(log, "uniform_threshold.yaml",
                     first("inputs: {bits: 8, scheme: uniform_asymmetric",
                           "inputs: {bits: 8, scheme: uniform_asymmetric, scale: 0.01, zero_point: 0, threshold: 0.5")),
             Catch::Contains("uniform_threshold.yaml:") && Catch::Contains("inputs.threshold") &&
                 Catch::Contains("belongs to a ternary activation"));
  CHECK_THAT(refused(log, "not_power.yaml",
                     first("outputs: {bits: 4, scheme: power_of_two", "outputs: {bits: 4, scheme: power_of_two, scale: 0.3")),
             Catch::Contains("not_power.yaml:") && Catch::Contains("outputs.scale") && Catch::Contains("a power of two"));
  CHECK_THAT(refused(log, "wide_log.yaml", every("bits: 4, scheme: power_of_two", "bits: 7, scheme: power_of_two")),
             Catch::Contains("wide_log.yaml:") && Catch::Contains("layers[0].outputs.bits") &&
                 Catch::Contains("expected 2 to 5 bits"));
  CHECK_THAT(refused(log, "zero_log.yaml",
                     first("outputs: {bits: 4, scheme: power_of_two", "outputs: {bits: 4, scheme: power_of_two, scale: 0.25, zero_point: 0")),
             Catch::Contains("zero_log.yaml:") && Catch::Contains("not power_of_two with a zero point"));
}
