// Low-precision float layers through eval (numerics/float_mac.h): the shipped
// LeNet-5 at fp32, fp16, fp8 e4m3 and e5m2 on real Fashion-MNIST images
// (Debian's dataset-fashion-mnist), the values a float layer stores, quantize
// writing float traces that eval --trace scores, and the refusals where a float
// tensor meets an integer MAC or a layer mixes the two.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <string>

#include "numerics/dataset.h"
#include "numerics/evaluate.h"
#include "numerics/float_run.h"
#include "numerics/image_input.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::numerics;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::replace_all;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

const std::string kLenet = "workloads/models/lenet5_fashion.onnx";

// Every Conv / Gemm layer's weights and every stored activation in `scheme` at `bits`.
QuantOptions float_options(Scheme scheme, int bits) {
  QuantOptions q;
  q.bits = {bits, bits};
  q.weight_scheme = scheme;
  q.float_activations = scheme;
  q.calibration.images = 10;  // nothing is calibrated for float tensors
  return q;
}

EvalResult eval_lenet(const QuantOptions& q, int64_t images) {
  EvalOptions o;
  o.model = shipped(kLenet);
  o.limit = images;
  o.jobs = 2;
  o.quant = q;
  return evaluate(o);
}

}  // namespace

TEST_CASE("eval at float formats: fp32 is the float path, fp16 keeps it, fp8 loses a little", "[eval][float]") {
  // The first 1000 test images. The README's table has all 10,000.
  const EvalResult f32 = eval_lenet(float_options(Scheme::Float, 32), 1000);
  const EvalResult f16 = eval_lenet(float_options(Scheme::Float, 16), 1000);
  const EvalResult e4m3 = eval_lenet(float_options(Scheme::Float, 8), 1000);
  const EvalResult e5m2 = eval_lenet(float_options(Scheme::FloatE5M2, 8), 1000);
  REQUIRE(f32.layers.size() == 5);
  CHECK(f32.layers[0].float_format == "fp32");
  CHECK(f16.layers[0].float_format == "fp16");
  CHECK(e4m3.layers[0].float_format == "fp8_e4m3");
  CHECK(e5m2.layers[0].float_format == "fp8_e5m2");
  CHECK(e4m3.float_accumulator == "fp32");
  CHECK(e4m3.input_format == "fp8_e4m3");
  // fp32 with an fp32 accumulator is the float path up to the order of its
  // sums: the same choice on (nearly) every image.
  CHECK(f32.agree >= 998);
  CHECK(f32.quant_correct == Approx(f32.float_correct).margin(2));
  // fp16 has 11 significant bits, more than 8-bit codes' 8.
  CHECK(f16.agree >= 995);
  CHECK(std::abs(f16.quant_correct - f32.quant_correct) <= 3);
  // fp8 rounds operands to 4 (e4m3) or 3 (e5m2) significant bits: a loss,
  // larger for e5m2's coarser steps, but a network that still classifies.
  CHECK(e4m3.quant_correct < f32.quant_correct + 5);
  CHECK(e4m3.quant_correct > f32.quant_correct - 40);
  CHECK(e5m2.quant_correct > f32.quant_correct - 80);
  CHECK(e4m3.agree < f32.agree);  // the rounding is there: fp8 changes choices fp32 does not
  CHECK(e5m2.agree < e4m3.agree);
  for (const EvalResult* r : {&f32, &f16, &e4m3, &e5m2})
    for (const numerics::LayerResult& l : r->layers) CHECK(l.overflowed == 0);
}

