// ONNX import of float models built here through the ONNX protobuf classes:
// the expected layers, shapes and MACs, folded ops, and clear errors.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/config_node.h"
#include "importer/onnx_import.h"
#include "onnx_builder.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// conv 3->8 3x3 pad 1, BN, ReLU; maxpool 2x2/2; grouped conv 8->8 (2 groups);
// a residual add of the two; a depthwise 3x3; global average pool; flatten;
// a Gemm 8->10 with transB. 16x16 input.
std::string small_cnn(const std::filesystem::path& dir, const std::vector<int64_t>& input = {1, 3, 16, 16}) {
  OnnxBuilder b("small_cnn", "x", input);
  b.weights("w1", {8, 3, 3, 3}, {0.5f, 0.0f, -0.25f, 0.0f});
  auto& c1 = b.node("Conv", {"x", "w1"}, "c1", "features/conv1");
  OnnxBuilder::ints(c1, "pads", {1, 1, 1, 1});
  for (const char* p : {"scale", "bias", "mean", "var"}) b.weights(p, {8});
  b.node("BatchNormalization", {"c1", "scale", "bias", "mean", "var"}, "bn1");
  b.node("Relu", {"bn1"}, "r1");
  auto& mp = b.node("MaxPool", {"r1"}, "p1", "pool1");
  OnnxBuilder::ints(mp, "kernel_shape", {2, 2});
  OnnxBuilder::ints(mp, "strides", {2, 2});
  b.weights("w2", {8, 4, 3, 3});
  auto& c2 = b.node("Conv", {"p1", "w2"}, "c2", "conv2");
  OnnxBuilder::ints(c2, "pads", {1, 1, 1, 1});
  OnnxBuilder::integer(c2, "group", 2);
  b.node("Relu", {"c2"}, "r2");
  b.node("Add", {"r2", "p1"}, "s", "res");
  b.weights("w3", {8, 1, 3, 3});
  auto& dw = b.node("Conv", {"s", "w3"}, "d", "dw");
  OnnxBuilder::ints(dw, "pads", {1, 1, 1, 1});
  OnnxBuilder::integer(dw, "group", 8);
  b.node("GlobalAveragePool", {"d"}, "g", "gap");
  b.node("Flatten", {"g"}, "f");
  b.weights("wfc", {10, 8});
  b.weights("bfc", {10});
  auto& fc = b.node("Gemm", {"f", "wfc", "bfc"}, "y", "fc");
  OnnxBuilder::integer(fc, "transB", 1);
  b.output("y");
  const auto path = dir / "small_cnn.onnx";
  b.save(path.string());
  return path.string();
}

Workload load_trace(const ImportedTrace& t) { return load_workload(ConfigNode::load_string(t.yaml, "imported.yaml")); }

}  // namespace

