// ONNX import of malformed models (issue 24): initializers whose data and dims
// disagree, dimensions whose product overflows, and cycles through inputs the
// translation ignores are import errors naming what is wrong, exit code 2 from
// the command line. The two reproducers found by mutation testing are read
// from tests/data/onnx as they were found.
#include <catch2/catch.hpp>

#include <functional>

#include "core/config_node.h"
#include "importer/onnx_import.h"
#include "onnx_builder.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// `qnnsim import MODEL` must exit 2 and print every one of `expected`.
void import_fails(const std::string& model, const std::filesystem::path& dir, const std::vector<std::string>& expected) {
  const int rc = qnnsim_cli("import " + model + " -o " + (dir / "t.yaml").string(), dir / "out", dir / "err");
  const std::string err = read_file((dir / "err").string());
  INFO(err);
  CHECK(rc == 2);
  for (const std::string& e : expected) CHECK_THAT(err, Catch::Contains(e));
  CHECK_FALSE(std::filesystem::exists(dir / "t.yaml"));
}

// conv 4 -> 4 (3x3, pad 1) on 4x6x6, then whatever `more` adds.
std::string one_conv(const std::filesystem::path& dir, const std::string& file,
                     const std::function<void(OnnxBuilder&)>& more) {
  OnnxBuilder b("m", "x", {1, 4, 6, 6});
  b.weights("w", {4, 4, 3, 3});
  more(b);
  b.output("y");
  const std::string path = (dir / file).string();
  b.save(path);
  return path;
}

}  // namespace

TEST_CASE("an initializer with empty raw_data is an import error naming it (reproducer)", "[onnx][malformed]") {
  // Before: a null-pointer memcpy in the statistics, and exit 0 with statistics of nothing.
  const auto dir = scratch_dir("onnx_empty_raw");
  import_fails(shipped("tests/data/onnx/empty_raw_data.onnx"), dir,
               {"initializer 'wdw'", "raw_data has 0 bytes", "[16, 1, 3, 3]", "576 bytes"});
  std::filesystem::remove_all(dir);
}

TEST_CASE("a dimension of 2^62 is an import error naming the initializer (reproducer)", "[onnx][malformed]") {
  // Before: a signed overflow multiplying the dims into an element count.
  const auto dir = scratch_dir("onnx_dims_overflow");
  import_fails(shipped("tests/data/onnx/dims_overflow_2e62.onnx"), dir,
               {"initializer 'w2q'", "4611686018427387904", "more than 2^40 values"});
  std::filesystem::remove_all(dir);
}

TEST_CASE("initializers whose data and dims disagree are import errors saying what was expected", "[onnx][malformed]") {
  const auto dir = scratch_dir("onnx_short_data");
  // Three bytes of a 4-value float bias: short raw_data, even on a tensor the translation ignores.
  const std::string short_raw = one_conv(dir, "short.onnx", [](OnnxBuilder& b) {
    b.raw("bias", onnx::TensorProto::FLOAT, {4}, std::string(3, '\0'));
    b.node("Conv", {"x", "w", "bias"}, "y", "conv");
  });
  CHECK_THROWS_WITH(import_onnx({short_raw, {}}), Catch::Contains("initializer 'bias'") &&
                                                     Catch::Contains("raw_data has 3 bytes") &&
                                                     Catch::Contains("take 16 bytes"));
  // A negative dimension.
  const std::string negative = one_conv(dir, "negative.onnx", [](OnnxBuilder& b) {
    b.raw("wn", onnx::TensorProto::FLOAT, {4, -4, 3, 3}, "");
    b.node("Conv", {"x", "wn"}, "y", "conv");
  });
  CHECK_THROWS_WITH(import_onnx({negative, {}}), Catch::Contains("initializer 'wn'") && Catch::Contains("negative"));
  // int8 weights whose zero point has 3 values for 4 output channels.
  const std::string zero_points = one_conv(dir, "zp.onnx", [](OnnxBuilder& b) {
    b.integers("wq", onnx::TensorProto::INT8, {4, 4, 3, 3}, {1});
    b.weights("s", {4}, {0.1f});
    b.integers("z", onnx::TensorProto::INT8, {3}, {0});
    auto& dq = b.node("DequantizeLinear", {"wq", "s", "z"}, "wd", "dq");
    OnnxBuilder::integer(dq, "axis", 0);
    b.node("Conv", {"x", "wd"}, "y", "conv");
  });
  CHECK_THROWS_WITH(import_onnx({zero_points, {}}), Catch::Contains("DequantizeLinear node 'dq'") &&
                                                       Catch::Contains("4 scales but 3 zero points"));
  // The command line says the same with exit code 2.
  import_fails(short_raw, dir, {"initializer 'bias'", "raw_data has 3 bytes"});
  std::filesystem::remove_all(dir);
}

