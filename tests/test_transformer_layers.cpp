// Transformer layers in a trace: a matrix product of two activations on the
// PE array, softmax, layer norm and GELU on the vector unit with their own
// operation kinds, and data movement (transpose, split, concat) costed as
// traffic. One small attention block and MLP, sizes chosen to leave
// remainders on the tiny arrays.
#include <catch2/catch.hpp>

#include <fstream>

#include "schedule/mapper.h"
#include "schedule/nest_counts.h"
#include "schedule/plan_counts.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// Two heads of 8 features over 10 tokens; the second matmul's inner size
// (10 keys) does not fill a 4-row array.
const char* kBlock = R"(network: block
batch: 2
input: {C: 16, H: 10, W: 1}
layers:
  - {name: ln, type: layernorm, C: 16, H: 10}
  - {name: qkv, type: conv, C: 16, H: 10, W: 1, M: 48, R: 1, S: 1}
  - {name: q, type: split, C: 16, H: 10, from: [qkv]}
  - {name: k, type: split, C: 16, H: 10, from: [qkv]}
  - {name: v, type: split, C: 16, H: 10, from: [qkv]}
  - {name: kt, type: transpose, C: 10, H: 16, from: [k]}
  - {name: scores, type: matmul, heads: 2, rows: 10, inner: 8, cols: 10, from: [q, kt]}
  - {name: probs, type: softmax, C: 10, H: 20}
  - {name: context, type: matmul, heads: 2, rows: 10, inner: 10, cols: 8, from: [probs, v]}
  - {name: proj, type: conv, C: 16, H: 10, W: 1, M: 16, R: 1, S: 1}
  - {name: res, type: add, C: 16, H: 10, W: 1, from: [proj, input]}
  - {name: up, type: conv, C: 16, H: 10, W: 1, M: 32, R: 1, S: 1}
  - {name: act, type: gelu, C: 32, H: 10}
  - {name: down, type: conv, C: 32, H: 10, W: 1, M: 16, R: 1, S: 1}
  - {name: cat, type: concat, C: 16, H: 11, from: [down]}
)";

const Layer& layer(const Workload& w, const std::string& name) {
  for (const Layer& l : w.layers)
    if (l.name == name) return l;
  FAIL("no layer " << name);
  return w.layers.front();
}

std::string differences(const ActionCounts& simulated, const ActionCounts& analytic) {
  std::string out;
  ActionCounts all = simulated;
  for (const auto& [k, v] : analytic) all[k] += 0 * v;
  for (const auto& [k, v] : all) {
    const uint64_t a = simulated.count(k) ? simulated.at(k) : 0, b = analytic.count(k) ? analytic.at(k) : 0;
    if (a != b) out += k + ": simulated " + std::to_string(a) + ", analytic " + std::to_string(b) + "; ";
  }
  return out;
}

void compare_counts(const ArchSpec& arch) {
  const Workload w = workload_from_text(kBlock);
  const std::vector<LayerPlan> plans = plan_workload(arch, w);
  const RunResult r = run_simulation(arch, w);
  REQUIRE(r.layers.size() == w.layers.size());
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    INFO("layer " << w.layers[i].name << ", " << plans[i].tiling);
    ActionCounts simulated;
    for (const auto& a : r.layers[i].actions) simulated[a.component + ":" + a.action] += a.count;
    const ActionCounts analytic = count_plan_actions(arch, w.layers[i], plans[i]);
    INFO(differences(simulated, analytic));
    CHECK(simulated == analytic);
    CHECK(r.layers[i].latency_s >= plan_latency_bound(arch, w.layers[i], plans[i]).seconds * (1 - 1e-9));
  }
}

}  // namespace

TEST_CASE("Transformer layers: MACs and vector operations follow from the shapes", "[transformer][workloads]") {
  const Workload w = workload_from_text(kBlock);
  // Per head rows x inner x cols.
  CHECK(layer(w, "scores").macs() == 2 * 10 * 8 * 10);
  CHECK(layer(w, "context").macs() == 2 * 10 * 10 * 8);
  CHECK(layer(w, "scores").output_shape() == Shape{20, 10, 1});
  // Softmax over 200 values: per value 3 adds, an exponential, a divide.
  const VectorOps soft = layer(w, "probs").vector_work(200);
  CHECK((soft.add == 600 && soft.exp == 200 && soft.divide == 200 && soft.mult == 0 && soft.sqrt == 0));
  // Layer norm over 10 positions of 16: per value 4 adds, 3 multiplies; per
  // position an add, 3 divides and a square root.
  const VectorOps norm = layer(w, "ln").vector_work(160);
  CHECK((norm.add == 650 && norm.mult == 480 && norm.divide == 30 && norm.sqrt == 10 && norm.exp == 0));
  const VectorOps gelu = layer(w, "act").vector_work(320);
  CHECK((gelu.add == 1280 && gelu.mult == 1280 && gelu.exp == 0));
  // Data movement computes nothing.
  CHECK(!layer(w, "kt").vector_work(160).any());
  CHECK(!layer(w, "cat").vector_work(176).any());
}

TEST_CASE("Transformer layers: simulated counts equal the closed form on a systolic array", "[transformer][analytic]") {
  compare_counts(*arch_from_text(tiny_arch_yaml()));
}

