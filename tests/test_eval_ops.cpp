// Every op evaluation supports, in one small graph built here: the quantized
// path at 16 bits with a 64-bit accumulator must follow the float path
// closely, which it can only do if both run each op alike (a Relu fused and
// one not, average and global average pooling, Add, a flattening Reshape, a
// MatMul).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>

#include "numerics/dataset.h"
#include "numerics/evaluate.h"
#include "numerics/float_run.h"
#include "numerics/image_input.h"
#include "numerics/network.h"
#include "numerics/quant_network.h"
#include "onnx_builder.h"
#include "support.h"

using namespace qnnsim::numerics;

namespace {

std::string int64_bytes(const std::vector<int64_t>& v) {
  std::string s(v.size() * 8, '\0');
  std::memcpy(s.data(), v.data(), s.size());  // little-endian, as ONNX's raw_data is
  return s;
}

Dataset random_images(int count, int side, unsigned seed) {
  Dataset d;
  d.name = "random";
  d.count = count, d.rows = side, d.cols = side;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> px(0, 255), label(0, 9);
  for (int i = 0; i < count * side * side; ++i) d.pixels.push_back(uint8_t(px(rng)));
  for (int i = 0; i < count; ++i) d.labels.push_back(uint8_t(label(rng)));
  return d;
}

}  // namespace

TEST_CASE("every supported op runs alike in float and, at 16 bits, quantized", "[numerics]") {
  const auto dir = qnnsim::test::scratch_dir("eval_ops");
  const std::string path = (dir / "ops.onnx").string();
  {
    qnnsim::test::OnnxBuilder b("ops", "x", {1, 1, 6, 6});
    b.weights("w1", {4, 1, 3, 3}, {0.5f, -0.25f, 0.125f, 0.75f, -0.5f});
    b.weights("b1", {4}, {0.1f, -0.2f});
    auto& c1 = b.node("Conv", {"x", "w1", "b1"}, "c1", "conv1");
    qnnsim::test::OnnxBuilder::ints(c1, "pads", {1, 1, 1, 1});
    b.node("Relu", {"c1"}, "r1", "relu1");  // fused: only it reads c1
    auto& p1 = b.node("AveragePool", {"r1"}, "p1", "pool1");
    qnnsim::test::OnnxBuilder::ints(p1, "kernel_shape", {2, 2});
    qnnsim::test::OnnxBuilder::ints(p1, "strides", {2, 2});
    b.weights("w2", {4, 4, 1, 1}, {0.3f, -0.6f, 0.2f, 0.9f, -0.1f});
    b.node("Conv", {"p1", "w2"}, "c2", "conv2");
    b.node("Relu", {"c2"}, "r2", "relu2");  // not fused: the Add reads c2 too
    b.node("Add", {"r2", "c2"}, "a", "add");
    auto& m = b.node("MaxPool", {"a"}, "m", "pool2");
    qnnsim::test::OnnxBuilder::ints(m, "kernel_shape", {2, 2});
    qnnsim::test::OnnxBuilder::ints(m, "pads", {0, 0, 1, 1});
    b.node("GlobalAveragePool", {"m"}, "g", "gap");
    b.raw("shape", onnx::TensorProto::INT64, {2}, int64_bytes({1, -1}));
    b.node("Reshape", {"g", "shape"}, "f", "flat");
    b.weights("w3", {4, 10}, {0.2f, -0.4f, 0.6f, -0.8f, 1.0f, 0.1f, -0.3f});
    b.node("MatMul", {"f", "w3"}, "y", "fc");
    b.output("y");
    b.save(path);
  }
  const Network net = load_network(path);
  std::vector<OpKind> kinds;
  for (const NetOp& op : net.ops) kinds.push_back(op.kind);
  CHECK(kinds == std::vector<OpKind>{OpKind::conv, OpKind::avgpool, OpKind::conv, OpKind::relu, OpKind::add,
                                     OpKind::maxpool, OpKind::avgpool, OpKind::flatten, OpKind::conv});
  CHECK(net.ops[0].relu);
  CHECK_FALSE(net.ops[2].relu);
  CHECK(net.shapes[net.output].size() == 10);

  const Dataset images = random_images(40, 6, 7);
  QuantOptions o;
  o.bits = {16, 16};
  o.accumulator = {64, Overflow::wrap};
  o.calibration.images = 40;
  const QuantizedNetwork q(net, o, images);
  double worst = 0, scale = 0;
  for (int64_t i = 0; i < images.count; ++i) {
    const std::vector<float> want = run_float(net, image_values(images, i))[net.output];
    const std::vector<double> got = q.run(image_values(images, i), nullptr);
    REQUIRE(got.size() == 10);
    for (int k = 0; k < 10; ++k) {
      worst = std::max(worst, std::abs(got[k] - want[k]));
      scale = std::max(scale, double(std::abs(want[k])));
    }
  }
  CHECK(scale > 0.1);  // the logits are not all zero, so the comparison means something
  CHECK(worst < 1e-3 * scale);

  // At 3 bits the same network must be visibly off: the comparison above can fail.
  o.bits = {3, 3};
  const QuantizedNetwork coarse(net, o, images);
  double coarse_worst = 0;
  for (int64_t i = 0; i < images.count; ++i) {
    const std::vector<float> want = run_float(net, image_values(images, i))[net.output];
    const std::vector<double> got = coarse.run(image_values(images, i), nullptr);
    for (int k = 0; k < 10; ++k) coarse_worst = std::max(coarse_worst, std::abs(got[k] - want[k]));
  }
  CHECK(coarse_worst > 1e-2 * scale);
  std::filesystem::remove_all(dir);
}
