// Binary activations through eval (numerics/binary_activations.h): sign codes
// at a mean-|x| scale on the shipped LeNet-5 and real Fashion-MNIST images,
// quantize writing binary traces that eval --trace scores alike, and the
// refusals where a binary tensor meets what cannot take it.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <set>
#include <string>

#include "numerics/binary_activations.h"
#include "numerics/dataset.h"
#include "numerics/evaluate.h"
#include "numerics/float_run.h"
#include "numerics/image_input.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::numerics;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

const std::string kLenet = "workloads/models/lenet5_fashion.onnx";

QuantOptions binary_options(int weight_bits, Scheme weight_scheme) {
  QuantOptions q;
  q.bits = {weight_bits, 1};
  q.weight_scheme = weight_scheme;
  q.binary_activations = true;
  q.calibration.images = 20;
  return q;
}

}  // namespace

TEST_CASE("a binary activation is the sign of the value at the mean |x|", "[eval][binary]") {
  // A hand-made tensor: mean |x| = (2 + 1 + 0 + 3 + 0.5 + 0.5) / 6 = 7 / 6.
  const std::vector<float> x = {-2.0f, 1.0f, 0.0f, 3.0f, -0.5f, 0.5f};
  const double alpha = mean_abs(x);
  CHECK(alpha == Approx(7.0 / 6.0));
  const ActQuant a = binary_act(alpha);
  CHECK(a.bits == 1);
  CHECK(a.zero == 0);
  // Exactly -1 or +1, 0 going to +1; rounding to the nearest step would give
  // 0, -2 or +3 here instead.
  const std::vector<int32_t> expected = {-1, 1, 1, 1, -1, 1};
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(a.quantize(x[i]) == expected[i]);
  CHECK(a.real(a.quantize(-2.0)) == Approx(-7.0 / 6.0));
  CHECK(a.real(a.quantize(0.01)) == Approx(7.0 / 6.0));
}

TEST_CASE("binary activations on LeNet-5: sign codes, mean |x| before the ReLU, the image uniform", "[eval][binary]") {
  const Network net = load_network(shipped(kLenet));
  const Dataset train = load_dataset("fashion-mnist", Split::train, 20);
  const QuantizedNetwork q(net, binary_options(8, Scheme::UniformSymmetric), train);
  const ActQuant& image = q.tensor_quant(net.input);
  CHECK(!image.binary);
  CHECK(image.bits == 8);
  int binary_layers = 0;
  for (const QuantLayer& l : q.layers()) {
    const NetOp& op = net.ops[l.op];
    if (op.out == net.output) continue;
    const ActQuant& a = q.tensor_quant(op.out);
    REQUIRE(a.binary);
    CHECK(a.qmin == -1);
    CHECK(a.qmax == 1);
    ++binary_layers;
    // alpha is the mean |x| of the layer's output before its ReLU, over the calibration images.
    Network pre = net;
    for (NetOp& o : pre.ops)
      if (o.out == op.out) o.relu = false;
    double sum = 0;
    int64_t count = 0;
    std::set<int32_t> codes;
    for (int64_t n = 0; n < train.count; ++n) {
      const std::vector<std::vector<float>> values = run_float(pre, image_values(train, n));
      for (const float v : values[op.out]) {
        sum += std::fabs(v);
        ++count;
        codes.insert(a.quantize(v));
      }
    }
    CHECK(a.scale == Approx(double(float(sum / double(count)))).epsilon(1e-6));
    // Both signs occur: taken after the ReLU every code would be +1.
    CHECK(codes == std::set<int32_t>{-1, 1});
  }
  CHECK(binary_layers == 4);
}

TEST_CASE("eval with binary activations classifies, below the float network", "[eval][binary]") {
  EvalOptions o;
  o.model = shipped(kLenet);
  o.limit = 300;
  o.jobs = 2;
  o.quant = binary_options(8, Scheme::UniformSymmetric);
  const EvalResult w8 = evaluate(o);
  o.quant = binary_options(1, Scheme::Binary);
  const EvalResult w1 = evaluate(o);
  CHECK(w8.coded_activations == "binary");
  CHECK(w8.coded_image_bits == 8);
  // Ten classes: chance is 30 of 300. All +1 codes (a ReLU before the sign)
  // leave every later layer one input pattern, so one class for every image.
  // Post-training binarization of a network trained with ReLUs loses most of
  // its accuracy (the README's figures); 8-bit weights keep it above chance.
  CHECK(w8.quant_correct > 60);
  CHECK(w8.quant_correct < w8.float_correct - 100);
  // Binary weights as well lose the rest: no better than 8-bit weights.
  CHECK(w1.quant_correct <= w8.quant_correct);
}

