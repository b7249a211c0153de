// ONNX import of transformer graphs as exporters write them (issue 17): a
// patch embedding, token transposes, a layer norm decomposed into
// ReduceMean / Sub / Pow / Sqrt / Div, a fused q/k/v projection split in
// three, multi-head attention (MatMul of two activations, Softmax), a
// residual add, GELU in its Erf form and a class-token Gather. Small sizes,
// built in the test.
#include <catch2/catch.hpp>

#include "core/config_node.h"
#include "importer/onnx_import.h"
#include "onnx_builder.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// 8 features over 4 tokens (a 4x4 image cut into 2x2 patches), 2 heads of 4.
void encoder_block(OnnxBuilder& b) {
  b.weights("patch_w", {8, 3, 2, 2});
  auto& patch = b.node("Conv", {"x", "patch_w"}, "patches", "patch_embed");
  OnnxBuilder::ints(patch, "kernel_shape", {2, 2});
  OnnxBuilder::ints(patch, "strides", {2, 2});
  b.int64_constant("to_rows", {3}, {1, 8, 4});
  b.node("Reshape", {"patches", "to_rows"}, "rows", "flatten_patches");
  OnnxBuilder::ints(b.node("Transpose", {"rows"}, "seq", "to_tokens"), "perm", {0, 2, 1});
  // Layer norm, decomposed.
  OnnxBuilder::ints(b.node("ReduceMean", {"seq"}, "mean", "ln_mean"), "axes", {-1});
  b.node("Sub", {"seq", "mean"}, "centred", "ln_sub");
  b.weights("two", {}, {2.0f});
  b.node("Pow", {"centred", "two"}, "squares", "ln_pow");
  OnnxBuilder::ints(b.node("ReduceMean", {"squares"}, "var", "ln_var"), "axes", {-1});
  b.weights("eps", {}, {1e-6f});
  b.node("Add", {"var", "eps"}, "var_eps", "ln_eps");
  b.node("Sqrt", {"var_eps"}, "dev", "ln_sqrt");
  b.node("Div", {"centred", "dev"}, "normed", "ln_div");
  b.weights("gamma", {8});
  b.node("Mul", {"normed", "gamma"}, "scaled", "ln_gamma");
  b.weights("beta", {8});
  b.node("Add", {"scaled", "beta"}, "ln", "ln_beta");
  // Attention.
  b.weights("w_qkv", {8, 24});
  b.node("MatMul", {"ln", "w_qkv"}, "qkv", "qkv_proj");
  b.int64_constant("thirds", {3}, {8, 8, 8});
  auto& split = b.node("Split", {"qkv", "thirds"}, "q", "split_qkv");
  split.add_output("k");
  split.add_output("v");
  OnnxBuilder::integer(split, "axis", 2);
  b.int64_constant("to_heads", {4}, {1, 4, 2, 4});
  for (const std::string t : {"q", "k", "v"}) b.node("Reshape", {t, "to_heads"}, t + "_split", t + "_heads");
  OnnxBuilder::ints(b.node("Transpose", {"q_split"}, "qh", "q_transpose"), "perm", {0, 2, 1, 3});
  OnnxBuilder::ints(b.node("Transpose", {"k_split"}, "kt", "k_transpose"), "perm", {0, 2, 3, 1});
  OnnxBuilder::ints(b.node("Transpose", {"v_split"}, "vh", "v_transpose"), "perm", {0, 2, 1, 3});
  b.weights("scale", {}, {0.5f});
  b.node("Mul", {"qh", "scale"}, "qs", "q_scale");
  b.node("MatMul", {"qs", "kt"}, "scores", "scores");
  OnnxBuilder::integer(b.node("Softmax", {"scores"}, "probs", "softmax"), "axis", -1);
  b.node("MatMul", {"probs", "vh"}, "ctx", "context");
  OnnxBuilder::ints(b.node("Transpose", {"ctx"}, "ctx_t", "merge_heads"), "perm", {0, 2, 1, 3});
  b.int64_constant("to_tokens", {3}, {1, 4, 8});
  b.node("Reshape", {"ctx_t", "to_tokens"}, "merged", "merge_reshape");
  b.weights("w_o", {8, 8});
  b.node("MatMul", {"merged", "w_o"}, "attn", "out_proj");
  b.node("Add", {"attn", "seq"}, "res", "residual");
  // GELU, Erf form: x * (1 + erf(x / sqrt 2)) * 0.5.
  b.weights("sqrt2", {}, {1.4142135f});
  b.node("Div", {"res", "sqrt2"}, "res_s", "gelu_div");
  b.node("Erf", {"res_s"}, "erf", "gelu_erf");
  b.weights("one", {}, {1.0f});
  b.node("Add", {"erf", "one"}, "erf1", "gelu_add");
  b.node("Mul", {"res", "erf1"}, "gx", "gelu_mul");
  b.weights("half", {}, {0.5f});
  b.node("Mul", {"gx", "half"}, "gelu", "gelu_half");
  // Class token and head.
  b.int64_constant("first", {}, {0});
  OnnxBuilder::integer(b.node("Gather", {"gelu", "first"}, "cls", "class_token"), "axis", 1);
  b.weights("w_head", {3, 8});
  OnnxBuilder::integer(b.node("Gemm", {"cls", "w_head"}, "logits", "head"), "transB", 1);
  b.output("logits");
}

