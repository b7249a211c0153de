// The registry of design families (design/design_family.h): every shipped
// design is claimed by exactly one family, a file none claims is refused at
// its line, a family cannot be registered twice, and what a family does not
// take is refused in its own words.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "design/design_family.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// The family each shipped design belongs to, by its file's name.
std::string expected_family(const std::filesystem::path& file) {
  const std::string name = file.stem().string();
  if (file.parent_path().filename() == "levels") return "level_design";
  if (name == "isaac" || name == "isaac_cmesh" || name == "puma" || name == "xnor_sram") return "in_memory";
  if (name.rfind("finn_", 0) == 0 || name.rfind("dnn2fpga_", 0) == 0) return "dataflow";
  if (name == "isaac_hybrid" || name == "isaac_hybrid_search") return "hybrid";
  return "pe_array";
}

std::vector<std::filesystem::path> shipped_designs() {
  std::vector<std::filesystem::path> files;
  for (const char* folder : {"arch", "arch/levels"})
    for (const auto& entry : std::filesystem::directory_iterator(shipped(folder)))
      if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  return files;
}

}  // namespace

TEST_CASE("every shipped design is claimed by exactly one design family, the one it belongs to", "[families][validation]") {
  std::set<std::string> families_seen;
  const std::vector<std::filesystem::path> files = shipped_designs();
  REQUIRE(files.size() >= 20);
  for (const auto& file : files) {
    const ConfigNode root = ConfigNode::load_file(file.string());
    std::vector<std::string> claimed;
    for (const auto& family : design_families())
      if (family->claims(root)) claimed.push_back(family->name());
    INFO(file.string());
    REQUIRE(claimed.size() == 1);
    CHECK(claimed[0] == expected_family(file));
    CHECK(&design_family_of(root) == find_design_family(root));
    families_seen.insert(claimed[0]);
  }
  CHECK(families_seen == std::set<std::string>{"dataflow", "hybrid", "in_memory", "level_design", "pe_array"});
}

TEST_CASE("a file no design family claims is refused at its file and line", "[families][validation]") {
  const ConfigNode plain = ConfigNode::load_string("name: odd\nclock: 1 GHz\n", "odd.yaml");
  CHECK(find_design_family(plain) == nullptr);
  try {
    design_family_of(plain);
    FAIL("a file with no family's keys was given a family");
  } catch (const ConfigError& e) {
    CHECK(e.where().file == "odd.yaml");
    CHECK(e.where().line == 1);
    CHECK_THAT(e.message(), Catch::Contains("cannot tell the kind of file") && Catch::Contains("'layers'") &&
                                Catch::Contains("'kind: in_memory'") && Catch::Contains("'technology'"));
  }
  // An unknown kind: the error is at the key.
  const ConfigNode unknown = ConfigNode::load_string("name: odd\nkind: analog\ntechnology: {}\n", "kind.yaml");
  try {
    design_family_of(unknown);
    FAIL("an unknown kind was given a family");
  } catch (const ConfigError& e) {
    CHECK(e.where().file == "kind.yaml");
    CHECK(e.where().line == 2);
    CHECK(e.key_path() == "kind");
  }
  // On the command line: exit 2, the file and line in the message.
  const auto dir = scratch_dir("families_unknown");
  const std::string file = (dir / "odd.yaml").string();
  std::ofstream(file) << "name: odd\nclock: 1 GHz\n";
  for (const std::string& command : {"validate " + file, "run " + file + " lenet5", "map " + file + " lenet5"}) {
    INFO(command);
    CHECK(qnnsim_cli(command, dir / "out", dir / "err") == 2);
    CHECK_THAT(read_file((dir / "err").string()), Catch::Contains(file + ":1:") && Catch::Contains("cannot tell the kind"));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a second design family under a registered name is refused", "[families][validation]") {
  REQUIRE(DesignFamily::Registry::instance().has("in_memory"));
  CHECK_THROWS_WITH(DesignFamily::Registry::instance().add("in_memory", [] { return std::unique_ptr<DesignFamily>(); }),
                    "two implementations are registered as 'in_memory'");
}

TEST_CASE("an option a design's family does not take is refused in that family's words", "[families][cli]") {
  const auto dir = scratch_dir("families_refusals");
  const std::string out = (dir / "m.yaml").string();
  const std::map<std::string, std::string> refusals = {
      {"run isaac lenet5 --mappings-out " + out, "--mappings-out is for PE-array designs; '"},
      {"run finn_cnv finn_cnv --mappings " + out, "is a dataflow design, whose layers each have an engine, not a mapping"},
      {"run systolic_ws lenet5 --execution layer_sequential", "' runs its layers in sequence on its PE array"},
      {"map isaac lenet5", "map searches PE-array mappings; '"},
      {"map finn_cnv finn_cnv", "is a dataflow design: use run, whose report shows each engine's folding"},
      {"map " + shipped("arch/levels/eyeriss_v1.yaml") + " lenet5", "map is not available for level designs yet"},
      {"run isaac_hybrid lenet5 --mappings-out " + out, "--mappings-out is not available for hybrid designs"},
      {"run isaac_hybrid lenet5 --trace " + out, "' is one, whose parts run in separate simulations"},
      {"map isaac_hybrid lenet5", "' is a hybrid: map or run its parts"}};
  for (const auto& [command, message] : refusals) {
    INFO(command);
    CHECK(qnnsim_cli(command, dir / "out", dir / "err") == 2);
    CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("error: ") && Catch::Contains(message));
  }
  CHECK_FALSE(std::filesystem::exists(out));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a level design's CSV has the columns of a PE array's", "[families][report][cli]") {
  const auto dir = scratch_dir("families_csv");
  std::set<std::string> headers;
  for (const std::string& run : {std::string("systolic_ws lenet5"),
                                 shipped("arch/levels/eyeriss_v1.yaml") + " lenet5 --bits accumulator=16"}) {
    const std::string csv = (dir / "r.csv").string();
    REQUIRE(qnnsim_cli("run " + run + " --quiet --csv " + csv, dir / "out", dir / "err") == 0);
    const std::string text = read_file(csv);
    const std::string header = text.substr(0, text.find('\n'));
    // Energy by component comes last, a column per component the design has.
    headers.insert(header.substr(0, header.find(",energy_")));
  }
  CHECK(headers.size() == 1);
  std::filesystem::remove_all(dir);
}
