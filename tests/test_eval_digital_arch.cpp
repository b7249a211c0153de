// `qnnsim eval --arch` on digital designs (numerics/digital_mac.h): the
// Conv and Gemm layers run at the accumulator of the design's MAC class,
// with the overflow its `overflow` key states. These read Debian's
// dataset-fashion-mnist (scripts/setup.sh installs it).
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <string>

#include "numerics/eval_error.h"
#include "numerics/evaluate.h"
#include "support.h"

using namespace qnnsim::numerics;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

EvalOptions lenet(int64_t limit) {
  EvalOptions o;
  o.model = shipped("workloads/models/lenet5_fashion.onnx");
  o.limit = limit;
  o.quant.calibration.images = 200;
  return o;
}

// Shipped Eyeriss v1 with its MAC class's `overflow` set, in a scratch folder
// (its energy table is named, not a path).
std::string eyeriss_with_overflow(const std::string& overflow, const std::string& name) {
  std::string text = read_file(shipped("arch/eyeriss_v1.yaml"));
  const std::string key = "class: IntMAC\n";
  const auto at = text.find(key);
  REQUIRE(at != std::string::npos);
  const auto line = text.rfind('\n', at) + 1;
  text.insert(at + key.size(), std::string(at - line, ' ') + "overflow: " + overflow + "\n");
  const std::string path = (scratch_dir("eval_digital_arch_files") / (name + ".yaml")).string();
  std::ofstream(path) << text;
  return path;
}

void check_same(const EvalResult& a, const EvalResult& b) {
  CHECK(a.quant_correct == b.quant_correct);
  CHECK(a.accumulator_bits == b.accumulator_bits);
  CHECK(a.overflow == b.overflow);
  REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    CHECK(a.layers[i].outputs == b.layers[i].outputs);
    CHECK(a.layers[i].overflowed == b.layers[i].overflowed);
  }
}

}  // namespace

TEST_CASE("eval --arch with a digital design runs its MAC class's accumulator", "[eval][mac]") {
  SECTION("Eyeriss v1's 16-bit IntMAC wraps, as --accumulator 16 does, and 8/8 LeNet-5 overflows it") {
    EvalOptions by_arch = lenet(200);
    by_arch.arch = "eyeriss_v1";
    const EvalResult arch = evaluate(by_arch);
    CHECK(arch.arch_mac);
    CHECK(arch.accumulator_bits == 16);
    CHECK(arch.overflow == Overflow::wrap);
    EvalOptions by_hand = lenet(200);
    by_hand.quant.accumulator = {16, Overflow::wrap};
    check_same(arch, evaluate(by_hand));
    // 8-bit codes over conv2's 150 terms reach past 2^15.
    CHECK(arch.layers[1].overflowed > 0);
  }
  SECTION("`overflow: saturate` in the MAC class clamps, as --overflow saturate does") {
    EvalOptions by_arch = lenet(200);
    by_arch.arch = eyeriss_with_overflow("saturate", "test_eyeriss_saturating");
    const EvalResult arch = evaluate(by_arch);
    CHECK(arch.overflow == Overflow::saturate);
    EvalOptions by_hand = lenet(200);
    by_hand.quant.accumulator = {16, Overflow::saturate};
    check_same(arch, evaluate(by_hand));
  }
  SECTION("a 32-bit accumulator (systolic_ws) never overflows on 8/8 LeNet-5") {
    EvalOptions o = lenet(200);
    o.arch = "systolic_ws";
    const EvalResult r = evaluate(o);
    CHECK(r.accumulator_bits == 32);
    for (const LayerResult& l : r.layers) CHECK(l.overflowed == 0);
  }
}

