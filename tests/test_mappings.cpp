// Mappings written with --mappings-out replay to the same plans, and a
// replayed mapping that breaks a constraint is an error naming the layer, the
// constraint, and where in the mappings file it was written.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "schedule/mapping_io.h"
#include "schedule/ws_schedule.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kWorkload = R"(network: small
batch: 2
input: {C: 3, H: 12, W: 12}
layers:
  - {name: conv, type: conv, C: 3, H: 12, W: 12, M: 10, R: 3, S: 3, padding: 1}
  - {name: pool, type: maxpool, C: 10, H: 12, W: 12, R: 2, S: 2, stride: 2}
  - {name: fc, type: fc, C: 360, M: 7}
)";

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& text) {
    path = scratch_dir("mappings") / "mappings.yaml";
    std::ofstream(path) << text;
  }
  ~TempFile() { std::filesystem::remove_all(path.parent_path()); }
};

std::string written_mappings(const ArchSpec& arch, const Workload& w) {
  std::ostringstream out;
  write_mappings(out, arch.name, w, plan_workload(arch, w));
  return out.str();
}

ConfigError replay_error(const ArchSpec& arch, const Workload& w, const std::string& text) {
  const TempFile f(text);
  try {
    const GivenMappings given = load_mappings(f.path.string(), w);
    plan_workload(arch, w, &given);
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError");
  throw;
}

}  // namespace

TEST_CASE("written mappings replay to identical plans", "[mappings]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kWorkload);
  const std::vector<LayerPlan> searched = plan_workload(*arch, w);
  const TempFile f(written_mappings(*arch, w));
  const GivenMappings given = load_mappings(f.path.string(), w);
  const std::vector<LayerPlan> replayed = plan_workload(*arch, w, &given);
  REQUIRE(replayed.size() == searched.size());
  for (std::size_t i = 0; i < searched.size(); ++i) {
    CHECK(replayed[i].tiling == searched[i].tiling);
    CHECK(replayed[i].tiles.size() == searched[i].tiles.size());
    CHECK(replayed[i].footprint_bits == searched[i].footprint_bits);
  }
}

TEST_CASE("a replayed channel block that does not fill the array's columns is rejected", "[mappings]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kWorkload);
  const std::string text = written_mappings(*arch, w);
  const std::size_t at = text.find("  conv:\n    tile: {");
  REQUIRE(at != std::string::npos);
  const std::size_t m = text.find("M: ", at);
  const std::string broken = text.substr(0, m) + "M: 6" + text.substr(text.find(',', m));
  const ConfigError e = replay_error(*arch, w, broken);
  CHECK(e.key_path() == "layers.conv.tile.M");
  CHECK(e.where().line > 0);
  CHECK_THAT(e.message(), Catch::Contains("'conv'") && Catch::Contains("multiple of the array's 4 columns"));
}

TEST_CASE("a replayed tile that does not fit the buffer is rejected", "[mappings]") {
  const auto arch = arch_from_text(replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: 4 KiB"));
  const Workload w = workload_from_text(kWorkload);
  const ConfigError e = replay_error(*arch, w, R"(dataflow: weight_stationary
layers:
  conv: {tile: {N: 2, P: 12, G: 1, M: 10, C: 3}, order: [G, M, N, P, C]}
  pool: {tile: {N: 1, P: 1, C: 10}}
  fc: {tile: {N: 1, P: 1, G: 1, M: 4, C: 8}, order: [G, M, N, P, C]}
)");
  CHECK(e.key_path() == "layers.conv.tile");
  CHECK(e.where().line == 3);
  CHECK_THAT(e.message(), Catch::Contains("does not fit the global buffer"));
}

TEST_CASE("mappings must cover every layer, name only real layers, and use a known order", "[mappings]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kWorkload);
  const std::string head = "dataflow: weight_stationary\nlayers:\n";
  const std::string conv = "  conv: {tile: {N: 1, P: 12, G: 1, M: 10, C: 3}, order: [G, M, N, P, C]}\n";
  const std::string pool = "  pool: {tile: {N: 1, P: 6, C: 10}}\n";
  const std::string fc = "  fc: {tile: {N: 1, P: 1, G: 1, M: 7, C: 360}, order: [N, P, G, M, C]}\n";
  CHECK_THAT(replay_error(*arch, w, head + conv + pool).message(), Catch::Contains("no mapping for layer 'fc'"));
  CHECK(replay_error(*arch, w, head + conv + pool + fc + "  fc9: {tile: {N: 1, P: 1, C: 1}}\n").key_path() == "layers.fc9");
  CHECK(replay_error(*arch, w, head + replace_all(conv, "[G, M, N, P, C]", "[M, G, N, P, C]") + pool + fc).key_path() ==
        "layers.conv.order");
  CHECK(replay_error(*arch, w, head + conv + replace_all(pool, "P: 6", "P: 7") + fc).key_path() == "layers.pool.tile.P");
}
