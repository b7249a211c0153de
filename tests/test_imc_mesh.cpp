// An in-memory chip's concentrated mesh link by link (routing: xy): X-Y
// routes and multicast trees derived by hand on a 3 x 3 grid of routers, a
// whole run whose flits and link loads are counted by hand on a two-tile
// chip, and bad routing keys refused at their line.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/config_node.h"
#include "imc/chip_mesh.h"
#include "imc/imc_arch.h"
#include "imc/imc_run.h"
#include "report/report.h"
#include "support.h"

namespace qnnsim::test {
namespace {

// The tiny chip with `tiles` tiles of one IMA, a router per tile, links of
// `link` bits, routed X-Y.
ImcArch mesh_chip(int tiles, const std::string& link) {
  std::string yaml = replace_all(tiny_imc_yaml(), "tiles: 1", "tiles: " + std::to_string(tiles));
  yaml = replace_all(yaml, "router: {tiles_per_router: 1, link_width: 1024 bit,",
                     "router: {tiles_per_router: 1, routing: xy, link_width: " + link + ",");
  return load_imc_arch(ConfigNode::load_string(yaml, "tiny_imc.yaml"));
}

// Link ids as noc/mesh_routes.h numbers them on a grid of `side` routers a side.
int64_t link(int dir, int64_t x, int64_t y, int64_t side) { return (dir * side + y) * side + x; }
constexpr int kEast = 0, kWest = 1, kSouth = 2, kNorth = 3;

}  // namespace

// Nine routers on a 3 x 3 grid, numbered row by row: router 4 is (1, 1).
TEST_CASE("X-Y routes go along the row first, and a tree shares the links its routes share", "[imc][mesh]") {
  const ChipMesh mesh(mesh_chip(9, "8 bit"));
  REQUIRE(mesh.side() == 3);
  // 0 (0,0) -> 8 (2,2): east twice, then south twice down column 2.
  CHECK(mesh.route(0, 8) == std::vector<int64_t>{link(kEast, 0, 0, 3), link(kEast, 1, 0, 3), link(kSouth, 2, 0, 3),
                                                 link(kSouth, 2, 1, 3)});
  CHECK(mesh.route(5, 5).empty());
  // From the centre to 0, 2 and itself: west then north, east then north; four links, five routers.
  const RowTree t = mesh.tree(4, {0, 2, 4});
  CHECK(t.links == std::vector<int64_t>{link(kWest, 1, 1, 3), link(kNorth, 0, 1, 3), link(kEast, 1, 1, 3),
                                        link(kNorth, 2, 1, 3)});
  CHECK(t.parent == std::vector<int>{-1, 0, -1, 2});
  CHECK(t.routers_visited == 5);
  // From 0 to 2 (2,0) and 5 (2,1): both routes cross the row's two east links once.
  const RowTree shared = mesh.tree(0, {2, 5});
  CHECK(shared.links == std::vector<int64_t>{link(kEast, 0, 0, 3), link(kEast, 1, 0, 3), link(kSouth, 2, 0, 3)});
  CHECK(shared.routers_visited == 4);
  CHECK(mesh.link_name(link(kSouth, 2, 0, 3)) == "router 2 south");
}

// Two tiles, one IMA each: routers 0 and 1 on a 2 x 2 grid. The input's row
// (8 values of 2 bits) comes in at the I/O's router 0, a's own: 16 flits, one
// router, no link. Layer a (tile 0) sends its 4 outputs of 2 bits to b (tile
// 1): 8 bits a row, 8 one-bit flits east over link E(0,0), two routers
// visited. b's outputs leave the chip through router 0: 8 flits west over
// W(1,0). Ten images.
TEST_CASE("a run on X-Y links counts a flit per router visited and books each link's flits", "[imc][mesh]") {
  const ImcArch arch = mesh_chip(2, "1 bit");
  const Workload w = workload_from_text(R"(network: t
batch: 10
precision:
  weights: {bits: 4, scheme: uniform_symmetric}
  inputs: {bits: 2}
  outputs: {bits: 2}
input: {C: 8, H: 1, W: 1}
layers:
  - {name: a, type: fc, C: 8, M: 4}
  - {name: b, type: fc, C: 4, M: 4}
)");
  const RunResult r = run_in_memory(arch, w);
  REQUIRE(r.layers.size() == 2);
  CHECK(action_count(r.layers[0], "router", "flit") == 10 * (16 * 1 + 8 * 2));
  CHECK(action_count(r.layers[1], "router", "flit") == 10 * 8 * 2);

  const nlohmann::ordered_json j = to_json(r);
  REQUIRE(j["components"].contains("router"));
  const auto& used = j["components"]["router"]["link_utilization_fraction"];
  REQUIRE(used.size() == 16);
  const double run_s = r.summary.latency_s;
  for (std::size_t l = 0; l < used.size(); ++l) {
    // Each of the two links carried 10 rows of 8 flits at 1 ns.
    const bool carried = l == static_cast<std::size_t>(link(kEast, 0, 0, 2)) || l == static_cast<std::size_t>(link(kWest, 1, 0, 2));
    CHECK(used[l].get<double>() == Approx(carried ? 80e-9 / run_s : 0.0));
  }
  CHECK(j["components"]["router"]["hottest_link_utilization_fraction"].get<double>() == Approx(80e-9 / run_s));
  // Per layer: its busiest link's 80 ns over the layer's own span.
  for (const LayerResult& l : r.layers)
    CHECK(l.figures.at("hottest_link_utilization_fraction") == Approx(80e-9 / l.latency_s));
}

TEST_CASE("a bad routing, or router_cycles without X-Y routing, exits at its key", "[imc][mesh]") {
  const auto error = [](const std::string& yaml) -> std::string {
    try {
      load_imc_arch(ConfigNode::load_string(yaml, "tiny_imc.yaml"));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  const std::string base = tiny_imc_yaml();
  const std::string bad = error(replace_all(base, "router: {tiles_per_router: 1,", "router: {tiles_per_router: 1, routing: yx,"));
  CHECK(bad.find("tiny_imc.yaml:7:") != std::string::npos);
  CHECK(bad.find("routing") != std::string::npos);
  CHECK(bad.find("expected source_router") != std::string::npos);
  const std::string cycles =
      error(replace_all(base, "router: {tiles_per_router: 1,", "router: {tiles_per_router: 1, router_cycles: 2,"));
  CHECK(cycles.find("router_cycles") != std::string::npos);
  CHECK(cycles.find("routing: xy only") != std::string::npos);
}

}  // namespace qnnsim::test
