// Tile replay (controller/tile_replay.h) and periodic replay
// (controller/periodic_replay.h) leave every figure of a run as the full
// simulation gives it: on every shipped PE-array design, at batches 1, 7 and
// 64, `qnnsim run --json` with replay and with --no-tile-replay write the
// same report (provenance aside). And a design with one buffer slot does
// replay the tiles a batch repeats (some in runs of one outcome, some in
// periods of several), and one with two skips the periods of its steady
// state, so the equality is not empty.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "controller/periodic_replay.h"
#include "controller/tile_replay.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

nlohmann::json report_without_provenance(const std::filesystem::path& file) {
  std::ifstream in(file);
  nlohmann::json j = nlohmann::json::parse(in);
  j.erase("provenance");
  return j;
}

// A workload at batches 1, 7 and 64 on `design`, with and without replay.
void check_same_reports(const std::string& design, const std::string& extra = "",
                        const std::string& workload = "alexnet") {
  const std::filesystem::path dir = scratch_dir("tile_replay_" + design + "_" + workload);
  for (int batch : {1, 7, 64}) {
    const std::filesystem::path with = dir / "with.json", without = dir / "without.json";
    const std::string run =
        "run " + design + " " + workload + " --quiet --batch " + std::to_string(batch) + " " + extra;
    INFO(run);
    REQUIRE(qnnsim_cli(run + " --json " + with.string(), dir / "out1", dir / "err1") == 0);
    REQUIRE(qnnsim_cli(run + " --no-tile-replay --json " + without.string(), dir / "out2", dir / "err2") == 0);
    CHECK(report_without_provenance(with) == report_without_provenance(without));
  }
}

const std::string kSixteenBits = "--bits weights=16 --bits inputs=16 --bits outputs=16 --bits accumulator=16";

// A shipped workload at batch 7 with every tensor at 16 bits, as Eyeriss v1 computes.
Workload sixteen_bit_batch_of_7(const std::string& workload) {
  Workload w = load_workload(shipped("workloads/" + workload + ".yaml"));
  for (const char* b : {"weights=16", "inputs=16", "outputs=16", "accumulator=16"}) REQUIRE(apply_bits_override(w, b).empty());
  w.batch = 7;
  return w;
}

}  // namespace

TEST_CASE("tile replay: systolic_ws reports the same figures as the full simulation", "[replay]") {
  check_same_reports("systolic_ws");
  check_same_reports("systolic_ws", "", "resnet50");
}
TEST_CASE("tile replay: systolic_ws_ddr4 reports the same figures as the full simulation", "[replay]") {
  check_same_reports("systolic_ws_ddr4");
}
TEST_CASE("tile replay: systolic_ws_hbm2 reports the same figures as the full simulation", "[replay]") {
  check_same_reports("systolic_ws_hbm2");
}
TEST_CASE("tile replay: systolic_ws_lpddr4 reports the same figures as the full simulation", "[replay]") {
  check_same_reports("systolic_ws_lpddr4");
}
TEST_CASE("tile replay: tpu_v1 reports the same figures as the full simulation", "[replay]") {
  check_same_reports("tpu_v1");
}
TEST_CASE("tile replay: bitfusion reports the same figures as the full simulation", "[replay]") {
  check_same_reports("bitfusion");
}
TEST_CASE("tile replay: unpu reports the same figures as the full simulation", "[replay]") {
  check_same_reports("unpu");
}
// The one shipped design that replays (one buffer slot, no component with
// state of its own): ResNet-50's stores differ from tile to tile, so the
// array's idle time before a tile differs too, and the replayed tile's wait
// for its load must follow it (tile_key's last entry).
TEST_CASE("tile replay: eyeriss_v1 reports the same figures as the full simulation", "[replay]") {
  check_same_reports("eyeriss_v1", kSixteenBits);
  check_same_reports("eyeriss_v1", kSixteenBits, "resnet50");
}
TEST_CASE("tile replay: eyeriss_v1_lpddr4 reports the same figures as the full simulation", "[replay]") {
  check_same_reports("eyeriss_v1_lpddr4", kSixteenBits);
}
TEST_CASE("tile replay: eyeriss_v1_mesh reports the same figures as the full simulation", "[replay]") {
  check_same_reports("eyeriss_v1_mesh", kSixteenBits);
}
TEST_CASE("tile replay: eyeriss_v2 reports the same figures as the full simulation", "[replay]") {
  check_same_reports("eyeriss_v2", "--bits accumulator=20");
}
TEST_CASE("tile replay: isaac_hybrid's digital part reports the same figures as the full simulation", "[replay]") {
  check_same_reports("isaac_hybrid", kSixteenBits);
}

TEST_CASE("tile replay: a design with one buffer slot replays the tiles a batch repeats", "[replay]") {
  const auto arch = load_arch(shipped("arch/eyeriss_v1.yaml"));
  const Workload w = sixteen_bit_batch_of_7("alexnet");
  REQUIRE(tiles_replayed() == 0);
  const RunResult r = run_simulation(*arch, w);
  CHECK(r.summary.cycles > 0);
  CHECK(tiles_replayed() > 0);
  // Some replays take a run of tiles that each find the state the one before found.
  CHECK(tiles_replayed() > tile_replays());
}

// Several of ResNet-50's layers on Eyeriss loop over a few channel blocks
// innermost (l1b1_conv_b at batch 7: `DRAM M2 N7 P4 C4`): neighbouring tiles
// differ, and the tiles repeat in periods of several outcomes.
TEST_CASE("tile replay: a design with one buffer slot replays periods of several tiles at once", "[replay]") {
  const auto arch = load_arch(shipped("arch/eyeriss_v1.yaml"));
  const Workload w = sixteen_bit_batch_of_7("resnet50");
  REQUIRE(period_replays() == 0);
  const RunResult r = run_simulation(*arch, w);
  CHECK(r.summary.cycles > 0);
  CHECK(period_replays() > 0);
}

TEST_CASE("periodic replay: a design with two buffer slots skips the periods its tiles repeat", "[replay]") {
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  Workload w = load_workload(shipped("workloads/alexnet.yaml"));
  w.batch = 7;
  REQUIRE(tiles_skipped_by_periods() == 0);
  const RunResult r = run_simulation(*arch, w);
  CHECK(r.summary.cycles > 0);
  CHECK(tiles_skipped_by_periods() > 0);
  CHECK(tiles_replayed() == 0);  // no tile runs alone with two slots
}
