// The mesh in a whole run: LeNet-5 (16-bit accumulation) on arch/eyeriss_v1_mesh.yaml. The report
// counts the routers and links the network's bits cross, prices them from the
// energy table, and carries each link's utilization and the hottest link's.
#include <catch2/catch.hpp>

#include "report/report.h"
#include "sim/simulation.h"
#include "support.h"

namespace qnnsim {
namespace {

TEST_CASE("a run on the mesh reports router and link bits, their energy and link utilization", "[mesh]") {
  const auto arch = load_arch(test::shipped("arch/eyeriss_v1_mesh.yaml"));
  Workload w = load_workload(test::shipped("workloads/lenet5.yaml"));
  REQUIRE(apply_bits_override(w, "accumulator=16").empty());  // Eyeriss keeps 16-bit partial sums
  const RunResult r = run_simulation(*arch, w);
  uint64_t sent = 0, routers = 0, links = 0;
  for (const LayerResult& l : r.layers) {
    sent += test::action_count(l, "noc", "noc.sent_bits");
    routers += test::action_count(l, "noc", "noc.router_bits");
    links += test::action_count(l, "noc", "noc.link_bits");
  }
  REQUIRE(sent > 0);
  // A tree visits one router more than it has links, and each group's bits
  // are its share of the transfer: router bits = link bits + sent bits, up to
  // the rounding of each transfer's shares to whole bits (well under 0.1%).
  CHECK(static_cast<double>(routers) == Approx(static_cast<double>(links + sent)).epsilon(1e-3));
  // Values reach PEs up to 12 + 7 links away from the middle of the top edge,
  // so on average a bit crosses more than one link.
  CHECK(links > sent);
  // Energy: 0.1877 pJ per router bit, 0.01564 pJ per link bit (configs/energy/eyeriss_65nm.yaml).
  CHECK(r.summary.energy_breakdown_pj.at("noc") ==
        Approx(static_cast<double>(routers) * 0.1877 + static_cast<double>(links) * 0.01564).epsilon(1e-9));

  const nlohmann::ordered_json j = to_json(r);
  const auto& noc = j["components"]["noc"];
  REQUIRE(noc.contains("link_utilization_fraction"));
  CHECK(noc["link_utilization_fraction"].size() == 4 * 12 * 14);  // four directions per router
  double hottest = 0;
  for (const auto& u : noc["link_utilization_fraction"]) {
    CHECK(u.get<double>() >= 0.0);
    hottest = std::max(hottest, u.get<double>());
  }
  CHECK(hottest > 0.0);
  CHECK(hottest <= 1.0);
  CHECK(noc["hottest_link_utilization_fraction"].get<double>() == Approx(hottest));

  // Per layer: each link's use over the run is its layers' uses weighted by
  // their spans, so the run's hottest link is no busier than the busiest
  // layer's, and every layer's figure is a fraction.
  double busiest_layer = 0;
  for (const LayerResult& l : r.layers) {
    REQUIRE(l.figures.count("hottest_link_utilization_fraction") == 1);
    const double u = l.figures.at("hottest_link_utilization_fraction");
    CHECK(u >= 0.0);
    CHECK(u <= 1.0);
    busiest_layer = std::max(busiest_layer, u);
  }
  CHECK(hottest <= busiest_layer * (1 + 1e-12));
}

}  // namespace
}  // namespace qnnsim
