// Functional evaluation end to end: the shipped Fashion-MNIST models through
// the float and the quantized paths, determinism, and the command line's
// errors. These read Debian's dataset-fashion-mnist (scripts/setup.sh
// installs it).
#include <catch2/catch.hpp>

#include <fstream>
#include <limits>

#include "numerics/dataset.h"
#include "numerics/eval_error.h"
#include "numerics/evaluate.h"
#include "numerics/float_run.h"
#include "numerics/idx_file.h"
#include "numerics/image_input.h"
#include "numerics/network.h"
#include "onnx_builder.h"
#include "support.h"

using namespace qnnsim::numerics;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

EvalOptions shipped_cnn(int64_t limit) {
  EvalOptions o;
  o.model = shipped("workloads/models/mnist_cnn_fashion.onnx");
  o.limit = limit;
  return o;
}

}  // namespace

// The whole test set: about 10 s on one core. The float figure is the one
// scripts/train_fashion_mnist.py printed from PyTorch for the same weights,
// so the float path is checked against PyTorch image for image in aggregate.
TEST_CASE("8-bit PTQ keeps the shipped CNN within 1 point of float on the whole test set", "[eval][quantize]") {
  // Through `qnnsim quantize`'s trace, so the quantization held here is the
  // one `run` prices (eval calibrating itself gives the same: test_quantize.cpp).
  const auto dir = scratch_dir("eval_ptq8");
  const auto trace = dir / "cnn_q8.yaml";
  REQUIRE(qnnsim_cli("quantize mnist_cnn_fashion -o " + trace.string(), dir / "out.txt", dir / "err.txt") == 0);
  CHECK_THAT(read_file(trace.string()), Catch::Contains("first 1000 training images"));
  EvalOptions o = shipped_cnn(0);
  o.trace = trace.string();
  const EvalResult r = evaluate(o);
  std::filesystem::remove_all(dir);
  REQUIRE(r.images == 10000);
  CHECK(r.float_correct == 8938);
  CHECK(r.quant_accuracy() >= r.float_accuracy() - 0.01);
  CHECK(r.trace_file == trace.string());
  REQUIRE(r.layers.size() == 3);
  CHECK(r.layers[1].macs == 746496);  // workloads/mnist_cnn.yaml's conv2
  for (const LayerResult& l : r.layers) CHECK(l.overflowed == 0);  // 8x8-bit products over at most 1728 terms fit 32 bits
}

TEST_CASE("a narrow accumulator overflows where the products need more bits", "[eval]") {
  // Products of 8-bit weight codes (|w| <= 127) and unsigned 8-bit input codes
  // (<= 255): conv1 sums 9 of them, at most 291,465 < 2^19, so a 20-bit
  // accumulator never overflows there; the FC layer sums 1728 unsigned codes
  // (the zero-point correction comes after the accumulator) and does.
  EvalOptions o = shipped_cnn(200);
  o.quant.calibration.images = 200;
  for (const Overflow ov : {Overflow::wrap, Overflow::saturate}) {
    o.quant.accumulator = {20, ov};
    const EvalResult wide = evaluate(o);
    CHECK(wide.layers[0].overflowed == 0);
    CHECK(wide.layers[2].overflowed > 0);
    o.quant.accumulator = {14, ov};
    const EvalResult narrow = evaluate(o);
    CHECK(narrow.layers[0].overflowed > 0);
    CHECK(narrow.layers[1].overflowed > 0);
    CHECK(narrow.quant_accuracy() < wide.quant_accuracy());
  }
}

TEST_CASE("evaluation is deterministic: the same options give the same results", "[eval]") {
  EvalOptions o = shipped_cnn(300);
  o.quant.bits = {4, 4};
  o.quant.layer_bits["conv2_Conv"] = {3, 4};
  o.quant.calibration.method = RangeMethod::mse;
  o.quant.calibration.images = 200;
  o.quant.accumulator = {16, Overflow::saturate};
  const EvalResult a = evaluate(o), b = evaluate(o);
  CHECK(a.float_correct == b.float_correct);
  CHECK(a.quant_correct == b.quant_correct);
  CHECK(a.agree == b.agree);
  REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    CHECK(a.layers[i].overflowed == b.layers[i].overflowed);
    CHECK(a.layers[i].bits.weights == b.layers[i].bits.weights);
  }
  CHECK(a.layers[1].bits.weights == 3);
}

TEST_CASE("the shipped LeNet-5 runs in float as PyTorch did", "[eval]") {
  // Float only: the quantized path is the CNN's test above. The figure is the training script's.
  const Network net = load_network(shipped("workloads/models/lenet5_fashion.onnx"));
  const Dataset test = load_dataset("fashion-mnist", Split::test);
  int64_t correct = 0;
  for (int64_t i = 0; i < test.count; ++i) correct += argmax(run_float(net, image_values(test, i))[net.output]) == test.labels[i];
  CHECK(correct == 8743);
  REQUIRE(net.ops.size() == 8);  // conv1+relu, pool1, conv2+relu, pool2, flatten, fc1+relu, fc2+relu, fc3
  CHECK(net.ops[0].relu);
  CHECK(net.ops[0].conv.pad_top == 2);
}

