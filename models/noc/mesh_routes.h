#pragma once
// Routes of one transfer's pattern on a 2D mesh, in closed form: which links
// the X-Y routes between the buffer's router and the PEs cross, and how many
// of the transfer's multicast groups cross each. Plain C++ (no SystemC), so
// tests derive loads by hand against it.
//
// Geometry: routers form a grid of routers_x() columns by routers_y() rows;
// PE (r, c) sits at router (c / conc_cols, r / conc_rows). The buffer attaches
// to router (inject_x, 0), on the edge of row 0, or is split into a slice at
// every router (`slices`, as Eyeriss v2's GLB clusters); traffic from DRAM
// always enters at (inject_x, 0). Links are directed; each has its own
// bandwidth, so traffic to the PEs and traffic back never share one. With
// slices, each router also has a port from its slice (Inject) and one to it
// (Eject), as wide as a link: the local traffic of a slice is bounded by them.
#include <cstdint>
#include <vector>

namespace qnnsim {

struct MeshLayout {
  int64_t pe_rows = 1, pe_cols = 1;
  int64_t conc_rows = 1, conc_cols = 1;  // PEs per router along each axis
  int64_t inject_x = 0;                  // router column the buffer (or DRAM's traffic) attaches to, in row 0
  bool slices = false;                   // a buffer slice at every router
  int64_t routers_x() const { return pe_cols / conc_cols; }
  int64_t routers_y() const { return pe_rows / conc_rows; }
  // Directions of the link leaving a router; Inject and Eject are a slice's
  // ports into and out of its router (only with slices).
  enum Dir { East = 0, West = 1, South = 2, North = 3, Inject = 4, Eject = 5 };  // South: away from row 0
  int64_t links() const { return (slices ? 6 : 4) * routers_x() * routers_y(); }
  int64_t link(Dir d, int64_t x, int64_t y) const { return (static_cast<int64_t>(d) * routers_y() + y) * routers_x() + x; }
};

// What a pattern costs, per group: a transfer of B bits split evenly over
// `groups` groups puts B * link_groups[l] / groups bits on link l.
struct RouteLoad {
  uint64_t groups = 0;
  std::vector<uint64_t> link_groups;  // per directed link (MeshLayout::link), groups whose tree crosses it
                                      // (a slice's ports included, which bound time but are not links)
  uint64_t busiest = 0;               // the largest entry of link_groups
  uint64_t link_traversals = 0;       // mesh links of all groups' trees together (no slice ports)
  uint64_t router_traversals = 0;     // routers the trees visit, the buffer's router included
  int64_t longest_route = 0;          // links on the longest route of any group
};

// From the buffer to the PEs of the rows x cols region at the array's
// origin, each value to `copies` PEs. The copies of a value lie along one row
// of the region (a row multicast, as Eyeriss' X-buses and a systolic array's
// input rows) and over whole rows when there are more copies than columns;
// the region splits into such groups, and each group's tree is the union of
// its X-Y routes, so a link carries a group's values once however many of
// its PEs lie behind it.
RouteLoad route_to_pes(const MeshLayout& mesh, int64_t rows, int64_t cols, int64_t copies);

// From each PE of the region back to the buffer, each PE its own share
// (partial sums out: no multicast). X first along the PE's router row, then
// along the buffer's router column to row 0.
RouteLoad route_to_buffer(const MeshLayout& mesh, int64_t rows, int64_t cols);

// With a buffer slice at every router (mesh.slices): each group's values come
// from the slice at the router of the group's first PE (its top-left corner
// in the region), through that slice's Inject port, then X-Y along the
// group's first router row and down its columns, as route_to_pes groups them.
RouteLoad route_from_slices(const MeshLayout& mesh, int64_t rows, int64_t cols, int64_t copies);

// With slices: each PE's partial sums go to the slice at its own router,
// through that router's Eject port; they cross no link of the mesh.
RouteLoad route_to_slices(const MeshLayout& mesh, int64_t rows, int64_t cols);

}  // namespace qnnsim
