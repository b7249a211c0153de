#pragma once
// The row DACs of a crossbar, one per row: each turns a v-bit slice of an input
// into a read voltage and holds it for one crossbar read. Power is a published
// figure for one DAC driving back to back, so one conversion costs
// power * read time.
#include "core/config_node.h"

namespace qnnsim {

struct DacSpec {
  int bits = 1;
  double power_w = 0;  // one DAC
  double area_m2 = 0;  // one DAC

  static DacSpec parse(const ConfigNode& node) {
    node.expect_map("a DAC {bits, power, area}");
    DacSpec d;
    d.bits = static_cast<int>(node.integer_in("bits", 1, 16));
    d.power_w = node.positive_quantity("power", Dimension::Power);
    d.area_m2 = node.positive_quantity("area", Dimension::Area);
    node.reject_unknown_keys();
    return d;
  }
};

}  // namespace qnnsim