TEST_CASE("eval --arch with a digital design: what it cannot run exits 2 naming why", "[eval][mac][cli]") {
  const auto dir = scratch_dir("eval_digital_arch");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const auto fails = [&](const std::string& args) {
    CHECK(qnnsim_cli("eval lenet5_fashion --limit 20 --calibration-images 20 " + args, out, err) == 2);
    return read_file(err.string());
  };
  // The MAC class gives the accumulator: the options that would set it are refused.
  CHECK_THAT(fails("--arch eyeriss_v1 --accumulator 24"), Catch::Contains("--accumulator with --arch"));
  CHECK_THAT(fails("--arch eyeriss_v1 --overflow saturate"), Catch::Contains("--overflow with --arch"));
  // Widths the class does not take, named by layer (Bit Fusion's bricks fuse up to 8 bits).
  CHECK_THAT(fails("--arch bitfusion --bits 16/16"), Catch::Contains("layer 'conv1_Conv'") &&
                                                        Catch::Contains("BitFusionMAC"));
  // A dataflow design's classes each say why they cannot take an 8/8 layer.
  CHECK_THAT(fails("--arch finn_cnv"), Catch::Contains("layer 'conv1_Conv'") && Catch::Contains("XnorMAC: ") &&
                                          Catch::Contains("; IntMAC: "));
  const std::string float_array = (dir / "float_array.yaml").string();
  std::ofstream(float_array) << qnnsim::test::replace_all(
      qnnsim::test::tiny_arch_yaml(), "mac: {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}",
      "mac: {class: FloatMAC, formats: [fp16], accumulator: fp32}");
  // A FloatMAC runs float layers only (test_eval_float.cpp): integer ones are refused by layer.
  CHECK_THAT(fails("--arch " + float_array), Catch::Contains("layer 'conv1_Conv'") &&
                                                 Catch::Contains("FloatMAC executes floating-point weights and inputs"));
  // Crossbar options need crossbars.
  CHECK_THAT(fails("--arch systolic_ws --adc-bits 6"), Catch::Contains("--adc-bits needs --arch with an in-memory design"));
  CHECK_THAT(fails("--arch systolic_ws --variation 0.1"), Catch::Contains("need --arch with an in-memory design"));
  // A bad `overflow:` in the design names its file, line and key.
  const std::string bad = eyeriss_with_overflow("sometimes", "test_eyeriss_bad_overflow");
  CHECK_THAT(fails("--arch " + bad), Catch::Contains("test_eyeriss_bad_overflow.yaml:") && Catch::Contains("overflow") &&
                                        Catch::Contains("expected wrap"));
}

namespace {

// LeNet-5 with binary weights and activations, the image uniform at 8 bits:
// what FINN's binarized designs execute.
EvalOptions binary_lenet(int64_t limit) {
  EvalOptions o = lenet(limit);
  o.quant.bits = {1, 1};
  o.quant.weight_scheme = qnnsim::Scheme::Binary;
  o.quant.binary_activations = true;
  return o;
}

// Shipped FINN CNV with its XNOR unit's accumulator narrowed to `bits`.
std::string finn_with_xnor_accumulator(int bits) {
  std::string text = read_file(shipped("arch/finn_cnv.yaml"));
  const std::string key = "{class: XnorMAC, width: 32, accumulator_bits: 16}";
  const auto at = text.find(key);
  REQUIRE(at != std::string::npos);
  text.replace(at, key.size(), "{class: XnorMAC, width: 32, accumulator_bits: " + std::to_string(bits) + "}");
  const std::string path = (scratch_dir("eval_digital_arch_files") / "finn_narrow_xnor.yaml").string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("eval --arch with a dataflow design runs each layer on the MAC class run places it on", "[eval][mac][binary]") {
  EvalOptions by_arch = binary_lenet(200);
  by_arch.arch = "finn_cnv";
  const EvalResult arch = evaluate(by_arch);
  CHECK(arch.arch_mac);
  CHECK(arch.several_mac_classes());
  REQUIRE(arch.layers.size() == 5);
  // The first layer takes the 8-bit image: FINN's fixed-point unit, 24 bits.
  CHECK(arch.layers[0].mac_class == "IntMAC");
  CHECK(arch.layers[0].accumulator_bits == 24);
  // Every later layer reads sign codes: the XNOR-popcount unit, 16 bits.
  for (std::size_t i = 1; i < arch.layers.size(); ++i) {
    INFO(arch.layers[i].name);
    CHECK(arch.layers[i].mac_class == "XnorMAC");
    CHECK(arch.layers[i].accumulator_bits == 16);
    CHECK(arch.layers[i].overflowed == 0);
  }
  // Neither accumulator overflows here, so the values are the plain integer
  // path's: the popcount is the sum of the +-1 products.
  const EvalResult plain = evaluate(binary_lenet(200));
  CHECK(arch.quant_correct == plain.quant_correct);
  REQUIRE(plain.layers.size() == arch.layers.size());
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    CHECK(arch.layers[i].exact_min == plain.layers[i].exact_min);
    CHECK(arch.layers[i].exact_max == plain.layers[i].exact_max);
  }
  SECTION("an 8-bit popcount wraps on fc1's 400 terms, and the warning names the class") {
    EvalOptions narrow = binary_lenet(200);
    narrow.arch = finn_with_xnor_accumulator(8);
    const EvalResult r = evaluate(narrow);
    // conv2 sums 150 terms, fc1 400: past 127 a sum of +-1 products needs 9 bits.
    const auto fc1 = std::find_if(r.layers.begin(), r.layers.end(), [](const LayerResult& l) {
      return l.name.find("Gemm") != std::string::npos;
    });
    REQUIRE(fc1 != r.layers.end());
    CHECK(fc1->accumulator_bits == 8);
    CHECK(fc1->overflowed > 0);
    bool named = false;
    for (const std::string& w : r.warnings) named = named || w.find("MAC class XnorMAC") != std::string::npos;
    CHECK(named);
  }
}
