#include "imc/chip_mesh.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "noc/mesh_routes.h"

namespace qnnsim {

namespace {
MeshLayout layout(int64_t side) {
  MeshLayout m;
  m.pe_rows = side;
  m.pe_cols = side;
  return m;
}
}  // namespace

ChipMesh::ChipMesh(const ImcArch& arch)
    : side_(static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(arch.routers()))))),
      tiles_per_router_(arch.router.tiles_per_router) {}

std::string ChipMesh::link_name(int64_t link) const {
  static const char* kDir[] = {"east", "west", "south", "north"};
  const int64_t per_dir = side_ * side_;
  const int64_t d = link / per_dir, rest = link % per_dir;
  return fmt::format("router {} {}", rest, kDir[d]);  // rest = y * side + x, the router's index
}

std::vector<int64_t> ChipMesh::route(int64_t a, int64_t b) const {
  const MeshLayout m = layout(side_);
  int64_t x = a % side_, y = a / side_;
  const int64_t bx = b % side_, by = b / side_;
  std::vector<int64_t> out;
  while (x != bx) {
    const MeshLayout::Dir d = bx > x ? MeshLayout::East : MeshLayout::West;
    out.push_back(m.link(d, x, y));
    x += bx > x ? 1 : -1;
  }
  while (y != by) {
    const MeshLayout::Dir d = by > y ? MeshLayout::South : MeshLayout::North;
    out.push_back(m.link(d, x, y));
    y += by > y ? 1 : -1;
  }
  return out;
}

RowTree ChipMesh::tree(int64_t from, const std::vector<int64_t>& to) const {
  RowTree t;
  t.source_router = from;
  t.routers_visited = 1;
  std::map<int64_t, int> index;  // link -> its place in t.links
  for (int64_t dest : to) {
    int parent = -1;
    for (int64_t link : route(from, dest)) {
      auto [it, added] = index.emplace(link, static_cast<int>(t.links.size()));
      if (added) {
        t.links.push_back(link);
        t.parent.push_back(parent);
        ++t.routers_visited;  // X-Y routes from one source never enter a router by two links
      }
      parent = it->second;
    }
  }
  return t;
}

RowTree input_row_tree(const ChipMesh& mesh, const ImcArch& arch, const Workload& w, const ChipPlacement& place,
                       double row_bits) {
  std::vector<int64_t> dest;
  for (std::size_t j = 0; j < w.layers.size(); ++j)
    for (const std::string& name : producers_of(w, j))
      if (name == "input") {
        const auto tiles = layer_tiles(arch, place.layers[j]);
        for (int64_t tile = tiles.first; tile <= tiles.second; ++tile) dest.push_back(mesh.router_of_tile(tile));
      }
  std::sort(dest.begin(), dest.end());
  dest.erase(std::unique(dest.begin(), dest.end()), dest.end());
  RowTree t = mesh.tree(0, dest);
  t.bits = row_bits;
  return t;
}

std::size_t first_input_reader(const Workload& w) {
  for (std::size_t j = 0; j < w.layers.size(); ++j)
    for (const std::string& name : producers_of(w, j))
      if (name == "input") return j;
  return 0;
}

std::vector<std::size_t> consumers_of(const Workload& w, std::size_t i) {
  std::vector<std::size_t> out;
  for (std::size_t j = 0; j < w.layers.size(); ++j)
    for (const std::string& name : producers_of(w, j))
      if (name == w.layers[i].name) out.push_back(j);
  return out;
}

std::vector<RowTree> row_trees(const ChipMesh& mesh, const ImcArch& arch, const Workload& w,
                               const ChipPlacement& place, std::size_t i, int64_t r, double out_bits, bool to_io) {
  const LayerPlacement& p = place.layers[i];
  // The sending copy's IMAs (a layer in parts: those of its resident part).
  int64_t first = p.first_ima, count = std::max<int64_t>(p.ima_span, 1);
  if (p.on_crossbars) {
    first = p.first_ima + (r % p.copies) * p.resident_imas();
    count = p.resident_imas();
  }
  std::map<int64_t, int64_t> imas_at;  // source router -> the copy's IMAs behind it
  for (int64_t ima = first; ima < first + count; ++ima) ++imas_at[mesh.router_of_tile(ima / arch.tile.imas)];

  std::vector<int64_t> dest;
  for (std::size_t j : consumers_of(w, i)) {
    if (place.layers[j].segment != p.segment) continue;  // spilled: it leaves through the I/O
    const auto tiles = layer_tiles(arch, place.layers[j]);
    for (int64_t tile = tiles.first; tile <= tiles.second; ++tile) dest.push_back(mesh.router_of_tile(tile));
  }
  if (to_io) dest.push_back(0);
  std::sort(dest.begin(), dest.end());
  dest.erase(std::unique(dest.begin(), dest.end()), dest.end());

  std::vector<RowTree> out;
  for (const auto& [router, imas] : imas_at) {
    RowTree t = mesh.tree(router, dest);
    t.bits = out_bits * static_cast<double>(imas) / static_cast<double>(count);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace qnnsim
