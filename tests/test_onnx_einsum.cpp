// Einsum import (issue 17): the attention forms become matmul layers, a
// product with a constant matrix a linear layer over the tokens, and every
// other equation is an error naming the node and the equation. Small
// models built in the test: 4 tokens of 8 features, 2 heads of 4.
#include <catch2/catch.hpp>

#include <cstring>

#include "core/config_node.h"
#include "importer/onnx_import.h"
#include "onnx_builder.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

void shape_constant(OnnxBuilder& b, const std::string& name, const std::vector<int64_t>& dims) {
  // int64 initializers keep their values in raw_data (little-endian) as exporters write them.
  std::string bytes(dims.size() * sizeof(int64_t), '\0');
  std::memcpy(bytes.data(), dims.data(), bytes.size());
  b.raw(name, onnx::TensorProto::INT64, {static_cast<int64_t>(dims.size())}, bytes);
}

onnx::NodeProto& einsum(OnnxBuilder& b, const std::vector<std::string>& in, const std::string& out,
                        const std::string& name, const std::string& equation) {
  auto& n = b.node("Einsum", in, out, name);
  OnnxBuilder::text(n, "equation", equation);
  return n;
}

// Self-attention over a (1, 4, 8) sequence: q, k and v projected, split
// into 2 heads of 4 as (batch, tokens, heads, 4); with `heads_first` moved
// to (batch, heads, tokens, 4) by Transposes, as BERT's reference code does.
// Returns the context as (1, 4, 8).
void attention(OnnxBuilder& b, const std::string& scores_eq, const std::string& context_eq, bool heads_first) {
  shape_constant(b, "heads_shape", {1, 4, 2, 4});
  shape_constant(b, "seq_shape", {1, 4, 8});
  for (const char* t : {"q", "k", "v"}) {
    const std::string s = t;
    b.weights("w_" + s, {8, 8});
    b.node("MatMul", {"x", "w_" + s}, s + "_flat", s + "_proj");
    b.node("Reshape", {s + "_flat", "heads_shape"}, s + "_heads", s + "_split_heads");
    if (heads_first)
      OnnxBuilder::ints(b.node("Transpose", {s + "_heads"}, s, s + "_transpose"), "perm", {0, 2, 1, 3});
    else
      b.node("Identity", {s + "_heads"}, s, s + "_in_place");
  }
  einsum(b, {"q", "k"}, "scores", "scores", scores_eq);
  OnnxBuilder::integer(b.node("Softmax", {"scores"}, "p", "softmax"), "axis", -1);
  einsum(b, {"p", "v"}, "context", "context", context_eq);
  if (heads_first) {
    OnnxBuilder::ints(b.node("Transpose", {"context"}, "context_t", "context_transpose"), "perm", {0, 2, 1, 3});
    b.node("Reshape", {"context_t", "seq_shape"}, "attended", "merge_heads");
  } else {
    b.node("Reshape", {"context", "seq_shape"}, "attended", "merge_heads");
  }
}

std::string import_model(const OnnxBuilder& b, const std::filesystem::path& dir) {
  b.save((dir / "m.onnx").string());
  return import_onnx({(dir / "m.onnx").string(), {}}).yaml;
}

Workload load(const std::string& yaml) { return load_workload(ConfigNode::load_string(yaml, "imported.yaml")); }

}  // namespace

