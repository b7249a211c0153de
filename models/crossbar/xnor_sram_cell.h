#pragma once
// An XNOR-SRAM bitcell array used as a crossbar (Yin, Jiang, Seo, Seok,
// JSSC 2020): each cell holds a +1/-1 weight and, for a +1/-1 input on its
// pair of read wordlines, ties the column's read bitline to the supply (the
// XNOR is +1) or to ground (-1) through one transistor path of resistance R.
// With every row of a column on at once the bitline is a resistive divider:
// with k of n paths pulling up it settles at VDD k / n, which the column ADC
// digitises. While the wordlines are on, current flows from the pull-ups
// through the pull-downs:
//   I = (VDD / R) k (n - k) / n,
// and with the XNOR outcomes independent and balanced (k binomial, p = 1/2),
// E[k (n - k)] = n (n - 1) / 4, so one evaluation of one column costs
//   E = VDD^2 t_eval (n - 1) / (4 R).
// Charging the bitline between levels is left out: its swing between two
// evaluations is about VDD / sqrt(n), small beside the static current.
#include <cstdint>

#include "core/config_node.h"

namespace qnnsim {

struct XnorSramCell {
  double supply_v = 0;
  double path_resistance_ohm = 0;  // one cell's conducting pull-up or pull-down path
  double evaluation_time_s = 0;    // how long the wordlines stay on in one read

  static XnorSramCell parse(const ConfigNode& crossbar);  // reads its keys from the crossbar's node

  // Columns read together holding `cells_driven` driven cells in all: the
  // per-column (n - 1) terms sum to cells_driven - columns.
  double energy_j(int64_t cells_driven, int64_t columns) const;
};

}  // namespace qnnsim
