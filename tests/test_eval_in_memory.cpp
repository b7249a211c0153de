// `qnnsim eval --arch`: the shipped CNN through ISAAC's crossbar numerics.
// With ideal devices and ISAAC's 8-bit ADCs (enough, with its flipped
// columns) every logit equals the integer path's; narrower ADCs clip;
// device draws follow the seed, whatever the number of threads; bad options
// exit 2. These read Debian's dataset-fashion-mnist.
#include <catch2/catch.hpp>

#include "numerics/crossbar_design.h"
#include "numerics/dataset.h"
#include "numerics/eval_error.h"
#include "numerics/evaluate.h"
#include "numerics/image_input.h"
#include "numerics/network.h"
#include "numerics/quant_network.h"
#include "support.h"

using namespace qnnsim::numerics;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

EvalOptions cnn_on_isaac(int64_t limit) {
  EvalOptions o;
  o.model = shipped("workloads/models/mnist_cnn_fashion.onnx");
  o.limit = limit;
  o.quant.calibration.images = 200;
  o.arch = shipped("arch/isaac.yaml");
  return o;
}

}  // namespace

TEST_CASE("ISAAC's crossbars with ideal devices give the integer path's logits exactly", "[eval][in_memory]") {
  const Network net = load_network(shipped("workloads/models/mnist_cnn_fashion.onnx"));
  const Dataset train = load_dataset("fashion-mnist", Split::train, 200);
  const Dataset test = load_dataset("fashion-mnist", Split::test, 40);
  QuantOptions integer;
  integer.calibration.images = 200;
  for (const bool symmetric : {false, true}) {
    integer.symmetric_activations = symmetric;
    QuantOptions imc = integer;
    std::string file;
    imc.crossbar = load_crossbar_design(shipped("arch/isaac.yaml"), 0, &file);
    REQUIRE(imc.crossbar->adc_bits == 8);
    REQUIRE(imc.crossbar->flipped_columns);
    const QuantizedNetwork a(net, integer, train), b(net, imc, train);
    OverflowCounts counts;
    for (int64_t i = 0; i < test.count; ++i) {
      const std::vector<float> image = image_values(test, i);
      CHECK(a.run(image, nullptr) == b.run(image, &counts, uint64_t(i)));
    }
    REQUIRE(counts.adc.size() == 3);
    // 8 weight bits over 4 cells, 8 input bits over 8 DAC steps: 32
    // conversions per output per crossbar; the FC layer's 1728 rows take 14.
    CHECK(counts.adc[0].conversions == 40 * 32 * 12 * 26 * 26);
    CHECK(counts.adc[2].conversions == 40 * 32 * 10 * 14);
    for (const ConversionCounts& c : counts.adc) CHECK(c.clipped == 0);
  }
}

TEST_CASE("narrower ADCs clip and cost accuracy; device draws follow the seed", "[eval][in_memory]") {
  EvalOptions o = cnn_on_isaac(300);
  const EvalResult ideal = evaluate(o);
  for (const LayerResult& l : ideal.layers) CHECK(l.clipped == 0);
  o.adc_bits = 4;
  const EvalResult four = evaluate(o);
  CHECK(four.layers[1].clipped > 0);  // conv2: 108 rows of 2-bit cells, sums up to 162 past 15
  CHECK(four.quant_accuracy() < ideal.quant_accuracy());

  o.adc_bits = 0;
  o.quant.device.variation = 0.1;
  o.quant.device.read_noise = 0.02;
  o.quant.device.seed = 3;
  const EvalResult a = evaluate(o);
  o.jobs = 2;
  const EvalResult b = evaluate(o);
  o.quant.device.seed = 4;
  const EvalResult c = evaluate(o);
  CHECK(a.quant_correct == b.quant_correct);
  CHECK(a.agree == b.agree);
  for (std::size_t i = 0; i < a.layers.size(); ++i) CHECK(a.layers[i].clipped == b.layers[i].clipped);
  // Another seed draws other cells: some count differs.
  bool differs = a.quant_correct != c.quant_correct || a.agree != c.agree;
  for (std::size_t i = 0; i < a.layers.size(); ++i) differs = differs || a.layers[i].clipped != c.layers[i].clipped;
  CHECK(differs);
}

TEST_CASE("qnnsim eval --arch: bad input exits 2 with what was wrong", "[eval][in_memory][cli]") {
  const auto dir = scratch_dir("eval_imc_cli");
  const auto out = dir / "out.txt", err = dir / "err.txt", json = dir / "eval.json";
  const std::string cnn = "eval mnist_cnn_fashion --limit 20 --calibration-images 50 ";
  // A digital design's --arch runs its MAC class (test_eval_digital_arch.cpp); crossbar options need crossbars.
  CHECK(qnnsim_cli(cnn + "--arch " + shipped("arch/systolic_ws.yaml") + " --adc-bits 6", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("--adc-bits needs --arch with an in-memory design"));
  CHECK(qnnsim_cli(cnn + "--arch tpu_v9", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("'tpu_v9' is neither a file nor a shipped design"));
  CHECK(qnnsim_cli(cnn + "--variation 0.1", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("need --arch"));
  CHECK(qnnsim_cli(cnn + "--arch isaac --variation-model uniform", out, err) == 2);
  CHECK(qnnsim_cli(cnn + "--arch isaac --stuck-at-0 1.5", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("--stuck-at-0") && Catch::Contains("0 to 1"));
  CHECK(qnnsim_cli(cnn + "--arch isaac --on-off-ratio 0.5", out, err) == 2);
  CHECK(qnnsim_cli(cnn + "--arch isaac --adc-bits 17", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("--adc-bits 17"));

  REQUIRE(qnnsim_cli(cnn + "--arch isaac --adc-bits 4 --variation 0.05 --seed 2 --json " + json.string(), out, err) == 0);
  const std::string j = read_file(json.string());
  for (const char* key : {"\"in_memory\"", "\"adc_bits\": 4", "\"adc_clip_fraction\"", "\"adc_conversions\"",
                          "\"variation\": 0.05", "\"seed\": 2", "\"flipped_columns\": true"})
    CHECK_THAT(j, Catch::Contains(key));
  CHECK_THAT(read_file(out.string()), Catch::Contains("ADC clip") && Catch::Contains("lognormal variation 0.05"));
  std::filesystem::remove_all(dir);
}
