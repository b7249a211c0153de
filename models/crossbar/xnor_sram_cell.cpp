#include "crossbar/xnor_sram_cell.h"

namespace qnnsim {

XnorSramCell XnorSramCell::parse(const ConfigNode& crossbar) {
  XnorSramCell c;
  c.supply_v = crossbar.quantity_in("supply", Dimension::Voltage, 0.1, 5.0);
  c.path_resistance_ohm = crossbar.positive_quantity("path_resistance", Dimension::Resistance);
  c.evaluation_time_s = crossbar.quantity_in("evaluation_time", Dimension::Time, 1e-12, 1e-3);
  return c;
}

double XnorSramCell::energy_j(int64_t cells_driven, int64_t columns) const {
  if (cells_driven <= columns) return 0.0;  // a single path per column has nothing to divide against
  return supply_v * supply_v * evaluation_time_s * static_cast<double>(cells_driven - columns) /
         (4.0 * path_resistance_ohm);
}

}  // namespace qnnsim
