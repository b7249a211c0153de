// Bad input ends in a ConfigError that names file, line, column and key path
// and says what was expected; one case per kind of mistake.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "schedule/mapper.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// Line (1-based) and column (1-based) of the first occurrence of `needle`.
std::pair<int, int> position_of(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < at; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return {line, static_cast<int>(at - line_start) + 1};
}

ConfigError workload_error(const std::string& yaml) {
  try {
    workload_from_text(yaml);
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError");
  throw;
}

const char* kTwoConvs = R"(network: two_convs
batch: 1
input: {C: 3, H: 8, W: 8}
layers:
  - {name: conv1, type: conv, C: 3, H: 8, W: 8, M: 6, R: 3, S: 3, padding: 1}
  - {name: conv2, type: conv, C: 6, H: 8, W: 8, M: 4, R: 3, S: 3}
)";

}  // namespace

TEST_CASE("an unknown key names its file, line, column and key path", "[validation]") {
  const std::string yaml = replace_all(tiny_arch_yaml(), "banks: 4}", "banks: 4, bnaks: 2}");
  const ConfigError e = arch_error(yaml);
  CHECK(e.where().file == "tiny_arch.yaml");
  CHECK(std::make_pair(e.where().line, e.where().column) == position_of(yaml, "bnaks"));
  CHECK(e.key_path() == "components.glb.bnaks");
  CHECK_THAT(e.message(), Catch::Contains("unknown key"));
  CHECK_THAT(std::string(e.what()), Catch::StartsWith("tiny_arch.yaml:8:"));
}

TEST_CASE("a missing key is named with the mapping that lacks it", "[validation]") {
  const std::string yaml = replace_all(tiny_arch_yaml(), "    rows: 4\n", "");
  const ConfigError e = arch_error(yaml);
  CHECK(e.key_path() == "components.pe_array.rows");
  CHECK(e.where().line == position_of(yaml, "class: SystolicArray").first);
  CHECK_THAT(e.message(), Catch::Contains("required key is missing"));
}

TEST_CASE("a value of the wrong type says what was expected", "[validation]") {
  SECTION("text where an integer belongs") {
    const std::string yaml = replace_all(tiny_arch_yaml(), "rows: 4", "rows: four");
    const ConfigError e = arch_error(yaml);
    CHECK(e.key_path() == "components.pe_array.rows");
    CHECK(e.where().line == position_of(yaml, "four").first);
    CHECK_THAT(e.message(), Catch::Contains("expected an integer"));
  }
  SECTION("a size without a unit") {
    const std::string yaml = replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: 64");
    const ConfigError e = arch_error(yaml);
    CHECK(e.key_path() == "components.glb.size");
    CHECK_THAT(e.message(), Catch::Contains("with a unit") && Catch::Contains("has no unit"));
  }
  SECTION("a unit of the wrong dimension") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "clock: 1 GHz", "clock: 1 ns"));
    CHECK(e.key_path() == "technology.clock");
    CHECK_THAT(e.message(), Catch::Contains("a frequency"));
  }
  SECTION("a list where a layer mapping belongs") {
    const ConfigError e = workload_error(replace_all(kTwoConvs, "  - {name: conv2", "  - [conv2]\n  - {name: conv3"));
    CHECK(e.key_path() == "layers[1]");
    CHECK_THAT(e.message(), Catch::Contains("expected a layer"));
  }
}

TEST_CASE("impossible values are rejected", "[validation]") {
  SECTION("zero size") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: 0 KiB"));
    CHECK(e.key_path() == "components.glb.size");
    CHECK_THAT(e.message(), Catch::Contains("greater than zero"));
  }
  SECTION("negative size") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: -64 KiB"));
    CHECK(e.key_path() == "components.glb.size");
  }
  SECTION("zero rows") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "rows: 4", "rows: 0"));
    CHECK(e.key_path() == "components.pe_array.rows");
    CHECK_THAT(e.message(), Catch::Contains(">= 1"));
  }
  SECTION("a layer with zero output channels") {
    const ConfigError e = workload_error(replace_all(kTwoConvs, "M: 4", "M: 0"));
    CHECK(e.key_path() == "layers[1].M");
    CHECK(e.where().line == 6);
  }
  SECTION("an unknown class") {
    const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "class: SRAMBuffer", "class: SRAMBufer"));
    CHECK(e.key_path() == "components.glb.class");
    CHECK_THAT(e.message(), Catch::Contains("SRAMBuffer"));
  }
}

