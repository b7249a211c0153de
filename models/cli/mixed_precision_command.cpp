#include "cli/mixed_precision_command.h"

#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "arch/arch_spec.h"
#include "cli/output_files.h"
#include "core/config_error.h"
#include "core/output_file.h"
#include "design/objective.h"
#include "numerics/eval_error.h"
#include "precision_search/mixed_precision.h"

namespace qnnsim::cli {

namespace {

constexpr int kExitBadInput = 2;

// A bare name is a shipped design, as for `qnnsim run`: `systolic_ws`.
std::string resolve_arch(const std::string& arch) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (arch.find('/') != std::string::npos || arch.find(".yaml") != std::string::npos || fs::exists(arch, ec)) return arch;
  return (fs::path(data_dir()) / "arch" / (arch + ".yaml")).string();
}

std::string bits_text(const numerics::LayerBits& b) { return fmt::format("{}/{}", b.weights, b.activations); }

// "w " or "a " before a width when a ladder moves weights or activations alone.
std::string tensor_prefix(numerics::LadderTensor t) {
  if (t == numerics::LadderTensor::weights) return "w ";
  if (t == numerics::LadderTensor::activations) return "a ";
  return "";
}

std::string cost_text(double v, Objective o) {
  switch (o) {
    case Objective::Energy: return fmt::format("{:.4g} uJ", v * 1e-6);
    case Objective::Latency: return fmt::format("{:.4g} ms", v * 1e3);
    case Objective::Edp: return fmt::format("{:.4g} uJ ms", v * 1e-3);  // 1 pJ s = 1e-3 uJ ms
  }
  return "";
}

void print_result(const numerics::MixedPrecisionOptions& o, const numerics::MixedPrecisionResult& r,
                  const std::string& out) {
  const Objective obj = o.objective;
  std::cout << fmt::format("mixed precision for {} on {}: budget {:g} points against float, minimising {}\n", r.network,
                           o.arch, o.budget_points, objective_name(obj));
  std::cout << fmt::format("scored on {} validation images (training images after the calibration's {}); float {:.2f}%\n\n",
                           r.validation_images, r.calibration_images, 100 * r.float_validation_accuracy);
  std::cout << fmt::format("{:<24} {:>6}  {}\n", "layer", "chosen", "alone at each narrower rung: points lost, cost saved");
  for (const std::string& l : r.layers) {
    std::string alone;
    for (const numerics::LayerSensitivity& s : r.sensitivities)
      if (s.layer == l)
        alone += fmt::format("  {}{} bits {:+.2f} / {}", tensor_prefix(s.tensor), s.width, s.accuracy_drop_points,
                             cost_text(s.cost_saving, obj));
    std::cout << fmt::format("{:<24} {:>6} {}\n", l, bits_text(r.chosen.bits.at(l)), alone);
  }
  std::cout << "\nsteps, each checked on the whole network:\n";
  for (const numerics::SearchStep& s : r.steps)
    std::cout << fmt::format("  {:<22} {}{:>2} -> {:>2} bits: {:.2f}%, {}  {}\n", s.layer, tensor_prefix(s.tensor), s.from, s.to, 100 * s.accuracy,
                             cost_text(s.cost, obj), s.kept ? "kept" : s.refused + ": stays");
  for (const std::string& n : r.notes) std::cout << "note: " << n << "\n";
  std::cout << fmt::format("\n{:<18} {:>10} {:>10} {:>14} {:>12} {:>12}\n", "", "validation", "test", objective_name(obj),
                           "energy uJ", "latency ms");
  const auto row = [&](const char* name, const numerics::Candidate& c, double test) {
    std::cout << fmt::format("{:<18} {:>9.2f}% {:>9.2f}% {:>14} {:>12.4g} {:>12.4g}\n", name, 100 * c.accuracy(), 100 * test,
                             cost_text(c.cost, obj), c.run.summary.energy_pj * 1e-6, c.run.summary.latency_s * 1e3);
  };
  std::cout << fmt::format("{:<18} {:>9.2f}% {:>9.2f}%\n", "float", 100 * r.float_validation_accuracy,
                           100 * r.float_test_accuracy);
  const numerics::LayerBits widest = r.widest.bits.empty() ? numerics::LayerBits{} : r.widest.bits.begin()->second;
  row((widest.weights == widest.activations ? fmt::format("all at {} bits", widest.weights)
                                            : fmt::format("all at {}/{} bits", widest.weights, widest.activations))
          .c_str(),
      r.widest, r.widest_test_accuracy);
  row("chosen", r.chosen, r.chosen_test_accuracy);
  std::cout << fmt::format("\n{} candidates scored; test accuracy on {} test images; the chosen trace is {}\n",
                           r.candidates_scored, r.test_images, out);
}

nlohmann::ordered_json to_json(const numerics::MixedPrecisionOptions& o, const numerics::MixedPrecisionResult& r) {
  nlohmann::ordered_json j;
  j["network"] = r.network;
  j["arch"] = o.arch;
  j["objective"] = objective_name(o.objective);
  // Costs below are in the objective's unit: pJ (energy), s (latency) or pJ s (edp).
  j["cost_unit"] = o.objective == Objective::Energy ? "pJ" : o.objective == Objective::Latency ? "s" : "pJ s";
  j["budget_points"] = o.budget_points;
  j["widths"] = o.widths;
  j["weight_widths"] = o.weight_widths.empty() ? o.widths : o.weight_widths;
  j["activation_widths"] = o.activation_widths.empty() ? o.widths : o.activation_widths;
  j["validation_images"] = r.validation_images;
  j["test_images"] = r.test_images;
  j["float_validation_accuracy_fraction"] = r.float_validation_accuracy;
  j["float_test_accuracy_fraction"] = r.float_test_accuracy;
  const auto candidate = [&](const numerics::Candidate& c, double test) {
    nlohmann::ordered_json k;
    for (const auto& [layer, b] : c.bits) k["bits"][layer] = {{"weights", b.weights}, {"activations", b.activations}};
    k["validation_accuracy_fraction"] = c.accuracy();
    k["test_accuracy_fraction"] = test;
    k["energy_pj"] = c.run.summary.energy_pj;
    k["latency_s"] = c.run.summary.latency_s;
    return k;
  };
  j["widest"] = candidate(r.widest, r.widest_test_accuracy);
  j["chosen"] = candidate(r.chosen, r.chosen_test_accuracy);
  j["sensitivities"] = nlohmann::ordered_json::array();
  for (const numerics::LayerSensitivity& s : r.sensitivities)
    j["sensitivities"].push_back({{"layer", s.layer}, {"tensor", numerics::ladder_tensor_name(s.tensor)}, {"bits", s.width}, {"accuracy_drop_points", s.accuracy_drop_points},
                                  {"cost_saving", s.cost_saving}});
  j["steps"] = nlohmann::ordered_json::array();
  for (const numerics::SearchStep& s : r.steps)
    j["steps"].push_back({{"layer", s.layer}, {"tensor", numerics::ladder_tensor_name(s.tensor)}, {"from_bits", s.from}, {"to_bits", s.to},
                          {"validation_accuracy_fraction", s.accuracy}, {"cost", s.cost}, {"kept", s.kept}, {"refused", s.refused}});
  j["notes"] = r.notes;
  return j;
}

}  // namespace

