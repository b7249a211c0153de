// Activation functions a layer applies on the way out (`activations:`,
// written by the import for Sigmoid, Tanh, SiLU, HardSigmoid, HardSwish):
// each output value takes the vector unit's operations of the function's
// definition, after requantization; unknown names and functions on layers
// that only move data are errors naming the key; a dataflow design refuses
// them, naming the layer.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const std::string kTrace = R"(network: activations
batch: 2
input: {C: 8, H: 6, W: 6}
layers:
  - {name: expand, type: conv, C: 8, H: 6, W: 6, M: 16, R: 1, S: 1, activations: [silu]}
  - {name: project, type: conv, C: 16, H: 6, W: 6, M: 8, R: 1, S: 1}
  - {name: pool, type: avgpool, C: 8, H: 6, W: 6, R: 2, S: 2, stride: 2, activations: [hardswish]}
)";

// The count of each vector action of a layer in a JSON report, by its name without the width.
std::map<std::string, uint64_t> vector_counts(const nlohmann::json& layer) {
  std::map<std::string, uint64_t> counts;
  for (const auto& a : layer["actions"]) {
    if (a["component"] != "vector_unit") continue;
    const std::string action = a["action"];
    counts[action.substr(0, action.rfind('.'))] += a["count"].get<uint64_t>();
  }
  return counts;
}

}  // namespace

TEST_CASE("Each activation function takes the operations of its definition per value", "[workloads]") {
  const Workload w = workload_from_text(kTrace);
  REQUIRE(w.layers[0].activations == std::vector<ActivationFunction>{ActivationFunction::SiLU});
  // SiLU: x sigmoid(x) = x / (1 + exp(-x)): an exp, an add, a divide, a multiply.
  const VectorOps silu = w.layers[0].activation_work(10);
  CHECK(silu.exp == 10);
  CHECK(silu.add == 10);
  CHECK(silu.divide == 10);
  CHECK(silu.mult == 10);
  CHECK(silu.sqrt == 0);
  // Hard-swish: x clamp(x/6 + 1/2, 0, 1): 2 multiplies, an add and 2 compares, no exp.
  const VectorOps hs = w.layers[2].activation_work(10);
  CHECK(hs.mult == 20);
  CHECK(hs.add == 30);
  CHECK(hs.exp == 0);
  CHECK(w.layers[1].activation_work(10).any() == false);
  // Functions add up in order.
  const Workload two = workload_from_text(replace_all(kTrace, "activations: [silu]", "activations: [sigmoid, tanh]"));
  CHECK(two.layers[0].activation_work(1).exp == 2);
  CHECK(two.layers[0].activation_work(1).add == 3);
}

TEST_CASE("An unknown activation function, or one on a data-movement layer, is an error naming the key",
          "[workloads]") {
  CHECK_THROWS_WITH(workload_from_text(replace_all(kTrace, "activations: [silu]", "activations: [relu]")),
                    Catch::Contains("tiny_workload.yaml:5") && Catch::Contains("unknown activation function 'relu'") &&
                        Catch::Contains("sigmoid, tanh, silu, hardsigmoid, hardswish"));
  const std::string moved = std::string(kTrace) +
                            "  - {name: moved, type: transpose, C: 8, H: 3, W: 3, activations: [sigmoid]}\n";
  CHECK_THROWS_WITH(workload_from_text(moved), Catch::Contains("activations") && Catch::Contains("moves data"));
}

TEST_CASE("A run prices an array layer's functions on its outputs and a vector layer's on its tiles",
          "[workloads]") {
  const auto dir = scratch_dir("activation_run");
  std::ofstream(dir / "a.yaml") << kTrace;
  REQUIRE(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + (dir / "a.yaml").string() + " --quiet --json " +
                         (dir / "r.json").string(),
                     dir / "out", dir / "err") == 0);
  const auto report = nlohmann::json::parse(read_file((dir / "r.json").string()));
  // expand: 2 images x 16 x 6 x 6 outputs, each requantized, then SiLU.
  const auto expand = vector_counts(report["layers"][0]);
  INFO(report["layers"][0]["actions"].dump());
  CHECK(expand.at("vector.exp") == 2 * 16 * 36);
  CHECK(expand.at("vector.divide") == 2 * 16 * 36);
  CHECK(expand.at("vector.mult") == 2 * 16 * 36);
  // project has no function: no exp, no divide.
  const auto project = vector_counts(report["layers"][1]);
  CHECK(project.count("vector.exp") == 0);
  CHECK(project.count("vector.divide") == 0);
  // pool: 2 x 8 x 3 x 3 outputs of 4 adds each (a 2x2 window), then 3 adds and 2 multiplies of hard-swish.
  const auto pool = vector_counts(report["layers"][2]);
  CHECK(pool.at("vector.op") == 2 * 72 * (4 + 3));
  CHECK(pool.at("vector.mult") == 2 * 72 * 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("A level design prices an array layer's functions in its output stage", "[workloads]") {
  const auto dir = scratch_dir("activation_levels");
  std::ofstream(dir / "a.yaml") << kTrace;
  // Its MACs accumulate in 24 bits.
  REQUIRE(qnnsim_cli("run " + shipped("arch/levels/simba_like.yaml") + " " + (dir / "a.yaml").string() +
                         " --bits accumulator=16 --quiet --json " + (dir / "r.json").string(),
                     dir / "out", dir / "err") == 0);
  const auto report = nlohmann::json::parse(read_file((dir / "r.json").string()));
  std::map<std::string, uint64_t> expand, project;
  for (const auto& [layer, counts] : {std::pair{0, &expand}, std::pair{1, &project}})
    for (const auto& a : report["layers"][layer]["actions"])
      if (a["component"] == "vector") (*counts)[a["action"].get<std::string>()] += a["count"].get<uint64_t>();
  INFO(report["layers"][0]["actions"].dump());
  CHECK(expand["exp"] == 2 * 16 * 36);
  CHECK(expand["divide"] == 2 * 16 * 36);
  CHECK(project.count("exp") == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("A dataflow design refuses a layer with an activation function, naming it", "[workloads][dataflow]") {
  const auto dir = scratch_dir("activation_dataflow");
  std::ofstream(dir / "a.yaml") << kTrace;
  CHECK(qnnsim_cli("run " + shipped("arch/finn_cnv_max.yaml") + " " + (dir / "a.yaml").string() + " --quiet",
                   dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()),
             Catch::Contains("a.yaml:5") && Catch::Contains("(expand)") && Catch::Contains("silu"));
  std::filesystem::remove_all(dir);
}
