#include "sweep/point_accuracy.h"

#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/config_node.h"
#include "numerics/crossbar_design.h"
#include "numerics/dataset.h"
#include "numerics/eval_error.h"
#include "numerics/evaluate.h"
#include "numerics/network.h"
#include "numerics/trace_widths.h"
#include "numerics/weight_schemes.h"
#include "design/design_family.h"
#include "hybrid/hybrid_spec.h"
#include "sweep/point_workload_memo.h"
#include "workload/precision.h"

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

// Why the trace cannot give the widths: the model's layers it lacks.
std::string missing_text(const Workload& w, const numerics::TraceMatch& m) {
  return fmt::format("the point's workload '{}' has no conv or fc layer named {} (the model's Conv / Gemm nodes, as "
                     "`qnnsim import` names them), so it is not the model's own import",
                     w.file, fmt::join(m.missing, ", "));
}

// The widths and weight schemes the evaluation runs at: the point's priced
// trace's (bits: trace, or auto when the trace is the model's import), else
// the section's W/A and weight scheme. Returns "trace" or the W/A.
std::string set_widths(const SweepSpec& spec, const Workload& w, const AccuracySettings& s, numerics::QuantOptions& q) {
  if (s.widths != AccuracySettings::Widths::given) {
    const numerics::Network net = numerics::load_network(spec.accuracy.model_file);
    const numerics::TraceMatch m = numerics::match_trace_layers(net, w);
    const bool required = s.widths == AccuracySettings::Widths::trace;
    if (required && !m.all())
      throw ConfigError(spec.accuracy.bits_where, "accuracy.bits",
                        "bits: trace takes each layer's widths from the point's priced trace, but " + missing_text(w, m) +
                            "; give W/A bits instead, or price the model's import");
    if (!m.none() && !m.all())
      throw ConfigError(spec.accuracy.bits_where, "accuracy.bits",
                        "bits: auto: the point's trace names some of the model's layers, but " + missing_text(w, m) +
                            "; rename its layers as the import does, or give W/A bits");
    if (m.all()) {
      if (s.weight_scheme != "uniform_symmetric")
        throw ConfigError(spec.accuracy.weight_scheme_where, "accuracy.weight_scheme",
                          fmt::format("weight_scheme: {} with the widths of the point's priced trace, which gives each "
                                      "layer's weight scheme (its layers[*].weights.scheme); give W/A bits to evaluate "
                                      "every layer's weights as {}",
                                      s.weight_scheme, s.weight_scheme));
      numerics::apply_trace_widths(net, w, m, q);
      return "trace";
    }
  }
  q.bits = {s.weight_bits, s.activation_bits};
  Scheme scheme{};
  parse_scheme_name(s.weight_scheme, &scheme);  // a known name: read_accuracy_settings checks it
  // Each setting was checked alone (a zip may pair them); here the pair.
  if (const std::string why = numerics::weight_scheme_problem(scheme, s.weight_bits); !why.empty())
    throw ConfigError(spec.accuracy.weight_scheme_where, "accuracy.weight_scheme",
                      fmt::format("weight_scheme: {} at bits: {}/{}: {}", s.weight_scheme, s.weight_bits,
                                  s.activation_bits, why));
  q.weight_scheme = scheme;
  return fmt::format("{}/{}", s.weight_bits, s.activation_bits);
}

}  // namespace

std::optional<double> AccuracyLayer::adc_clip_fraction() const {
  if (!adc_conversions) return std::nullopt;
  return *adc_conversions ? double(*adc_clipped) / double(*adc_conversions) : 0.0;
}

PointAccuracy evaluate_point_accuracy(const SweepSpec& spec, const ResolvedPoint& r) {
  const AccuracySettings s = read_accuracy_settings(r.accuracy, spec.file);
  numerics::EvalOptions o = eval_options(spec, s);
  const std::string widths = set_widths(spec, memoized_point_workload(spec, r), s, o.quant);
  const ConfigNode arch_root = ConfigNode::from_tree(r.arch, spec.arch_file);
  const bool crossbars = design_family_of(arch_root).computes_in_crossbars();
  o.arch_name = spec.arch_file;
  numerics::EvalResult e;
  try {
    // The point's arch as its values set it, read as `eval --arch` reads a
    // file: a hybrid's parts, an in-memory design's crossbars, or a digital
    // design's MAC classes (their accumulators' width and overflow).
    if (is_hybrid_design(arch_root))
      o.hybrid = numerics::hybrid_numerics_of(arch_root, 0, spec.arch_file);
    else if (crossbars)
      o.design = numerics::crossbar_design_of(arch_root, 0, spec.arch_file);
    else
      o.digital = numerics::digital_mac_of(arch_root, spec.arch_file);
    if (!o.quant.device.ideal() && !o.design && !(o.hybrid && o.hybrid->crossbar))
      throw ConfigError(spec.accuracy.where, "accuracy",
                        "device options (variation, on_off_ratio, stuck_at_0/1, read_noise, adc_offset) model an "
                        "in-memory design's cells; '" + spec.arch_file + "' has none (kind: in_memory, or a hybrid "
                        "with such a part)");
    e = numerics::evaluate(o);
  } catch (const numerics::EvalError& error) {
    // The point's costs were fine; say that its evaluation is what failed.
    throw std::runtime_error(std::string("the point's evaluation (the spec's accuracy: section): ") + error.what());
  }
  const bool has_adcs = e.crossbar.has_value();
  PointAccuracy out;
  out.accuracy = e.quant_accuracy();
  out.float_accuracy = e.float_accuracy();
  out.images = e.images;
  out.widths = widths;
  int64_t sums = 0, overflowed = 0;
  for (const numerics::LayerResult& l : e.layers) {
    AccuracyLayer a;
    a.name = l.name;
    a.weight_bits = l.bits.weights;
    a.activation_bits = l.bits.activations;
    a.weight_scheme = scheme_name(l.weight_scheme);
    a.part = l.part;
    a.mac_class = l.mac_class;
    if (!l.mac_class.empty()) a.accumulator_bits = l.accumulator_bits, a.overflow = numerics::overflow_name(l.overflow);
    a.sums = l.outputs;
    a.overflowed_sums = l.overflowed;
    if (has_adcs && l.mac_class.empty()) a.adc_conversions = l.conversions, a.adc_clipped = l.clipped;
    sums += l.outputs, overflowed += l.overflowed;
    out.layers.push_back(a);
  }
  out.overflow_fraction = sums ? double(overflowed) / double(sums) : 0.0;
  for (const std::string& w : e.warnings) out.warnings.push_back("accuracy: accumulator overflow: " + w);
  if (has_adcs) {
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
  // Widths from the trace: each workload as the spec names it must be the
  // model's import, or every point would fail alike.
  if (s.widths == AccuracySettings::Widths::given) return;
  for (std::size_t i = 0; i < spec.workload_trees.size(); ++i) {
    ResolvedPoint r;
    r.workload = spec.workload_trees[i];
    r.workload_index = i;
    std::optional<Workload> w;
    try {
      w = load_point_workload(spec, r);
    } catch (const ConfigError&) {
      continue;  // a workload only the points' edits complete: each point checks its own
    }
    numerics::QuantOptions q;
    set_widths(spec, *w, s, q);
  }
}

}  // namespace qnnsim
