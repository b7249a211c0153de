#pragma once
// The column ADCs of a crossbar: resolution, sample rate, and how many columns
// share one ADC through its sample-and-hold (time-multiplexed). Energy per
// conversion is either a published power at this resolution and rate
// (`energy_model: table`, E = P / fs) or the Walden figure-of-merit fit to the
// Murmann ADC survey (`energy_model: fom`), which follows the bits and rate,
// or a flash ADC's comparators (`energy_model: flash`): an L-level flash
// converter fires its L - 1 comparators in every conversion, so
// E = (L - 1) x the energy of one comparator decision. A flash ADC may have
// any number of levels (`levels: 11`, 3.46 bits); `step` is how many units
// of a signed column sum one code spans, the codes centred on zero (used by
// XNOR-SRAM crossbars, whose column sums are signed).
#include <cstdint>
#include <optional>

#include "core/config_node.h"

namespace qnnsim {

enum class AdcEnergyModel { Table, FigureOfMerit, Flash };

struct AdcSpec {
  int bits = 8;
  double sample_rate_hz = 1.28e9;
  int64_t columns_per_adc = 128;
  AdcEnergyModel model = AdcEnergyModel::Table;
  std::optional<double> power_w;  // table form: one ADC converting back to back
  int64_t levels = 0;             // output codes: 2^bits, or a flash ADC's own count
  std::optional<double> comparator_energy_j;  // flash form
  int64_t step = 1;               // signed column-sum units per code
  double area_m2 = 0;              // one ADC

  static AdcSpec parse(const ConfigNode& node);

  double conversion_energy_j() const;
  double resolution_bits() const;  // log2(levels): 3.46 for 11 levels
  double conversion_time_s() const { return 1.0 / sample_rate_hz; }
  // The power of one ADC converting back to back, whichever model sets it.
  double busy_power_w() const { return conversion_energy_j() * sample_rate_hz; }
};

// Energy per conversion from the survey fit in REFERENCES.md:
// FOMS = min(302.74 - 6.461 ln fs, 180.14) dB, SNDR = 6.02 bits + 1.76 dB,
// E = 1 / (2 * 10^((FOMS - SNDR) / 10)) J.
double adc_fom_energy_j(int bits, double sample_rate_hz);

// Resolution a column sum needs: log2(rows) + v + w - 1 bits for v-bit DAC
// slices and w-bit cells, one of them a single bit; log2(rows) + v + w when both
// are wider (Shafiee et al., ISCA 2016). One bit less when columns are stored
// flipped as needed so that their sums stay in the lower half.
int adc_bits_needed(int64_t rows, int dac_bits, int cell_bits, bool flipped_columns);

// The fraction of conversions that saturate an ADC of `levels` codes, `step`
// sum units apart and centred on zero, reading a column of `rows_used` +1/-1
// products (an XNOR-SRAM column): the sum is 2k - n with k binomial(n, 1/2),
// computed exactly. A sum beyond the outermost codes' reach saturates.
double signed_sum_clip_fraction(int64_t rows_used, int64_t levels, int64_t step);

// The fraction of conversions that saturate an ADC of `adc_bits` when
// `rows_used` rows are driven: inputs are zero with probability 1 - density and
// otherwise have uniform DAC levels; cell levels are uniform. The column sum's
// distribution is computed exactly when small and by a normal approximation
// otherwise. With flipped columns a sum s is stored as min(s, max - s).
double adc_clip_fraction(int64_t rows_used, int dac_bits, int cell_bits, double density, int adc_bits,
                         bool flipped_columns);

}  // namespace qnnsim
