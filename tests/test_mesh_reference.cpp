// The mesh's closed form (busiest link's flits + longest route x router
// cycles) against a flit-by-flit reference (mesh_flit_reference.h) on random
// small patterns: the closed form must never be below the reference, and the
// reference never below what any schedule needs (the busiest link's flits, and
// the longest route's hops). Both directions, corner and edge-middle
// injection or a buffer slice at every router, concentrated and plain meshes,
// unicast to broadcast.
#include <catch2/catch.hpp>

#include <random>

#include "mesh_flit_reference.h"

namespace qnnsim {
namespace {

TEST_CASE("the mesh's closed form bounds a flit-by-flit reference on random patterns", "[mesh]") {
  std::mt19937 rng(2026);
  const auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  int exact = 0;
  double worst_gap = 0;  // the largest share of the closed form the reference leaves unused
  const int patterns = 400;
  for (int i = 0; i < patterns; ++i) {
    MeshLayout m;
    m.conc_rows = pick(1, 2);
    m.conc_cols = pick(1, 2);
    m.pe_rows = m.conc_rows * pick(1, 5);
    m.pe_cols = m.conc_cols * pick(1, 5);
    m.inject_x = pick(0, 1) == 0 ? 0 : m.routers_x() / 2;
    m.slices = pick(0, 2) == 0;
    const int64_t rows = pick(1, m.pe_rows), cols = pick(1, m.pe_cols);
    const int64_t copies = pick(1, rows * cols);
    const bool to_buffer = pick(0, 1) == 1;
    const int64_t flits = pick(1, 4), router_cycles = pick(1, 3);
    const RouteLoad load = m.slices ? (to_buffer ? route_to_slices(m, rows, cols) : route_from_slices(m, rows, cols, copies))
                                    : (to_buffer ? route_to_buffer(m, rows, cols) : route_to_pes(m, rows, cols, copies));
    const int64_t closed = static_cast<int64_t>(load.busiest) * flits + load.longest_route * router_cycles;
    const int64_t need = std::max<int64_t>(static_cast<int64_t>(load.busiest) * flits,
                                           load.longest_route > 0 ? (load.longest_route - 1) * router_cycles + 1 : 0);
    const int64_t ref = test::mesh_flit_cycles(m, rows, cols, copies, to_buffer, flits, router_cycles,
                                               static_cast<unsigned>(i));
    INFO("pattern " << i << ": " << m.pe_rows << "x" << m.pe_cols << " PEs, concentration " << m.conc_rows << "x"
                    << m.conc_cols << (m.slices ? ", slices" : "") << ", inject at x=" << m.inject_x << ", region " << rows << "x" << cols
                    << ", copies " << copies << (to_buffer ? ", to the buffer" : ", to the PEs") << ", " << flits
                    << " flits, " << router_cycles << " cycles per router");
    CHECK(ref >= need);
    CHECK(ref <= closed);
    if (ref == closed) ++exact;
    if (closed > 0) worst_gap = std::max(worst_gap, 1.0 - static_cast<double>(ref) / static_cast<double>(closed));
  }
  WARN(exact << " of " << patterns << " patterns exact; the reference is at most " << worst_gap * 100
             << "% below the closed form");
}

}  // namespace
}  // namespace qnnsim
