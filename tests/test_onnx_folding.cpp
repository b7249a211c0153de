// ONNX import folds what exporters compute from constants before translating
// (issue 17): Constant and Identity of weights, Clip bounds as Constant
// nodes, Shape -> Gather -> Unsqueeze -> Concat -> Reshape shape subgraphs,
// a Cast of weights, a ConstantOfShape bias.
#include <catch2/catch.hpp>

#include <cstring>

#include "core/config_node.h"
#include "importer/onnx_import.h"
#include "onnx_builder.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// A Constant node holding `t`.
void constant(OnnxBuilder& b, const std::string& out, const onnx::TensorProto& t) {
  auto& n = b.node("Constant", {}, out, "const_" + out);
  auto* a = n.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  *a->mutable_t() = t;
}

onnx::TensorProto int64s(const std::vector<int64_t>& dims, const std::vector<int64_t>& values) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t.add_dims(d);
  for (int64_t v : values) t.add_int64_data(v);
  return t;
}

onnx::TensorProto floats(const std::vector<int64_t>& dims, float value) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::FLOAT);
  int64_t count = 1;
  for (int64_t d : dims) t.add_dims(d), count *= d;
  for (int64_t i = 0; i < count; ++i) t.add_float_data(value);
  return t;
}

// conv 4 -> 4 (3x3, pad 1) with weights from a Constant through an Identity,
// ReLU, Clip with Constant bounds, a reshape to (N, -1) computed from the
// tensor's own Shape, and an fc whose double weights are Cast to float, plus
// a ConstantOfShape bias. The shape of x is `dims`.
std::string exporter_style(const std::filesystem::path& dir, const std::vector<int64_t>& dims) {
  OnnxBuilder b("folded", "x", dims);
  constant(b, "w", floats({4, 4, 3, 3}, 0.25f));
  b.node("Identity", {"w"}, "w_shared", "Identity_0");
  auto& c = b.node("Conv", {"x", "w_shared"}, "c", "conv");
  OnnxBuilder::ints(c, "pads", {1, 1, 1, 1});
  b.node("Relu", {"c"}, "r");
  constant(b, "lo", floats({}, 0.0f));
  constant(b, "hi", floats({}, 6.0f));
  b.node("Clip", {"r", "lo", "hi"}, "clipped");
  b.node("Shape", {"clipped"}, "s");
  constant(b, "zero", int64s({}, {0}));
  b.node("Gather", {"s", "zero"}, "n");
  constant(b, "axes", int64s({1}, {0}));
  b.node("Unsqueeze", {"n", "axes"}, "n1");
  constant(b, "minus_one", int64s({1}, {-1}));
  auto& cat = b.node("Concat", {"n1", "minus_one"}, "shape");
  OnnxBuilder::integer(cat, "axis", 0);
  b.node("Reshape", {"clipped", "shape"}, "flat");
  std::string bytes(144 * 10 * sizeof(double), '\0');
  for (int i = 0; i < 1440; ++i) {
    const double v = i % 3 == 0 ? 0.0 : 0.5;
    std::memcpy(&bytes[static_cast<std::size_t>(i) * sizeof v], &v, sizeof v);
  }
  b.raw("wfc64", onnx::TensorProto::DOUBLE, {144, 10}, bytes);
  auto& cast = b.node("Cast", {"wfc64"}, "wfc");
  OnnxBuilder::integer(cast, "to", onnx::TensorProto::FLOAT);
  b.node("MatMul", {"flat", "wfc"}, "y0", "fc");
  constant(b, "ten", int64s({1}, {10}));
  b.node("ConstantOfShape", {"ten"}, "bias");
  b.node("Add", {"y0", "bias"}, "y");
  b.output("y");
  const std::string path = (dir / "folded.onnx").string();
  b.save(path);
  return path;
}

}  // namespace