TEST_CASE("a float layer's values are values of its format, and differ from fp32's", "[eval][float]") {
  const Network net = load_network(shipped(kLenet));
  const Dataset test = load_dataset("fashion-mnist", Split::test, 5);
  const Dataset none = load_dataset("fashion-mnist", Split::train, 1);
  const QuantizedNetwork f32(net, float_options(Scheme::Float, 32), none);
  const QuantizedNetwork e4m3(net, float_options(Scheme::Float, 8), none);
  // Every weight the float MAC holds is an e4m3 value (a fixed point of the
  // rounding), and at least one weight moved: rounding happened.
  const FloatFormat f = fp8_e4m3();
  int moved = 0;
  for (const QuantLayer& l : e4m3.layers()) {
    REQUIRE(l.fp);
    const Matrix<double>& w = l.fp->weights();
    const Eigen::MatrixXf& real = net.ops[l.op].weight;
    for (Eigen::Index m = 0; m < w.cols(); ++m)
      for (Eigen::Index k = 0; k < w.rows(); ++k) {
        CHECK(f.round(w(k, m)) == w(k, m));
        CHECK(w(k, m) == f.round(double(real(m, k))));
        moved += w(k, m) != double(real(m, k));
      }
  }
  CHECK(moved > 1000);
  // fp32 logits are the float path's to single-precision rounding; e4m3's are not.
  for (int64_t i = 0; i < test.count; ++i) {
    const std::vector<float> image = image_values(test, i);
    const std::vector<float> reference = run_float(net, image)[net.output];
    const std::vector<double> a = f32.run(image, nullptr), b = e4m3.run(image, nullptr);
    double fp32_err = 0, fp8_err = 0;
    for (std::size_t k = 0; k < reference.size(); ++k) {
      fp32_err = std::max(fp32_err, std::abs(a[k] - reference[k]));
      fp8_err = std::max(fp8_err, std::abs(b[k] - reference[k]));
    }
    CHECK(fp32_err < 1e-3);
    CHECK(fp8_err > 1e-2);
  }
}

TEST_CASE("quantize writes float traces that eval --trace scores as eval does", "[eval][float][quantize][cli]") {
  const auto dir = scratch_dir("eval_float_trace");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const std::string trace = (dir / "lenet_e4m3.yaml").string();
  REQUIRE(qnnsim_cli("quantize lenet5_fashion --weight-scheme float --scheme float --bits 8/8 --calibration-images 10 -o " +
                         trace,
                     out, err) == 0);
  const std::string yaml = read_file(trace);
  CHECK_THAT(yaml, Catch::Contains("weights: {bits: 8, scheme: float}") &&
                       Catch::Contains("inputs: {bits: 8, scheme: float}"));
  CHECK_THAT(read_file(out.string()), Catch::Contains("float inputs"));
  // eval --trace scores what eval with the same options scores.
  REQUIRE(qnnsim_cli("eval lenet5_fashion --limit 200 --trace " + trace + " --json " + (dir / "t.json").string(), out,
                     err) == 0);
  const std::string printed = read_file(out.string());
  CHECK_THAT(printed, Catch::Contains("fp8_e4m3") && Catch::Contains("every accumulate rounded to fp32 (eval's default"));
  REQUIRE(qnnsim_cli("eval lenet5_fashion --limit 200 --calibration-images 10 --weight-scheme float --scheme float "
                     "--json " + (dir / "o.json").string(),
                     out, err) == 0);
  const auto accuracy = [](const std::string& json) {
    const auto at = json.find("\"quantized_accuracy_fraction\"");
    return json.substr(at, json.find(',', at) - at);
  };
  CHECK(accuracy(read_file((dir / "t.json").string())) == accuracy(read_file((dir / "o.json").string())));
  CHECK_THAT(read_file((dir / "t.json").string()), Catch::Contains("\"float_format\": \"fp8_e4m3\""));
}

