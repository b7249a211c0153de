// A BERT encoder written in PyTorch (scripts/bert_model.py, the model behind
// workloads/bert_base.yaml), small enough to export in the test, imports
// unmodified in both of its attention forms (matmul and torch.einsum) and at
// opsets 13 and 17 (LayerNormalization an op of its own), each with the MACs
// derived from its shape.
#include <catch2/catch.hpp>

#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// 2 layers, hidden 64, 4 heads of 16, feed-forward 256, 16 tokens.
constexpr int64_t kLayers = 2, kD = 64, kHeads = 4, kFfn = 256, kTokens = 16;

Workload export_and_import(const std::filesystem::path& dir, const std::string& attention, int opset) {
  const std::string model = (dir / (attention + std::to_string(opset) + ".onnx")).string();
  const std::string cmd = "/usr/bin/python3 " + shipped("scripts/bert_model.py") + " " + model +
                          " --layers 2 --hidden 64 --heads 4 --ffn 256 --tokens 16 --attention " + attention +
                          " --opset " + std::to_string(opset) + " > " + (dir / "export.log").string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  INFO(read_file((dir / "export.log").string()));
  REQUIRE(rc == 0);
  const std::string trace = (dir / "trace.yaml").string();
  const int imported = qnnsim_cli("import " + model + " -o " + trace, dir / "out", dir / "err");
  INFO(read_file((dir / "err").string()));
  REQUIRE(imported == 0);
  return load_workload(trace);
}

int64_t count(const Workload& w, LayerType t) {
  int64_t n = 0;
  for (const Layer& l : w.layers) n += l.type == t ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("A small BERT exported from PyTorch imports with matmul and with einsum attention, at opsets 13 and 17",
          "[onnx][torchvision][transformer]") {
  const auto dir = scratch_dir("bert_export");
  // Per layer: q, k, v and output projections, scores and context of each head, the feed-forward pair; then the pooler.
  const int64_t macs = kLayers * (4 * kTokens * kD * kD + 2 * kHeads * kTokens * kTokens * (kD / kHeads) +
                                  2 * kTokens * kD * kFfn) +
                       kD * kD;
  const Workload matmul = export_and_import(dir, "matmul", 13);
  CHECK(matmul.macs_per_image() == macs);
  CHECK(count(matmul, LayerType::MatMul) == 2 * kLayers);
  // q, v, k (its two transposes exported as one) and the context are transposed in this form.
  CHECK(count(matmul, LayerType::Transpose) == 4 * kLayers);
  const Workload einsum = export_and_import(dir, "einsum", 13);
  CHECK(einsum.macs_per_image() == macs);
  CHECK(count(einsum, LayerType::MatMul) == 2 * kLayers);
  // The einsum reads each projection in its own layout: no transposes.
  CHECK(count(einsum, LayerType::Transpose) == 0);
  const Workload opset17 = export_and_import(dir, "matmul", 17);
  CHECK(opset17.macs_per_image() == macs);
  CHECK(count(opset17, LayerType::LayerNorm) == 2 * kLayers + 1);
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + (dir / "trace.yaml").string() + " --quiet",
                   dir / "out", dir / "err") == 0);
  std::filesystem::remove_all(dir);
}
