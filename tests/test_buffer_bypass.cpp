// A buffer that does not keep the weights lets them through: the tile loads
// carry none, and every fetch of weights into the PEs reads DRAM instead of
// the buffer, in the closed-form counts and in the simulation alike.
#include <catch2/catch.hpp>

#include "schedule/mapper.h"
#include "schedule/plan_counts.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const std::string kBuffer = "size: 64 KiB, width: 64 bit, banks: 4";

std::string weights_through_yaml() {
  return replace_all(tiny_arch_yaml(), kBuffer, kBuffer + ", keeps: [inputs, outputs]");
}

// fc 64 -> 64 at batch 1: under weight stationary each weight enters the PEs once.
const char* kFc = R"(network: fc
batch: 1
input: {C: 64, H: 1, W: 1}
layers:
  - {name: fc, type: fc, C: 64, M: 64}
)";

const char* kConv = R"(network: conv
batch: 2
input: {C: 8, H: 10, W: 10}
layers:
  - {name: conv, type: conv, C: 8, H: 10, W: 10, M: 12, R: 3, S: 3, padding: 1}
)";

}  // namespace

TEST_CASE("weights that pass the buffer are read from DRAM once per fetch, and never written to the buffer",
          "[bypass]") {
  const auto kept = arch_from_text(tiny_arch_yaml());
  const auto through = arch_from_text(weights_through_yaml());
  const Workload w = workload_from_text(kFc);
  const Layer& l = w.layers[0];
  const LayerPlan plan = plan_layer(*kept, l, 1);
  const GivenMapping given{plan.mapping, VectorTiling{}, ConfigNode::load_string("{}", "given.yaml")};
  const ActionCounts a = count_plan_actions(*kept, l, plan);
  const ActionCounts b = count_plan_actions(*through, l, plan_layer(*through, l, 1, &given));
  // 64 x 64 weights of 8 bits: 512 words of 64 bits loaded into the buffer,
  // and read out of it once, are gone; DRAM reads the same 32,768 bits.
  CHECK(a.at("glb:glb.write") - b.at("glb:glb.write") == 512);
  CHECK(a.at("glb:glb.read") - b.at("glb:glb.read") == 512);
  CHECK(a.at("dram:dram.read_bits") == b.at("dram:dram.read_bits"));
  CHECK(a.at("noc:noc.sent_bits") == b.at("noc:noc.sent_bits"));
}

TEST_CASE("with weights through the buffer, the simulation counts what the closed form counts", "[bypass]") {
  const auto through = arch_from_text(weights_through_yaml());
  const Workload w = workload_from_text(kConv);
  const std::vector<LayerPlan> plans = plan_workload(*through, w);
  const RunResult r = run_plans(*through, w, plans);
  ActionCounts simulated;
  for (const auto& a : r.layers[0].actions) simulated[a.component + ":" + a.action] += a.count;
  const ActionCounts closed = count_plan_actions(*through, w.layers[0], plans[0]);
  CHECK(simulated == closed);
  // Every weight crosses DRAM at least once, and the buffer holds none: its
  // reads and writes are the inputs' and partial sums' alone.
  CHECK(closed.at("dram:dram.read_bits") >= 12u * 8 * 3 * 3 * 8);
  CHECK(r.layers[0].dram_bytes * 8 == closed.at("dram:dram.read_bits") + closed.at("dram:dram.write_bits"));
}

TEST_CASE("a buffer's keeps: names tensors, and the engine keeps inputs and partial sums in it", "[bypass]") {
  SECTION("inputs passing through") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), kBuffer, kBuffer + ", keeps: [weights, outputs]"));
    CHECK(e.key_path() == "components.glb.keeps");
    CHECK_THAT(e.message(), Catch::Contains("must keep the inputs"));
  }
  SECTION("not a tensor") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), kBuffer, kBuffer + ", keeps: [inputs, filters]"));
    CHECK(e.key_path() == "components.glb.keeps[1]");
    CHECK_THAT(e.message(), Catch::Contains("'filters' is not a tensor"));
  }
  SECTION("a partition for a tensor the buffer lets through") {
    const ConfigError e = arch_error(replace_all(
        tiny_arch_yaml(), kBuffer, kBuffer + ", keeps: [inputs, outputs], partitions: {inputs+outputs: 32 KiB, weights: 8 KiB}"));
    CHECK(e.key_path() == "components.glb.partitions.weights");
    CHECK_THAT(e.message(), Catch::Contains("does not keep the weights"));
  }
}