TEST_CASE("Transformer layers: simulated counts equal the closed form on a row-stationary array", "[transformer][analytic]") {
  compare_counts(*arch_from_text(tiny_spatial_arch_yaml("64 KiB")));
}

TEST_CASE("A matmul's second operand streams per image: never shared across the batch", "[transformer][mapper]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kBlock);
  const Layer& scores = layer(w, "scores");
  const LayerPlan plan = plan_layer(*arch, scores, w.batch);
  REQUIRE(plan.uses_array);
  // Weights would be read once for both images; the keys of each image are
  // its own: 2 images x 2 heads x 8 x 10 values of 8 bits at least.
  const NestCounts n = count_nest(*arch, scores, plan.bounds, plan.mapping, arch->dataflow);
  CHECK(n[Operand::Weights].dram_bits >= 2u * 2 * 8 * 10 * 8);
  CHECK(plan.bounds.extent[kN] == 1);
  CHECK(plan.bounds.extent[kG] == 2 * 2);
}

TEST_CASE("Vector unit: an exponential, a divide and a root are priced as their adds and multiplies", "[transformer][report]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const VectorSpec& v = *arch->vector_unit;
  const double add = v.action_energy_pj({"vector", "op", 8}), mult = v.action_energy_pj({"vector", "mult", 8});
  CHECK(mult > add);
  CHECK(v.action_energy_pj({"vector", "exp", 8}) == Approx(4 * mult + 3 * add));
  CHECK(v.action_energy_pj({"vector", "divide", 8}) == Approx(8 * add));
  CHECK(v.action_energy_pj({"vector", "sqrt", 8}) == Approx(4 * add));
  CHECK(v.lane_cycles(VectorOps{1, 1, 1, 1, 1}, 8) == 1 + 1 + 7 + 8 + 4);
}

TEST_CASE("Transformer layers: operands that do not match are errors naming the layer", "[transformer][workloads]") {
  const auto error_of = [](const std::string& text) {
    try {
      workload_from_text(text);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    FAIL("the workload loaded");
    return std::string();
  };
  const std::string wrong_keys = replace_all(kBlock, "inner: 8, cols: 10", "inner: 8, cols: 12");
  CHECK_THAT(error_of(wrong_keys), Catch::Contains("scores") && Catch::Contains("matmul operand 2") &&
                                       Catch::Contains("'kt' outputs"));
  const std::string one_operand = replace_all(kBlock, "from: [q, kt]", "from: [q]");
  CHECK_THAT(error_of(one_operand), Catch::Contains("matmul takes 2 producers"));
  const std::string wrong_softmax = replace_all(kBlock, "type: softmax, C: 10, H: 20", "type: softmax, C: 10, H: 21");
  CHECK_THAT(error_of(wrong_softmax), Catch::Contains("softmax") && Catch::Contains("does not match the 200 values"));
  const std::string strided = replace_all(kBlock, "type: gelu, C: 32, H: 10", "type: gelu, C: 32, H: 10, stride: 2");
  CHECK_THAT(error_of(strided), Catch::Contains("stride"));
}

TEST_CASE("Transformer layers on an in-memory design are an error naming the layer", "[transformer][imc]") {
  const auto dir = scratch_dir("transformer_isaac");
  const std::string trace = (dir / "block.yaml").string();
  {
    std::ofstream(trace) << kBlock;
  }
  CHECK(qnnsim_cli("run " + shipped("arch/isaac.yaml") + " " + trace + " --quiet", dir / "out", dir / "err") != 0);
  CHECK_THAT(read_file((dir / "err").string()),
             Catch::Contains("ln") && Catch::Contains("layernorm") && Catch::Contains("keeps every weight resident"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("A KV cache writes only what it appends and outputs the whole cache", "[transformer][workloads]") {
  const char* decode = R"(network: decode
input: {C: 16, H: 1, W: 1}
layers:
  - {name: k, type: conv, C: 16, H: 1, W: 1, M: 16, R: 1, S: 1}
  - {name: cache, type: kv_cache, C: 16, H: 40, append: 1}
  - {name: q, type: conv, C: 16, H: 1, W: 1, M: 16, R: 1, S: 1, from: [input]}
  - {name: scores, type: matmul, heads: 2, rows: 1, inner: 8, cols: 40, from: [q, cache]}
)";
  const Workload w = workload_from_text(decode);
  const Layer& cache = layer(w, "cache");
  CHECK(cache.output_shape() == Shape{16, 40, 1});  // what the matmul reads: 2 heads x 8 x 40
  CHECK(cache.output_count() == 16);                // what it writes: one position
  const auto arch = arch_from_text(tiny_arch_yaml());
  const LayerPlan plan = plan_layer(*arch, cache, w.batch);
  uint64_t read = 0, written = 0;
  for (const GlbTile& t : plan.tiles) {
    read += t.input_dram_bits;
    written += t.output_store_bits;
  }
  CHECK(read == 16u * 8);
  CHECK(written == 16u * 8);
  CHECK_THROWS_WITH(workload_from_text(replace_all(decode, "append: 1", "append: 41")), Catch::Contains("append"));
}
