#include "precision_search/mixed_precision.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "core/config_error.h"
#include "design/design_family.h"
#include "numerics/eval_error.h"
#include "numerics/evaluate.h"
#include "numerics/float_run.h"
#include "numerics/image_input.h"
#include "numerics/network.h"
#include "numerics/quantized_trace.h"
#include "numerics/trace_plan.h"
#include "workload/workload.h"

namespace qnnsim::numerics {

const char* ladder_tensor_name(LadderTensor t) {
  switch (t) {
    case LadderTensor::both: return "both";
    case LadderTensor::weights: return "weights";
    case LadderTensor::activations: return "activations";
  }
  return "both";
}

namespace {

// Images [from, from + count) of `d`.
Dataset slice(const Dataset& d, int64_t from, int64_t count) {
  Dataset s = d;
  s.count = count;
  const auto px = std::size_t(d.rows) * d.cols;
  s.pixels.assign(d.pixels.begin() + from * px, d.pixels.begin() + (from + count) * px);
  s.labels.assign(d.labels.begin() + from, d.labels.begin() + from + count);
  return s;
}

int64_t float_correct(const Network& net, const Dataset& d) {
  int64_t correct = 0;
  for (int64_t i = 0; i < d.count; ++i) correct += argmax(run_float(net, image_values(d, i))[net.output]) == d.labels[i];
  return correct;
}

// The quantization a trace carries, scored on `d` as `qnnsim eval --trace` scores it.
int64_t trace_correct(const Network& net, const QuantOptions& base, const Workload& trace, const Dataset& d) {
  const TracePlan tp = trace_plan(net, trace);
  QuantOptions q = base;
  q.accumulator.bits = tp.accumulator_bits;
  q.symmetric_activations = tp.symmetric_activations;
  q.per_channel_weights = tp.per_channel_weights;
  const QuantizedNetwork qnet(net, q, tp.plan);
  int64_t correct = 0;
  for (int64_t i = 0; i < d.count; ++i) correct += argmax(qnet.run(image_values(d, i), nullptr, uint64_t(i))) == d.labels[i];
  return correct;
}

std::string bits_key(const std::map<std::string, LayerBits>& bits) {
  std::string k;
  for (const auto& [name, b] : bits) k += fmt::format("{}={}/{} ", name, b.weights, b.activations);
  return k;
}

void check_ladder(const std::vector<int>& widths, const char* option) {
  if (widths.empty()) throw EvalError(fmt::format("{}: expected at least one width", option));
  for (std::size_t i = 0; i < widths.size(); ++i) {
    if (widths[i] < 2 || widths[i] > 16)
      throw EvalError(fmt::format("{}: {} bits, expected 2 to 16 (symmetric weight codes need 2)", option, widths[i]));
    if (i > 0 && widths[i] >= widths[i - 1])
      throw EvalError(fmt::format("{}: expected a ladder from the widest down, each narrower than the one before", option));
  }
}

void check_options(const MixedPrecisionOptions& o) {
  check_ladder(o.widths, "--widths");
  if (!o.weight_widths.empty()) check_ladder(o.weight_widths, "--weight-widths");
  if (!o.activation_widths.empty()) check_ladder(o.activation_widths, "--activation-widths");
  if (!(o.budget_points >= 0 && o.budget_points <= 100))
    throw EvalError(fmt::format("--budget {}: expected 0 to 100 percentage points", o.budget_points));
  if (o.validation_images < 1) throw EvalError("--validation-images: expected at least 1");
  if (o.test_images < 0) throw EvalError("--test-images: expected 0 (all) or a positive number of images");
  check_quant_options(o.quant);
  if (o.quant.weight_scheme != Scheme::UniformSymmetric || !o.quant.layer_weight_scheme.empty())
    throw EvalError("--weight-scheme: the search moves uniform_symmetric widths; score other weight schemes with "
                    "`qnnsim eval --weight-scheme`");
  // Binary, ternary, power-of-two and codebook activations are not a ladder of uniform widths.
  if (o.quant.binary_activations || o.quant.ternary_activations || o.quant.log_activations ||
      o.quant.codebook_activations)
    throw EvalError("--scheme: the search moves uniform activation widths; score binary, ternary, power_of_two or "
                    "codebook activations with `qnnsim eval --scheme`");
}

// A QDQ model's nodes fix its quantization; searching widths would ignore them.
void refuse_qdq(const Network& net, const std::string& model) {
  if (net.qdq())
    throw EvalError(model + " is a QDQ model: its QuantizeLinear/DequantizeLinear nodes fix its quantization "
                            "(`qnnsim eval` or `import` it); give the float model to search its widths");
}

// One ladder of one layer: the widths it moves, and the rungs it may take.
struct Knob {
  std::string layer;
  LadderTensor tensor = LadderTensor::both;
  const std::vector<int>* widths = nullptr;

