// A mesh transfer's head latency (NocSpec::head_cycles) as the mapper and the
// analytical bound count it: the longest route the closed-form routes find,
// times the router's cycles; and a pass of few bits that waits for it pays it
// once a pass, so a mapping of many small passes is bounded by its passes'
// heads, and the run still never falls below that bound.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "noc/mesh_routes.h"
#include "schedule/mapper.h"
#include "schedule/mapping_io.h"
#include "schedule/nest_counts.h"
#include "schedule/plan_counts.h"
#include "sim/simulation.h"
#include "support.h"

namespace qnnsim {
namespace {

std::string mesh_arch(int64_t rows, int64_t cols, int64_t conc_rows, int64_t conc_cols, const std::string& injection,
                      int64_t router_cycles, const std::string& buffer_at = "injection") {
  std::string yaml = test::replace_all(test::tiny_arch_yaml(), "rows: 4\n    cols: 4",
                                       "rows: " + std::to_string(rows) + "\n    cols: " + std::to_string(cols));
  return test::replace_all(
      yaml, "noc: {under: glb, class: MulticastBus, width: 64 bit}",
      "noc: {under: glb, class: Mesh2D, routing: xy, injection: " + injection + ", buffer_at: " + buffer_at +
          ", link_width: 16 bit, router_cycles: " + std::to_string(router_cycles) +
          ", concentration: {rows: " + std::to_string(conc_rows) + ", cols: " + std::to_string(conc_cols) + "}}");
}

TEST_CASE("a mesh's head latency is its router cycles times the longest route its routes take", "[mesh]") {
  std::mt19937 rng(20261206);
  const auto pick = [&](std::initializer_list<int64_t> v) {
    return *(v.begin() + std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng));
  };
  for (int trial = 0; trial < 60; ++trial) {
    const int64_t rows = pick({4, 6, 8, 12}), cols = pick({4, 6, 8, 14});
    const int64_t conc_rows = pick({1, 2}), conc_cols = pick({1, 2});
    const std::string injection = trial % 2 == 0 ? "corner" : "edge_middle";
    const int64_t router_cycles = pick({1, 3});
    const auto arch = test::arch_from_text(mesh_arch(rows, cols, conc_rows, conc_cols, injection, router_cycles));
    MeshLayout m;
    m.pe_rows = rows;
    m.pe_cols = cols;
    m.conc_rows = conc_rows;
    m.conc_cols = conc_cols;
    m.inject_x = injection == "corner" ? 0 : m.routers_x() / 2;
    for (int region = 0; region < 10; ++region) {
      const int64_t r = std::uniform_int_distribution<int64_t>(1, rows)(rng);
      const int64_t c = std::uniform_int_distribution<int64_t>(1, cols)(rng);
      const int64_t copies = std::uniform_int_distribution<int64_t>(1, r * c)(rng);
      INFO(rows << " x " << cols << " PEs, " << conc_rows << " x " << conc_cols << " a router, " << injection
                << "; region " << r << " x " << c << ", " << copies << " copies");
      const int64_t head = arch->noc->head_cycles(r, c);
      CHECK(head == router_cycles * route_to_pes(m, r, c, copies).longest_route);
      CHECK(head == router_cycles * route_to_buffer(m, r, c).longest_route);
    }
  }
  // A slice at every router: a group starts at its own corner, so no head is claimed.
  CHECK(test::arch_from_text(mesh_arch(4, 4, 1, 1, "corner", 3, "every_router"))->noc->head_cycles(4, 4) == 0);
  // A bus reaches every PE in the cycle it drives.
  CHECK(test::arch_from_text(test::tiny_arch_yaml())->noc->head_cycles(4, 4) == 0);
}

// 16 input channels of one output row of 4: with no loop inside the PEs,
// each of the 16 passes takes one input to a row of 4 PEs and 4 partial sums
// back, a MAC each.
const char* kFc = "network: fc\nbatch: 1\ninput: {C: 16, H: 1, W: 1}\nlayers:\n  - {name: fc, type: fc, C: 16, M: 4}\n";
const char* kOnePassPerChannel = R"(dataflow: weight_stationary
layers:
  fc:
    dram: {order: [G, M, N, P, Q, C, R, S]}
    glb: {order: [G, M, C, R, S, N, P, Q], factors: {C: 16}}
    rows: {}
    cols: {M: 4}
    pe: {}
)";

struct Planned {
  std::unique_ptr<ArchSpec> arch;
  Workload w;
  GivenMappings mappings;
  std::vector<LayerPlan> plans;
};

Planned plan_one_pass_per_channel(int64_t router_cycles) {
  Planned p{test::arch_from_text(mesh_arch(4, 4, 1, 1, "corner", router_cycles)), test::workload_from_text(kFc), {}, {}};
  const std::filesystem::path path = test::scratch_dir("mesh_heads") / "mappings.yaml";
  std::ofstream(path) << kOnePassPerChannel;
  p.mappings = load_mappings(path.string(), p.w, p.arch->dataflow);
  std::filesystem::remove_all(path.parent_path());
  p.plans = plan_workload(*p.arch, p.w, &p.mappings);
  return p;
}

TEST_CASE("on a mesh the bound counts a head latency for every pass that waits for a transfer", "[mesh][hand]") {
  // From the corner to a row of 4 PEs: 3 links along row 0, 3 cycles each.
  const Planned p = plan_one_pass_per_channel(3);
  const NestCounts n = count_nest(*p.arch, p.w.layers[0], p.plans[0].bounds, p.plans[0].mapping, p.arch->dataflow);
  REQUIRE(n.passes == 16);
  CHECK(n.least_head_cycles == 9);
  const double period = p.arch->tech.period_s();
  // Each pass waits for its 4 partial sums going out, 4 x 32 bits over the
  // buffer router's two 16-bit links as the bound counts them (4 cycles),
  // and then for their head: 16 x (4 + 9) cycles.
  CHECK(plan_latency_bound(*p.arch, p.w.layers[0], p.plans[0]).seconds >= 16 * (4 + 9) * period * (1 - 1e-9));
  // Without router cycles the same passes are bounded far lower.
  const Planned q = plan_one_pass_per_channel(0);
  CHECK(plan_latency_bound(*q.arch, q.w.layers[0], q.plans[0]).seconds < 16 * 9 * period);
}

TEST_CASE("on a mesh a mapping of many small passes runs no faster than the bound with their heads", "[mesh]") {
  const Planned p = plan_one_pass_per_channel(3);
  const double bound = plan_latency_bound(*p.arch, p.w.layers[0], p.plans[0]).seconds;
  const RunResult r = run_simulation(*p.arch, p.w, &p.mappings);
  CHECK(r.layers[0].latency_s >= bound * (1 - 1e-9));
  CHECK(r.layers[0].latency_s >= 16 * 9 * p.arch->tech.period_s());
}

}  // namespace
}  // namespace qnnsim