TEST_CASE("quantize writes binary traces that eval --trace scores as eval does", "[eval][binary][quantize][cli]") {
  const auto dir = scratch_dir("eval_binary_trace");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const std::string trace = (dir / "lenet_binary.yaml").string();
  const std::string args = "--weight-scheme binary --scheme binary --bits 1/1 --calibration-images 20";
  REQUIRE(qnnsim_cli("quantize lenet5_fashion " + args + " -o " + trace, out, err) == 0);
  const std::string yaml = read_file(trace);
  CHECK_THAT(yaml, Catch::Contains("outputs: {bits: 1, scheme: binary, scale:") &&
                       Catch::Contains("inputs: {bits: 1, scheme: binary, scale:") &&
                       Catch::Contains("inputs: {bits: 8, scheme: uniform_asymmetric"));
  REQUIRE(qnnsim_cli("eval lenet5_fashion --limit 200 --trace " + trace + " --json " + (dir / "t.json").string(), out,
                     err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("activations binary") &&
                                          Catch::Contains("the image stays uniform at 8 bits"));
  REQUIRE(qnnsim_cli("eval lenet5_fashion --limit 200 " + args + " --json " + (dir / "o.json").string(), out, err) == 0);
  const auto accuracy = [](const std::string& json) {
    const auto at = json.find("\"quantized_accuracy_fraction\"");
    return json.substr(at, json.find(',', at) - at);
  };
  CHECK(accuracy(read_file((dir / "t.json").string())) == accuracy(read_file((dir / "o.json").string())));
}

TEST_CASE("eval refuses binary activations where they cannot run, naming what was expected", "[eval][binary][cli]") {
  const auto dir = scratch_dir("eval_binary_refusals");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const auto fails = [&](const std::string& args) {
    CHECK(qnnsim_cli("eval lenet5_fashion --limit 20 --calibration-images 20 " + args, out, err) == 2);
    return read_file(err.string());
  };
  CHECK_THAT(fails("--scheme binary --bits 8/4"), Catch::Contains("--scheme binary") &&
                                                      Catch::Contains("expected 1"));
  // A crossbar's DACs: the first layer reads the uniform image, the second the signs.
  CHECK_THAT(fails("--scheme binary --bits 8/1 --arch isaac"),
             Catch::Contains("layer 'conv2_Conv'") && Catch::Contains("binary inputs on an in-memory design") &&
                 Catch::Contains("expected uniform inputs"));
  // The XNOR-SRAM design runs them (test_numerics_xnor_sram.cpp), but its cells hold +-1 weights only.
  CHECK_THAT(fails("--scheme binary --bits 8/1 --arch xnor_sram"),
             Catch::Contains("layer 'conv1_Conv'") && Catch::Contains("XNOR-SRAM design") &&
                 Catch::Contains("expected binary weights"));
  // A trace whose binary tensor claims 2 bits: its file, line and key.
  const std::string trace = (dir / "binary.yaml").string();
  REQUIRE(qnnsim_cli("quantize lenet5_fashion --scheme binary --bits 8/1 --calibration-images 10 -o " + trace, out,
                     err) == 0);
  std::string yaml = read_file(trace);
  const std::string first = "inputs: {bits: 1, scheme: binary";
  const auto at = yaml.find(first);
  REQUIRE(at != std::string::npos);
  yaml.replace(at, first.size(), "inputs: {bits: 2, scheme: binary");
  const std::string bad = (dir / "two_bits.yaml").string();
  std::ofstream(bad) << yaml;
  CHECK(qnnsim_cli("eval lenet5_fashion --limit 20 --trace " + bad, out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("two_bits.yaml:") && Catch::Contains("inputs.bits") &&
                                          Catch::Contains("binary needs exactly 1 bit, found 2"));
  // A binary tensor with a zero point, which only a uniform one has.
  std::string zero = read_file(trace);
  const auto b = zero.find(first);
  zero.replace(b, first.size(), "inputs: {bits: 1, scheme: binary, zero_point: 0");
  const std::string zero_trace = (dir / "zero_point.yaml").string();
  std::ofstream(zero_trace) << zero;
  CHECK(qnnsim_cli("eval lenet5_fashion --limit 20 --trace " + zero_trace, out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("zero_point.yaml:") && Catch::Contains("zero_point") &&
                                          Catch::Contains("not binary with a zero point"));
}