  void set(std::map<std::string, LayerBits>& bits, int width) const {
    LayerBits& b = bits[layer];
    if (tensor != LadderTensor::activations) b.weights = width;
    if (tensor != LadderTensor::weights) b.activations = width;
  }
  std::string text() const {
    return tensor == LadderTensor::both ? layer : fmt::format("{} {}", layer, ladder_tensor_name(tensor));
  }
};

class Search {
 public:
  explicit Search(const MixedPrecisionOptions& o)
      : o_(o), net_(load_network(o.model)), cost_((refuse_qdq(net_, o.model), o.arch), o.objective) {}

  MixedPrecisionResult run() {
    MixedPrecisionResult r;
    r.network = net_.name;
    for (const NetOp& op : net_.ops)
      if (net_.is_mac(op)) r.layers.push_back(op.name);
    load_validation(r);

    make_knobs(r.layers);
    std::map<std::string, LayerBits> widest;
    for (const Knob& k : knobs_) k.set(widest, k.widths->front());
    if (const std::string why = unrunnable([&] { r.widest = score(widest); }); !why.empty())
      throw EvalError(fmt::format("{} cannot run {} at {}/{} bits (weights/activations), the widest of the ladders: {}",
                                  o_.arch, r.network, weight_ladder().front(), activation_ladder().front(), why));
    // Nothing narrower can be within a budget the widest rung already
    // misses: say so, rather than report a search that moved nothing.
    if (const double lost = drop_points(r.widest); lost > o_.budget_points)
      r.notes.push_back(fmt::format(
          "every layer at the widest rung ({}/{} bits) already loses {:.2f} points against float, more than the "
          "budget of {:g}: no step can be kept. Widen the ladder, or check the accumulator (`qnnsim eval --trace` "
          "on the written trace warns of wrapped sums)",
          weight_ladder().front(), activation_ladder().front(), lost, o_.budget_points));
    sensitivities(r);
    descend(r);
    score_test(r);
    r.candidates_scored = int(scored_.size());
    return r;
  }

 private:
  void load_validation(MixedPrecisionResult& r) {
    const int64_t calibration = o_.quant.calibration.images;
    const Dataset train = load_dataset(o_.data, Split::train, calibration + o_.validation_images);
    if (train.count < calibration + o_.validation_images)
      throw EvalError(fmt::format("{}: the training split has {} images, the calibration's {} and {} validation images "
                                  "need {}", o_.data, train.count, calibration, o_.validation_images,
                                  calibration + o_.validation_images));
    check_shape(train);
    validation_ = slice(train, calibration, o_.validation_images);
    r.calibration_images = calibration;
    r.validation_images = validation_.count;
    float_correct_ = float_correct(net_, validation_);
    r.float_validation_accuracy = double(float_correct_) / double(validation_.count);
  }

  void check_shape(const Dataset& d) const {
    const TensorShape& in = net_.shapes[net_.input];
    if (in.C != 1 || in.H != d.rows || in.W != d.cols)
      throw EvalError(fmt::format("{}: the network takes {}x{}x{} inputs, the data set '{}' has 1x{}x{} images", o_.model,
                                  in.C, in.H, in.W, o_.data, d.rows, d.cols));
    if (net_.shapes[net_.output].size() != 10)
      throw EvalError(fmt::format("{}: the network has {} outputs, the data set has 10 classes", o_.model,
                                  net_.shapes[net_.output].size()));
  }