TEST_CASE("idx files: read back, and a truncated or foreign file is an error naming it", "[eval]") {
  const auto dir = scratch_dir("idx");
  const std::string good = (dir / "two-images-idx3-ubyte").string();
  {
    std::ofstream f(good, std::ios::binary);
    const unsigned char header[] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3};
    f.write(reinterpret_cast<const char*>(header), sizeof header);
    for (int i = 0; i < 12; ++i) f.put(char(i * 20));
  }
  const IdxArray a = read_idx(good);
  CHECK(a.dims == std::vector<int64_t>{2, 2, 3});
  REQUIRE(a.data.size() == 12);
  CHECK(a.data[11] == 220);
  const std::string shorter = (dir / "short-idx3-ubyte").string();
  {
    std::ofstream f(shorter, std::ios::binary);
    f << read_file(good).substr(0, 20);
  }
  CHECK_THROWS_WITH(read_idx(shorter), Catch::Contains(shorter) && Catch::Contains("truncated"));
  const std::string huge = (dir / "huge-idx3-ubyte").string();
  {
    std::ofstream f(huge, std::ios::binary);  // claims 60000 x 256 x 256 values, holds 3
    const unsigned char header[] = {0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 1, 0, 0, 0, 1, 0, 1, 2, 3};
    f.write(reinterpret_cast<const char*>(header), sizeof header);
  }
  CHECK_THROWS_WITH(read_idx(huge), Catch::Contains(huge) && Catch::Contains("truncated"));
  const std::string text = (dir / "text-idx3-ubyte").string();
  std::ofstream(text) << "not an idx file at all";
  CHECK_THROWS_WITH(read_idx(text), Catch::Contains(text) && Catch::Contains("not an idx file"));
  CHECK_THROWS_WITH(load_dataset(dir.string(), Split::test), Catch::Contains("t10k-images-idx3-ubyte"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("qnnsim eval: bad input exits 2 with what was wrong", "[eval][cli]") {
  const auto dir = scratch_dir("eval_cli");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const std::string cnn = shipped("workloads/models/mnist_cnn_fashion.onnx");

  CHECK(qnnsim_cli("eval " + cnn + " --data " + (dir / "nowhere").string(), out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("nowhere") && Catch::Contains("does not exist"));

  CHECK(qnnsim_cli("eval lenet7_fashion", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("'lenet7_fashion' is neither a file nor a shipped model") &&
                                          Catch::Contains("lenet5_fashion, mnist_cnn_fashion"));

  CHECK(qnnsim_cli("eval " + (dir / "missing.onnx").string(), out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("missing.onnx") && Catch::Contains("cannot open"));

  {
    qnnsim::test::OnnxBuilder b("bad", "x", {1, 1, 28, 28});
    b.node("Einsum", {"x"}, "y", "mix");
    b.output("y");
    b.save((dir / "einsum.onnx").string());
  }
  CHECK(qnnsim_cli("eval " + (dir / "einsum.onnx").string(), out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("Einsum node 'mix'") && Catch::Contains("not supported"));

  {
    qnnsim::test::OnnxBuilder b("nan", "x", {1, 1, 28, 28});
    b.weights("w", {10, 784}, {0.5f, std::numeric_limits<float>::quiet_NaN()});
    b.node("Flatten", {"x"}, "f", "flat");
    b.node("Gemm", {"f", "w"}, "y", "classifier");
    b.output("y");
    b.save((dir / "nan.onnx").string());
  }
  CHECK(qnnsim_cli("eval " + (dir / "nan.onnx").string(), out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("Gemm node 'classifier'") && Catch::Contains("not finite"));

  CHECK(qnnsim_cli("eval " + cnn + " --bits 8x8", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("--bits '8x8'") && Catch::Contains("W/A"));
  CHECK(qnnsim_cli("eval " + cnn + " --bits 1/8", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("weight bits 1, expected 2 to 16"));
  CHECK(qnnsim_cli("eval " + cnn + " --bits conv9=4/4", out, err) == 2);
  CHECK_THAT(read_file(err.string()), Catch::Contains("no Conv, Gemm or MatMul layer 'conv9'") &&
                                          Catch::Contains("conv1_Conv, conv2_Conv, fc_Gemm"));
  CHECK(qnnsim_cli("eval " + cnn + " --overflow sometimes", out, err) == 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("qnnsim eval writes its figures as JSON", "[eval][cli]") {
  const auto dir = scratch_dir("eval_json");
  const auto out = dir / "out.txt", err = dir / "err.txt", json = dir / "eval.json";
  REQUIRE(qnnsim_cli("eval mnist_cnn_fashion --limit 100 --bits 6/6 --bits fc_Gemm=8/8 --json " + json.string(), out,
                     err) == 0);
  const std::string j = read_file(json.string());
  for (const char* key : {"\"float_accuracy_fraction\"", "\"quantized_accuracy_fraction\"", "\"accuracy_difference_points\"",
                          "\"overflow_fraction\"", "\"weight_bits\": 6", "\"images\": 100", "\"fc_Gemm\""})
    CHECK_THAT(j, Catch::Contains(key));
  CHECK_THAT(read_file(out.string()), Catch::Contains("top-1 quantized"));
  std::filesystem::remove_all(dir);
}
