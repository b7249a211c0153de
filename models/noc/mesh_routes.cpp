#include "noc/mesh_routes.h"

#include <algorithm>

namespace qnnsim {

namespace {

// Group counts per link gathered as runs: a route crosses consecutive links
// of one direction along one row or column, so each run is two updates of a
// difference array, and a pattern of thousands of groups costs no more than
// its groups plus the mesh's links.
class Runs {
 public:
  explicit Runs(const MeshLayout& m)
      : m_(m),
        diff_(4, std::vector<int64_t>(static_cast<std::size_t>(m.routers_x() * m.routers_y() + m.routers_x() + m.routers_y() + 2))),
        ports_(static_cast<std::size_t>(m.slices ? 2 * m.routers_x() * m.routers_y() : 0)) {}
  // Links of direction d (East or West) leaving routers x in [xa, xb] of row y.
  void along_x(MeshLayout::Dir d, int64_t y, int64_t xa, int64_t xb) {
    if (xa > xb) return;
    add(d, y * (m_.routers_x() + 1) + xa, y * (m_.routers_x() + 1) + xb + 1, xb - xa + 1);
  }
  // Links of direction d (South or North) leaving routers y in [ya, yb] of column x.
  void along_y(MeshLayout::Dir d, int64_t x, int64_t ya, int64_t yb) {
    if (ya > yb) return;
    add(d, x * (m_.routers_y() + 1) + ya, x * (m_.routers_y() + 1) + yb + 1, yb - ya + 1);
  }
  // One group through the slice port of direction d (Inject or Eject) at router (x, y).
  void port(MeshLayout::Dir d, int64_t x, int64_t y) {
    ports_[static_cast<std::size_t>((d - MeshLayout::Inject) * m_.routers_x() * m_.routers_y() + y * m_.routers_x() + x)] += 1;
  }
  void finish(RouteLoad& out) const {
    out.link_groups.assign(static_cast<std::size_t>(m_.links()), 0);
    // The slice ports follow the four link directions in the numbering.
    for (std::size_t i = 0; i < ports_.size(); ++i)
      out.link_groups[static_cast<std::size_t>(4 * m_.routers_x() * m_.routers_y()) + i] = ports_[i];
    const int64_t nx = m_.routers_x(), ny = m_.routers_y();
    for (MeshLayout::Dir d : {MeshLayout::East, MeshLayout::West}) {
      for (int64_t y = 0; y < ny; ++y) {
        int64_t run = 0;
        for (int64_t x = 0; x < nx; ++x) {
          run += diff_[d][static_cast<std::size_t>(y * (nx + 1) + x)];
          out.link_groups[static_cast<std::size_t>(m_.link(d, x, y))] = static_cast<uint64_t>(run);
        }
      }
    }
    for (MeshLayout::Dir d : {MeshLayout::South, MeshLayout::North}) {
      for (int64_t x = 0; x < nx; ++x) {
        int64_t run = 0;
        for (int64_t y = 0; y < ny; ++y) {
          run += diff_[d][static_cast<std::size_t>(x * (ny + 1) + y)];
          out.link_groups[static_cast<std::size_t>(m_.link(d, x, y))] = static_cast<uint64_t>(run);
        }
      }
    }
    out.busiest = out.link_groups.empty() ? 0 : *std::max_element(out.link_groups.begin(), out.link_groups.end());
    out.link_traversals = static_cast<uint64_t>(traversals_);
  }

