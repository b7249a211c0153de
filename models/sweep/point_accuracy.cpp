#include "sweep/point_accuracy.h"

#include <stdexcept>

#include <fmt/format.h>

#include "core/config_node.h"
#include "numerics/crossbar_design.h"
#include "numerics/dataset.h"
#include "numerics/eval_error.h"
#include "numerics/evaluate.h"
#include "numerics/network.h"
#include "design/design_family.h"

namespace qnnsim {

namespace {

numerics::RangeMethod range_method(const std::string& name) {
  if (name == "percentile") return numerics::RangeMethod::percentile;
  return name == "mse" ? numerics::RangeMethod::mse : numerics::RangeMethod::minmax;
}

numerics::EvalOptions eval_options(const SweepSpec& spec, const AccuracySettings& s) {
  numerics::EvalOptions o;
  o.model = spec.accuracy.model_file;
  o.data = s.data;
  o.limit = s.images;
  o.jobs = 1;  // a sweep runs its points in parallel instead
  o.quant.bits = {s.weight_bits, s.activation_bits};
  o.quant.calibration.method = range_method(s.calibration);
  o.quant.calibration.images = s.calibration_images;
  o.quant.calibration.percentile = s.percentile;
  // A sweep's accuracy always sets widths and a calibration: a QDQ model,
  // whose nodes fix them, is refused rather than run at other widths silently.
  o.quant_options_given = "accuracy: in a sweep spec (its widths and calibration)";
  numerics::DeviceOptions& d = o.quant.device;
  d.variation = s.variation;
  d.variation_model = s.variation_model == "gaussian" ? numerics::VariationModel::gaussian
                                                      : numerics::VariationModel::lognormal;
  d.on_off_ratio = s.on_off_ratio;
  d.stuck_at_0 = s.stuck_at_0;
  d.stuck_at_1 = s.stuck_at_1;
  d.read_noise = s.read_noise;
  d.adc_offset = s.adc_offset;
  d.seed = static_cast<uint64_t>(s.seed);
  return o;
}

}  // namespace

PointAccuracy evaluate_point_accuracy(const SweepSpec& spec, const ResolvedPoint& r) {
  const AccuracySettings s = read_accuracy_settings(r.accuracy, spec.file);
  numerics::EvalOptions o = eval_options(spec, s);
  const ConfigNode arch_root = ConfigNode::from_tree(r.arch, spec.arch_file);
  const bool crossbars = design_family_of(arch_root).computes_in_crossbars();
  if (crossbars) {
    o.design = numerics::crossbar_design_of(arch_root, 0, spec.arch_file);
    o.arch_name = spec.arch_file;
  } else if (!o.quant.device.ideal()) {
    throw ConfigError(spec.accuracy.where, "accuracy",
                      "device options (variation, on_off_ratio, stuck_at_0/1, read_noise, adc_offset) model an "
                      "in-memory design's cells; '" + spec.arch_file + "' is not one (kind: in_memory)");
  }
  numerics::EvalResult e;
  try {
    e = numerics::evaluate(o);
  } catch (const numerics::EvalError& error) {
    // The point's costs were fine; say that its evaluation is what failed.
    throw std::runtime_error(std::string("the point's evaluation (the spec's accuracy: section): ") + error.what());
  }
  PointAccuracy out;
  out.accuracy = e.quant_accuracy();
  out.float_accuracy = e.float_accuracy();
  out.images = e.images;
  for (const std::string& w : e.warnings) out.warnings.push_back("accuracy: accumulator overflow: " + w);
  if (crossbars) {
    int64_t conversions = 0, clipped = 0;
    for (const numerics::LayerResult& l : e.layers) conversions += l.conversions, clipped += l.clipped;
    out.adc_clip_fraction = conversions ? double(clipped) / double(conversions) : 0.0;
  }
  return out;
}

void check_accuracy_inputs(const SweepSpec& spec) {
  const SweepAccuracy& a = spec.accuracy;
  const AccuracySettings s = read_accuracy_settings(a.tree, spec.file);
  try {
    numerics::load_network(a.model_file);
  } catch (const numerics::EvalError& e) {
    throw ConfigError(a.model_where, "accuracy.model", e.what());
  }
  numerics::Dataset test;
  try {
    test = numerics::load_dataset(s.data, numerics::Split::test, s.images);
  } catch (const numerics::EvalError& e) {
    throw ConfigError(a.data_where, "accuracy.data", e.what());
  }
  if (test.count < s.images)
    throw ConfigError(a.where, "accuracy.images",
                      fmt::format("{} images asked for, but the test split of '{}' holds {}", s.images, s.data,
                                  test.count));
}

}  // namespace qnnsim