TEST_CASE("constants and shape subgraphs are folded before translation", "[onnx]") {
  const auto dir = scratch_dir("onnx_folding");
  const ImportedTrace t = import_onnx({exporter_style(dir, {1, 4, 6, 6}), {}});
  INFO(t.yaml);
  const Workload w = load_workload(ConfigNode::load_string(t.yaml, "folded.yaml"));
  REQUIRE(w.layers.size() == 2);
  CHECK(w.layers[0].macs() == 6 * 6 * 4 * 36);
  CHECK(w.layers[1].type == LayerType::FC);
  CHECK(w.layers[1].C == 144);
  CHECK(w.layers[1].macs() == 1440);
  // The Cast weights keep their statistics: a third of them zero.
  CHECK(w.layers[1].weight_stats.density == Approx(2.0 / 3.0).epsilon(1e-3));
  CHECK(w.layers[1].weight_stats.max == Approx(0.5));
  bool noted = false;
  for (const std::string& n : t.notes) noted |= n.find("folded before translation") != std::string::npos;
  CHECK(noted);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a shape subgraph folds with the size given by --input-shape", "[onnx]") {
  const auto dir = scratch_dir("onnx_folding_shape");
  const std::string model = exporter_style(dir, {-1, 4, -1, -1});
  // 2 images of 4 x 8 x 8: the reshape gives (2, 256), and the fc's 144 inputs no longer fit.
  CHECK_THROWS_WITH(import_onnx({model, {2, 4, 8, 8}}), Catch::Contains("fc") && Catch::Contains("256"));
  const Workload w = load_workload(ConfigNode::load_string(import_onnx({model, {2, 4, 6, 6}}).yaml, "f.yaml"));
  CHECK(w.batch == 2);
  CHECK(w.layers[1].C == 144);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a channel shuffle imports as a transpose layer between reshapes that move nothing", "[onnx]") {
  const auto dir = scratch_dir("onnx_reshape");
  OnnxBuilder b("shuffle", "x", {1, 4, 6, 6});
  b.weights("w", {4, 4, 1, 1});
  b.node("Conv", {"x", "w"}, "c", "conv");
  constant(b, "groups", int64s({5}, {1, 2, 2, 6, 6}));
  b.node("Reshape", {"c", "groups"}, "y", "channel_groups");
  OnnxBuilder::ints(b.node("Transpose", {"y"}, "t", "channel_shuffle"), "perm", {0, 2, 1, 3, 4});
  constant(b, "image", int64s({4}, {1, 4, 6, 6}));
  b.node("Reshape", {"t", "image"}, "z", "back_to_image");
  b.weights("w2", {4, 4, 1, 1});
  b.node("Conv", {"z", "w2"}, "c2", "conv2");
  b.output("c2");
  b.save((dir / "r.onnx").string());
  const ImportedTrace t = import_onnx({(dir / "r.onnx").string(), {}});
  CHECK(t.layers == 3);
  CHECK_THAT(t.yaml, Catch::Contains("{name: channel_shuffle, type: transpose, C: 6, H: 24") &&
                         Catch::Contains("{name: conv2, type: conv, C: 4, H: 6, W: 6, M: 4"));
  // A reshape that changes the number of values is an error naming the node.
  OnnxBuilder bad("shuffle", "x", {1, 4, 6, 6});
  bad.weights("w", {4, 4, 1, 1});
  bad.node("Conv", {"x", "w"}, "c", "conv");
  constant(bad, "groups", int64s({5}, {1, 2, 2, 6, 5}));
  bad.node("Reshape", {"c", "groups"}, "y", "channel_groups");
  bad.output("y");
  bad.save((dir / "bad.onnx").string());
  CHECK_THROWS_WITH(import_onnx({(dir / "bad.onnx").string(), {}}),
                    Catch::Contains("Reshape node 'channel_groups'") && Catch::Contains("(1, 2, 2, 6, 5)"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("ceil-mode pooling and a Pad before a convolution or pool import as the trace's own fields", "[onnx]") {
  const auto dir = scratch_dir("onnx_ceil_pad");
  OnnxBuilder b("ceil_pad", "x", {1, 4, 8, 8});
  // 8x8, 3x3 stride 2: floor gives 3, ceil 4 (the last window starts at 6, inside the input).
  auto& p1 = b.node("MaxPool", {"x"}, "p1", "pool_ceil");
  OnnxBuilder::ints(p1, "kernel_shape", {3, 3});
  OnnxBuilder::ints(p1, "strides", {2, 2});
  OnnxBuilder::integer(p1, "ceil_mode", 1);
  // 4x4, 2x2 stride 2 with ceil_mode: no partial window, no ceil_mode in the trace.
  auto& p2 = b.node("AveragePool", {"p1"}, "p2", "pool_even");
  OnnxBuilder::ints(p2, "kernel_shape", {2, 2});
  OnnxBuilder::ints(p2, "strides", {2, 2});
  OnnxBuilder::integer(p2, "ceil_mode", 1);
  // A zero Pad of 1 on H and W, then a 3x3 conv without pads: padding 1.
  onnx::TensorProto pads;
  pads.set_name("pads");
  pads.set_data_type(onnx::TensorProto::INT64);
  pads.add_dims(8);
  for (int64_t v : {0, 0, 1, 1, 0, 0, 1, 1}) pads.add_int64_data(v);
  constant(b, "pads", pads);
  b.node("Pad", {"p2", "pads"}, "padded", "pad");
  b.node("Relu", {"padded"}, "r");
  b.weights("w", {4, 4, 3, 3});
  b.node("Conv", {"r", "w"}, "y", "conv");
  b.output("y");
  const std::string model = (dir / "m.onnx").string();
  b.save(model);
  const ImportedTrace t = import_onnx({model, {}});
  INFO(t.yaml);
  CHECK_THAT(t.yaml, Catch::Contains("ceil_mode: true"));
  const Workload w = load_workload(ConfigNode::load_string(t.yaml, "m.yaml"));
  REQUIRE(w.layers.size() == 3);
  CHECK(w.layers[0].P == 4);
  CHECK(w.layers[1].P == 2);
  CHECK(w.layers[2].padding == 1);
  CHECK(w.layers[2].P == 2);
  CHECK(w.layers[2].macs() == 2 * 2 * 4 * 36);
  const std::string trace = (dir / "m.yaml").string();
  REQUIRE(qnnsim_cli("import " + model + " -o " + trace, dir / "out", dir / "err") == 0);
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + trace + " --quiet", dir / "out", dir / "err") == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a Pad no convolution or pooling can take is a pad layer, and a cropping one an error naming it", "[onnx]") {
  const auto dir = scratch_dir("onnx_pad_layer");
  const auto model = [&](const std::vector<int64_t>& p, const std::string& consumer) {
    OnnxBuilder b("pad", "x", {1, 4, 8, 8});
    onnx::TensorProto pads;
    pads.set_data_type(onnx::TensorProto::INT64);
    pads.add_dims(8);
    for (int64_t v : p) pads.add_int64_data(v);
    constant(b, "pads", pads);
    b.node("Pad", {"x", "pads"}, "padded", "the_pad");
    b.weights("w", {4, 4, 3, 3});
    if (consumer == "conv") b.node("Conv", {"padded", "w"}, "y", "conv");
    else b.node("Add", {"padded", "padded"}, "y", "sum");
    b.output("y");
    const std::string path = (dir / (consumer + std::to_string(p[2]) + std::to_string(p[6]) + ".onnx")).string();
    b.save(path);
    return path;
  };
  // Sides that differ (TensorFlow's SAME padding of an even input): a layer
  // writing 4 x 8 x 9 values, read by the convolution without padding.
  const ImportedTrace uneven = import_onnx({model({0, 0, 0, 0, 0, 0, 0, 1}, "conv"), {}});
  INFO(uneven.yaml);
  Workload w = load_workload(ConfigNode::load_string(uneven.yaml, "uneven.yaml"));
  REQUIRE(w.layers.size() == 2);
  CHECK(w.layers[0].name == "the_pad");
  CHECK(w.layers[0].type == LayerType::Pad);
  CHECK(w.layers[0].output_shape() == Shape{4, 8, 9});
  CHECK(w.layers[1].padding == 0);
  CHECK(w.layers[1].P == 6);
  CHECK(w.layers[1].Q == 7);
  // Even sides before an Add, which has no padding to take it: a layer too.
  const ImportedTrace before_add = import_onnx({model({0, 0, 1, 1, 0, 0, 1, 1}, "add"), {}});
  INFO(before_add.yaml);
  w = load_workload(ConfigNode::load_string(before_add.yaml, "add.yaml"));
  REQUIRE(w.layers.size() == 2);
  CHECK(w.layers[0].type == LayerType::Pad);
  CHECK(w.layers[0].output_shape() == Shape{4, 10, 10});
  CHECK(w.layers[1].type == LayerType::Add);
  CHECK(w.layers[1].input_shape() == Shape{4, 10, 10});
  // Pads on the channels too.
  const ImportedTrace channels = import_onnx({model({0, 2, 0, 0, 0, 2, 0, 0}, "add"), {}});
  w = load_workload(ConfigNode::load_string(channels.yaml, "channels.yaml"));
  CHECK(w.layers[0].output_shape() == Shape{8, 8, 8});
  // The padded trace runs, its pad moving data only.
  const std::string trace = (dir / "uneven.yaml").string();
  REQUIRE(qnnsim_cli("import " + model({0, 0, 0, 0, 0, 0, 0, 1}, "conv") + " -o " + trace, dir / "out", dir / "err") == 0);
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + trace + " --quiet", dir / "out", dir / "err") == 0);
  // A negative pad crops.
  CHECK_THROWS_WITH(import_onnx({model({0, 0, -1, 0, 0, 0, 0, 0}, "conv"), {}}),
                    Catch::Contains("Pad node 'the_pad'") && Catch::Contains("crops"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("SiLU and hard-swish fold, squeeze-excite and same-shape products are mul layers, others are errors",
          "[onnx]") {
  const auto dir = scratch_dir("onnx_se");
  OnnxBuilder b("se", "x", {1, 8, 6, 6});
  b.weights("w1", {8, 8, 1, 1});
  b.node("Conv", {"x", "w1"}, "c1", "expand");
  b.node("Sigmoid", {"c1"}, "s1");
  b.node("Mul", {"c1", "s1"}, "a1", "silu");  // SiLU as exporters write it
  // Squeeze-excite: global pool, 8 -> 2 -> 8 1x1 convs, HardSigmoid, channel-wise product.
  b.node("GlobalAveragePool", {"a1"}, "g", "squeeze");
  b.weights("wr", {2, 8, 1, 1});
  b.node("Conv", {"g", "wr"}, "r", "reduce");
  b.node("Relu", {"r"}, "rr");
  b.weights("we", {8, 2, 1, 1});
  b.node("Conv", {"rr", "we"}, "e", "excite");
  b.node("HardSigmoid", {"e"}, "gate");
  b.node("Mul", {"a1", "gate"}, "scaled", "scale");
  b.node("HardSwish", {"scaled"}, "hs");
  b.weights("w2", {4, 8, 1, 1});
  b.node("Conv", {"hs", "w2"}, "y", "project");
  b.output("y");
  b.save((dir / "se.onnx").string());
  const ImportedTrace t = import_onnx({(dir / "se.onnx").string(), {}});
  INFO(t.yaml);
  const Workload w = load_workload(ConfigNode::load_string(t.yaml, "se.yaml"));
  REQUIRE(w.layers.size() == 6);
  // The channel scale is a mul of the expanded tensor by the excite branch's
  // 8 values, broadcast to the 36 pixels; the projection reads its product.
  const Layer& scale = w.layers[4];
  CHECK(scale.name == "scale");
  CHECK(scale.type == LayerType::Mul);
  CHECK(scale.broadcast_row);
  CHECK(scale.from == std::vector<std::string>{"expand", "excite"});
  CHECK(scale.input_count() == 8 * 36 + 8);
  CHECK(scale.vector_work(scale.output_count()).mult == 8 * 36);
  CHECK(scale.vector_work(scale.output_count()).add == 0);
  CHECK(w.layers[5].name == "project");
  CHECK(producers_of(w, 5) == std::vector<std::string>{"scale"});
  // 6x6x8x8 + 8x2 + 2x8 + 6x6x4x8: the product has no MACs.
  CHECK(w.macs_per_image() == 2304 + 16 + 16 + 1152);
  // The functions apply on the way out of the layers that wrote their
  // inputs: Sigmoid then x * Sigmoid(x) is SiLU; the gate's HardSigmoid; the
  // HardSwish op after the product.
  using F = ActivationFunction;
  CHECK(w.layers[0].activations == std::vector<F>{F::SiLU});
  CHECK(w.layers[2].activations.empty());  // its Relu is the requantizer's clamp
  CHECK(w.layers[3].activations == std::vector<F>{F::HardSigmoid});
  CHECK(w.layers[4].activations == std::vector<F>{F::HardSwish});
  CHECK(w.layers[5].activations.empty());

  // A product of two different tensors of one shape (a gate) is a mul of both.
  OnnxBuilder gate("gate", "x", {1, 8, 6, 6});
  gate.weights("w", {8, 8, 1, 1});
  gate.node("Conv", {"x", "w"}, "a", "left");
  gate.node("Conv", {"x", "w"}, "b", "right");
  gate.node("Mul", {"a", "b"}, "y", "gated");
  gate.output("y");
  gate.save((dir / "gate.onnx").string());
  const ImportedTrace g = import_onnx({(dir / "gate.onnx").string(), {}});
  INFO(g.yaml);
  const Workload gw = load_workload(ConfigNode::load_string(g.yaml, "gate.yaml"));
  REQUIRE(gw.layers.size() == 3);
  CHECK(gw.layers[2].type == LayerType::Mul);
  CHECK_FALSE(gw.layers[2].broadcast_row);
  CHECK(gw.layers[2].input_count() == 2 * 8 * 36);

  OnnxBuilder bad("bad", "x", {1, 8, 6, 6});
  bad.weights("w", {4, 8, 1, 1});
  bad.node("Conv", {"x", "w"}, "c", "conv");
  bad.node("Mul", {"x", "c"}, "y", "mismatched");
  bad.output("y");
  bad.save((dir / "bad.onnx").string());
  CHECK_THROWS_WITH(import_onnx({(dir / "bad.onnx").string(), {}}),
                    Catch::Contains("Mul node 'mismatched'") && Catch::Contains("8x6x6 and 4x6x6"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("layer names are legal SystemC names, unique, and keep the ONNX node's own", "[onnx]") {
  const auto dir = scratch_dir("onnx_names");
  OnnxBuilder b("names", "x", {1, 4, 6, 6});
  b.weights("w", {4, 4, 1, 1});
  b.node("Conv", {"x", "w"}, "a", "/features/features.0/Conv");
  b.node("Conv", {"a", "w"}, "b", "/features/features-0/Conv");  // the same once made legal
  b.node("Conv", {"b", "w"}, "c", "..");                             // nothing legal left: the op type
  b.node("Conv", {"c", "w"}, "y", "plain_name");
  b.output("y");
  b.save((dir / "n.onnx").string());
  const ImportedTrace t = import_onnx({(dir / "n.onnx").string(), {}});
  INFO(t.yaml);
  const Workload w = load_workload(ConfigNode::load_string(t.yaml, "n.yaml"));
  REQUIRE(w.layers.size() == 4);
  CHECK(w.layers[0].name == "features_features_0_Conv");
  CHECK(w.layers[1].name == "features_features_0_Conv_2");
  CHECK(w.layers[2].name == "Conv");
  CHECK(w.layers[3].name == "plain_name");
  for (const Layer& l : w.layers) CHECK(l.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == std::string::npos);
  CHECK_THAT(t.yaml, Catch::Contains("onnx_node: \"/features/features-0/Conv\"") && Catch::Contains("onnx_node: \"..\""));
  CHECK_THAT(t.yaml, !Catch::Contains("onnx_node: \"plain_name\""));
  std::filesystem::remove_all(dir);
}
