// ONNX import of embedding lookups, in small models built in the test: a
// rank-2 integer input is token ids; a Gather of a constant table's rows by
// those ids, or by constant ids (positions), is an embedding layer; tables,
// ids and inputs that do not fit are errors naming the node or the input.
// And a BERT exported from its token ids (scripts/bert_model.py
// --embeddings) imports unmodified with its three lookups, and so does one
// exported with Hugging Face's three inputs (--hf-inputs), with a mask add
// per layer.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "core/config_node.h"
#include "importer/onnx_import.h"
#include "schedule/mapper.h"
#include "sim/simulation.h"
#include "onnx_builder.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// Word ids of 5 tokens into a table of 20 rows of 8 features, plus positions
// 0..4 into a table of 16, summed, then a linear layer of 3 outputs.
void lookups(OnnxBuilder& b, const std::vector<int64_t>& positions = {0, 1, 2, 3, 4}) {
  b.weights("word_table", {20, 8});
  b.node("Gather", {"word_table", "ids"}, "words", "word_lookup");
  b.weights("position_table", {16, 8});
  b.int64_constant("position_ids", {1, static_cast<int64_t>(positions.size())}, positions);
  b.node("Gather", {"position_table", "position_ids"}, "positions", "position_lookup");
  b.node("Add", {"words", "positions"}, "summed", "sum");
  b.weights("w", {8, 3});
  b.node("MatMul", {"summed", "w"}, "y", "proj");
  b.output("y");
}

// Saves the model with its input's element type set to `type` (the builder writes float inputs).
std::string save(const OnnxBuilder& b, const std::filesystem::path& path, int type) {
  b.save(path.string());
  onnx::ModelProto m;
  {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(m.ParseFromIstream(&in));
  }
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(type);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  REQUIRE(m.SerializeToOstream(&out));
  return path.string();
}

}  // namespace

TEST_CASE("Token ids through Gathers of constant tables import as embedding layers", "[onnx][embedding]") {
  const auto dir = scratch_dir("onnx_embedding");
  OnnxBuilder b("lookups", "ids", {1, 5});
  lookups(b);
  const std::string yaml = import_onnx({save(b, dir / "m.onnx", onnx::TensorProto::INT64), {}}).yaml;
  // One id per token in; 20 rows need 5-bit ids, 16 rows 4-bit ones.
  CHECK_THAT(yaml, Catch::Contains("input: {C: 1, H: 5, W: 1}") &&
                       Catch::Contains("type: embedding, entries: 20, features: 8, tokens: 5, inputs: {bits: 5,") &&
                       Catch::Contains("type: embedding, entries: 16, features: 8, tokens: 5, from: [input], inputs: {bits: 4,"));
  const Workload w = load_workload(ConfigNode::load_string(yaml, "imported.yaml"));
  REQUIRE(w.layers.size() == 4);
  CHECK(w.layers[0].type == LayerType::Embedding);
  CHECK(w.layers[1].type == LayerType::Embedding);
  CHECK(w.layers[2].type == LayerType::Add);
  CHECK(w.macs_per_image() == 5 * 8 * 3);
  std::filesystem::remove_all(dir);
}