  // The trace `qnnsim quantize` writes for these widths, scored and run.
  const Candidate& score(const std::map<std::string, LayerBits>& bits) {
    const std::string key = bits_key(bits);
    if (auto it = scored_.find(key); it != scored_.end()) return it->second;
    QuantizeOptions qo;
    qo.model = o_.model;
    qo.data = o_.data;
    qo.quant = o_.quant;
    qo.quant.bits = {weight_ladder().front(), activation_ladder().front()};
    qo.quant.layer_bits = bits;
    Candidate c;
    c.bits = bits;
    c.trace_yaml = quantize_to_trace(qo).yaml;
    const std::string name = net_.name + " at " + key;
    const Workload trace = load_workload(ConfigNode::load_string(c.trace_yaml, name));
    c.run = cost_.run(c.trace_yaml, name);
    c.cost = objective_value(o_.objective, c.run.summary.energy_pj, c.run.summary.latency_s);
    c.correct = trace_correct(net_, o_.quant, trace, validation_);
    c.images = validation_.count;
    if (o_.progress)
      o_.progress(fmt::format("{}: {:.2f}%, {} {:.6g}", key, 100 * c.accuracy(), objective_name(o_.objective), c.cost));
    return scored_.emplace(key, std::move(c)).first->second;
  }

  // Empty when `run` went through; otherwise why the candidate cannot be
  // taken: the design refused its trace (a width its MAC class does not
  // take, say), or the layer shares a stored tensor with layers that read
  // it at another width (a residual Add's two paths), so it cannot move alone.
  template <typename F>
  std::string unrunnable(F run) const {
    try {
      run();
    } catch (const ConfigError& e) {
      return o_.arch + " cannot run it (" + e.what() + ")";
    } catch (const CannotRun& e) {
      return o_.arch + " cannot run it (" + e.what() + ")";
    } catch (const WidthConflict& e) {
      return std::string("it cannot move alone: ") + e.what();
    }
    return "";
  }

  // From the counts of images, so that a drop of exactly the budget is within it.
  double drop_points(const Candidate& c) const {
    return 100.0 * double(float_correct_ - c.correct) / double(validation_.count);
  }

  // Each layer alone at each narrower rung: what it loses and saves. A rung
  // the design cannot run is noted and left out of that layer's ladder.
  void sensitivities(MixedPrecisionResult& r) {
    const double widest_drop = drop_points(r.widest);
    ladders_.assign(knobs_.size(), {});
    for (std::size_t k = 0; k < knobs_.size(); ++k) {
      const Knob& knob = knobs_[k];
      const std::vector<int>& widths = *knob.widths;
      std::vector<Rung>& ladder = ladders_[k];
      ladder.push_back({widths[0], 0, 0});
      for (std::size_t i = 1; i < widths.size(); ++i) {
        std::map<std::string, LayerBits> bits = r.widest.bits;
        knob.set(bits, widths[i]);
        const Candidate* c = nullptr;
        if (const std::string why = unrunnable([&] { c = &score(bits); }); !why.empty()) {
          r.notes.push_back(fmt::format("{} at {} bits: {}", knob.text(), widths[i], why));
          continue;
        }
        const Rung rung{widths[i], drop_points(*c) - widest_drop, r.widest.cost - c->cost};
        ladder.push_back(rung);
        r.sensitivities.push_back({knob.layer, knob.tensor, rung.width, rung.drop, rung.saving});
      }
    }
  }