std::vector<std::string> types_of(const Workload& w) {
  std::vector<std::string> t;
  for (const Layer& l : w.layers) t.push_back(layer_type_name(l.type));
  return t;
}

}  // namespace

TEST_CASE("An encoder block imports as exported: attention, layer norm, GELU", "[onnx][transformer]") {
  const auto dir = scratch_dir("onnx_encoder");
  OnnxBuilder b("encoder", "x", {1, 3, 4, 4});
  encoder_block(b);
  b.save((dir / "e.onnx").string());
  const std::string trace = (dir / "e.yaml").string();
  REQUIRE(qnnsim_cli("import " + (dir / "e.onnx").string() + " -o " + trace, dir / "out", dir / "err") == 0);
  const Workload w = load_workload(trace);
  INFO(read_file(trace));
  CHECK(types_of(w) == std::vector<std::string>{"transpose", "conv", "transpose", "layernorm", "conv", "split", "split",
                                                 "split", "transpose", "transpose", "transpose", "matmul", "softmax",
                                                 "matmul", "transpose", "conv", "add", "gelu", "split", "fc"});
  // patches 4 x 8 x 12, qkv 4 x 8 x 24, scores and context 2 heads x 4 x 4 x 4, out 4 x 8 x 8, head 8 x 3.
  CHECK(w.macs_per_image() == 384 + 768 + 128 + 128 + 256 + 24);
  CHECK_THAT(read_file(trace), Catch::Contains("type: matmul, heads: 2, rows: 4, inner: 4, cols: 4, from: [q_transpose, "
                                               "k_transpose]"));
  // The trace runs on the PE-array designs.
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + trace + " --quiet", dir / "out", dir / "err") == 0);
  INFO(read_file((dir / "err").string()));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Transformer ops the trace cannot express are errors naming the node", "[onnx][transformer]") {
  const auto dir = scratch_dir("onnx_encoder_errors");
  const auto import_error = [&](auto&& edit) {
    OnnxBuilder b("encoder", "x", {1, 3, 4, 4});
    encoder_block(b);
    edit(b);
    b.save((dir / "e.onnx").string());
    try {
      import_onnx({(dir / "e.onnx").string(), {}});
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    FAIL("the model imported");
    return std::string();
  };
  // A softmax over the heads, not the keys.
  CHECK_THAT(import_error([](OnnxBuilder& b) { OnnxBuilder::integer(b.node("Softmax", {"scores"}, "p2", "softmax_heads"), "axis", 1); }),
             Catch::Contains("softmax_heads") && Catch::Contains("last axis"));
  // An op the import does not know names the node and its type.
  CHECK_THAT(import_error([](OnnxBuilder& b) { b.node("Hardmax", {"scores"}, "e", "hardmax_scores"); }),
             Catch::Contains("hardmax_scores") && Catch::Contains("op type Hardmax is not supported"));
  // A part of the decomposed layer norm used some other way.
  CHECK_THAT(import_error([](OnnxBuilder& b) { b.node("Relu", {"centred"}, "odd", "odd_use"); }),
             Catch::Contains("odd_use") && Catch::Contains("layer normalisation"));
  // A reshape that changes the number of values.
  CHECK_THAT(import_error([](OnnxBuilder& b) {
               b.int64_constant("wrong", {3}, {1, 4, 9});
               b.node("Reshape", {"ln", "wrong"}, "bad", "bad_reshape");
             }),
             Catch::Contains("bad_reshape") && Catch::Contains("number of values"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("A rank-3 input is a token sequence (batch, tokens, features); an open size needs --input-shape N,T,F",
          "[onnx][transformer]") {
  const auto dir = scratch_dir("onnx_sequence_input");
  const auto model = [&](const std::vector<int64_t>& dims) {
    OnnxBuilder b("tokens", "x", dims);
    b.weights("w", {8, 3});
    b.node("MatMul", {"x", "w"}, "y", "proj");
    b.output("y");
    b.save((dir / "m.onnx").string());
    return (dir / "m.onnx").string();
  };
  // 5 tokens of 8 features: a linear layer over the tokens, not an fc of 40 inputs.
  const std::string yaml = import_onnx({model({1, 5, 8}), {}}).yaml;
  CHECK_THAT(yaml, Catch::Contains("input: {C: 8, H: 5, W: 1}") &&
                       Catch::Contains("type: conv, C: 8, H: 5, W: 1, M: 3, R: 1, S: 1"));
  const std::string open = model({-1, 5, 8});
  CHECK_THROWS_WITH(import_onnx({open, {}}), Catch::Contains("(batch, tokens, features)") &&
                                                 Catch::Contains("--input-shape N,T,F"));
  const Workload w = load_workload(ConfigNode::load_string(import_onnx({open, {2, 5, 8}}).yaml, "imported.yaml"));
  CHECK(w.batch == 2);
  CHECK(w.macs_per_image() == 5 * 8 * 3);
  std::filesystem::remove_all(dir);
}
