#pragma once
// Non-idealities of the resistive cells and ADCs of an in-memory crossbar, as
// `qnnsim eval --arch` options. All are off by default (ideal devices); every
// random draw comes from `seed`, so a run is repeatable.
//
// Units: a cell level is one step of conductance, (G_on - G_off) / (2^b - 1)
// for b bits per cell; an ADC LSB is one such step driven by one DAC level.
//  - variation: each programmed cell's conductance is its level's times
//    exp(sigma z) (lognormal, a usual model of the spread of programmed
//    RRAM conductances; median at the target) or (1 + sigma z) clamped at 0 (Gaussian), z standard normal,
//    drawn once when the weights are written.
//  - on_off_ratio: G_on / G_off. Level 0 then conducts (2^b - 1) / (ratio - 1)
//    steps, and the periphery does not subtract this leak: every driven row
//    adds it to the column's current (a design without a reference column).
//    0: infinite (level 0 conducts nothing).
//  - stuck_at_0 / stuck_at_1: the fraction of cells stuck at the lowest /
//    highest conductance level whatever is written.
//  - read_noise: each driven cell's current in one read varies by a Gaussian
//    of sigma read_noise x its conductance, independently per read; drawn as
//    its column sum (a Gaussian of the summed variance) per conversion.
//  - adc_offset: each ADC's input offset, a Gaussian of this sigma in LSBs,
//    fixed per ADC (drawn once).
#include <cstdint>

namespace qnnsim::numerics {

enum class VariationModel { lognormal, gaussian };

inline const char* variation_model_name(VariationModel v) {
  return v == VariationModel::lognormal ? "lognormal" : "gaussian";
}

struct DeviceOptions {
  double variation = 0;
  VariationModel variation_model = VariationModel::lognormal;
  double on_off_ratio = 0;  // 0: infinite
  double stuck_at_0 = 0, stuck_at_1 = 0;
  double read_noise = 0;
  double adc_offset = 0;  // sigma, LSBs
  uint64_t seed = 1;

  bool ideal() const {
    return variation == 0 && on_off_ratio == 0 && stuck_at_0 == 0 && stuck_at_1 == 0 && read_noise == 0 &&
           adc_offset == 0;
  }
};

}  // namespace qnnsim::numerics