  // Steps down one rung at a time, the best saving per point of accuracy
  // first, keeping a step only if the whole network stays within the budget.
  void descend(MixedPrecisionResult& r) {
    Candidate current = r.widest;
    std::vector<std::size_t> at(knobs_.size(), 0);  // each ladder's rung
    std::vector<bool> stopped(knobs_.size(), false);
    // One image of the validation set, in points: a rung that loses nothing
    // still ranks by its saving, not as infinitely good.
    const double one_image = 100.0 / double(validation_.count);
    for (;;) {
      std::optional<std::size_t> best;
      double best_priority = 0;
      for (std::size_t k = 0; k < knobs_.size(); ++k) {
        const std::vector<Rung>& ladder = ladders_[k];
        const std::size_t i = at[k];
        if (stopped[k] || i + 1 >= ladder.size()) continue;
        const double saving = ladder[i + 1].saving - ladder[i].saving;
        if (saving <= 0) continue;  // a narrower rung that saves nothing is not worth any accuracy
        const double priority = saving / std::max(ladder[i + 1].drop - ladder[i].drop, one_image);
        if (!best || priority > best_priority) best = k, best_priority = priority;
      }
      if (!best) break;
      const Knob& knob = knobs_[*best];
      const std::size_t i = at[*best];
      std::map<std::string, LayerBits> bits = current.bits;
      const int to = ladders_[*best][i + 1].width;
      knob.set(bits, to);
      const Candidate* next = nullptr;
      SearchStep step{knob.layer, knob.tensor, ladders_[*best][i].width, to, 0, 0, false, ""};
      if (const std::string why = unrunnable([&] { next = &score(bits); }); !why.empty()) {
        step.refused = why;
      } else {
        step.accuracy = next->accuracy();
        step.cost = next->cost;
        if (drop_points(*next) > o_.budget_points) step.refused = "over the budget";
        else if (next->cost >= current.cost) step.refused = "no saving on the whole network";
      }
      step.kept = step.refused.empty();
      if (step.kept) {
        current = *next;
        ++at[*best];
      } else {
        stopped[*best] = true;
      }
      r.steps.push_back(step);
    }
    r.chosen = current;
  }

  void score_test(MixedPrecisionResult& r) {
    const Dataset test = load_dataset(o_.data, Split::test, o_.test_images);
    check_shape(test);
    r.test_images = test.count;
    const auto accuracy = [&](const Candidate& c) {
      const Workload trace = load_workload(ConfigNode::load_string(c.trace_yaml, net_.name));
      return double(trace_correct(net_, o_.quant, trace, test)) / double(test.count);
    };
    r.float_test_accuracy = double(float_correct(net_, test)) / double(test.count);
    r.widest_test_accuracy = accuracy(r.widest);
    r.chosen_test_accuracy = accuracy(r.chosen);
  }

  const std::vector<int>& weight_ladder() const { return o_.weight_widths.empty() ? o_.widths : o_.weight_widths; }
  const std::vector<int>& activation_ladder() const {
    return o_.activation_widths.empty() ? o_.widths : o_.activation_widths;
  }

  // A ladder per layer, or two (weights, then activations) when the options
  // separate them.
  void make_knobs(const std::vector<std::string>& layers) {
    for (const std::string& l : layers) {
      if (!o_.separate_ladders()) {
        knobs_.push_back({l, LadderTensor::both, &o_.widths});
        continue;
      }
      knobs_.push_back({l, LadderTensor::weights, &weight_ladder()});
      knobs_.push_back({l, LadderTensor::activations, &activation_ladder()});
    }
  }

  struct Rung {
    int width = 0;
    double drop = 0;    // points lost against the widest, this layer alone at this rung
    double saving = 0;  // cost saved against the widest, likewise
  };

  const MixedPrecisionOptions& o_;
  const Network net_;
  DesignCost cost_;
  Dataset validation_;
  int64_t float_correct_ = 0;
  std::map<std::string, Candidate> scored_;
  std::vector<Knob> knobs_;
  std::vector<std::vector<Rung>> ladders_;  // per knob
};

}  // namespace

MixedPrecisionResult search_mixed_precision(const MixedPrecisionOptions& o) {
  check_options(o);
  return Search(o).run();
}

}  // namespace qnnsim::numerics
