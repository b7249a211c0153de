#pragma once
// The `accuracy:` section of a sweep spec: every point also runs the
// functional evaluation `qnnsim eval MODEL --arch FILE` does, on the point's
// own arch (its ADC bits, crossbar rows and cells as swept), on a fixed
// subset of test images, and stores the top-1 accuracy and the fraction of
// ADC conversions that clipped beside the point's costs.
//
//   accuracy:
//     model: mnist_cnn_fashion   # an ONNX file (relative to the spec) or a shipped name
//     data: fashion-mnist        # or a folder of MNIST-layout idx files
//     images: 500                # the first N test images (default 1000)
//     bits: auto                 # W/A for every layer (8/8), `trace` for the priced trace's
//                                #   widths and schemes, or auto (default): the trace's when it
//                                #   is the model's own import (point_accuracy.h)
//     weight_scheme: uniform_symmetric   # with W/A bits: every layer's weights, as eval's --weight-scheme
//     calibration: minmax        # minmax | percentile | mse, on
//     calibration_images: 1000   #   the first N training images
//     variation: 0.05            # device options, as eval's --variation etc.
//     variation_model: lognormal
//     on_off_ratio: 0
//     stuck_at_0: 0
//     stuck_at_1: 0
//     read_noise: 0
//     adc_offset: 0
//     seed: 1
//
// Sweep parameters reach these settings by `accuracy.KEY` (`accuracy.variation`),
// so the device's sigma is swept like any arch value. The model and the data
// are fixed per sweep. This header needs no Eigen: the evaluation itself is
// in point_accuracy.h.
#include <cstdint>
#include <string>

#include <yaml-cpp/yaml.h>

#include "core/config_error.h"

namespace qnnsim {

class ConfigNode;

// What one point's evaluation is asked to do (the section, with the point's
// swept values written in).
struct AccuracySettings {
  std::string data = "fashion-mnist";  // resolved: a folder relative to the spec made absolute
  int64_t images = 1000;
  // Where the widths come from: the W/A below, the point's priced trace
  // (its layers must be the model's), or auto: the trace when its layers
  // are the model's, else W/A.
  enum class Widths { given, trace, automatic };
  Widths widths = Widths::automatic;
  int weight_bits = 8, activation_bits = 8;  // with Widths::given (and automatic, when the trace is not the model's)
  std::string weight_scheme = "uniform_symmetric";  // every layer's weights, with W/A bits
  std::string calibration = "minmax";
  int64_t calibration_images = 1000;
  double percentile = 99.99;
  double variation = 0;
  std::string variation_model = "lognormal";
  double on_off_ratio = 0, stuck_at_0 = 0, stuck_at_1 = 0, read_noise = 0, adc_offset = 0;
  int64_t seed = 1;

  // Every setting as one line, for the point's content hash.
  std::string canonical_text() const;
};

struct SweepAccuracy {
  bool enabled = false;
  SourceLocation where, model_where, data_where, bits_where, weight_scheme_where;  // in the spec, for errors
  std::string model_file;  // resolved
  std::string model_sha1;  // of the file's bytes: the hash follows the model's content, not its name
  // {accuracy: {...}}: the section as written, every key present (defaults
  // added), so that `accuracy.KEY` parameters anchor and write here.
  YAML::Node tree;
};

// Reads the spec's `accuracy:` section (disabled when absent). Checks every
// value's type and range; errors name the spec's file, line and key.
SweepAccuracy parse_sweep_accuracy(const ConfigNode& root);

// The settings from a point's accuracy tree ({accuracy: {...}} as above).
// `spec_file` resolves a relative data folder. Throws ConfigError.
AccuracySettings read_accuracy_settings(const YAML::Node& tree, const std::string& spec_file);

// Names constraints may read once a point has run, when the spec has an
// `accuracy:` section: its top-1 accuracy (a fraction, 0 to 1) and the
// fraction of ADC conversions that clipped (0 on a design without ADCs).
inline constexpr const char* kAccuracyName = "accuracy";
inline constexpr const char* kAdcClipName = "adc_clip_fraction";
// Of every sum the evaluation's accumulators formed, over every layer and
// image, the fraction that wrapped or saturated (0 when none did).
inline constexpr const char* kOverflowName = "overflow_fraction";

// The `bits:` setting as the spec writes it: "auto", "trace" or "W/A".
std::string widths_text(const AccuracySettings& s);

}  // namespace qnnsim