TEST_CASE("int8 weights get statistics in the integer and the real domain", "[onnx]") {
  const auto dir = scratch_dir("onnx_int_stats");
  // Weights cycle through 3, 0, -2, 5 over 4x4x3x3 (each channel's 36 hold
  // each value nine times); channel c has scale 0.5 (c even) or 0.25 (c odd)
  // and zero point 0 (even) or 1 (odd). Real values: channels 0 and 2 give
  // 1.5, 0, -1, 2.5; channels 1 and 3 give 0.5, -0.25, -0.75, 1.
  OnnxBuilder b("q", "x", {1, 4, 6, 6});
  b.integers("wq", onnx::TensorProto::INT8, {4, 4, 3, 3}, {3, 0, -2, 5});
  b.weights("s", {4}, {0.5f, 0.25f});
  b.integers("z", onnx::TensorProto::INT8, {4}, {0, 1});
  auto& dq = b.node("DequantizeLinear", {"wq", "s", "z"}, "wd", "dq");
  OnnxBuilder::integer(dq, "axis", 0);
  b.node("Conv", {"x", "wd"}, "c", "conv");
  // ConvInteger: no scale in the graph, only the integer domain is known.
  b.integers("w2", onnx::TensorProto::INT8, {4, 4, 1, 1}, {0, 7, -3, 0});
  b.integers("zx", onnx::TensorProto::UINT8, {}, {0});
  b.integers("zw", onnx::TensorProto::INT8, {}, {0});
  b.node("ConvInteger", {"c", "w2", "zx", "zw"}, "y", "iconv");
  b.output("y");
  b.save((dir / "q.onnx").string());
  const ImportedTrace t = import_onnx({(dir / "q.onnx").string(), {}});
  INFO(t.yaml);
  const Workload w = load_workload(ConfigNode::load_string(t.yaml, "q.yaml"));
  REQUIRE(w.layers.size() == 2);
  const WeightStatistics& conv = w.layers[0].weight_stats;
  // Real zero only where q equals the channel's zero point: q = 0 nine times
  // in each of channels 0 and 2, never q = 1 in channels 1 and 3: 18 of 144.
  CHECK(conv.density == Approx(126.0 / 144.0).epsilon(1e-5));
  CHECK(conv.int_range);
  CHECK(conv.int_min == -2);
  CHECK(conv.int_max == 5);
  CHECK(conv.real_range);
  CHECK(conv.min == Approx(-1.0));  // -2 x 0.5
  CHECK(conv.max == Approx(2.5));   // 5 x 0.5
  const WeightStatistics& iconv = w.layers[1].weight_stats;
  CHECK(iconv.density == Approx(0.5));
  CHECK(iconv.int_min == -3);
  CHECK(iconv.int_max == 7);
  CHECK_FALSE(iconv.real_range);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a cycle through an input the translation ignores is an import error naming a node on it", "[onnx][malformed]") {
  const auto dir = scratch_dir("onnx_cycle");
  // The Conv's bias is computed from the Conv's own output.
  const std::string bias = one_conv(dir, "bias.onnx", [](OnnxBuilder& b) {
    b.node("Conv", {"x", "w", "b"}, "y", "conv");
    b.node("Identity", {"y"}, "b", "loop_back");
  });
  CHECK_THROWS_WITH(import_onnx({bias, {}}), Catch::Contains("cycle") && Catch::Contains("node 'conv'"));
  // A Reshape whose shape comes from its own output.
  const std::string shape = one_conv(dir, "shape.onnx", [](OnnxBuilder& b) {
    b.node("Conv", {"x", "w"}, "c", "conv");
    b.node("Reshape", {"c", "s"}, "y", "reshape");
    b.node("Shape", {"y"}, "s", "shape_of_y");
  });
  import_fails(shape, dir, {"cycle", "Reshape node 'reshape'", "Shape node 'shape_of_y'"});
  std::filesystem::remove_all(dir);
}

TEST_CASE("nodes listed out of order import in their data order", "[onnx]") {
  const auto dir = scratch_dir("onnx_order");
  OnnxBuilder b("m", "x", {1, 4, 6, 6});
  b.weights("w", {4, 4, 3, 3});
  b.weights("w2", {8, 4, 1, 1});
  b.node("Conv", {"r", "w2"}, "y", "second");
  b.node("Relu", {"c"}, "r");
  b.node("Conv", {"x", "w"}, "c", "first");
  b.output("y");
  b.save((dir / "order.onnx").string());
  const Workload w = load_workload(ConfigNode::load_string(import_onnx({(dir / "order.onnx").string(), {}}).yaml, "o.yaml"));
  REQUIRE(w.layers.size() == 2);
  CHECK(w.layers[0].name == "first");
  CHECK(w.layers[1].macs() == 4 * 4 * 8 * 4);
  std::filesystem::remove_all(dir);
}

TEST_CASE("constants too large to fold or shapes out of range are import errors, not allocations or overflows",
          "[onnx][malformed]") {
  const auto dir = scratch_dir("onnx_fold_hostile");
  // A ConstantOfShape of 2^40 values is left unfolded, and then refused by name.
  const std::string huge = one_conv(dir, "huge.onnx", [](OnnxBuilder& b) {
    b.node("Conv", {"x", "w"}, "c", "conv");
    onnx::TensorProto shape;
    shape.set_data_type(onnx::TensorProto::INT64);
    shape.add_dims(2);
    shape.add_int64_data(int64_t{1} << 20);
    shape.add_int64_data(int64_t{1} << 20);
    auto& k = b.node("Constant", {}, "shape", "shape");
    auto* a = k.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    *a->mutable_t() = shape;
    b.node("ConstantOfShape", {"shape"}, "zeros", "zeros");
    b.node("Add", {"c", "zeros"}, "y", "add");
  });
  CHECK_THROWS_WITH(import_onnx({huge, {}}), Catch::Contains("ConstantOfShape node 'zeros'"));
  // A Reshape to a float shape of 1e30.
  const std::string far = one_conv(dir, "far.onnx", [](OnnxBuilder& b) {
    b.node("Conv", {"x", "w"}, "c", "conv");
    b.weights("to", {2}, {1e30f});
    b.node("Reshape", {"c", "to"}, "y", "reshape");
  });
  CHECK_THROWS_WITH(import_onnx({far, {}}),
                    Catch::Contains("Reshape node 'reshape'") && Catch::Contains("not an integer that fits 64 bits"));
  std::filesystem::remove_all(dir);
}