TEST_CASE("a float CNN imports with the expected layers, shapes and MACs", "[onnx]") {
  const auto dir = scratch_dir("onnx_float");
  const ImportedTrace t = import_onnx({small_cnn(dir), {}});
  INFO(t.yaml);
  const Workload w = load_trace(t);
  REQUIRE(w.layers.size() == 7);
  const std::vector<std::string> names = {"features_conv1", "pool1", "conv2", "res", "dw", "gap", "fc"};
  for (std::size_t i = 0; i < names.size(); ++i) CHECK(w.layers[i].name == names[i]);
  CHECK(w.input.C == 3);
  CHECK(w.layers[0].padding == 1);
  CHECK(w.layers[1].type == LayerType::MaxPool);
  CHECK(w.layers[1].P == 8);
  CHECK(w.layers[2].groups == 2);
  CHECK(w.layers[3].type == LayerType::Add);
  CHECK(w.layers[3].from == std::vector<std::string>{"conv2", "pool1"});
  CHECK(w.layers[4].type == LayerType::DWConv);
  CHECK(w.layers[5].type == LayerType::AvgPool);
  CHECK(w.layers[5].R == 8);
  CHECK(w.layers[6].C == 8);
  CHECK(w.layers[6].M == 10);
  // 16x16x8 outputs x 27 + 8x8x8 x 4 x 9 + 8x8x8 x 9 + 8 x 10.
  const std::vector<int64_t> macs = {55296, 0, 18432, 0, 4608, 0, 80};
  for (std::size_t i = 0; i < macs.size(); ++i) CHECK(w.layers[i].macs() == macs[i]);
  // Weight statistics of conv1: values 0.5, 0, -0.25, 0 repeated.
  CHECK(w.layers[0].weight_stats.given);
  CHECK(w.layers[0].weight_stats.density == Approx(0.5).margin(0.02));
  CHECK(w.layers[0].weight_stats.min == Approx(-0.25));
  CHECK(w.layers[0].weight_stats.max == Approx(0.5));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a BatchNormalization after an Add is noted as uncosted, not as folded into a convolution", "[onnx]") {
  const auto dir = scratch_dir("onnx_bn_after_add");
  const auto notes_of = [&](bool after_add) {
    OnnxBuilder b("bn", "x", {1, 4, 8, 8});
    b.weights("w1", {4, 4, 3, 3});
    auto& c1 = b.node("Conv", {"x", "w1"}, "c1", "conv1");
    OnnxBuilder::ints(c1, "pads", {1, 1, 1, 1});
    for (const char* p : {"scale", "bias", "mean", "var"}) b.weights(p, {4});
    if (after_add) {
      b.node("Add", {"c1", "x"}, "s", "res");
      b.node("BatchNormalization", {"s", "scale", "bias", "mean", "var"}, "y", "bn_after_add");
    } else {
      b.node("BatchNormalization", {"c1", "scale", "bias", "mean", "var"}, "y", "bn_after_conv");
    }
    b.output("y");
    const std::string path = (dir / (after_add ? "after_add.onnx" : "after_conv.onnx")).string();
    b.save(path);
    std::string all;
    for (const std::string& n : import_onnx({path, {}}).notes) all += n + "\n";
    return all;
  };
  const std::string folded = notes_of(false), unfolded = notes_of(true);
  CHECK_THAT(folded, Catch::Contains("folded into the convolutions"));
  CHECK_THAT(folded, !Catch::Contains("uncosted"));
  CHECK_THAT(unfolded, Catch::Contains("bn_after_add") && Catch::Contains("uncosted"));
  CHECK_THAT(unfolded, !Catch::Contains("folded into the convolutions"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("an unsupported op or layout is an import error naming the node and op type", "[onnx]") {
  const auto dir = scratch_dir("onnx_errors");
  {
    OnnxBuilder b("bad", "x", {1, 4, 8, 8});
    b.node("Hardmax", {"x"}, "y", "mix");
    b.output("y");
    b.save((dir / "hardmax.onnx").string());
    CHECK_THROWS_WITH(import_onnx({(dir / "hardmax.onnx").string(), {}}),
                      Catch::Contains("Hardmax node 'mix'") && Catch::Contains("op type Hardmax is not supported"));
  }
  {
    OnnxBuilder b("bad", "x", {1, 4, 8, 8});
    b.weights("w", {4, 4, 3, 3});
    auto& c = b.node("Conv", {"x", "w"}, "y", "lopsided");
    OnnxBuilder::ints(c, "pads", {0, 0, 1, 1});
    b.output("y");
    b.save((dir / "pads.onnx").string());
    CHECK_THROWS_WITH(import_onnx({(dir / "pads.onnx").string(), {}}),
                      Catch::Contains("Conv node 'lopsided'") && Catch::Contains("equal in every direction"));
  }
  CHECK_THROWS_WITH(import_onnx({(dir / "missing.onnx").string(), {}}), Catch::Contains("cannot open"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("an input of unknown size needs --input-shape, whose N becomes the batch", "[onnx]") {
  const auto dir = scratch_dir("onnx_shape");
  const std::string model = small_cnn(dir, {-1, 3, -1, -1});
  CHECK_THROWS_WITH(import_onnx({model, {}}), Catch::Contains("--input-shape"));
  const Workload w = load_trace(import_onnx({model, {4, 3, 32, 32}}));
  CHECK(w.batch == 4);
  CHECK(w.input.H == 32);
  CHECK(w.layers[0].macs() == 32 * 32 * 8 * 27);
  std::filesystem::remove_all(dir);
}

TEST_CASE("qnnsim import writes a trace that qnnsim run simulates", "[onnx][cli]") {
  const auto dir = scratch_dir("onnx_cli");
  const std::string model = small_cnn(dir);
  const std::string trace = (dir / "trace.yaml").string();
  REQUIRE(qnnsim_cli("import " + model + " -o " + trace, dir / "out", dir / "err") == 0);
  CHECK_THAT(read_file((dir / "out").string()), Catch::Contains("imported 7 layers (78416 MACs per image)"));
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + trace + " --quiet", dir / "out", dir / "err") == 0);
  CHECK(qnnsim_cli("import " + model + " -o " + trace + " --input-shape 3,x,2", dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("--input-shape"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Debian's libonnx-testdata convolutions import with the right shapes and MACs", "[onnx]") {
  // PyTorch-exported single-layer models (package libonnx-testdata, installed by scripts/setup.sh).
  const std::string root = "/usr/share/libonnx-testdata/data/pytorch-converted/";
  struct Case {
    const char* model;
    LayerType type;
    int64_t groups, macs;
  };
  const std::vector<Case> cases = {
      // 4 channels, 6x6, 3x3 depthwise: 4 x 4 outputs x 4 channels x 9.
      {"test_Conv2d_depthwise", LayerType::DWConv, 4, 576},
      // Depthwise with multiplier 2: 8 outputs in 4 groups: 4 x 4 x 8 x 1 x 9.
      {"test_Conv2d_depthwise_with_multiplier", LayerType::Conv, 4, 1152},
      // 3 -> 4 channels, 6x6, 3x3 stride 2: 2 x 2 x 4 x 3 x 9.
      {"test_Conv2d_strided", LayerType::Conv, 1, 432},
      // 8x8, pad 1, dilation 2 (a 5x5 reach), stride 2: 3 x 3 x 2 x 3 x 9.
      {"test_Conv2d_dilated", LayerType::Conv, 1, 486},
      // 4 -> 6 channels in 2 groups, 6x5 input, 3x2 filter: 4 x 4 x 6 x 2 x 6.
      {"test_Conv2d_groups", LayerType::Conv, 2, 1152},
  };
  for (const Case& c : cases) {
    INFO(c.model);
    const Workload w = load_trace(import_onnx({root + c.model + "/model.onnx", {}}));
    REQUIRE(w.layers.size() == 1);
    CHECK(w.layers[0].type == c.type);
    CHECK(w.layers[0].groups == c.groups);
    CHECK(w.layers[0].macs() == c.macs);
  }
}

namespace {

const TensorPrecision& tensor(const Workload& w, std::size_t layer, Tensor t) { return w.layers[layer].precision[t]; }

}  // namespace

TEST_CASE("a QDQ model imports with the widths and schemes of its quantization nodes", "[onnx]") {
  const auto dir = scratch_dir("onnx_qdq");
  OnnxBuilder b("qdq_cnn", "x", {1, 3, 8, 8});
  b.weights("s", {}, {0.02f});
  b.integers("zp_u8", onnx::TensorProto::UINT8, {}, {128});
  b.integers("zp_i8", onnx::TensorProto::INT8, {}, {0});
  b.integers("zp_i16", onnx::TensorProto::INT16, {}, {0});
  // The input quantized to uint8 (asymmetric).
  b.node("QuantizeLinear", {"x", "s", "zp_u8"}, "xq");
  b.node("DequantizeLinear", {"xq", "s", "zp_u8"}, "xd");
  // int8 weights stored as such, dequantized per output channel for the float Conv.
  b.integers("w1", onnx::TensorProto::INT8, {4, 3, 3, 3}, {1, -2, 0, 3});
  b.weights("s4", {4}, {0.01f, 0.02f});
  b.integers("zp4", onnx::TensorProto::INT8, {4}, {0});
  auto& dq = b.node("DequantizeLinear", {"w1", "s4", "zp4"}, "w1d");
  OnnxBuilder::integer(dq, "axis", 0);
  b.node("Conv", {"xd", "w1d"}, "c1", "conv1");
  b.node("Relu", {"c1"}, "r1");
  // conv1's outputs requantized to int8 (symmetric).
  b.node("QuantizeLinear", {"r1", "s", "zp_i8"}, "r1q");
  b.node("DequantizeLinear", {"r1q", "s", "zp_i8"}, "r1d");
  auto& mp = b.node("MaxPool", {"r1d"}, "p", "pool");
  OnnxBuilder::ints(mp, "kernel_shape", {2, 2});
  OnnxBuilder::ints(mp, "strides", {2, 2});
  b.node("Flatten", {"p"}, "f");
  // Float fc weights quantized to int16 by a QDQ pair on the constant.
  b.weights("wfc", {36, 5});
  b.node("QuantizeLinear", {"wfc", "s", "zp_i16"}, "wfcq");
  b.node("DequantizeLinear", {"wfcq", "s", "zp_i16"}, "wfcd");
  b.node("MatMul", {"f", "wfcd"}, "y", "fc");
  b.output("y");
  b.save((dir / "qdq.onnx").string());

  const ImportedTrace t = import_onnx({(dir / "qdq.onnx").string(), {}});
  INFO(t.yaml);
  const Workload w = load_trace(t);
  REQUIRE(w.layers.size() == 3);
  CHECK(tensor(w, 0, Tensor::Inputs).bits == 8);
  CHECK(tensor(w, 0, Tensor::Inputs).scheme == Scheme::UniformAsymmetric);
  CHECK(tensor(w, 0, Tensor::Weights).scheme == Scheme::UniformSymmetric);
  CHECK(tensor(w, 0, Tensor::Weights).granularity == Granularity::PerChannel);
  CHECK(tensor(w, 0, Tensor::Outputs).scheme == Scheme::UniformSymmetric);
  CHECK(tensor(w, 2, Tensor::Weights).granularity == Granularity::PerTensor);
  // The pool reads and writes at conv1's output width; the fc reads it too.
  CHECK(tensor(w, 1, Tensor::Inputs).scheme == Scheme::UniformSymmetric);
  CHECK(tensor(w, 2, Tensor::Inputs).scheme == Scheme::UniformSymmetric);
  CHECK(tensor(w, 2, Tensor::Weights).bits == 16);
  // conv1: 6x6 outputs x 4 x 27; fc: 36 x 5.
  CHECK(w.layers[0].macs() == 3888);
  CHECK(w.layers[2].macs() == 180);
  CHECK_THAT(t.yaml, Catch::Contains("quantization nodes"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a QONNX binary CNN imports with binary, ternary and 4-bit tensors", "[onnx]") {
  const auto dir = scratch_dir("onnx_qonnx");
  OnnxBuilder b("qonnx_bnn", "x", {1, 3, 8, 8});
  b.weights("s", {}, {1.0f});
  b.weights("z", {}, {0.0f});
  b.weights("b8", {}, {8.0f});
  b.weights("b4", {}, {4.0f});
  b.weights("b2", {}, {2.0f});
  // 8-bit unsigned input.
  auto& qin = b.node("Quant", {"x", "s", "z", "b8"}, "xq");
  OnnxBuilder::integer(qin, "signed", 0);
  // Binary weights (BipolarQuant on the float constant), binary activations after.
  b.weights("w1", {8, 3, 3, 3}, {0.3f, -0.7f});
  b.node("BipolarQuant", {"w1", "s"}, "w1b");
  b.node("Conv", {"xq", "w1b"}, "c1", "conv1");
  b.node("BipolarQuant", {"c1", "s"}, "a1");
  b.weights("w2", {8, 8, 3, 3}, {0.3f, -0.7f});
  b.node("BipolarQuant", {"w2", "s"}, "w2b");
  b.node("Conv", {"a1", "w2b"}, "c2", "conv2");
  // 4-bit signed activations into a ternary-weight classifier.
  b.node("Quant", {"c2", "s", "z", "b4"}, "a2");
  b.node("Flatten", {"a2"}, "f");
  b.weights("wfc", {128, 10}, {0.5f, 0.0f, -0.5f});
  auto& qt = b.node("Quant", {"wfc", "s", "z", "b2"}, "wfct");
  OnnxBuilder::integer(qt, "narrow", 1);
  b.node("MatMul", {"f", "wfct"}, "y", "fc");
  b.output("y");
  b.save((dir / "bnn.onnx").string());

  const ImportedTrace t = import_onnx({(dir / "bnn.onnx").string(), {}});
  INFO(t.yaml);
  const Workload w = load_trace(t);
  REQUIRE(w.layers.size() == 3);
  CHECK(tensor(w, 0, Tensor::Inputs).bits == 8);
  CHECK(tensor(w, 0, Tensor::Inputs).scheme == Scheme::UniformAsymmetric);
  CHECK(tensor(w, 0, Tensor::Weights).scheme == Scheme::Binary);
  CHECK(tensor(w, 0, Tensor::Outputs).scheme == Scheme::Binary);
  CHECK(tensor(w, 1, Tensor::Inputs).scheme == Scheme::Binary);
  CHECK(tensor(w, 1, Tensor::Weights).bits == 1);
  CHECK(tensor(w, 1, Tensor::Outputs).bits == 4);
  CHECK(tensor(w, 2, Tensor::Inputs).bits == 4);
  CHECK(tensor(w, 2, Tensor::Weights).scheme == Scheme::Ternary);
  // conv1 6x6x8 x 27, conv2 4x4x8 x 72, fc 128 x 10.
  CHECK(w.layers[0].macs() == 7776);
  CHECK(w.layers[1].macs() == 9216);
  CHECK(w.layers[2].macs() == 1280);
  std::filesystem::remove_all(dir);
}

TEST_CASE("QLinearConv and ConvInteger take their widths from their own zero points", "[onnx]") {
  const auto dir = scratch_dir("onnx_qlinear");
  OnnxBuilder b("qlinear", "x", {1, 4, 6, 6});
  b.weights("s", {}, {0.05f});
  b.integers("zp_u8", onnx::TensorProto::UINT8, {}, {0});
  b.integers("zp_i8", onnx::TensorProto::INT8, {}, {0});
  b.node("QuantizeLinear", {"x", "s", "zp_u8"}, "xq");
  b.integers("w", onnx::TensorProto::INT8, {4, 4, 3, 3}, {1, -1});
  auto& c = b.node("QLinearConv", {"xq", "s", "zp_u8", "w", "s", "zp_i8", "s", "zp_i8"}, "y", "qconv");
  OnnxBuilder::ints(c, "pads", {1, 1, 1, 1});
  b.integers("w2", onnx::TensorProto::INT8, {4, 4, 1, 1}, {2});
  b.node("ConvInteger", {"y", "w2", "zp_i8", "zp_i8"}, "z", "iconv");
  b.output("z");
  b.save((dir / "qlinear.onnx").string());
  const ImportedTrace t = import_onnx({(dir / "qlinear.onnx").string(), {}});
  INFO(t.yaml);
  const Workload w = load_trace(t);
  REQUIRE(w.layers.size() == 2);
  CHECK(tensor(w, 0, Tensor::Inputs).scheme == Scheme::UniformAsymmetric);  // uint8
  CHECK(tensor(w, 0, Tensor::Weights).scheme == Scheme::UniformSymmetric);  // int8, zero point 0
  CHECK(tensor(w, 0, Tensor::Outputs).scheme == Scheme::UniformSymmetric);  // y_zero_point int8
  CHECK(tensor(w, 1, Tensor::Inputs).scheme == Scheme::UniformSymmetric);
  CHECK(w.layers[0].macs() == 6 * 6 * 4 * 36);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Concat along channels feeds the next layer from every producer, and the trace simulates", "[onnx]") {
  const auto dir = scratch_dir("onnx_concat");
  // A SqueezeNet fire module: squeeze 8 -> 4 (1x1), expand to 8 (1x1) and 8 (3x3), concatenated, then 16 -> 10.
  OnnxBuilder b("fire", "x", {1, 8, 6, 6});
  b.weights("ws", {4, 8, 1, 1});
  b.node("Conv", {"x", "ws"}, "s", "squeeze");
  b.weights("w1", {8, 4, 1, 1});
  b.node("Conv", {"s", "w1"}, "e1", "expand1x1");
  b.weights("w3", {8, 4, 3, 3});
  auto& e3 = b.node("Conv", {"s", "w3"}, "e3", "expand3x3");
  OnnxBuilder::ints(e3, "pads", {1, 1, 1, 1});
  auto& cat = b.node("Concat", {"e1", "e3"}, "c", "cat");
  OnnxBuilder::integer(cat, "axis", 1);
  b.weights("wo", {10, 16, 1, 1});
  b.node("Conv", {"c", "wo"}, "y", "out");
  b.output("y");
  const std::string model = (dir / "fire.onnx").string();
  b.save(model);
  const Workload w = load_trace(import_onnx({model, {}}));
  REQUIRE(w.layers.size() == 4);
  CHECK(w.layers[2].from == std::vector<std::string>{"squeeze"});
  CHECK(w.layers[3].from == std::vector<std::string>{"expand1x1", "expand3x3"});
  CHECK(w.layers[3].C == 16);
  CHECK(w.layers[3].macs() == 6 * 6 * 10 * 16);
  const std::string trace = (dir / "fire.yaml").string();
  REQUIRE(qnnsim_cli("import " + model + " -o " + trace, dir / "out", dir / "err") == 0);
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + trace + " --quiet", dir / "out", dir / "err") == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a shipped trace written as ONNX imports back with the same layers and MACs", "[onnx]") {
  // MobileNet-v1 (depthwise, pointwise, pooling, fc) through scripts/trace_to_onnx.py (python3-onnx).
  const auto dir = scratch_dir("onnx_roundtrip");
  const std::string model = (dir / "mobilenet_v1.onnx").string();
  const std::string cmd = "/usr/bin/python3 " + shipped("scripts/trace_to_onnx.py") + " " +
                          shipped("workloads/mobilenet_v1.yaml") + " " + model;
  REQUIRE(std::system(cmd.c_str()) == 0);
  const Workload original = load_workload(shipped("workloads/mobilenet_v1.yaml"));
  const Workload back = load_trace(import_onnx({model, {}}));
  REQUIRE(back.layers.size() == original.layers.size());
  for (std::size_t i = 0; i < back.layers.size(); ++i) {
    INFO(original.layers[i].name);
    CHECK(back.layers[i].name == original.layers[i].name);
    CHECK(back.layers[i].type == original.layers[i].type);
    CHECK(back.layers[i].macs() == original.layers[i].macs());
  }
  CHECK(back.macs_per_image() == original.macs_per_image());
  std::filesystem::remove_all(dir);
}

TEST_CASE("a malformed ONNX graph is an import error, never a crash", "[onnx]") {
  const auto dir = scratch_dir("onnx_malformed");
  OnnxBuilder b("bad", "x", {1, 4, 8, 8});
  b.weights("w", {4, 4, 3, 3});
  auto& c = b.node("Conv", {"x", "w"}, "y", "zero_stride");
  OnnxBuilder::ints(c, "strides", {0, 0});
  b.output("y");
  b.save((dir / "stride.onnx").string());
  CHECK_THROWS_WITH(import_onnx({(dir / "stride.onnx").string(), {}}), Catch::Contains("at least 1"));
  std::ofstream(dir / "junk.onnx") << "not a protobuf at all";
  CHECK_THROWS_AS(import_onnx({(dir / "junk.onnx").string(), {}}), ImportError);
  std::filesystem::remove_all(dir);
}
