#include "imc/layer_actions.h"

#include <cmath>
#include <cstdlib>
#include <map>

#include "imc/chip_mesh.h"
#include "imc/imc_costs.h"

namespace qnnsim {

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

struct Tally {
  std::vector<ActionResult>& out;
  void add(const char* component, const char* action, uint64_t count, double joules_each) {
    if (count == 0) return;
    out.push_back({component, action, count, static_cast<double>(count) * joules_each * 1e12});
  }
};

}  // namespace

int64_t router_traversals(const ImcArch& arch, int64_t from_tile, int64_t to_tile) {
  const int64_t side = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(arch.routers()))));
  const int64_t a = from_tile / arch.router.tiles_per_router, b = to_tile / arch.router.tiles_per_router;
  return std::llabs(a % side - b % side) + std::llabs(a / side - b / side) + 1;
}

std::vector<std::vector<ActionResult>> count_layer_actions(const ImcArch& arch, const Workload& w,
                                                           const ChipPlacement& placement) {
  const uint64_t batch = static_cast<uint64_t>(w.batch);
  const CrossbarSpec& x = arch.ima.crossbar;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < w.layers.size(); ++i) index[w.layers[i].name] = i;
  // Each layer's consumers, for the flits its outputs send.
  std::vector<std::vector<std::size_t>> consumers(w.layers.size());
  for (std::size_t i = 0; i < w.layers.size(); ++i)
    for (const auto& name : producers_of(w, i))
      if (name != "input") consumers[index.at(name)].push_back(i);

  std::vector<std::vector<ActionResult>> all(w.layers.size());
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    const LayerPlacement& p = placement.layers[i];
    const ImcActionEnergy e = action_energies(arch, p.on_crossbars ? p.step_s : full_step_s(arch));
    Tally t{all[i]};
    const uint64_t in_bits = static_cast<uint64_t>(l.precision.inputs.bits);
    if (p.on_crossbars) {
      const uint64_t steps = batch * static_cast<uint64_t>(p.positions) * static_cast<uint64_t>(p.steps);
      const double drive = dac_drive_factor(arch.ima.dac.bits, l.precision.inputs.density);
      // XNOR-SRAM: every column read is a bitline divider over its driven cells.
      const double read_j = x.is_xnor_sram() ? x.xnor_sram->energy_j(p.cells_used, p.columns_read)
                                             : x.read_energy_j(p.cells_used, 1, drive);
      t.add("crossbar", "read", steps * static_cast<uint64_t>(p.crossbars), read_j / static_cast<double>(p.crossbars));
      t.add("dac", "convert", steps * static_cast<uint64_t>(p.rows_driven), e.dac_conversion);
      if (arch.ima.sample_hold.count > 0)
        t.add("sample_hold", "sample", steps * static_cast<uint64_t>(p.columns_read), e.sample);
      t.add("adc", "convert", steps * static_cast<uint64_t>(p.columns_read), e.adc_conversion);
      t.add("ima", "step", steps * static_cast<uint64_t>(p.imas), e.ima_step);
      // Every position reads its input window from the tile's eDRAM over the bus.
      const uint64_t window_bits = static_cast<uint64_t>(l.reduction_size() * l.groups) * in_bits;
      const uint64_t positions = batch * static_cast<uint64_t>(p.positions);
      t.add("edram", "read", positions * ceil_div(window_bits, static_cast<uint64_t>(arch.tile.edram.width_bits)),
            e.edram_access);
      t.add("bus", "transfer", positions * ceil_div(window_bits, static_cast<uint64_t>(arch.tile.bus.width_bits)),
            e.bus_transfer);
    } else {
      const uint64_t bits = static_cast<uint64_t>(l.input_count()) * in_bits;
      t.add("edram", "read", batch * ceil_div(bits, static_cast<uint64_t>(arch.tile.edram.width_bits)), e.edram_access);
    }
    // Outputs pass the tile's digital units, cross the mesh to each consumer and land in its eDRAM.
    const uint64_t out_bits = static_cast<uint64_t>(l.output_count() * l.precision.outputs.bits);
    t.add("tile", "value", batch * static_cast<uint64_t>(l.output_count()), e.tile_value);
    const uint64_t rows = l.type == LayerType::FC ? 1 : static_cast<uint64_t>(l.P);
    if (arch.router.xy_links) {
      // Each row's trees, as the pipeline books them: a flit per router visited.
      const ChipMesh mesh(arch);
      const double row_bits = static_cast<double>(static_cast<uint64_t>(l.output_count()) / rows * l.precision.outputs.bits);
      const bool to_io = consumers[i].empty() || placement.spills_out[i];
      uint64_t per_image = 0;
      for (uint64_t r = 0; r < rows; ++r)
        for (const RowTree& tree : row_trees(mesh, arch, w, placement, i, static_cast<int64_t>(r), row_bits, to_io))
          per_image += static_cast<uint64_t>(std::ceil(tree.bits / arch.router.link_width_bits)) *
                       static_cast<uint64_t>(tree.routers_visited);
      // The network input's rows cross the mesh too, counted to their first reader.
      if (i == first_input_reader(w)) {
        const double input_row_bits =
            static_cast<double>(w.input.C * w.input.W * w.layers.front().precision.inputs.bits);  // as the pipeline feeds it
        const RowTree in = input_row_tree(mesh, arch, w, placement, input_row_bits);
        per_image += static_cast<uint64_t>(w.input.H) *
                     static_cast<uint64_t>(std::ceil(input_row_bits / arch.router.link_width_bits)) *
                     static_cast<uint64_t>(in.routers_visited);
      }
      t.add("router", "flit", batch * per_image, e.router_flit);
    } else {
      const uint64_t flits_per_row = ceil_div(out_bits / rows, static_cast<uint64_t>(arch.router.link_width_bits));
      uint64_t flit_traversals = 0;
      const int64_t from_tile = layer_tiles(arch, p).second;
      for (std::size_t c : consumers[i])
        flit_traversals +=
            static_cast<uint64_t>(router_traversals(arch, from_tile, layer_tiles(arch, placement.layers[c]).first));
      if (consumers[i].empty()) flit_traversals = 1;  // to the chip I/O's router
      t.add("router", "flit", batch * rows * flits_per_row * flit_traversals, e.router_flit);
    }
    if (!consumers[i].empty())
      t.add("edram", "write",
            batch * consumers[i].size() * ceil_div(out_bits, static_cast<uint64_t>(arch.tile.edram.width_bits)),
            e.edram_access);
    // Chip I/O: the network input in, the network output out, reloaded weights in.
    uint64_t io_bits = 0;
    for (const auto& name : producers_of(w, i))
      if (name == "input") io_bits += batch * static_cast<uint64_t>(w.input.volume()) * in_bits;
    if (consumers[i].empty() || placement.spills_out[i]) io_bits += batch * out_bits;
    for (std::size_t j : placement.spilled_inputs[i])  // read back for this segment
      io_bits += batch * static_cast<uint64_t>(w.layers[j].output_count() * w.layers[j].precision.outputs.bits);
    if (placement.rewrites_weights && p.on_crossbars) {
      const uint64_t weight_bits = static_cast<uint64_t>(p.copies * l.weight_count() * l.precision.weights.bits);
      io_bits += weight_bits;
      t.add("crossbar", "write", static_cast<uint64_t>(p.copies * p.cells_used), *x.write_energy_per_cell_j);
    }
    t.add("io", "bit", io_bits, e.io_bit);
  }
  return all;
}

}  // namespace qnnsim
