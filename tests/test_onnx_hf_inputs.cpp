// ONNX import of a graph with several inputs, as Hugging Face exports BERT
// (issue 17): input_ids, token_type_ids and attention_mask, each int64
// (batch, tokens). The token types index their table like the word ids; the
// extended mask (1 - mask[:, None, None, :]) * fill is added to the scores
// as an add that reads one row per image. Small graphs built in the test;
// the single-input form of the same graph gives the MACs to match.
#include <catch2/catch.hpp>

#include "core/config_node.h"
#include "importer/onnx_import.h"
#include "schedule/mapper.h"
#include "onnx_builder.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

constexpr int64_t kTokens = 4, kD = 8, kHeads = 2, kHeadSize = 4;

// Word, token-type and position lookups summed, then one attention block of
// 2 heads of 4 and a residual add. With `hf`, the token types are the
// token_type_ids input and the scores get the extended attention mask;
// without, they are segment 0 for every token (a constant) and there is no
// mask, as scripts/bert_model.py --embeddings exports.
OnnxBuilder bert_like(bool hf, const std::vector<int64_t>& dims = {1, kTokens}) {
  OnnxBuilder b(hf ? "hf_inputs" : "ids_only", "input_ids", dims);
  b.input("input_ids", dims, onnx::TensorProto::INT64);
  if (hf) {
    b.input("token_type_ids", dims, onnx::TensorProto::INT64);
    b.input("attention_mask", dims, onnx::TensorProto::INT64);
  }
  b.weights("word_table", {20, kD});
  b.node("Gather", {"word_table", "input_ids"}, "words", "word_lookup");
  b.weights("type_table", {2, kD});
  if (!hf) b.int64_constant("token_type_ids", {1, kTokens}, {0, 0, 0, 0});
  b.node("Gather", {"type_table", "token_type_ids"}, "types", "type_lookup");
  b.node("Add", {"words", "types"}, "words_types", "sum_types");
  b.weights("position_table", {16, kD});
  b.int64_constant("position_ids", {1, kTokens}, {0, 1, 2, 3});
  b.node("Gather", {"position_table", "position_ids"}, "positions", "position_lookup");
  b.node("Add", {"words_types", "positions"}, "x", "sum_positions");
  for (const std::string t : {"q", "k", "v"}) {
    b.weights("w_" + t, {kD, kD});
    b.node("MatMul", {"x", "w_" + t}, t, t + "_proj");
  }
  b.int64_constant("to_heads", {4}, {1, kTokens, kHeads, kHeadSize});
  for (const std::string t : {"q", "k", "v"}) b.node("Reshape", {t, "to_heads"}, t + "_split", t + "_heads");
  OnnxBuilder::ints(b.node("Transpose", {"q_split"}, "qh", "q_transpose"), "perm", {0, 2, 1, 3});
  OnnxBuilder::ints(b.node("Transpose", {"k_split"}, "kt", "k_transpose"), "perm", {0, 2, 3, 1});
  OnnxBuilder::ints(b.node("Transpose", {"v_split"}, "vh", "v_transpose"), "perm", {0, 2, 1, 3});
  b.node("MatMul", {"qh", "kt"}, "raw_scores", "scores");
  b.weights("scale", {}, {0.5f});
  b.node("Mul", {"raw_scores", "scale"}, "scores_scaled", "scores_scale");
  std::string scores = "scores_scaled";
  if (hf) {
    // BertModel.get_extended_attention_mask as torch.onnx.export writes it.
    b.int64_constant("axis1", {1}, {1});
    b.node("Unsqueeze", {"attention_mask", "axis1"}, "mask1", "mask_unsqueeze");
    b.int64_constant("axis2", {1}, {2});
    b.node("Unsqueeze", {"mask1", "axis2"}, "mask2", "mask_unsqueeze_1");
    OnnxBuilder::integer(b.node("Cast", {"mask2"}, "mask_float", "mask_cast"), "to", onnx::TensorProto::FLOAT);
    b.weights("one", {}, {1.0f});
    b.node("Sub", {"one", "mask_float"}, "mask_inverted", "mask_sub");
    b.weights("fill", {}, {-3.4028235e38f});  // torch.finfo(torch.float32).min
    b.node("Mul", {"mask_inverted", "fill"}, "mask_bias", "mask_mul");
    b.node("Add", {"scores_scaled", "mask_bias"}, "masked", "mask_add");
    scores = "masked";
  }
  OnnxBuilder::integer(b.node("Softmax", {scores}, "probs", "softmax"), "axis", -1);
  b.node("MatMul", {"probs", "vh"}, "ctx", "context");
  OnnxBuilder::ints(b.node("Transpose", {"ctx"}, "ctx_t", "merge_heads"), "perm", {0, 2, 1, 3});
  b.int64_constant("to_tokens", {3}, {1, kTokens, kD});
  b.node("Reshape", {"ctx_t", "to_tokens"}, "merged", "merge_reshape");
  b.weights("w_o", {kD, kD});
  b.node("MatMul", {"merged", "w_o"}, "attn", "out_proj");
  b.node("Add", {"attn", "x"}, "y", "residual");
  b.output("y");
  return b;
}

Workload import_trace(const OnnxBuilder& b, const std::filesystem::path& path, const std::vector<int64_t>& shape = {}) {
  b.save(path.string());
  const std::string yaml = import_onnx({path.string(), shape}).yaml;
  INFO(yaml);
  return load_workload(ConfigNode::load_string(yaml, "imported.yaml"));
}

const Layer& layer_named(const Workload& w, const std::string& name) {
  for (const Layer& l : w.layers)
    if (l.name == name) return l;
  FAIL("no layer '" << name << "'");
  return w.layers.front();
}

