#pragma once
// A crossbar: rows x cols of cells, RRAM unless `cell: xnor_sram` (below).
// An RRAM crossbar: rows x cols of cells, each holding `bits_per_cell` bits as
// one of 2^bits conductance levels between 1/R_off and 1/R_on. A weight of w
// bits is sliced over ceil(w / bits_per_cell) adjacent cells; signed weights
// are stored with an offset (one column set, the offset subtracted digitally)
// or as differential pairs (a second column set for the negative part).
// One read applies one input slice (DAC level) to every used row for
// `read_time` and every used column sums its current.
#include <cstdint>
#include <optional>

#include "core/config_node.h"
#include "crossbar/xnor_sram_cell.h"

namespace qnnsim {

enum class SignedWeights { Offset, Differential };

struct CrossbarSpec {
  int64_t rows = 128, cols = 128;
  int bits_per_cell = 2;
  double read_time_s = 100e-9;
  SignedWeights signed_weights = SignedWeights::Offset;
  // ISAAC's encoding: each column is stored as is or flipped, with a flag, so
  // its sum never exceeds half the range and the ADC needs one bit less.
  bool flipped_columns = false;
  // Read energy from the cells, V_read^2 * G * t_read per driven cell ...
  double r_on_ohm = 0, r_off_ohm = 0, v_read_v = 0;
  // ... or from a published power of one crossbar reading back to back.
  std::optional<double> read_power_w;
  double area_m2 = 0;
  // Reprogramming (weight-reloading mode only): per cell written, and per row
  // (a row of one crossbar is written at once; crossbars are written in parallel).
  std::optional<double> write_energy_per_cell_j, write_time_per_row_s;
  // `cell: xnor_sram`: XNOR-SRAM bitcells instead of resistive ones; the
  // read energy is then the bitline divider's (crossbar/xnor_sram_cell.h).
  std::optional<XnorSramCell> xnor_sram;

  static CrossbarSpec parse(const ConfigNode& node);

  bool is_xnor_sram() const { return xnor_sram.has_value(); }
  int64_t cells() const { return rows * cols; }
  int slices(int weight_bits) const { return (weight_bits + bits_per_cell - 1) / bits_per_cell; }
  // Columns one weight occupies: its slices, twice over for differential pairs.
  int64_t columns_per_weight(int weight_bits) const {
    return static_cast<int64_t>(slices(weight_bits)) * (signed_weights == SignedWeights::Differential ? 2 : 1);
  }
  // Mean cell conductance with levels spread evenly from 1/R_off to 1/R_on and used equally.
  double mean_conductance_s() const;
  // One read of rows_used x cols_used cells. `drive` is the mean of (V/V_read)^2
  // over the driven rows (see dac_drive_factor); unused in the power form.
  double read_energy_j(int64_t rows_used, int64_t cols_used, double drive) const;

 private:
  static CrossbarSpec parse_xnor_sram(const ConfigNode& node, CrossbarSpec c);
};

// Mean of (V/V_read)^2 over rows for a v-bit DAC: a value is zero with
// probability 1 - density, and its v-bit slices are otherwise uniform over
// 0 .. 2^v - 1, driven at a voltage proportional to the level.
double dac_drive_factor(int dac_bits, double density);

}  // namespace qnnsim
