#pragma once
// Energy per action, area and peak figures of an in-memory chip, all from the
// per-instance figures in the architecture file. A block's published power is
// its power while busy; an action occupies it for a known time, so
//   energy per action = busy power x the time one action occupies it:
//   crossbar read      V^2 G t over the driven cells, or read_power x read_time x share of cells used
//   DAC conversion     DAC power x read time (it holds the row's level for the read)
//   sample             sample-and-hold power x read time
//   ADC conversion     power / sample rate (table), or the survey's figure of merit
//   IMA step           all IMA peripherals (shift-and-add, registers) x the step time
//   eDRAM access       power / clock, one access of `width` bits per cycle
//   bus transfer       power / clock, `width` bits per cycle
//   router flit        power / clock, one `link_width` flit through a router per cycle
//   tile value         all tile peripherals / clock, one value per cycle
//   chip I/O bit       power / bandwidth
//   crossbar write     write energy per cell (weight reloading only)
#include <map>
#include <string>

#include "imc/imc_arch.h"

namespace qnnsim {

struct ImcActionEnergy {  // joules
  double dac_conversion = 0, sample = 0, adc_conversion = 0, ima_step = 0;
  double edram_access = 0, bus_transfer = 0, router_flit = 0, tile_value = 0, io_bit = 0;
};

// `step_s` is how long one read step of an IMA lasts (see LayerPlacement::step_s).
ImcActionEnergy action_energies(const ImcArch& arch, double step_s);

// Area per component in mm2 (crossbar, dac, sample_hold, adc, ima.<part>,
// edram, bus, tile.<part>, router, io), summed over the chip.
std::map<std::string, double> area_breakdown_mm2(const ImcArch& arch);

// Power with every block busy, per component as above, in W. `from_model`
// prices each block by this model's energy per action at its peak rate (the
// cells' V^2 G t and the ADC's figure of merit where chosen); otherwise the
// published per-instance powers times their counts, with nothing modelled.
std::map<std::string, double> peak_power_breakdown_w(const ImcArch& arch, bool from_model);
// Whether every block has a published power for the second form (a crossbar
// read power, and an ADC priced by its published power).
bool has_published_powers(const ImcArch& arch);

// Peak MACs per second with every crossbar full of `weight_bits` weights and
// `input_bits` inputs streaming through the DACs.
double peak_macs_per_s(const ImcArch& arch, int weight_bits, int input_bits);

// The IMA step with every column read: the read, or the ADCs' turn if longer.
double full_step_s(const ImcArch& arch);

// One crossbar macro flat out, as a macro paper reports its peak: every row
// driven with a 1-bit input slice against 1-bit weights, every column
// converted; the macro's own blocks only (crossbar, row drivers, samples,
// ADCs), not the IMA's digital peripherals, buffers, network or I/O.
// A MAC is two operations.
struct MacroPeak {
  double ops = 0;        // per read
  double ops_per_s = 0;
  double ops_per_j = 0;  // x 1e-12 = TOPS/W
  std::map<std::string, double> energy_j;  // per read, by block
};
MacroPeak macro_peak(const ImcArch& arch);

}  // namespace qnnsim
