#pragma once
// The row drivers of a crossbar, one per row: each turns a v-bit slice of an
// input into a read voltage (RRAM: a DAC) or into its wordline pair (XNOR-SRAM)
// and holds it for one crossbar read. Either a published power for one driver
// working back to back, so one conversion costs power * read time, or the
// energy of one conversion itself (`energy`: e.g. charging a wordline).
#include <optional>

#include "core/config_node.h"

namespace qnnsim {

struct DacSpec {
  int bits = 1;
  double power_w = 0;               // one DAC, when given as a power
  std::optional<double> energy_j;   // one conversion, when given as an energy
  double area_m2 = 0;               // one DAC

  double conversion_energy_j(double read_time_s) const { return energy_j ? *energy_j : power_w * read_time_s; }
  double busy_power_w(double read_time_s) const { return energy_j ? *energy_j / read_time_s : power_w; }

  static DacSpec parse(const ConfigNode& node) {
    node.expect_map("a DAC {bits, power or energy, area}");
    DacSpec d;
    d.bits = static_cast<int>(node.integer_in("bits", 1, 16));
    if (node.has("energy")) {
      if (node.has("power")) node.fail("power", "give the DAC's power or its energy per conversion, not both");
      d.energy_j = node.positive_quantity("energy", Dimension::Energy);
    } else {
      d.power_w = node.positive_quantity("power", Dimension::Power);
    }
    d.area_m2 = node.positive_quantity("area", Dimension::Area);
    node.reject_unknown_keys();
    return d;
  }
};

}  // namespace qnnsim