TEST_CASE("Einsum attention on the projections' layout imports as matmuls, and as linear layers with a constant",
          "[onnx][transformer]") {
  const auto dir = scratch_dir("onnx_einsum");
  OnnxBuilder b("einsum_attention", "x", {1, 4, 8});
  attention(b, "bihd,bjhd->bhij", "bhij,bjhd->bihd", false);
  // The output projection as nn.Linear's weight (out, in), then a head of 3 as (in, out).
  b.weights("w_out", {8, 8});
  einsum(b, {"attended", "w_out"}, "projected", "out_proj", "bid,jd->bij");
  b.weights("w_head", {8, 3});
  einsum(b, {"projected", "w_head"}, "y", "head", "bid , dj -> bij");  // spaces are allowed
  b.output("y");
  const std::string yaml = import_model(b, dir);
  INFO(yaml);
  const Workload w = load(yaml);
  std::vector<std::string> types;
  for (const Layer& l : w.layers) types.push_back(layer_type_name(l.type));
  // No transposes: each operand is read where the projection wrote it.
  CHECK(types == std::vector<std::string>{"conv", "conv", "conv", "matmul", "softmax", "matmul", "conv", "conv"});
  CHECK_THAT(yaml, Catch::Contains("{name: scores, type: matmul, heads: 2, rows: 4, inner: 4, cols: 4, from: [q_proj, k_proj]") &&
                       Catch::Contains("{name: context, type: matmul, heads: 2, rows: 4, inner: 4, cols: 4, from: [softmax, v_proj]") &&
                       Catch::Contains("{name: out_proj, type: conv, C: 8, H: 4, W: 1, M: 8, R: 1, S: 1") &&
                       Catch::Contains("{name: head, type: conv, C: 8, H: 4, W: 1, M: 3, R: 1, S: 1"));
  // q, k, v 3 x 4 x 8 x 8; scores and context 2 x 2 heads x 4 x 4 x 4; out 4 x 8 x 8; head 4 x 8 x 3.
  CHECK(w.macs_per_image() == 768 + 256 + 256 + 96);
  const std::string trace = (dir / "m.yaml").string();
  REQUIRE(qnnsim_cli("import " + (dir / "m.onnx").string() + " -o " + trace, dir / "out", dir / "err") == 0);
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + trace + " --quiet", dir / "out", dir / "err") == 0);
  INFO(read_file((dir / "err").string()));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Einsum attention with heads first imports as the MatMul form does", "[onnx][transformer]") {
  const auto dir = scratch_dir("onnx_einsum_heads");
  OnnxBuilder b("einsum_heads_first", "x", {1, 4, 8});
  attention(b, "bhid,bhjd->bhij", "bhij,bhjd->bhid", true);
  b.output("attended");
  const Workload w = load(import_model(b, dir));
  int matmuls = 0;
  for (const Layer& l : w.layers) {
    if (l.type != LayerType::MatMul) continue;
    ++matmuls;
    CHECK(l.macs() == 2 * 4 * 4 * 4);
  }
  CHECK(matmuls == 2);
  CHECK(w.macs_per_image() == 768 + 256);
  std::filesystem::remove_all(dir);
}

TEST_CASE("An Einsum outside the attention forms is an error naming the node and the equation", "[onnx][transformer]") {
  const auto dir = scratch_dir("onnx_einsum_errors");
  const auto error_of = [&](const std::string& scores_eq, const std::string& expected) {
    OnnxBuilder b("bad", "x", {1, 4, 8});
    attention(b, scores_eq, "bhij,bjhd->bihd", false);
    b.output("attended");
    b.save((dir / "m.onnx").string());
    INFO(scores_eq);
    CHECK_THROWS_WITH(import_onnx({(dir / "m.onnx").string(), {}}),
                      Catch::Contains("Einsum node 'scores'") && Catch::Contains("equation '" + scores_eq + "'") &&
                          Catch::Contains("not supported") && Catch::Contains(expected));
  };
  error_of("bihd,bjhd->bhijd", "no label is contracted");
  error_of("bihd,bjhd->bhj", "label 'i' is summed over one operand alone");
  error_of("...hd,...hd->...h", "an ellipsis");
  error_of("bihd,bjhd", "no explicit output");
  error_of("bihh,bjhd->bhij", "a diagonal");
  error_of("bih,bjhd->bhij", "term 'bih' has 3 labels for an operand of 4 axes");
  error_of("bihd,bjhd->bhix", "output label 'x' is on no operand");
  // A label of two sizes (k read as (batch, tokens, 4, heads)).
  error_of("bihd,bjdh->bhij", "label 'd' is 4 on one operand and 2 on the other");
  // A constant matrix contracted with an axis other than the features.
  OnnxBuilder b("bad", "x", {1, 4, 8});
  b.weights("w", {4, 4});
  einsum(b, {"x", "w"}, "y", "mix_tokens", "bid,ij->bjd");
  b.output("y");
  b.save((dir / "m.onnx").string());
  CHECK_THROWS_WITH(import_onnx({(dir / "m.onnx").string(), {}}),
                    Catch::Contains("Einsum node 'mix_tokens'") && Catch::Contains("equation 'bid,ij->bjd'") &&
                        Catch::Contains("last axis of the activation"));
  std::filesystem::remove_all(dir);
}