TEST_CASE("A Gather of constant rows by constant ids, in a network not of token ids, is a constant", "[onnx][embedding]") {
  // A sequence of features (batch, tokens, features) plus rows 0..4 of a
  // constant table: folded into a constant added to the input, as before
  // lookups existed, not an embedding layer (which needs token ids to follow).
  const auto dir = scratch_dir("onnx_embedding_folded");
  OnnxBuilder b("folded", "x", {1, 5, 8});
  b.weights("position_table", {16, 8});
  b.int64_constant("position_ids", {1, 5}, {0, 1, 2, 3, 4});
  b.node("Gather", {"position_table", "position_ids"}, "positions", "position_lookup");
  b.node("Add", {"x", "positions"}, "summed", "sum");
  b.weights("w", {8, 3});
  b.node("MatMul", {"summed", "w"}, "y", "proj");
  b.output("y");
  b.save((dir / "m.onnx").string());
  const std::string yaml = import_onnx({(dir / "m.onnx").string(), {}}).yaml;
  CHECK_THAT(yaml, !Catch::Contains("embedding"));
  const Workload w = load_workload(ConfigNode::load_string(yaml, "imported.yaml"));
  CHECK(w.macs_per_image() == 5 * 8 * 3);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Lookups the trace cannot express are errors naming the node or the input", "[onnx][embedding]") {
  const auto dir = scratch_dir("onnx_embedding_errors");
  const auto import_error = [&](const std::vector<int64_t>& dims, int type, auto&& build) {
    OnnxBuilder b("lookups", "ids", dims);
    build(b);
    const std::string path = save(b, dir / "e.onnx", type);
    try {
      import_onnx({path, {}});
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    FAIL("the model imported");
    return std::string();
  };
  const int int64 = onnx::TensorProto::INT64;
  // Constant ids that are not one per token, or outside the table.
  CHECK_THAT(import_error({1, 5}, int64, [](OnnxBuilder& b) { lookups(b, {0, 1, 2, 3}); }),
             Catch::Contains("position_lookup") && Catch::Contains("4 constant ids") && Catch::Contains("5 tokens"));
  CHECK_THAT(import_error({1, 5}, int64, [](OnnxBuilder& b) { lookups(b, {0, 1, 2, 3, 16}); }),
             Catch::Contains("position_lookup") && Catch::Contains("id 16 is outside the table"));
  // A Gather from a constant that is not a matrix of rows.
  CHECK_THAT(import_error({1, 5}, int64,
                          [](OnnxBuilder& b) {
                            b.weights("cube", {4, 4, 4});
                            b.node("Gather", {"cube", "ids"}, "y", "cube_lookup");
                            b.output("y");
                          }),
             Catch::Contains("cube_lookup") && Catch::Contains("rank 2"));
  // A rank-2 input of floats is not token ids; an open token count needs --input-shape.
  CHECK_THAT(import_error({1, 5}, onnx::TensorProto::FLOAT, [](OnnxBuilder& b) { lookups(b); }),
             Catch::Contains("'ids'") && Catch::Contains("not of an integer type") && Catch::Contains("--input-shape"));
  CHECK_THAT(import_error({1, -1}, int64, [](OnnxBuilder& b) { lookups(b); }),
             Catch::Contains("'ids'") && Catch::Contains("--input-shape N,T"));
  std::filesystem::remove_all(dir);
}

namespace {

// DRAM bits a lookup's plan reads as rows (its weights).
uint64_t rows_read(const LayerPlan& plan) {
  uint64_t bits = 0;
  for (const GlbTile& t : plan.tiles) bits += t.weight_load_bits;
  return bits;
}

// scripts/bert_model.py at 2 layers, hidden 64, 4 heads, feed-forward 256,
// 16 tokens; with --embeddings, tables of 1,000 words, 64 positions and 2
// segments.
Workload export_and_import(const std::filesystem::path& dir, const std::string& name, const std::string& options) {
  const std::string model = (dir / (name + ".onnx")).string();
  const std::string cmd = "/usr/bin/python3 " + shipped("scripts/bert_model.py") + " " + model +
                          " --layers 2 --hidden 64 --heads 4 --ffn 256 --tokens 16 " + options + " > " +
                          (dir / "export.log").string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  INFO(read_file((dir / "export.log").string()));
  REQUIRE(rc == 0);
  const std::string trace = (dir / (name + ".yaml")).string();
  const int imported = qnnsim_cli("import " + model + " -o " + trace, dir / "out", dir / "err");
  INFO(read_file((dir / "err").string()));
  REQUIRE(imported == 0);
  return load_workload(trace);
}

}  // namespace

TEST_CASE("A BERT exported from its token ids imports with its three lookups, the same MACs", "[embedding][onnx][transformer]") {
  const auto dir = scratch_dir("bert_embeddings");
  constexpr int64_t kTokens = 16, kD = 64;
  const Workload summed = export_and_import(dir, "summed", "");
  const Workload ids = export_and_import(dir, "ids", "--embeddings --vocabulary 1000 --positions 64 --segments 2");
  CHECK(ids.macs_per_image() == summed.macs_per_image());
  // Three lookups and the two adds that sum them; the rest is the same model.
  CHECK(ids.layers.size() == summed.layers.size() + 5);
  CHECK(ids.input == Shape{1, kTokens, 1});  // one id per token
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const RunResult r = run_simulation(*arch, ids);
  REQUIRE(r.layers.size() == ids.layers.size());
  std::vector<int64_t> entries;
  for (std::size_t i = 0; i < ids.layers.size(); ++i) {
    const Layer& l = ids.layers[i];
    if (l.type != LayerType::Embedding) continue;
    INFO(l.name);
    entries.push_back(l.entries);
    CHECK(l.M == kD);
    CHECK(l.P == kTokens);
    // The rows the ids select, tokens x hidden x 8 bits, and not the table; then the ids themselves.
    const uint64_t rows = rows_read(plan_layer(*arch, l, ids.batch));
    CHECK(rows == static_cast<uint64_t>(kTokens * kD * 8));
    CHECK(action_count(r.layers[i], "dram", "dram.read_bits") == rows + static_cast<uint64_t>(kTokens * l.precision.inputs.bits));
    CHECK(r.layers[i].macs == 0);
  }
  CHECK(entries == std::vector<int64_t>{1000, 64, 2});
  std::filesystem::remove_all(dir);
}

TEST_CASE("A BERT exported with Hugging Face's three inputs imports: a token-type lookup, a mask add per layer, the "
          "same MACs",
          "[embedding][onnx][transformer]") {
  const auto dir = scratch_dir("bert_hf_inputs");
  constexpr int64_t kLayers = 2, kHeads = 4, kTokens = 16;
  const std::string tables = "--vocabulary 1000 --positions 64 --segments 2";
  const Workload ids = export_and_import(dir, "ids", "--embeddings " + tables);
  const Workload hf = export_and_import(dir, "hf", "--hf-inputs " + tables);
  CHECK(hf.macs_per_image() == ids.macs_per_image());
  // The same lookups (the token types read from token_type_ids), and each
  // layer's mask add onto its heads' scores.
  CHECK(hf.layers.size() == ids.layers.size() + kLayers);
  std::vector<std::string> lookups, masks;
  for (const Layer& l : hf.layers) {
    if (l.type == LayerType::Embedding) lookups.push_back(l.name);
    if (l.type != LayerType::Add || !l.broadcast_row) continue;
    masks.push_back(l.name);
    CHECK(l.from.back() == "input");
    CHECK(l.C == kTokens);
    CHECK(l.H == kHeads * kTokens);
  }
  CHECK(lookups == std::vector<std::string>{"embeddings_word_Gather", "embeddings_segment_Gather",
                                            "embeddings_position_Gather"});
  CHECK(masks.size() == static_cast<std::size_t>(kLayers));
  std::filesystem::remove_all(dir);
}