TEST_CASE("a buffer that cannot hold one tile names the buffer size and the layer", "[validation]") {
  const std::string yaml = replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: 1 Kib");
  const auto arch = arch_from_text(yaml);
  const Workload w = workload_from_text(kTwoConvs);
  try {
    plan_workload(*arch, w);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.where().file == "tiny_arch.yaml");
    CHECK(e.where().line == position_of(yaml, "1 Kib").first);
    CHECK(e.key_path() == "components.glb.size");
    CHECK_THAT(e.message(), Catch::Contains("conv1") && Catch::Contains("cannot hold one tile"));
  }
}

TEST_CASE("a layer whose shapes do not chain names the layer and both shapes", "[validation]") {
  const std::string yaml = replace_all(kTwoConvs, "{name: conv2, type: conv, C: 6", "{name: conv2, type: conv, C: 5");
  const ConfigError e = workload_error(yaml);
  CHECK(e.where().file == "tiny_workload.yaml");
  CHECK(e.where().line == 6);
  CHECK(e.key_path() == "layers[1].C");
  CHECK_THAT(e.message(), Catch::Contains("5x8x8") && Catch::Contains("6x8x8") && Catch::Contains("conv1"));
}

TEST_CASE("a precision the MAC unit cannot execute names the layer", "[validation]") {
  const std::string yaml =
      replace_all(kTwoConvs, "M: 4, R: 3, S: 3}", "M: 4, R: 3, S: 3, weights: {bits: 16, scheme: uniform_symmetric}}");
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(yaml);
  try {
    plan_workload(*arch, w);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.where().line == 6);
    CHECK_THAT(e.key_path(), Catch::Contains("conv2"));
    CHECK_THAT(e.message(), Catch::Contains("8x8"));
  }
}

TEST_CASE("a scheme and bit width that contradict each other are rejected", "[validation]") {
  const ConfigError e =
      workload_error(replace_all(kTwoConvs, "padding: 1}", "padding: 1, weights: {bits: 4, scheme: binary}}"));
  CHECK(e.key_path() == "layers[0].weights.bits");
  CHECK_THAT(e.message(), Catch::Contains("binary needs exactly 1 bit"));
}

TEST_CASE("a YAML syntax error reports its line", "[validation]") {
  try {
    ConfigNode::load_string("name: x\nlayers: [a, b\n", "broken.yaml");
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.where().file == "broken.yaml");
    CHECK(e.where().line >= 2);
    CHECK_THAT(e.message(), Catch::Contains("YAML syntax error"));
  }
}

TEST_CASE("a key given twice is an error, not a silent choice", "[validation]") {
  const ConfigError e = workload_error(replace_all(kTwoConvs, "batch: 1\n", "batch: 1\nbatch: 7\n"));
  CHECK(e.key_path() == "batch");
  CHECK(e.where().line == 3);
  CHECK_THAT(e.message(), Catch::Contains("twice"));
}

TEST_CASE("an energy override must name an action of the component", "[validation]") {
  const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "banks: 4}", "banks: 4, energy: {raed: 12 pJ}}"));
  CHECK(e.key_path() == "components.glb.energy.raed");
  CHECK_THAT(e.message(), Catch::Contains("read") && Catch::Contains("write"));
}

TEST_CASE("the technology must match the energy table's node and voltage", "[validation]") {
  const ConfigError e = arch_error(replace_all(tiny_arch_yaml(), "node: 45 nm", "node: 7 nm"));
  CHECK(e.key_path() == "technology.node");
  CHECK_THAT(e.message(), Catch::Contains("45 nm"));
}