TEST_CASE("eval refuses a float tensor where an integer MAC would take it, naming the layer", "[eval][float][cli]") {
  const auto dir = scratch_dir("eval_float_refusals");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const auto fails = [&](const std::string& args) {
    CHECK(qnnsim_cli("eval lenet5_fashion --limit 20 --calibration-images 20 " + args, out, err) == 2);
    return read_file(err.string());
  };
  const std::string fp8 = "--weight-scheme float --scheme float --bits 8/8 ";
  // One layer mixing the two kinds of number.
  CHECK_THAT(fails("--scheme float"), Catch::Contains("layer 'conv1_Conv'") &&
                                          Catch::Contains("an integer MAC multiplies integer codes") &&
                                          Catch::Contains("expected uniform inputs"));
  CHECK_THAT(fails("--weight-scheme float"), Catch::Contains("layer 'conv1_Conv'") &&
                                                 Catch::Contains("expected fp8_e4m3 inputs"));
  CHECK_THAT(fails("--weight-scheme float --scheme float --bits 8/6"), Catch::Contains("--scheme float") &&
                                                                           Catch::Contains("activation bits 6"));
  // An integer MAC class, and a crossbar.
  CHECK_THAT(fails(fp8 + "--arch eyeriss_v1"), Catch::Contains("layer 'conv1_Conv'") && Catch::Contains("weights float") &&
                                                   Catch::Contains("IntMAC executes integer schemes") &&
                                                   Catch::Contains("or a design whose PEs hold a FloatMAC"));
  CHECK_THAT(fails(fp8 + "--arch isaac"), Catch::Contains("layer 'conv1_Conv'") &&
                                              Catch::Contains("fp8_e4m3 weights on an in-memory design") &&
                                              Catch::Contains("expected uniform_symmetric"));
  // A FloatMAC without the format.
  const std::string half_array = (dir / "fp16_array.yaml").string();
  std::ofstream(half_array) << replace_all(test::tiny_arch_yaml(),
                                           "mac: {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}",
                                           "mac: {class: FloatMAC, formats: [fp16], accumulator: fp16}");
  CHECK_THAT(fails(fp8 + "--arch " + half_array), Catch::Contains("layer 'conv1_Conv'") &&
                                                      Catch::Contains("does not execute fp8_e4m3"));
  // A trace whose float layer reads uniform inputs: its file, line and key.
  const std::string trace = (dir / "e4m3.yaml").string();
  REQUIRE(qnnsim_cli("quantize lenet5_fashion " + fp8 + "--calibration-images 10 -o " + trace, out, err) == 0);
  const std::string yaml = read_file(trace);
  const std::string first = "inputs: {bits: 8, scheme: float}";
  const auto at = yaml.find(first);
  REQUIRE(at != std::string::npos);
  std::string bad = yaml;
  bad.replace(at, first.size(), "inputs: {bits: 8, scheme: uniform_asymmetric, scale: 0.01, zero_point: 0}");
  const std::string bad_trace = (dir / "mixed.yaml").string();
  std::ofstream(bad_trace) << bad;
  CHECK(qnnsim_cli("eval lenet5_fashion --limit 20 --trace " + bad_trace, out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("mixed.yaml:") && Catch::Contains("inputs.scheme") &&
                                          Catch::Contains("expected inputs: {bits: 8, scheme: float}"));
}

TEST_CASE("eval --arch with a FloatMAC design accumulates in its format", "[eval][float][mac][cli]") {
  const auto dir = scratch_dir("eval_float_arch");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const std::string array = (dir / "fp8_array.yaml").string();
  std::ofstream(array) << replace_all(test::tiny_arch_yaml(),
                                      "mac: {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}",
                                      "mac: {class: FloatMAC, formats: [fp8_e4m3, fp16], accumulator: fp16}");
  REQUIRE(qnnsim_cli("eval lenet5_fashion --limit 100 --calibration-images 10 --weight-scheme float --scheme float "
                     "--bits 8/8 --arch " + array,
                     out, err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("every accumulate rounded to fp16 (--arch " + array + "'s FloatMAC)"));
  // The integer path is not what the FloatMAC runs.
  CHECK(qnnsim_cli("eval lenet5_fashion --limit 20 --calibration-images 20 --arch " + array, out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("layer 'conv1_Conv'") &&
                                          Catch::Contains("FloatMAC executes floating-point weights and inputs"));
}
