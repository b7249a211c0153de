#pragma once
// Mixed precision chosen per layer by sensitivity (seed 003's second step,
// after post-training quantization): every Conv / Gemm layer starts at the
// widest width of a ladder (weights and activations together, or each on a
// ladder of its own) and steps down it one rung at a time while the network's accuracy stays within a budget of
// the float model's, the layer whose next rung saves the most cost per point
// of accuracy first.
//
// Both sides are measured, not estimated: a candidate's accuracy comes from
// the quantized path (numerics/) scoring the very trace `qnnsim quantize`
// would write for those widths, and its cost from the design's own run of
// that trace (design_cost.h). Layers are ranked by what each rung costs and
// saves when that layer alone moves (its sensitivity); every step is then
// checked on the whole network, because sensitivities do not simply add.
//
// Accuracy during the search is scored on training images the calibration
// did not use (a validation set), so the test split is not what the widths
// were chosen on; the result reports the test split separately.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "numerics/quant_network.h"
#include "precision_search/design_cost.h"

namespace qnnsim::numerics {

struct MixedPrecisionOptions {
  std::string model;  // an ONNX file
  std::string data = "fashion-mnist";
  std::string arch;   // the design whose cost is minimised
  std::vector<int> widths = {8, 6, 4, 2};  // the ladder, widest first
  // Either given: each layer's weights and activations step down ladders of
  // their own (the one not given is `widths`), since a layer may bear
  // narrow weights better than narrow activations or the reverse. Neither
  // given: both step down `widths` together.
  std::vector<int> weight_widths, activation_widths;
  bool separate_ladders() const { return !weight_widths.empty() || !activation_widths.empty(); }
  double budget_points = 1.0;  // accuracy the search may lose against float, in percentage points
  Objective objective = Objective::Energy;
  int64_t validation_images = 1000;  // training images after the calibration's, scored per candidate
  int64_t test_images = 0;           // test images scored for the result (0: all)
  QuantOptions quant;  // scheme, weight granularity, accumulator and calibration; widths are the search's
  // Receives a line per candidate scored (progress on the terminal).
  std::function<void(const std::string&)> progress;
};

struct Candidate {
  std::map<std::string, LayerBits> bits;  // per Conv / Gemm layer
  int64_t correct = 0, images = 0;        // on the validation images
  double cost = 0;                        // the objective's value
  RunResult run;
  std::string trace_yaml;
  double accuracy() const { return images ? double(correct) / images : 0; }
};

// Which of a layer's widths a ladder moves.
enum class LadderTensor { both, weights, activations };
const char* ladder_tensor_name(LadderTensor t);  // "both", "weights", "activations"

struct LayerSensitivity {
  std::string layer;
  LadderTensor tensor = LadderTensor::both;
  int width = 0;
  double accuracy_drop_points = 0;  // against every layer at the widest rung
  double cost_saving = 0;           // likewise, in the objective's unit
};

struct SearchStep {
  std::string layer;
  LadderTensor tensor = LadderTensor::both;
  int from = 0, to = 0;
  double accuracy = 0, cost = 0;  // of the whole network after the step
  bool kept = false;  // false: the layer stays at `from`, for the reason below
  std::string refused;  // "over the budget" or "no saving on the whole network"
};

struct MixedPrecisionResult {
  std::string network;
  std::vector<std::string> layers;  // Conv / Gemm layers in network order
  int64_t calibration_images = 0, validation_images = 0, test_images = 0;
  double float_validation_accuracy = 0;
  Candidate widest, chosen;
  std::vector<LayerSensitivity> sensitivities;
  std::vector<SearchStep> steps;
  std::vector<std::string> notes;  // rungs the design could not run, and why
  double widest_test_accuracy = 0, chosen_test_accuracy = 0, float_test_accuracy = 0;
  int candidates_scored = 0;
};

// Throws EvalError on a model, data set or option it cannot search, and
// ConfigError on a design file it cannot read.
MixedPrecisionResult search_mixed_precision(const MixedPrecisionOptions& o);

}  // namespace qnnsim::numerics