std::string import_error(const OnnxBuilder& b, const std::filesystem::path& path, const std::vector<int64_t>& shape = {}) {
  b.save(path.string());
  try {
    import_onnx({path.string(), shape});
  } catch (const ImportError& e) {
    return e.what();
  }
  FAIL("the model imported");
  return "";
}

}  // namespace

TEST_CASE("A Hugging Face BERT's three inputs import: the token-type lookup and the mask add, the same MACs",
          "[onnx][embedding][transformer]") {
  const auto dir = scratch_dir("onnx_hf_inputs");
  const Workload single = import_trace(bert_like(false), dir / "single.onnx");
  const Workload hf = import_trace(bert_like(true), dir / "hf.onnx");
  // q, k, v and out: 4 x 4 tokens x 8 x 8; scores and context: 2 heads x 4 x 4 x 4 each.
  CHECK(single.macs_per_image() == 4 * kTokens * kD * kD + 2 * kHeads * kTokens * kTokens * kHeadSize);
  CHECK(hf.macs_per_image() == single.macs_per_image());
  // The same layers and one more: the mask's add. The mask's Unsqueeze,
  // Cast, Sub and Mul make none.
  CHECK(hf.layers.size() == single.layers.size() + 1);
  CHECK(hf.input == Shape{1, kTokens, 1});  // one id per token, each input alike
  // The token types are a lookup of the 2-row table by the token_type_ids input.
  const Layer& types = layer_named(hf, "type_lookup");
  CHECK(types.type == LayerType::Embedding);
  CHECK(types.entries == 2);
  CHECK(types.from == std::vector<std::string>{"input"});
  CHECK(types.precision.inputs.bits == 1);
  // The mask is added to the scores of every head, one row of tokens per image.
  const Layer& mask = layer_named(hf, "mask_add");
  CHECK(mask.type == LayerType::Add);
  CHECK(mask.broadcast_row);
  CHECK(mask.from == std::vector<std::string>{"scores", "input"});
  CHECK(mask.C == kTokens);
  CHECK(mask.H == kHeads * kTokens);
  CHECK(mask.vector_ops() == kHeads * kTokens * kTokens);  // one add per score
  CHECK(mask.input_count() == kHeads * kTokens * kTokens + kTokens);  // the scores and the mask's row, not a second copy
  CHECK(mask.macs() == 0);
  // Its plan reads the scores and the row (once per block of rows), not two score tensors.
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const LayerPlan plan = plan_layer(*arch, mask, hf.batch);
  uint64_t loaded = 0;
  for (const GlbTile& t : plan.tiles) loaded += t.input_load_bits;
  const auto bits = static_cast<uint64_t>(mask.precision.inputs.bits);
  CHECK(loaded >= static_cast<uint64_t>(mask.input_count()) * bits);
  CHECK(loaded < static_cast<uint64_t>(2 * kHeads * kTokens * kTokens) * bits);
  // The trace runs.
  std::filesystem::path trace = dir / "hf.yaml";
  REQUIRE(qnnsim_cli("import " + (dir / "hf.onnx").string() + " -o " + trace.string(), dir / "out", dir / "err") == 0);
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + trace.string() + " --quiet", dir / "out",
                   dir / "err") == 0);
  INFO(read_file((dir / "err").string()));
  std::filesystem::remove_all(dir);
}

TEST_CASE("With several inputs, --input-shape N,T gives each token-id input its shape", "[onnx][embedding]") {
  const auto dir = scratch_dir("onnx_hf_input_shape");
  const Workload w = import_trace(bert_like(true, {-1, -1}), dir / "open.onnx", {1, kTokens});
  CHECK(w.macs_per_image() == 4 * kTokens * kD * kD + 2 * kHeads * kTokens * kTokens * kHeadSize);
  CHECK(w.input == Shape{1, kTokens, 1});
  CHECK_THAT(import_error(bert_like(true, {-1, -1}), dir / "open.onnx"),
             Catch::Contains("'input_ids'") && Catch::Contains("--input-shape N,T"));
  CHECK_THAT(import_error(bert_like(true, {-1, -1}), dir / "open.onnx", {1, 3, kTokens}),
             Catch::Contains("'input_ids'") && Catch::Contains("must be N,T"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Graph inputs that are not token ids, or not of one shape, are errors naming the input", "[onnx][embedding]") {
  const auto dir = scratch_dir("onnx_hf_input_errors");
  // A float image beside the token ids.
  {
    OnnxBuilder b = bert_like(false);
    b.input("pixels", {1, 3, 4, 4});
    CHECK_THAT(import_error(b, dir / "e.onnx"), Catch::Contains("'pixels' is FLOAT of rank 4") &&
                                                    Catch::Contains("2 inputs ('input_ids', 'pixels')") &&
                                                    Catch::Contains("rank-2 integer (batch, tokens)"));
  }
  // Two images.
  {
    OnnxBuilder b("two_images", "left", {1, 3, 4, 4});
    b.input("right", {1, 3, 4, 4});
    b.node("Add", {"left", "right"}, "y", "sum");
    b.output("y");
    CHECK_THAT(import_error(b, dir / "e.onnx"),
               Catch::Contains("'left' is FLOAT of rank 4") && Catch::Contains("several inputs are supported only as token ids"));
  }
  // A mask of another length than the ids.
  {
    OnnxBuilder b = bert_like(true);
    b.input("attention_mask", {1, kTokens + 1}, onnx::TensorProto::INT64);
    CHECK_THAT(import_error(b, dir / "e.onnx"), Catch::Contains("'input_ids' (1, 4) and 'attention_mask' (1, 5) differ"));
  }
  std::filesystem::remove_all(dir);
}
