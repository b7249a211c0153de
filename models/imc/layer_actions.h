#pragma once
// What each layer does on an in-memory chip, counted in closed form from its
// placement: crossbar reads, DAC and ADC conversions, IMA steps, eDRAM and bus
// traffic, router flits, tile operations, chip I/O bits and, with weight
// reloading, cells written. Energy is the counts times imc_costs.h's energy per
// action (a crossbar read's energy depends on the cells the layer uses).
#include <vector>

#include "imc/imc_arch.h"
#include "imc/placement.h"
#include "design/run_result.h"
#include "workload/workload.h"

namespace qnnsim {

// One entry per layer: the actions with their counts and energies.
std::vector<std::vector<ActionResult>> count_layer_actions(const ImcArch& arch, const Workload& w,
                                                           const ChipPlacement& placement);

// Router traversals (hops + 1) from the tile `from` to the tile `to` on the
// concentrated mesh: routers are laid out row by row on the smallest square grid.
int64_t router_traversals(const ImcArch& arch, int64_t from_tile, int64_t to_tile);

}  // namespace qnnsim
