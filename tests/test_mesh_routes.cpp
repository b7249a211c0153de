// The mesh's routes in closed form (models/noc/mesh_routes.h) against link
// loads derived by hand on a 4 x 4 mesh. Routers are named (x, y): x the
// column, y the row, the buffer on row 0. E(x, y) is the link from (x, y) to
// (x + 1, y), W to (x - 1, y), S to (x, y + 1), N to (x, y - 1). A load is a
// count of groups (sets of PEs sharing the values sent to them).
#include <catch2/catch.hpp>

#include <numeric>

#include "noc/mesh_routes.h"

namespace qnnsim {
namespace {

using D = MeshLayout::Dir;

MeshLayout mesh4(int64_t inject_x, int64_t conc = 1) {
  MeshLayout m;
  m.pe_rows = m.pe_cols = 4;
  m.conc_rows = m.conc_cols = conc;
  m.inject_x = inject_x;
  return m;
}

uint64_t at(const MeshLayout& m, const RouteLoad& r, D d, int64_t x, int64_t y) {
  return r.link_groups[static_cast<std::size_t>(m.link(d, x, y))];
}

uint64_t total(const RouteLoad& r) { return std::accumulate(r.link_groups.begin(), r.link_groups.end(), uint64_t{0}); }

TEST_CASE("unicast from a corner of a 4x4 mesh loads the first X link with 12 of 16 PEs", "[mesh]") {
  const MeshLayout m = mesh4(0);
  const RouteLoad r = route_to_pes(m, 4, 4, 1);
  CHECK(r.groups == 16);
  // E(x, 0) carries every PE right of column x: 4 rows x (3 - x) columns.
  CHECK(at(m, r, D::East, 0, 0) == 12);
  CHECK(at(m, r, D::East, 1, 0) == 8);
  CHECK(at(m, r, D::East, 2, 0) == 4);
  CHECK(at(m, r, D::East, 0, 1) == 0);  // X runs on row 0 only
  // S(x, y) carries the PEs below row y in column x: 3 - y.
  for (int64_t x = 0; x < 4; ++x) {
    CHECK(at(m, r, D::South, x, 0) == 3);
    CHECK(at(m, r, D::South, x, 1) == 2);
    CHECK(at(m, r, D::South, x, 2) == 1);
  }
  CHECK(r.busiest == 12);
  // Each PE's route is x + y links: 4 x (0+1+2+3) for x, as many for y.
  CHECK(r.link_traversals == 48);
  CHECK(total(r) == 48);
  CHECK(r.router_traversals == 48 + 16);  // every route visits one router more than its links
  CHECK(r.longest_route == 6);            // to (3, 3)
}

TEST_CASE("row multicast crosses each link of the tree once per row", "[mesh]") {
  const MeshLayout m = mesh4(0);
  // Each value goes to the 4 PEs of one row: 4 groups, the rows.
  const RouteLoad r = route_to_pes(m, 4, 4, 4);
  CHECK(r.groups == 4);
  // Every row's tree runs E(0..2, 0) and then down all four columns to its row:
  // E(x, 0) carries all 4 groups, S(x, y) the rows below y: 3 - y.
  CHECK(at(m, r, D::East, 0, 0) == 4);
  CHECK(at(m, r, D::East, 2, 0) == 4);
  CHECK(at(m, r, D::South, 1, 0) == 3);
  CHECK(at(m, r, D::South, 3, 2) == 1);
  CHECK(r.busiest == 4);
  // Row y's tree: 3 X links + 4 columns x y links; rows 0..3: 12 + 4 x 6.
  CHECK(r.link_traversals == 36);
  CHECK(r.router_traversals == 36 + 4);
  CHECK(r.longest_route == 6);

  // A broadcast is one tree spanning the 16 routers: 15 links, each crossed once.
  const RouteLoad b = route_to_pes(m, 4, 4, 16);
  CHECK(b.groups == 1);
  CHECK(b.busiest == 1);
  CHECK(b.link_traversals == 15);
  CHECK(b.router_traversals == 16);
}

TEST_CASE("injection at the middle of an edge splits the X traffic", "[mesh]") {
  const MeshLayout m = mesh4(2);
  const RouteLoad r = route_to_pes(m, 4, 4, 1);
  // From (2, 0): W(2, 0) carries columns 0 and 1 (8 PEs), W(1, 0) column 0 (4),
  // E(2, 0) column 3 (4); column 2 itself goes straight down: S(2, 0) = 3.
  CHECK(at(m, r, D::West, 2, 0) == 8);
  CHECK(at(m, r, D::West, 1, 0) == 4);
  CHECK(at(m, r, D::East, 2, 0) == 4);
  CHECK(at(m, r, D::East, 0, 0) == 0);
  CHECK(at(m, r, D::South, 2, 0) == 3);
  CHECK(r.busiest == 8);
  // X distances |x - 2| over 4 rows: 4 x (2+1+0+1) = 16; Y as before, 24.
  CHECK(r.link_traversals == 40);
  CHECK(r.longest_route == 5);  // to (0, 3)
}

TEST_CASE("a concentrated mesh routes PE clusters, not PEs", "[mesh]") {
  // 2 x 2 PEs per router: 2 x 2 routers over the 4 x 4 PEs.
  const MeshLayout m = mesh4(0, 2);
  REQUIRE(m.routers_x() == 2);
  const RouteLoad r = route_to_pes(m, 4, 4, 1);
  CHECK(r.groups == 16);
  // E(0, 0) carries the 8 PEs of router column 1; S(x, 0) the 4 PEs of router row 1.
  CHECK(at(m, r, D::East, 0, 0) == 8);
  CHECK(at(m, r, D::South, 0, 0) == 4);
  CHECK(at(m, r, D::South, 1, 0) == 4);
  CHECK(r.busiest == 8);
  // Routers (0,0), (1,0), (0,1), (1,1) are 0, 1, 1, 2 links away, 4 PEs each.
  CHECK(r.link_traversals == 16);
  CHECK(r.longest_route == 2);
  // Two PEs of one row under one router share a row multicast's single crossing.
  const RouteLoad pair = route_to_pes(m, 4, 4, 2);
  CHECK(pair.groups == 8);
  CHECK(at(m, pair, D::East, 0, 0) == 4);  // the 4 pairs of router column 1
}

TEST_CASE("partial sums back to a corner converge on the buffer's column", "[mesh]") {
  const MeshLayout m = mesh4(0);
  const RouteLoad r = route_to_buffer(m, 4, 4);
  CHECK(r.groups == 16);
  // X first along the PE's own row, west to column 0: W(x, y) carries 4 - x PEs.
  CHECK(at(m, r, D::West, 1, 2) == 3);
  CHECK(at(m, r, D::West, 3, 0) == 1);
  // Then north up column 0: N(0, y) carries the 4 x (4 - y) PEs of rows y and below.
  CHECK(at(m, r, D::North, 0, 1) == 12);
  CHECK(at(m, r, D::North, 0, 2) == 8);
  CHECK(at(m, r, D::North, 0, 3) == 4);
  CHECK(at(m, r, D::North, 1, 1) == 0);
  CHECK(r.busiest == 12);
  CHECK(r.link_traversals == 48);
  // Nothing goes to the PEs on these links.
  CHECK(at(m, r, D::East, 0, 0) == 0);
  CHECK(at(m, r, D::South, 0, 0) == 0);
}

TEST_CASE("a region smaller than the array routes only to its PEs", "[mesh]") {
  const MeshLayout m = mesh4(0);
  // 2 rows x 3 columns, unicast: E(0, 0) carries columns 1 and 2 of two rows.
  const RouteLoad r = route_to_pes(m, 2, 3, 1);
  CHECK(r.groups == 6);
  CHECK(at(m, r, D::East, 0, 0) == 4);
  CHECK(at(m, r, D::East, 1, 0) == 2);
  CHECK(at(m, r, D::East, 2, 0) == 0);
  CHECK(at(m, r, D::South, 0, 0) == 1);
  CHECK(at(m, r, D::South, 0, 1) == 0);
  CHECK(r.longest_route == 3);
}


// Buffer slices at every router (Eyeriss v2's GLB clusters): a group is served
// from the slice at its own first router, through that slice's Inject port.
MeshLayout sliced4(int64_t conc = 1) {
  MeshLayout m = mesh4(0, conc);
  m.inject_x = m.routers_x() / 2;  // DRAM's traffic enters at the middle of row 0's edge
  m.slices = true;
  return m;
}

TEST_CASE("with a slice at every router, unicast to each PE crosses no link", "[mesh]") {
  const MeshLayout m = sliced4();
  REQUIRE(m.links() == 6 * 16);
  const RouteLoad r = route_from_slices(m, 4, 4, 1);
  CHECK(r.groups == 16);
  CHECK(r.link_traversals == 0);
  CHECK(r.router_traversals == 16);
  CHECK(r.longest_route == 0);
  // Each slice sends its own PE's values through its port: one group each.
  for (int64_t x = 0; x < 4; ++x)
    for (int64_t y = 0; y < 4; ++y) CHECK(at(m, r, D::Inject, x, y) == 1);
  CHECK(r.busiest == 1);
  CHECK(total(r) == 16);  // the ports only
}

TEST_CASE("with slices, a row multicast starts at the row's first router", "[mesh]") {
  const MeshLayout m = sliced4();
  // Each value to the 4 PEs of one row: row y's tree is E(0..2, y) from the slice at (0, y).
  const RouteLoad r = route_from_slices(m, 4, 4, 4);
  CHECK(r.groups == 4);
  for (int64_t y = 0; y < 4; ++y) {
    CHECK(at(m, r, D::Inject, 0, y) == 1);
    CHECK(at(m, r, D::Inject, 1, y) == 0);
    for (int64_t x = 0; x < 3; ++x) CHECK(at(m, r, D::East, x, y) == 1);
    CHECK(at(m, r, D::South, 0, y) == 0);  // no row's tree goes down
  }
  CHECK(r.busiest == 1);
  CHECK(r.link_traversals == 12);
  CHECK(r.router_traversals == 12 + 4);
  CHECK(r.longest_route == 3);
  // Eight copies: two rows a group, from (0, 0) and (0, 2): along the group's
  // first row, then one link down each of its four columns.
  const RouteLoad two = route_from_slices(m, 4, 4, 8);
  CHECK(two.groups == 2);
  CHECK(at(m, two, D::Inject, 0, 0) == 1);
  CHECK(at(m, two, D::Inject, 0, 2) == 1);
  CHECK(at(m, two, D::East, 1, 2) == 1);
  CHECK(at(m, two, D::South, 3, 0) == 1);
  CHECK(at(m, two, D::South, 3, 1) == 0);
  CHECK(two.link_traversals == 2 * (3 + 4));
  CHECK(two.longest_route == 4);
}

TEST_CASE("with slices on a concentrated mesh, each router's PEs share its ports", "[mesh]") {
  const MeshLayout m = sliced4(2);  // 2 x 2 routers of 2 x 2 PEs
  // Partial sums: every PE to its own router's slice, 4 PEs a port, no link.
  const RouteLoad back = route_to_slices(m, 4, 4);
  CHECK(back.groups == 16);
  for (int64_t x = 0; x < 2; ++x)
    for (int64_t y = 0; y < 2; ++y) CHECK(at(m, back, D::Eject, x, y) == 4);
  CHECK(back.busiest == 4);
  CHECK(back.link_traversals == 0);
  CHECK(back.router_traversals == 16);
  // Pairs along a row stay under one router: 8 groups, 2 a port, no link.
  const RouteLoad pairs = route_from_slices(m, 4, 4, 2);
  CHECK(pairs.groups == 8);
  CHECK(at(m, pairs, D::Inject, 1, 1) == 2);
  CHECK(pairs.link_traversals == 0);
  // Traffic from DRAM still enters at the edge: route_to_pes ignores the slices.
  const RouteLoad edge = route_to_pes(m, 4, 4, 1);
  CHECK(at(m, edge, D::Inject, 0, 0) == 0);
  CHECK(edge.link_traversals == 16);  // as on the same mesh without slices, from (1, 0)
}

}  // namespace
}  // namespace qnnsim
