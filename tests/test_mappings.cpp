// Mappings written with --mappings-out replay to the same plans, and a
// replayed mapping that breaks a constraint is an error naming the layer, the
// constraint, and where in the mappings file it was written.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "schedule/mapping_io.h"
#include "schedule/mapper.h"
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
  write_mappings(out, arch.name, arch.dataflow, w, plan_workload(arch, w));
  return out.str();
}

ConfigError replay_error(const ArchSpec& arch, const Workload& w, const std::string& text) {
  const TempFile f(text);
  try {
    const GivenMappings given = load_mappings(f.path.string(), w, arch.dataflow);
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
  const GivenMappings given = load_mappings(f.path.string(), w, arch->dataflow);
  const std::vector<LayerPlan> replayed = plan_workload(*arch, w, &given);
  REQUIRE(replayed.size() == searched.size());
  for (std::size_t i = 0; i < searched.size(); ++i) {
    CHECK(replayed[i].tiling == searched[i].tiling);
    CHECK(replayed[i].tiles.size() == searched[i].tiles.size());
    CHECK(replayed[i].footprint_bits == searched[i].footprint_bits);
  }
}

// A conv mapping on the tiny 4x4 array: rows C3, cols M4, PEs loop over all
// images and output rows and columns; the buffer loops over R, S and M blocks.
const char* kHead = "dataflow: weight_stationary\nlayers:\n";
const char* kConv =
    "  conv:\n"
    "    dram: {order: [G, M, N, P, Q, C, R, S]}\n"
    "    glb: {order: [G, M, C, R, S, N, P, Q], factors: {M: 3, R: 3, S: 3}}\n"
    "    rows: {C: 3}\n"
    "    cols: {M: 4}\n"
    "    pe: {N: 2, P: 12, Q: 12}\n";
const char* kPool = "  pool:\n    tile: {N: 1, P: 6, C: 10}\n";
const char* kFc =
    "  fc:\n"
    "    dram: {order: [G, M, N, P, Q, C, R, S]}\n"
    "    glb: {order: [G, M, C, R, S, N, P, Q], factors: {M: 2, C: 90}}\n"
    "    rows: {C: 4}\n"
    "    cols: {M: 4}\n"
    "    pe: {N: 2}\n";

TEST_CASE("a replayed mapping is checked against the array and the dataflow", "[mappings]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kWorkload);
  const std::string base = std::string(kHead) + kConv + kPool + kFc;
  {  // the mapping itself replays
    const TempFile f(base);
    const GivenMappings given = load_mappings(f.path.string(), w, arch->dataflow);
    CHECK(plan_workload(*arch, w, &given).size() == 3);
  }
  ConfigError e = replay_error(
      *arch, w,
      replace_all(replace_all(base, "cols: {M: 4}\n    pe: {N: 2, P: 12", "cols: {M: 5}\n    pe: {N: 2, P: 12"),
                  "factors: {M: 3, R: 3, S: 3}", "factors: {M: 2, R: 3, S: 3}"));
  CHECK(e.key_path() == "layers.conv.cols");
  CHECK(e.where().line > 0);
  CHECK_THAT(e.message(), Catch::Contains("'conv'") && Catch::Contains("the array has 4 columns"));
  e = replay_error(*arch, w, replace_all(base, "rows: {C: 3}", "rows: {P: 3}"));
  CHECK_THAT(e.message(), Catch::Contains("does not unroll P on rows"));
  e = replay_error(*arch, w, replace_all(base, "pe: {N: 2, P: 12, Q: 12}", "pe: {N: 2, P: 12, Q: 12, C: 2}"));
  CHECK_THAT(e.message(), Catch::Contains("does not loop over C inside a PE"));
  e = replay_error(*arch, w, replace_all(base, "factors: {M: 3, R: 3, S: 3}", "factors: {M: 4, R: 3, S: 3}"));
  CHECK(e.key_path() == "layers.conv.glb");
  CHECK_THAT(e.message(), Catch::Contains("exceeds the 3 passes"));
}

TEST_CASE("a replayed tile that does not fit the buffer is rejected", "[mappings]") {
  const auto arch = arch_from_text(replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: 4 KiB"));
  const Workload w = workload_from_text(kWorkload);
  const ConfigError e = replay_error(*arch, w, std::string(kHead) + kConv + kPool + kFc);
  CHECK(e.key_path() == "layers.conv.glb");
  CHECK(e.where().line == 5);
  CHECK_THAT(e.message(), Catch::Contains("does not fit the global buffer"));
}

TEST_CASE("mappings must cover every layer, name only real layers, and use a known order", "[mappings]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kWorkload);
  const std::string head = kHead, conv = kConv, pool = kPool, fc = kFc;
  CHECK_THAT(replay_error(*arch, w, head + conv + pool).message(), Catch::Contains("no mapping for layer 'fc'"));
  CHECK(replay_error(*arch, w, head + conv + pool + fc + "  fc9: {tile: {N: 1, P: 1, C: 1}}\n").key_path() == "layers.fc9");
  CHECK(replay_error(*arch, w, head + replace_all(conv, "[G, M, N, P, Q, C, R, S]", "[G, M, N, P, C, R, S]") + pool + fc)
            .key_path() == "layers.conv.dram.order");
  // The fc splits C over DRAM tiles only when they come last; C before M would send partial sums back.
  const std::string fc_split = replace_all(replace_all(fc, "[G, M, N, P, Q, C, R, S]", "[C, G, M, N, P, Q, R, S]"),
                                           "factors: {M: 2, C: 90}", "factors: {C: 45}");
  CHECK_THAT(replay_error(*arch, w, head + conv + pool + fc_split).message(),
             Catch::Contains("partial sums would go back to DRAM"));
  CHECK(replay_error(*arch, w, head + conv + replace_all(pool, "P: 6", "P: 7") + fc).key_path() == "layers.pool.tile.P");
  CHECK(replay_error(*arch, w, "dataflow: row_stationary\nlayers: {}\n").key_path() == "dataflow");
}

TEST_CASE("row stationary keeps filter rows on the array and filter columns in the PEs", "[mappings]") {
  std::string yaml = replace_all(tiny_arch_yaml(), "dataflow: weight_stationary", "dataflow: row_stationary");
  yaml = replace_all(yaml, "spad: {weights: 2, inputs: 1, psums: 1}", "spad: {weights: 24, inputs: 12, psums: 8}");
  const auto arch = arch_from_text(yaml);
  const Workload w = workload_from_text(kWorkload);
  const char* head = "dataflow: row_stationary\nlayers:\n";
  // Filter rows on the array's rows, output rows across its columns, and each
  // PE sliding a 3-tap filter row along Q for 2 images and 2 filters.
  const std::string conv =
      "  conv:\n"
      "    dram: {order: [G, M, N, P, Q, C, R, S]}\n"
      "    glb: {order: [G, M, N, P, Q, C, R, S], factors: {M: 5, C: 3, P: 3}}\n"
      "    rows: {R: 3}\n"
      "    cols: {P: 4}\n"
      "    pe: {N: 2, M: 2, Q: 12, S: 3}\n";
  const std::string fc =
      "  fc:\n"
      "    dram: {order: [G, M, N, P, Q, C, R, S]}\n"
      "    glb: {order: [G, M, N, P, Q, C, R, S], factors: {C: 30}}\n"
      "    rows: {C: 4}\n"
      "    cols: {M: 4}\n"
      "    pe: {N: 2, M: 2, C: 3}\n";
  const std::string base = std::string(head) + conv + kPool + fc;
  {  // as given, it replays
    const TempFile f(base);
    const GivenMappings given = load_mappings(f.path.string(), w, arch->dataflow);
    CHECK(plan_workload(*arch, w, &given).size() == 3);
  }
  // Filter rows looped over in time at the buffer instead of spread on the rows.
  ConfigError e = replay_error(*arch, w, replace_all(replace_all(base, "rows: {R: 3}", "rows: {C: 3}"),
                                                     "factors: {M: 5, C: 3, P: 3}", "factors: {M: 5, R: 3, P: 3}"));
  CHECK(e.key_path() == "layers.conv.rows");
  CHECK_THAT(e.message(), Catch::Contains("'conv'") && Catch::Contains("keeps R whole") &&
                              Catch::Contains("fit in 1 pass(es) of up to 3") && Catch::Contains("covers 1 per pass and takes 3"));
  // Filter columns split over two passes.
  e = replay_error(*arch, w, replace_all(base, "pe: {N: 2, M: 2, Q: 12, S: 3}", "pe: {N: 2, M: 2, Q: 12, S: 2}"));
  CHECK(e.key_path() == "layers.conv.pe");
  CHECK_THAT(e.message(), Catch::Contains("keeps S whole"));
}

TEST_CASE("a mappings file says which level keeps which tensor, and must agree with the dataflow", "[mappings]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kWorkload);
  const std::string written = written_mappings(*arch, w);
  CHECK_THAT(written, Catch::Contains("keeps: {glb: [weights, inputs, outputs], pe: [weights]}"));
  const ConfigError e = replay_error(*arch, w, replace_all(written, "pe: [weights]}", "pe: [outputs]}"));
  CHECK(e.key_path() == "keeps.pe");
  CHECK_THAT(e.message(), Catch::Contains("weight_stationary dataflow keeps [weights]"));
}
