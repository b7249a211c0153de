#pragma once
// The routes of an in-memory chip's output rows over its concentrated mesh,
// link by link (`routing: xy`). Routers sit on the smallest square grid, row
// by row, as router_traversals() lays them out; links are directed and
// indexed as the PE-array mesh's (noc/mesh_routes.h: (direction x side + y) x
// side + x; east, west, south, north). The chip I/O attaches to router 0.
//
// Where a row comes from: copies of a layer take its output rows in turn (row
// r of every image on copy r mod copies), and a copy's IMAs each compute a
// share of the row's output channels, so each tile of the copy sends its
// IMAs' share. A pool or add sends from its producer's tiles, where it runs.
// The network input's rows come in through the I/O's router and go to every
// tile of the layers reading the input.
// Where it goes: to every tile of each consumer, since each of the
// consumer's tiles reads its inputs from its own eDRAM (which copy or which
// crossbar rows use the row is not tracked, so this bounds the traffic from
// above); network outputs and rows spilled off chip go to the I/O's router.
// A source's bits to its destinations form a tree, the union of the X-Y
// routes, and a link carries them once.
#include <cstdint>
#include <string>
#include <vector>

#include "imc/imc_arch.h"
#include "imc/placement.h"
#include "workload/workload.h"

namespace qnnsim {

// One source router's part of a row: the bits it sends and the links of its
// tree in an order where every link follows the link that feeds it.
struct RowTree {
  int64_t source_router = 0;
  double bits = 0;
  std::vector<int64_t> links;    // directed link ids
  std::vector<int> parent;       // per link: the index in `links` feeding it, -1 from the source
  int64_t routers_visited = 0;   // the source's router and every router a link enters
};

class ChipMesh {
 public:
  explicit ChipMesh(const ImcArch& arch);
  int64_t side() const { return side_; }
  int64_t links() const { return 4 * side_ * side_; }
  int64_t router_of_tile(int64_t tile) const { return tile / tiles_per_router_; }
  std::string link_name(int64_t link) const;  // "router 5 east"
  // The directed links from router a to router b, X first, in order.
  std::vector<int64_t> route(int64_t a, int64_t b) const;
  // The tree from router `from` to every router of `to` (union of routes).
  RowTree tree(int64_t from, const std::vector<int64_t>& to) const;

 private:
  int64_t side_ = 1, tiles_per_router_ = 1;
};

// The trees output row r (of any image) of layer i travels over: one per
// source router, with `out_bits` split by IMAs over the sending copy's tiles.
// `to_io` sends it to the I/O's router (a network output, or spilled).
std::vector<RowTree> row_trees(const ChipMesh& mesh, const ImcArch& arch, const Workload& w,
                               const ChipPlacement& place, std::size_t i, int64_t r, double out_bits, bool to_io);

// The network input's row of `row_bits`: from the I/O's router to every tile
// of the layers that read the input.
RowTree input_row_tree(const ChipMesh& mesh, const ImcArch& arch, const Workload& w, const ChipPlacement& place,
                       double row_bits);

// The first layer that reads the network input (its rows' traffic is counted there).
std::size_t first_input_reader(const Workload& w);

// The layers reading layer i's outputs.
std::vector<std::size_t> consumers_of(const Workload& w, std::size_t i);

}  // namespace qnnsim