TEST_CASE("non-finite numbers and fractional bits are rejected", "[validation]") {
  CHECK(arch_error(replace_all(tiny_arch_yaml(), "clock: 1 GHz", "clock: inf GHz")).key_path() == "technology.clock");
  CHECK(arch_error(replace_all(tiny_arch_yaml(), "width: 64 bit, banks", "width: 1.5 bit, banks")).key_path() ==
        "components.glb.width");
  CHECK(arch_error(replace_all(tiny_arch_yaml(), "latency: 10 ns", "latency: 1e10 s")).key_path() == "components.dram.latency");
}

TEST_CASE("a producer's output width must equal its consumer's input width", "[validation]") {
  const ConfigError e =
      workload_error(replace_all(kTwoConvs, "padding: 1}", "padding: 1, outputs: {bits: 4, scheme: uniform_asymmetric}}"));
  CHECK(e.where().line == 6);
  CHECK_THAT(e.message(), Catch::Contains("8-bit inputs") && Catch::Contains("'conv1' writes 4-bit outputs"));
}

TEST_CASE("an empty producer list and odd layer names are rejected", "[validation]") {
  CHECK(workload_error(replace_all(kTwoConvs, "{name: conv2,", "{name: conv2, from: [],")).key_path() ==
        "layers[1].from");
  CHECK(workload_error(replace_all(kTwoConvs, "{name: conv2,", "{name: \"conv 2,x\",")).key_path() ==
        "layers[1].name");
}

TEST_CASE("an energy table curve with two points at the same x is rejected", "[validation]") {
  const auto dir = scratch_dir("table");
  std::ifstream in(shipped("configs/energy/horowitz_45nm.yaml"));
  std::stringstream table;
  table << in.rdbuf();
  std::ofstream(dir / "table.yaml") << replace_all(table.str(), "- [32, 0.1 pJ]", "- [8, 0.1 pJ]");
  std::ofstream(dir / "arch.yaml") << replace_all(tiny_arch_yaml(), "energy_table: horowitz_45nm",
                                                   "energy_table: table.yaml");
  try {
    load_arch((dir / "arch.yaml").string());
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.where().file == (dir / "table.yaml").string());
    CHECK(e.key_path() == "energy.int_add");
    CHECK_THAT(e.message(), Catch::Contains("same x"));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("several producers of a layer concatenate along channels, and must add up", "[validation]") {
  const char* kBranches = R"(network: branches
batch: 1
input: {C: 4, H: 8, W: 8}
layers:
  - {name: a, type: conv, C: 4, H: 8, W: 8, M: 6, R: 1, S: 1}
  - {name: b, type: conv, C: 4, H: 8, W: 8, M: 2, R: 3, S: 3, padding: 1, from: [input]}
  - {name: joined, type: conv, C: 8, H: 8, W: 8, M: 3, R: 1, S: 1, from: [a, b]}
)";
  const Workload w = workload_from_text(kBranches);
  CHECK(w.layers[2].input_count() == 8 * 8 * 8);
  const ConfigError e = workload_error(replace_all(kBranches, "name: joined, type: conv, C: 8", "name: joined, type: conv, C: 7"));
  CHECK(e.key_path() == "layers[2].from");
  CHECK_THAT(e.message(), Catch::Contains("C=7") && Catch::Contains("8 its producers output together"));
}

TEST_CASE("per-channel scales are for uniform weights only", "[validation]") {
  const Workload w = workload_from_text(
      replace_all(kTwoConvs, "padding: 1}", "padding: 1, weights: {bits: 8, granularity: per_channel}}"));
  CHECK(w.layers[0].precision.weights.granularity == Granularity::PerChannel);
  ConfigError e = workload_error(
      replace_all(kTwoConvs, "padding: 1}", "padding: 1, inputs: {bits: 8, granularity: per_channel}}"));
  CHECK(e.key_path() == "layers[0].inputs.granularity");
  e = workload_error(replace_all(kTwoConvs, "padding: 1}", "padding: 1, weights: {bits: 8, granularity: per_row}}"));
  CHECK_THAT(e.message(), Catch::Contains("per_tensor or per_channel"));
}
