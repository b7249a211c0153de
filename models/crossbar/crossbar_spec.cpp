#include "crossbar/crossbar_spec.h"

#include <cmath>

namespace qnnsim {

namespace {

// A crossbar's reprogramming costs, when the design gives them (RRAM and
// XNOR-SRAM alike).
void parse_write_costs(const ConfigNode& node, CrossbarSpec& c) {
  if (const auto w = node.optional_child("write")) {
    w->expect_map("reprogramming costs {energy_per_cell, time_per_row}");
    c.write_energy_per_cell_j = w->positive_quantity("energy_per_cell", Dimension::Energy);
    c.write_time_per_row_s = w->positive_quantity("time_per_row", Dimension::Time);
    w->reject_unknown_keys();
  }
}

}  // namespace

CrossbarSpec CrossbarSpec::parse(const ConfigNode& node) {
  node.expect_map("a crossbar {rows, cols, bits_per_cell, read_time, ...}");
  CrossbarSpec c;
  c.rows = node.integer_in("rows", 2, 4096);
  c.cols = node.integer_in("cols", 1, 4096);
  const std::string cell = node.text("cell", "rram");
  if (cell == "xnor_sram") return parse_xnor_sram(node, c);
  if (cell != "rram")
    node.fail("cell", "expected rram (resistive cells) or xnor_sram (XNOR-SRAM bitcells), found '" + cell + "'");
  c.bits_per_cell = static_cast<int>(node.integer_in("bits_per_cell", 1, 8));
  c.read_time_s = node.quantity_in("read_time", Dimension::Time, 1e-12, 1e-3);
  const std::string sign = node.text("signed_weights", "offset");
  if (sign == "offset") c.signed_weights = SignedWeights::Offset;
  else if (sign == "differential") c.signed_weights = SignedWeights::Differential;
  else node.fail("signed_weights", "expected offset or differential, found '" + sign + "'");
  const std::string encoding = node.text("encoding", "none");
  if (encoding == "flipped_columns") c.flipped_columns = true;
  else if (encoding != "none") node.fail("encoding", "expected none or flipped_columns, found '" + encoding + "'");
  c.read_power_w = node.optional_quantity("read_power", Dimension::Power);
  if (!c.read_power_w) {
    // Without a published power the cells themselves set the read energy.
    c.r_on_ohm = node.positive_quantity("r_on", Dimension::Resistance);
    c.r_off_ohm = node.positive_quantity("r_off", Dimension::Resistance);
    if (c.r_off_ohm <= c.r_on_ohm) node.fail("r_off", "R_off must be above R_on (the off state conducts less)");
    c.v_read_v = node.quantity_in("v_read", Dimension::Voltage, 1e-3, 5.0);
  }
  c.area_m2 = node.positive_quantity("area", Dimension::Area);
  parse_write_costs(node, c);
  node.reject_unknown_keys();
  return c;
}

CrossbarSpec CrossbarSpec::parse_xnor_sram(const ConfigNode& node, CrossbarSpec c) {
  // One +1/-1 weight per cell, its sign held by the cell itself: no offset,
  // no differential pair, no flipping.
  c.bits_per_cell = static_cast<int>(node.integer_in("bits_per_cell", 1, 1, 1));
  c.read_time_s = node.quantity_in("read_time", Dimension::Time, 1e-12, 1e-3);
  c.xnor_sram = XnorSramCell::parse(node);
  if (c.xnor_sram->evaluation_time_s > c.read_time_s)
    node.fail("evaluation_time", "the wordlines are on for part of a read: evaluation_time must not exceed read_time");
  c.area_m2 = node.positive_quantity("area", Dimension::Area);
  parse_write_costs(node, c);
  node.reject_unknown_keys();
  return c;
}

double CrossbarSpec::mean_conductance_s() const {
  return 0.5 * (1.0 / r_on_ohm + 1.0 / r_off_ohm);
}

double CrossbarSpec::read_energy_j(int64_t rows_used, int64_t cols_used, double drive) const {
  if (xnor_sram) return xnor_sram->energy_j(rows_used * cols_used, cols_used);
  const double used = static_cast<double>(rows_used) * static_cast<double>(cols_used);
  // A published power covers the whole array reading; the share used scales it.
  if (read_power_w) return *read_power_w * read_time_s * used / static_cast<double>(cells());
  return used * drive * v_read_v * v_read_v * mean_conductance_s() * read_time_s;
}

double dac_drive_factor(int dac_bits, double density) {
  // E[(x / L)^2] for x uniform on 0..L, L = 2^v - 1: (2L + 1) / (6L).
  const double top = std::ldexp(1.0, dac_bits) - 1.0;
  return density * (2.0 * top + 1.0) / (6.0 * top);
}

}  // namespace qnnsim
