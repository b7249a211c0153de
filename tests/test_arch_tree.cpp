// The architecture is a tree of registered components: each entry of
// `components:` names its parent with `under:`. Bad trees (an unknown class or
// parent, two roots, a cycle, a component where the engine cannot take it) and
// bad buffer partitions are errors naming the file, line and key.
#include <catch2/catch.hpp>

#include <sstream>

#include "arch/roles.h"
#include "schedule/mapper.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kConv = R"(network: one_conv
batch: 1
input: {C: 64, H: 14, W: 14}
layers:
  - {name: conv, type: conv, C: 64, H: 14, W: 14, M: 64, R: 3, S: 3, padding: 1}
)";

}  // namespace

TEST_CASE("the shipped designs load as trees and the roles sit where the tree puts them", "[tree]") {
  for (const char* file : {"arch/systolic_ws.yaml", "arch/eyeriss_v1.yaml"}) {
    const auto a = load_arch(shipped(file));
    CHECK(a->glb->node().path() == "components.glb");
    CHECK(a->pe_array->node().path() == "components.pe_array");
    CHECK(a->components().size() == 5);
  }
}

TEST_CASE("component names are the user's: the roles come from the tree, not from the keys", "[tree]") {
  std::string yaml = tiny_arch_yaml();
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"  glb: {under: dram", "  GlobalBuffer: {under: dram"},
                                 {"under: glb", "under: GlobalBuffer"}})
    yaml = replace_all(yaml, from, to);
  const auto a = arch_from_text(yaml);
  CHECK(a->glb->instance() == "GlobalBuffer");
  CHECK(a->glb->capacity_bits() == 64 * 1024 * 8);
}

TEST_CASE("an unknown class names every registered class by kind", "[tree]") {
  const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "class: SRAMBuffer", "class: SRAMBufer"));
  CHECK(e.key_path() == "components.glb.class");
  CHECK(e.where().line == 8);
  CHECK_THAT(e.message(), Catch::Contains("unknown class 'SRAMBufer'") && Catch::Contains("buffer: RegisterFile, SRAMBuffer"));
}

TEST_CASE("a parent that does not exist is an error at under", "[tree]") {
  const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "noc: {under: glb", "noc: {under: gbl"));
  CHECK(e.key_path() == "components.noc.under");
  CHECK_THAT(e.message(), Catch::Contains("no component is named 'gbl'"));
}

TEST_CASE("a cycle of parents is an error naming the loop", "[tree]") {
  // dram stays the root; glb and noc each sit under the other.
  const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "glb: {under: dram", "glb: {under: noc"));
  CHECK(e.key_path() == "components.glb.under");
  CHECK_THAT(e.message(), Catch::Contains("cycle") && Catch::Contains("glb > noc > glb"));
}

TEST_CASE("two components without a parent are two roots, an error", "[tree]") {
  const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "glb: {under: dram, ", "glb: {"));
  CHECK(e.key_path() == "components.glb.class");
  CHECK_THAT(e.message(), Catch::Contains("'dram' is already the outermost component"));
}

TEST_CASE("a component where the engine cannot take it says the shape it composes", "[tree]") {
  SECTION("the vector unit under the network") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "vector_unit: {under: glb", "vector_unit: {under: noc"));
    CHECK(e.key_path() == "components.vector_unit.under");
    CHECK_THAT(e.message(), Catch::Contains("cannot sit under 'noc' (dram > glb > noc)"));
  }
  SECTION("a buffer at the root") {
    std::string yaml = replace_all(tiny_arch_yaml(), "glb: {under: dram, ", "glb: {");
    yaml = replace_all(yaml, "dram: {class: DRAM,", "dram: {under: glb, class: DRAM,");
    const ConfigError e = arch_error(yaml);
    CHECK(e.key_path() == "components.glb.class");
    CHECK_THAT(e.message(), Catch::Contains("must be off-chip memory"));
  }
  SECTION("no vector unit") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "  vector_unit: {under: glb, class: VectorUnit, lanes: 4, bits: 16}\n", ""));
    CHECK(e.key_path() == "components.glb.class");
    CHECK_THAT(e.message(), Catch::Contains("needs a vector unit below it"));
  }
  SECTION("a second array under the network") {
    const ConfigError e = arch_error(tiny_arch_yaml() +
                                     "  second: {under: noc, class: SystolicArray, rows: 2, cols: 2, mac: {class: IntMAC, "
                                     "weight_bits: 8, input_bits: 8, accumulator_bits: 32}, spad: {weights: 2, inputs: 1, psums: 1}}\n");
    CHECK(e.key_path() == "components.second.under");
    CHECK_THAT(e.message(), Catch::Contains("already has a PE array ('pe_array')"));
  }
}

