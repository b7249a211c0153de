// The shipped transformer traces (scripts/make_transformer_workloads.py):
// their MACs against published figures, and runs on the PE-array designs.
#include <catch2/catch.hpp>

#include <cmath>

#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

int64_t count_type(const Workload& w, LayerType t) {
  int64_t n = 0;
  for (const Layer& l : w.layers) n += l.type == t ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("ViT-B/16 trace: the published MACs and the model's shape", "[workloads][transformer]") {
  const Workload w = load_workload(shipped("workloads/vit_b_16.yaml"));
  // ViT-B (Dosovitskiy et al., ICLR 2021, Table 1): 12 layers, hidden 768,
  // MLP 3072, 12 heads; patch 16 at 224x224: 196 patches and a class token.
  const int64_t layers = 12, d = 768, mlp = 3072, heads = 12, patches = 196, tokens = patches + 1;
  const int64_t per_layer = tokens * d * 3 * d                        // q, k and v
                            + 2 * heads * tokens * tokens * (d / heads)  // scores and context
                            + tokens * d * d                            // output projection
                            + 2 * tokens * d * mlp;                     // the MLP
  const int64_t expected = patches * (3 * 16 * 16) * d + layers * per_layer + d * 1000;
  CHECK(w.macs_per_image() == expected);
  // torchvision's documentation of ViT_B_16_Weights.IMAGENET1K_V1: 17.56 GFLOPS
  // (multiply-accumulates), given to two decimals.
  CHECK(std::round(static_cast<double>(w.macs_per_image()) / 1e7) / 100 == Approx(17.56));
  CHECK(count_type(w, LayerType::MatMul) == 2 * layers);
  CHECK(count_type(w, LayerType::Softmax) == layers);
  CHECK(count_type(w, LayerType::LayerNorm) == 2 * layers + 1);
  CHECK(count_type(w, LayerType::Gelu) == layers);
}

TEST_CASE("ViT-B/16 runs on the systolic array and on Eyeriss", "[workloads][transformer]") {
  const auto dir = scratch_dir("vit_runs");
  const std::string vit = shipped("workloads/vit_b_16.yaml");
  // The systolic array accumulates in 32 bits, as the trace does.
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + vit + " --csv " + (dir / "s.csv").string() +
                       " --quiet",
                   dir / "out", dir / "err") == 0);
  INFO(read_file((dir / "err").string()));
  const Workload w = load_workload(vit);
  const auto rows = csv_rows(read_file((dir / "s.csv").string()));
  REQUIRE(rows.size() == w.layers.size());
  double macs = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    macs += std::stod(rows[i].at("macs"));
    const Layer& l = w.layers[i];
    if (l.type != LayerType::MatMul) continue;
    // Both operands come from DRAM and the product goes back: at least
    // A, B and the output once each, 8-bit values.
    INFO(l.name);
    CHECK(std::stod(rows[i].at("offchip_bytes")) >= static_cast<double>(l.input_count() + l.weight_count() + l.output_count()));
  }
  CHECK(macs == static_cast<double>(w.macs_per_image()));
  // Eyeriss' MACs accumulate in 16 bits.
  CHECK(qnnsim_cli("run " + shipped("arch/eyeriss_v1.yaml") + " " + vit + " --bits accumulator=16 --quiet", dir / "out",
                   dir / "err") == 0);
  INFO(read_file((dir / "err").string()));
  // ISAAC keeps weights resident and cannot run a matmul: an error naming the layer.
  CHECK(qnnsim_cli("run " + shipped("arch/isaac.yaml") + " " + vit + " --quiet", dir / "out", dir / "err") != 0);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("keeps every weight resident"));
  std::filesystem::remove_all(dir);
}
