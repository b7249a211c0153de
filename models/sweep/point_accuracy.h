#pragma once
// A sweep point's accuracy: the functional evaluation `qnnsim eval MODEL
// --arch FILE` runs, taken on the point's own arch as the point's values set
// it (an in-memory design's crossbars, DACs and ADCs; a digital design's MAC
// classes and their accumulators; a hybrid's parts, each layer on its own)
// with the point's `accuracy:` settings. The
// implementation uses Eigen (numerics/); this header does not.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sweep/point_config.h"
#include "sweep/sweep_spec.h"

namespace qnnsim {

// One Conv / Gemm layer's figures, as `eval --json` gives them per layer.
struct AccuracyLayer {
  std::string name;  // as `qnnsim import` names it (conv1_Conv)
  int weight_bits = 0, activation_bits = 0;
  std::string weight_scheme;
  // On a digital design: the MAC class that ran the layer (the first of the
  // design's that executes it) and its accumulator; "" and 0 on crossbars.
  // On a hybrid: the part that ran it.
  std::string part, mac_class, overflow;
  int accumulator_bits = 0;
  int64_t sums = 0, overflowed_sums = 0;  // accumulations over the images, and those that wrapped or saturated
  // ADC conversions over the images and those that clipped; absent on a design without ADCs.
  std::optional<int64_t> adc_conversions, adc_clipped;

  double overflow_fraction() const { return sums ? double(overflowed_sums) / double(sums) : 0.0; }
  std::optional<double> adc_clip_fraction() const;
};

struct PointAccuracy {
  double accuracy = 0;        // top-1 through the design's numerics, a fraction
  double float_accuracy = 0;  // the same network in float, for reference
  // Of every ADC conversion over the images, those that clipped; absent on a
  // design without ADCs.
  std::optional<double> adc_clip_fraction;
  // Of every sum over every layer and image, those that wrapped or saturated.
  double overflow_fraction = 0;
  // Where the widths came from: "trace" (the point's priced trace) or the W/A that ran.
  std::string widths;
  std::vector<AccuracyLayer> layers;
  int64_t images = 0;
  // The evaluation's warnings (a layer whose accumulator overflowed), which
  // join the point's warnings in the results.
  std::vector<std::string> warnings;
};

// Throws ConfigError (a malformed arch) or numerics::EvalError (a model or
// data set evaluation cannot take).
PointAccuracy evaluate_point_accuracy(const SweepSpec& spec, const ResolvedPoint& r);

// Loads the section's model and the test images it asks for, before any
// point runs: a missing data set or an op evaluation does not support would
// fail every point. Throws ConfigError at the section's key.
void check_accuracy_inputs(const SweepSpec& spec);

}  // namespace qnnsim