CLI::App* add_mixed_precision_command(CLI::App& app, MixedPrecisionArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "mixed-precision",
      "Choose each layer's width by sensitivity under an accuracy budget, minimising a design's simulated cost, and "
      "write the quantized trace");
  cmd->add_option("MODEL", a.model, "the ONNX model, or a shipped name (workloads/models/NAME.onnx)")->required();
  cmd->add_option("ARCH", a.arch, "the design whose cost is minimised, or a shipped name (arch/NAME.yaml)")->required();
  writes_file(cmd->add_option("-o,--output", a.out, "where to write the chosen quantized trace YAML"))->required();
  cmd->add_option("--widths", a.widths, "the ladder of widths, widest first (weights and activations together; "
                                        "default 8,6,4,2)")
      ->delimiter(',');
  cmd->add_option("--weight-widths", a.weight_widths,
                  "a ladder for the weights alone: each layer's weights and activations then step down ladders of "
                  "their own (the one not given is --widths)")
      ->delimiter(',');
  cmd->add_option("--activation-widths", a.activation_widths,
                  "a ladder for the activations alone (the weights' is --weight-widths or --widths)")
      ->delimiter(',');
  cmd->add_option("--budget", a.budget, "accuracy the search may lose against float, in percentage points (default 1)");
  cmd->add_option("--objective", a.objective, "what to minimise: energy (default), latency or edp")
      ->check(CLI::IsMember(search_objective_names()));
  cmd->add_option("--validation-images", a.validation_images,
                  "training images after the calibration's, scored for every candidate (default 1000)");
  cmd->add_option("--test-images", a.test_images, "test images scored for the result (default 0: all)");
  cmd->add_option("--data", a.data, "fashion-mnist (Debian's dataset-fashion-mnist), or a folder of MNIST-layout idx files");
  writes_file(cmd->add_option("--json", a.json, "write the search (sensitivities, steps, both ends) as JSON to FILE"));
  add_quant_options(cmd, a.quant);
  cmd->add_flag("--verbose", a.verbose, "print every candidate as it is scored");
  cmd->add_flag("--quiet", a.quiet, "print nothing on success");
  return cmd;
}

int run_mixed_precision(const MixedPrecisionArgs& a) {
  // Unwritable paths fail before the search.
  OutputFile out(a.out);
  std::optional<OutputFile> json;
  if (!a.json.empty()) json.emplace(a.json);
  numerics::MixedPrecisionOptions o;
  numerics::MixedPrecisionResult r;
  try {
    if (!a.quant.bits.empty())
      throw numerics::EvalError("--bits: the search chooses every layer's widths; give the ladder with --widths");
    o.model = resolve_model(a.model);
    o.arch = resolve_arch(a.arch);
    o.data = a.data;
    o.widths = a.widths;
    o.weight_widths = a.weight_widths;
    o.activation_widths = a.activation_widths;
    o.budget_points = a.budget;
    o.objective = objective_named(a.objective);
    o.validation_images = a.validation_images;
    o.test_images = a.test_images;
    apply_quant_args(a.quant, o.quant);
    if (a.verbose) o.progress = [](const std::string& line) { std::cerr << "  scored " << line << "\n"; };
    r = numerics::search_mixed_precision(o);
  } catch (const numerics::EvalError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const ConfigError& e) {  // a malformed design file
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  // Both written before either replaces anything: a failed second write leaves neither.
  out.write(r.chosen.trace_yaml);
  if (json) json->write(to_json(o, r).dump(2) + "\n");
  out.place();
  if (json) json->place();
  if (!a.quiet) print_result(o, r, a.out);
  return 0;
}

}  // namespace qnnsim::cli
