// `qnnsim eval --arch` on a hybrid design (numerics/hybrid_numerics.h): each
// Conv / Gemm runs through the numerics of the part `qnnsim run` places it
// on, the crossbar part's crossbars or a digital part's MAC class. Held
// against eval on each part alone. These read Debian's dataset-fashion-mnist.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "numerics/eval_error.h"
#include "numerics/evaluate.h"
#include "support.h"

using namespace qnnsim::numerics;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

EvalOptions cnn(const std::string& arch) {
  EvalOptions o;
  o.model = shipped("workloads/models/mnist_cnn_fashion.onnx");
  o.limit = 100;
  o.quant.calibration.images = 100;
  o.arch = arch;
  return o;
}

// ISAAC beside Eyeriss v1, with `placement` appended.
std::string hybrid_file(const std::string& name, const std::string& placement) {
  const auto path = scratch_dir("eval_hybrid_files") / (name + ".yaml");
  std::ofstream(path) << "name: " << name << "\nkind: hybrid\nparts:\n  crossbars: " << shipped("arch/isaac.yaml")
                      << "\n  digital: " << shipped("arch/eyeriss_v1.yaml") << "\n" << placement;
  return path.string();
}

std::string eval_error(const EvalOptions& o) {
  try {
    evaluate(o);
  } catch (const EvalError& e) {
    return e.what();
  }
  FAIL("evaluate() did not refuse");
  return "";
}

}  // namespace

TEST_CASE("eval --arch on a hybrid whose crossbars take every layer equals eval on the crossbar design", "[eval][hybrid]") {
  // The automatic rule gives every Conv / Gemm (stationary weights) to ISAAC.
  const EvalResult h = evaluate(cnn("isaac_hybrid"));
  const EvalResult x = evaluate(cnn("isaac"));
  CHECK(h.hybrid);
  CHECK(h.quant_correct == x.quant_correct);
  REQUIRE(h.layers.size() == x.layers.size());
  for (std::size_t i = 0; i < h.layers.size(); ++i) {
    CHECK(h.layers[i].part == "crossbars");
    CHECK(h.layers[i].mac_class.empty());
    CHECK(h.layers[i].conversions == x.layers[i].conversions);
    CHECK(h.layers[i].clipped == x.layers[i].clipped);
  }
}

TEST_CASE("eval --arch on a hybrid runs the layers placed on its digital part on that part's MAC class",
          "[eval][hybrid]") {
  // The convolutions on Eyeriss by type (its 16-bit IntMAC accumulator), the
  // fc on ISAAC by the automatic rule. conv1 and conv2 come first, so their
  // sums are Eyeriss's alone; the fc's conversions are counted as on ISAAC.
  const EvalResult h = evaluate(cnn(hybrid_file("conv_digital", "placement:\n  types: {conv: digital}\n")));
  const EvalResult eyeriss = evaluate(cnn("eyeriss_v1"));
  const EvalResult isaac = evaluate(cnn("isaac"));
  REQUIRE(h.layers.size() == 3);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(h.layers[i].part == "digital");
    CHECK(h.layers[i].mac_class == "IntMAC");
    CHECK(h.layers[i].accumulator_bits == 16);
    CHECK(h.layers[i].outputs == eyeriss.layers[i].outputs);
    CHECK(h.layers[i].overflowed == eyeriss.layers[i].overflowed);
    CHECK(h.layers[i].conversions == 0);
  }
  CHECK(h.layers[2].part == "crossbars");
  CHECK(h.layers[2].mac_class.empty());
  CHECK(h.layers[2].conversions == isaac.layers[2].conversions);
  CHECK(h.layers[2].conversions > 0);

  // A layer placed by name goes where it is told.
  const EvalResult fc = evaluate(cnn(hybrid_file("fc_digital", "placement:\n  layers: {fc_Gemm: digital}\n")));
  REQUIRE(fc.layers.size() == 3);
  CHECK(fc.layers[2].name == "fc_Gemm");
  CHECK(fc.layers[2].part == "digital");
  CHECK(fc.layers[0].part == "crossbars");
}

TEST_CASE("eval --arch on a hybrid sums a float layer in its part's FloatMAC accumulator", "[eval][hybrid][float]") {
  // A digital part whose PEs hold a FloatMAC of fp16 operands summing in
  // fp16, beside ISAAC; every layer placed on the digital part.
  const auto dir = scratch_dir("eval_hybrid_files");
  const std::string float_array = (dir / "fp16_array.yaml").string();
  std::ofstream(float_array) << qnnsim::test::replace_all(
      qnnsim::test::tiny_arch_yaml(), "mac: {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}",
      "mac: {class: FloatMAC, formats: [fp16], accumulator: fp16}");
  const std::string hybrid = (dir / "float_hybrid.yaml").string();
  std::ofstream(hybrid) << "name: float_hybrid\nkind: hybrid\nparts:\n  crossbars: " << shipped("arch/isaac.yaml")
                        << "\n  digital: " << float_array << "\nplacement:\n  types: {conv: digital, fc: digital}\n";
  const auto fp16 = [](const std::string& arch) {
    EvalOptions o = cnn(arch);
    o.quant.bits = {16, 16};
    o.quant.weight_scheme = qnnsim::Scheme::Float;
    o.quant.float_activations = qnnsim::Scheme::Float;
    return evaluate(o);
  };
  const EvalResult h = fp16(hybrid), alone = fp16(float_array);
  CHECK(h.float_accumulator == "fp16");
  CHECK_THAT(h.float_accumulator_source, Catch::Contains("part 'digital'") && Catch::Contains("FloatMAC"));
  CHECK(alone.float_accumulator == "fp16");
  CHECK(h.quant_correct == alone.quant_correct);
  REQUIRE(h.layers.size() == alone.layers.size());
  for (std::size_t i = 0; i < h.layers.size(); ++i) {
    CHECK(h.layers[i].part == "digital");
    CHECK(h.layers[i].float_format == "fp16");
    CHECK(h.layers[i].overflowed == alone.layers[i].overflowed);
  }
}

TEST_CASE("eval --arch on a hybrid refuses what it cannot model, saying why", "[eval][hybrid]") {
  // Two crossbar parts: the quantized network holds one crossbar design.
  const auto path = scratch_dir("eval_hybrid_files") / "two_crossbars.yaml";
  std::ofstream(path) << "name: two\nkind: hybrid\nparts:\n  a: " << shipped("arch/isaac.yaml")
                      << "\n  b: " << shipped("arch/puma.yaml") << "\n";
  CHECK_THAT(eval_error(cnn(path.string())), Catch::Contains("more than one part computes in crossbars"));
  // The digital part's MAC class gives the accumulator.
  EvalOptions accumulator = cnn("isaac_hybrid");
  accumulator.accumulator_options_given = "--accumulator";
  CHECK_THAT(eval_error(accumulator), Catch::Contains("MAC class gives the accumulator"));
  // --adc-bits reaches the crossbar part.
  EvalOptions adc = cnn("isaac_hybrid");
  adc.adc_bits = 4;
  const EvalResult narrow = evaluate(adc);
  REQUIRE(narrow.crossbar);
  CHECK(narrow.crossbar->adc_bits == 4);
}

TEST_CASE("eval --arch refuses a hybrid whose placement is searched, saying where and what to give instead",
          "[eval][hybrid]") {
  const std::string file = hybrid_file("searched", "placement:\n  search: true\n");
  const std::string why = eval_error(cnn(file));
  CHECK_THAT(why, Catch::Contains("placement is searched") && Catch::Contains(file + ":7") &&
                      Catch::Contains("placement.layers"));
}