TEST_CASE("a second implementation under a registered name is refused", "[tree]") {
  const auto again = [](const ConfigNode&, const BuildContext&) { return std::unique_ptr<BufferSpec>(); };
  CHECK_THROWS_WITH(BufferSpec::Registry::instance().add("SRAMBuffer", again),
                    Catch::Contains("two implementations are registered as 'SRAMBuffer'"));
  CHECK(BufferSpec::Registry::instance().add("SomeNewBuffer", again));
}

TEST_CASE("buffer partitions must name each tensor once and fit the buffer", "[tree][partitions]") {
  const std::string base = "size: 64 KiB, width: 64 bit, banks: 4";
  SECTION("larger than the buffer") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), base, base + ", partitions: {inputs+outputs: 60 KiB, weights: 8 KiB}"));
    CHECK(e.key_path() == "components.glb.partitions.weights");
    CHECK_THAT(e.message(), Catch::Contains("more than the buffer's size"));
  }
  SECTION("a tensor in no partition") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), base, base + ", partitions: {inputs+outputs: 60 KiB}"));
    CHECK(e.key_path() == "components.glb.partitions");
    CHECK_THAT(e.message(), Catch::Contains("no partition holds the weights"));
  }
  SECTION("a tensor in two") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), base, base + ", partitions: {inputs+weights: 32 KiB, weights+outputs: 8 KiB}"));
    CHECK(e.key_path() == "components.glb.partitions.weights+outputs");
    CHECK_THAT(e.message(), Catch::Contains("already held by partition 'inputs+weights'"));
  }
  SECTION("not a tensor") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), base, base + ", partitions: {inputs+filters: 32 KiB}"));
    CHECK_THAT(e.message(), Catch::Contains("'filters' is not a tensor"));
  }
}

TEST_CASE("a partitioned buffer holds each tensor's tile in its own part", "[tree][partitions]") {
  const std::string base = "size: 64 KiB, width: 64 bit, banks: 4";
  const auto shared = arch_from_text(tiny_arch_yaml());
  const auto split =
      arch_from_text(replace_all(tiny_arch_yaml(), base, base + ", partitions: {inputs+outputs: 62 KiB, weights: 2 KiB}"));
  const Workload w = workload_from_text(kConv);
  const std::vector<LayerPlan> free_plans = plan_workload(*shared, w);
  const std::vector<LayerPlan> split_plans = plan_workload(*split, w);
  const ConfigNode here = ConfigNode::load_string("{}", "given.yaml");
  // The split buffer's own choice fits it; the shared buffer's choice does not,
  // because it holds more than 2 KiB of weights per tile over its two slots.
  CHECK_NOTHROW(check_mapping(*split, w.layers[0], 1, split_plans[0].mapping, here));
  try {
    check_mapping(*split, w.layers[0], 1, free_plans[0].mapping, here);
    FAIL("expected the weights partition to overflow");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.message(), Catch::Contains("their partition (components.glb.partitions.weights) holds 16384"));
  }
  // The same total capacity, but fewer weights per tile: more tiles.
  CHECK(split_plans[0].tiles.size() > free_plans[0].tiles.size());
}

TEST_CASE("an energy table name the OS refuses is an error at its key, not an exception", "[tree][reliability]") {
  // The YAML fuzzer's finding: a 5,000-character name made the existence check throw.
  const ConfigError e =
      arch_error(replace_all(tiny_arch_yaml(), "energy_table: horowitz_45nm", "energy_table: " + std::string(5000, 'x')));
  CHECK(e.key_path() == "energy_table");
  CHECK_THAT(e.message(), Catch::Contains("cannot be read") || Catch::Contains("does not exist"));
}
