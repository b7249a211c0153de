// The shipped transformer traces (scripts/make_transformer_workloads.py,
// scripts/make_bert_trace.py, scripts/make_gpt2_traces.py): their MACs
// against published figures or the published shape, and runs on the
// PE-array designs.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

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

TEST_CASE("ViT-B/16 runs on the systolic array and on Eyeriss", "[workloads][transformer][slow]") {
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

TEST_CASE("BERT-base trace: MACs of the published shape, and runs on the systolic array and on Eyeriss",
          "[workloads][transformer][slow]") {
  const std::string bert = shipped("workloads/bert_base.yaml");
  const Workload w = load_workload(bert);
  // BERT-base (Devlin et al., NAACL 2019, section 3): L = 12, H = 768, A = 12
  // heads, feed-forward 4H; a sequence of 128 tokens. Per layer: the q, k, v
  // and output projections, the scores and the context of every head, and
  // the two feed-forward layers; then the pooler on the [CLS] token.
  const int64_t layers = 12, d = 768, heads = 12, ffn = 4 * d, tokens = 128;
  const int64_t per_layer = 4 * tokens * d * d + 2 * heads * tokens * tokens * (d / heads) + 2 * tokens * d * ffn;
  CHECK(w.macs_per_image() == layers * per_layer + d * d);
  CHECK(w.macs_per_image() == 11174215680);  // the figure the trace's header states
  CHECK(count_type(w, LayerType::MatMul) == 2 * layers);
  CHECK(count_type(w, LayerType::Softmax) == layers);
  // The embedding layer norm, then two per layer (BERT normalises after each sub-block).
  CHECK(count_type(w, LayerType::LayerNorm) == 2 * layers + 1);
  CHECK(count_type(w, LayerType::Gelu) == layers);
  CHECK(w.input.C == d);
  CHECK(w.input.H == tokens);

  const auto dir = scratch_dir("bert_runs");
  REQUIRE(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + bert + " --csv " + (dir / "s.csv").string() +
                         " --quiet",
                     dir / "out", dir / "err") == 0);
  double macs = 0;
  for (const auto& row : csv_rows(read_file((dir / "s.csv").string()))) macs += std::stod(row.at("macs"));
  CHECK(macs == static_cast<double>(w.macs_per_image()));
  // Eyeriss' MACs accumulate in 16 bits.
  CHECK(qnnsim_cli("run " + shipped("arch/eyeriss_v1.yaml") + " " + bert + " --bits accumulator=16 --quiet",
                   dir / "out", dir / "err") == 0);
  INFO(read_file((dir / "err").string()));
  std::filesystem::remove_all(dir);
}

namespace {

// GPT-2 small (Radford et al. 2019): 12 layers, d_model 768, 12 heads of 64,
// MLP 3,072, vocabulary 50,257.
constexpr int64_t kLayers = 12, kD = 768, kHeads = 12, kDk = 64, kMlp = 3072, kVocab = 50257;

// MACs of `tokens` new tokens attending to `context` positions.
int64_t gpt2_macs(int64_t tokens, int64_t context) {
  const int64_t linear = tokens * kD * (3 * kD + kD + 2 * kMlp);  // q/k/v, output projection, MLP
  const int64_t attention = 2 * kHeads * tokens * kDk * context;   // scores and context
  return kLayers * (linear + attention) + kD * kVocab;              // the LM head on the last token
}

// Seconds of a run's layers by the resource that bounds each, from its JSON report.
std::map<std::string, double> seconds_by_bound(const std::string& json_path, double* dram_bytes) {
  const auto j = nlohmann::json::parse(read_file(json_path));
  std::map<std::string, double> by;
  *dram_bytes = 0;
  for (const auto& l : j.at("layers")) {
    by[l.at("bound_resource").get<std::string>()] += l.at("latency_s").get<double>();
    *dram_bytes += l.at("dram_bytes").get<double>();
  }
  return by;
}

}  // namespace

TEST_CASE("GPT-2-small traces: prefill of 512 tokens and decode against a KV cache of 1,024", "[workloads][transformer]") {
  const Workload prefill = load_workload(shipped("workloads/gpt2_small_prefill.yaml"));
  const Workload decode = load_workload(shipped("workloads/gpt2_small_decode.yaml"));
  CHECK(prefill.macs_per_image() == gpt2_macs(512, 512));
  CHECK(decode.macs_per_image() == gpt2_macs(1, 1024));
  int64_t caches = 0;
  for (const Layer& l : decode.layers) caches += l.type == LayerType::KvCache ? 1 : 0;
  CHECK(caches == 2 * kLayers);
}

TEST_CASE("GPT-2-small decode reads every weight and the whole KV cache: DRAM bounds it on the TPU v1, the array on "
          "the 16x16 systolic_ws",
          "[workloads][transformer]") {
  const auto dir = scratch_dir("gpt2_decode");
  const std::string decode = shipped("workloads/gpt2_small_decode.yaml");
  const Workload w = load_workload(decode);
  // What one token must bring from DRAM: every weight (8 bits) and both caches of every layer.
  double weights = 0;
  for (const Layer& l : w.layers)
    if (!layer_streams_weights(l.type)) weights += static_cast<double>(l.weight_count());
  const double cache = 2.0 * kLayers * kD * 1024;
  // arch/tpu_v1.yaml as published (Jouppi et al., ISCA 2017): a 256 x 256
  // array at 700 MHz behind two DDR3-2133 channels of 64 bits, 34.1 GB/s.
  REQUIRE(qnnsim_cli("run " + shipped("arch/tpu_v1.yaml") + " " + decode + " --quiet --json " + (dir / "t.json").string(),
                     dir / "out", dir / "err") == 0);
  double dram = 0;
  const auto by = seconds_by_bound((dir / "t.json").string(), &dram);
  CHECK(dram >= weights + cache);
  double total = 0;
  for (const auto& [what, s] : by) total += s;
  INFO("DRAM-bound " << by.at("dram") << " s of " << total);
  CHECK(by.at("dram") >= 0.75 * total);
  // The DRAM-bound layers stream at nearly the channels' peak.
  const auto j = nlohmann::json::parse(read_file((dir / "t.json").string()));
  double bytes = 0, seconds = 0;
  for (const auto& l : j.at("layers"))
    if (l.at("bound_resource") == "dram") {
      bytes += l.at("dram_bytes").get<double>();
      seconds += l.at("latency_s").get<double>();
    }
  CHECK(bytes / seconds >= 0.9 * 2 * 8 * 2133e6);

  // On the shipped 16 x 16 array the array sets decode's pace: a weight-
  // stationary array takes its weights in a row of 16 bytes a cycle at best
  // (11.2 GB/s at 700 MHz), under LPDDR4's 12.8 GB/s, and one token's pass
  // through a tile takes rows + cols - 1 = 31 cycles, so weights flow at
  // 256 B per 31 cycles (5.8 GB/s).
  REQUIRE(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + decode + " --quiet --json " +
                         (dir / "s.json").string(),
                     dir / "out", dir / "err") == 0);
  const auto small = seconds_by_bound((dir / "s.json").string(), &dram);
  CHECK(small.at("compute") >= 0.9 * (small.at("compute") + small.at("dram")));
  const double latency = nlohmann::json::parse(read_file((dir / "s.json").string())).at("summary").at("latency_s");
  const double rate = dram / latency;
  INFO("systolic_ws decode moves " << rate / 1e9 << " GB/s");
  CHECK(rate <= 16 * 700e6);
  CHECK(rate == Approx(256.0 / 31 * 700e6).epsilon(0.05));
  std::filesystem::remove_all(dir);
}