 private:
  void add(MeshLayout::Dir d, int64_t from, int64_t to, int64_t n) {
    diff_[d][static_cast<std::size_t>(from)] += 1;
    diff_[d][static_cast<std::size_t>(to)] -= 1;
    traversals_ += n;
  }
  const MeshLayout& m_;
  std::vector<std::vector<int64_t>> diff_;  // per direction, one segment per row (E, W) or column (S, N)
  std::vector<uint64_t> ports_;             // groups per slice port: Inject, then Eject, each row by row
  int64_t traversals_ = 0;
};

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The multicast groups of a transfer to the rows x cols region, each value to
// `copies` PEs: `copies` PEs along a row, or whole rows when copies exceed the
// columns. Calls group(x0, x1, y0, y1) with each group's rectangle of routers
// and counts the groups into `out`.
template <class Group>
void for_each_group(const MeshLayout& m, int64_t rows, int64_t cols, int64_t copies, RouteLoad& out, Group group) {
  rows = std::clamp<int64_t>(rows, 1, m.pe_rows);
  cols = std::clamp<int64_t>(cols, 1, m.pe_cols);
  copies = std::clamp<int64_t>(copies, 1, rows * cols);
  const int64_t group_cols = std::min(copies, cols);
  const int64_t group_rows = copies > cols ? ceil_div(copies, cols) : 1;
  for (int64_t r0 = 0; r0 < rows; r0 += group_rows) {
    for (int64_t c0 = 0; c0 < cols; c0 += group_cols) {
      const int64_t x0 = c0 / m.conc_cols, x1 = (std::min(c0 + group_cols, cols) - 1) / m.conc_cols;
      const int64_t y0 = r0 / m.conc_rows, y1 = (std::min(r0 + group_rows, rows) - 1) / m.conc_rows;
      group(x0, x1, y0, y1);
      ++out.groups;
    }
  }
}

}  // namespace

RouteLoad route_to_pes(const MeshLayout& m, int64_t rows, int64_t cols, int64_t copies) {
  const int64_t ix = m.inject_x;
  Runs runs(m);
  RouteLoad out;
  for_each_group(m, rows, cols, copies, out, [&](int64_t x0, int64_t x1, int64_t /*y0*/, int64_t y1) {
    // X first along row 0 from the buffer's router to the rectangle's far columns,
    runs.along_x(MeshLayout::East, 0, ix, x1 - 1);
    runs.along_x(MeshLayout::West, 0, x0 + 1, ix);
    // then down each of its columns as far as its last row (rows above it are passed through).
    for (int64_t x = x0; x <= x1; ++x) runs.along_y(MeshLayout::South, x, 0, y1 - 1);
    out.longest_route = std::max(out.longest_route, std::max(x1 - ix, ix - x0) + y1);
  });
  runs.finish(out);
  out.router_traversals = out.link_traversals + out.groups;  // a tree visits one router more than it has links
  return out;
}

RouteLoad route_to_buffer(const MeshLayout& m, int64_t rows, int64_t cols) {
  rows = std::clamp<int64_t>(rows, 1, m.pe_rows);
  cols = std::clamp<int64_t>(cols, 1, m.pe_cols);
  const int64_t ix = m.inject_x;
  Runs runs(m);
  RouteLoad out;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const int64_t x = c / m.conc_cols, y = r / m.conc_rows;
      runs.along_x(MeshLayout::West, y, ix + 1, x);  // from the right of the buffer's column
      runs.along_x(MeshLayout::East, y, x, ix - 1);  // from its left
      runs.along_y(MeshLayout::North, ix, 1, y);
      out.longest_route = std::max(out.longest_route, (x > ix ? x - ix : ix - x) + y);
      ++out.groups;
    }
  }
  runs.finish(out);
  out.router_traversals = out.link_traversals + out.groups;
  return out;
}

RouteLoad route_from_slices(const MeshLayout& m, int64_t rows, int64_t cols, int64_t copies) {
  Runs runs(m);
  RouteLoad out;
  for_each_group(m, rows, cols, copies, out, [&](int64_t x0, int64_t x1, int64_t y0, int64_t y1) {
    // From the slice at the group's first router, X along its row, then down each column.
    runs.port(MeshLayout::Inject, x0, y0);
    runs.along_x(MeshLayout::East, y0, x0, x1 - 1);
    for (int64_t x = x0; x <= x1; ++x) runs.along_y(MeshLayout::South, x, y0, y1 - 1);
    out.longest_route = std::max(out.longest_route, (x1 - x0) + (y1 - y0));
  });
  runs.finish(out);
  out.router_traversals = out.link_traversals + out.groups;
  return out;
}

RouteLoad route_to_slices(const MeshLayout& m, int64_t rows, int64_t cols) {
  rows = std::clamp<int64_t>(rows, 1, m.pe_rows);
  cols = std::clamp<int64_t>(cols, 1, m.pe_cols);
  Runs runs(m);
  RouteLoad out;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      runs.port(MeshLayout::Eject, c / m.conc_cols, r / m.conc_rows);
      ++out.groups;
    }
  }
  runs.finish(out);
  out.router_traversals = out.groups;  // each PE's sums visit its own router only
  return out;
}

}  // namespace qnnsim
