// The qnnsim command: run a simulation, or validate configuration files.
// Bad input exits 2 with one message naming file, line, column and key.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <tuple>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <systemc>

#include "arch/arch_spec.h"
#include "cli/diff_command.h"
#include "cli/output_files.h"
#include "cli/import_command.h"
#include "cli/eval_command.h"
#include "cli/quantize_command.h"
#include "cli/import_arch_command.h"
#include "cli/levels_command.h"
#include "cli/mixed_precision_command.h"
#include "cli/progress_line.h"
#include "cli/sweep_command.h"
#include "cli/trace_options.h"
#include "controller/tile_replay.h"
#include "core/heap_policy.h"
#include "core/version.h"
#include "core/output_file.h"
#include "report/provenance.h"
#include "report/report.h"
#include "schedule/host_im2col.h"
#include "schedule/mapping_io.h"
#include "schedule/mapper.h"
#include "design/design_family.h"
#include "design/objective.h"
#include "workload/workload.h"

namespace {

constexpr int kExitConfigError = 2;

// The command line as given, for the provenance every report records.
qnnsim::Provenance g_provenance;

// Provenance of one run: the command line and the hashes of its input files.
qnnsim::Provenance run_provenance(const std::string& arch, const std::string& workload, const std::string& mappings,
                                  const qnnsim::ConfigNode& arch_root) {
  qnnsim::Provenance p = g_provenance;
  p.add_input("arch", arch);
  p.add_input("workload", workload);
  if (arch_root.has("energy_table")) p.add_input("energy_table", qnnsim::energy_table_path(arch_root));
  p.add_input("mappings", mappings);
  return p;
}

int validate_files(const std::vector<std::string>& files) {
  int failures = 0;
  for (const auto& f : files) {
    try {
      const qnnsim::ConfigNode root = qnnsim::ConfigNode::load_file(f);
      if (root.has("layers")) {
        const qnnsim::Workload w = qnnsim::load_workload(root);
        std::cout << fmt::format("ok: {}: workload '{}', {} layers, {} MACs per image\n", f, w.name, w.layers.size(),
                                 w.macs_per_image());
      } else {
        std::cout << fmt::format("ok: {}: {}\n", f, qnnsim::design_family_of(root).describe(root));
      }
    } catch (const qnnsim::ConfigError& e) {
      std::cerr << "error: " << e.what() << "\n";
      ++failures;
    }
  }
  return failures == 0 ? 0 : kExitConfigError;
}

struct RunOptions {
  std::string arch, workload, json, csv, mappings_in, mappings_out;
  std::string objective;  // empty: not given, the default (edp) where a family searches
  std::string execution;  // in-memory chips: override the file's execution mode
  std::vector<std::string> densities, bits;
  int64_t batch = 0;
  bool quiet = false;
  bool no_tile_replay = false;
  qnnsim::cli::TraceArgs trace;
};

// The --bits and --density overrides, in that order; false (after a message) on a bad one.
bool apply_overrides(const RunOptions& o, qnnsim::Workload& w) {
  const std::string problem = qnnsim::apply_run_overrides(w, o.bits, o.densities);
  if (!problem.empty()) std::cerr << "error: " << problem << "\n";
  return problem.empty();
}

// Both files, or neither for the shipped default; false (after a message) otherwise.
bool resolve_inputs(RunOptions& o) {
  namespace fs = std::filesystem;
  if (o.arch.empty() != o.workload.empty()) {
    std::cerr << "error: give both ARCH and WORKLOAD, or neither to run the shipped default\n";
    return false;
  }
  if (o.arch.empty()) {
    o.arch = "systolic_ws";
    o.workload = "resnet18_cifar";
  }
  // A bare name is a shipped file, as in sweep specs: `run eyeriss_v1 alexnet`.
  const auto shipped = [](std::string& value, const char* folder) {
    std::error_code ec;  // a name the OS refuses is not a file here either
    if (value.find('/') == std::string::npos && value.find(".yaml") == std::string::npos && !fs::exists(value, ec))
      value = (fs::path(qnnsim::data_dir()) / folder / (value + ".yaml")).string();
  };
  shipped(o.arch, "arch");
  shipped(o.workload, "workloads");
  return true;
}

// An output named on the command line, its temporary file created before the
// simulation so that a path that cannot be written fails at once rather than
// after a long run; null when not asked for.
std::unique_ptr<qnnsim::OutputFile> open_output(const std::string& path) {
  return path.empty() ? nullptr : std::make_unique<qnnsim::OutputFile>(path);
}

// Writes a report into an output, whole or not at all (see core/output_file.h).
template <class Write>
void commit(const std::unique_ptr<qnnsim::OutputFile>& file, Write write) {
  if (!file) return;
  std::ostringstream text;
  write(text);
  file->commit(text.str());
}

// The architecture and the workload with the command line's overrides applied.
struct Inputs {
  std::unique_ptr<qnnsim::ArchSpec> arch;
  qnnsim::Workload workload;
};
std::optional<Inputs> load_inputs(const RunOptions& o, const qnnsim::ConfigNode& arch_root) {
  Inputs in{qnnsim::load_arch(arch_root), qnnsim::load_workload(o.workload)};
  if (o.batch > 0) in.workload.batch = o.batch;
  if (!apply_overrides(o, in.workload)) return std::nullopt;
  return in;
}

// Plans every layer of a PE-array design without simulating (the other
// families refuse `map`): the chosen mappings, their analytical figures, and
// how long the search took.
int map_only(RunOptions o) {
  if (!resolve_inputs(o)) return kExitConfigError;
  const qnnsim::ConfigNode arch_root = qnnsim::ConfigNode::load_file(o.arch);
  if (const std::string why = qnnsim::design_family_of(arch_root).refusal(qnnsim::RunOption::Map, o.arch); !why.empty()) {
    std::cerr << "error: map " << why << "\n";
    return kExitConfigError;
  }
  const auto in = load_inputs(o, arch_root);
  if (!in) return kExitConfigError;
  const auto mappings_out = open_output(o.mappings_out);
  std::vector<double> seconds;
  // As `run` maps it: the input's windows expanded where the design's host does it.
  const qnnsim::Workload workload = qnnsim::as_array_receives(*in->arch, in->workload);
  const auto plans = qnnsim::plan_workload(*in->arch, workload, nullptr, qnnsim::objective_named(o.objective.empty() ? "edp" : o.objective), &seconds);
  commit(mappings_out, [&](std::ostream& out) {
    qnnsim::write_mappings(out, in->arch->name, in->arch->dataflow, workload, plans);
  });
  if (o.quiet) return 0;
  std::cout << fmt::format("qnnsim map: {} on {}, batch {}\n\n", workload.name, in->arch->name, workload.batch);
  std::cout << fmt::format("{:<16} {:>10} {:>12} {:>10}  {}\n", "layer", "search ms", "est. cycles", "est. uJ", "mapping");
  double total = 0, longest = 0;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const qnnsim::PlanScore score = qnnsim::score_plan(*in->arch, workload.layers[i], plans[i]);
    std::cout << fmt::format("{:<16} {:>10.3f} {:>12.0f} {:>10.4g}  {}\n", workload.layers[i].name, seconds[i] * 1e3,
                             score.seconds * in->arch->tech.clock_hz, score.energy_pj * 1e-6, plans[i].tiling);
    total += seconds[i];
    longest = std::max(longest, seconds[i]);
  }
  std::cout << fmt::format("\nsearch time: {:.1f} ms in all, {:.2f} ms for the slowest layer\n", total * 1e3, longest * 1e3);
  return 0;
}

// False, after the family's reason, when the design's family does not take
// an option the command line gives.
bool family_takes_options(const qnnsim::DesignFamily& family, const RunOptions& o) {
  const std::tuple<bool, qnnsim::RunOption, const char*> given[] = {
      {!o.mappings_in.empty(), qnnsim::RunOption::Mappings, "--mappings"},
      {!o.mappings_out.empty(), qnnsim::RunOption::MappingsOut, "--mappings-out"},
      {!o.execution.empty(), qnnsim::RunOption::Execution, "--execution"},
      {!o.trace.file.empty(), qnnsim::RunOption::Trace, "--trace"},
      {!o.objective.empty(), qnnsim::RunOption::Objective, "--objective"}};
  for (const auto& [asked, option, spelling] : given) {
    const std::string why = asked ? family.refusal(option, o.arch) : "";
    if (!why.empty()) {
      std::cerr << "error: " << spelling << " " << why << "\n";
      return false;
    }
  }
  return true;
}

int run(RunOptions o) {
  if (!resolve_inputs(o)) return kExitConfigError;
  const qnnsim::ConfigNode arch_root = qnnsim::ConfigNode::load_file(o.arch);
  const qnnsim::DesignFamily& family = qnnsim::design_family_of(arch_root);
  if (!family_takes_options(family, o)) return kExitConfigError;
  // Inputs first, so that bad input leaves existing output files alone; then
  // the outputs, so that an unwritable path fails before the run.
  const std::unique_ptr<qnnsim::LoadedDesign> design = family.load(arch_root, o.execution);
  qnnsim::Workload w = qnnsim::load_workload(o.workload);
  if (o.batch > 0) w.batch = o.batch;
  qnnsim::cli::TraceSession trace;
  if (!apply_overrides(o, w) || !trace.start(o.trace, w)) return kExitConfigError;
  qnnsim::set_tile_replay(!o.no_tile_replay);
  const auto json_out = open_output(o.json), csv_out = open_output(o.csv), mappings_out = open_output(o.mappings_out);
  qnnsim::cli::ProgressLine progress(!o.quiet);
  qnnsim::RunRequest how;
  how.objective = o.objective.empty() ? "edp" : o.objective;
  how.mappings_in = o.mappings_in;
  if (mappings_out) how.mappings_out = [&](const std::string& text) { mappings_out->commit(text); };
  how.warn = [](const std::string& warning) { std::cerr << "warning: " << warning << "\n"; };
  qnnsim::RunResult result;
  try {
    result = design->run(w, how);
  } catch (const qnnsim::CannotRun& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitConfigError;
  }
  progress.done();
  if (!trace.finish(result.arch, w, result.clock_hz)) return 1;
  if (!o.quiet) qnnsim::print_table(result, std::cout);
  commit(json_out, [&](std::ostream& out) {
    qnnsim::write_json(result, run_provenance(o.arch, o.workload, o.mappings_in, arch_root), out);
  });
  commit(csv_out, [&](std::ostream& out) { qnnsim::write_csv(result, out); });
  return 0;
}

// Options `run` and `map` share.
void add_common_options(CLI::App* cmd, RunOptions& o) {
  cmd->add_option("ARCH", o.arch, "architecture YAML, or a shipped name (eyeriss_v1: arch/eyeriss_v1.yaml)");
  cmd->add_option("WORKLOAD", o.workload, "workload trace YAML, or a shipped name (alexnet: workloads/alexnet.yaml)");
  cmd->add_option("--batch", o.batch, "override the workload's batch size")->check(CLI::Range(int64_t{1}, qnnsim::kMaxBatch));
  cmd->add_option("--objective", o.objective, "what the mapper minimises: energy, latency or edp (default)")
      ->check(CLI::IsMember(qnnsim::search_objective_names()));
  cmd->add_option("--density", o.densities,
                  "inputs=D: fraction of non-zero values in the network's input; outputs=D: in every layer's outputs "
                  "(repeatable)");
  cmd->add_option("--bits", o.bits,
                  "TENSOR=B or LAYER.TENSOR=B: bits of weights, inputs, outputs or accumulator, in every layer or one "
                  "(repeatable)");
  qnnsim::cli::writes_file(
      cmd->add_option("--mappings-out", o.mappings_out, "write the mapping chosen for every layer as YAML to FILE"));
  cmd->add_flag("--quiet", o.quiet, "do not print the table");
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  qnnsim::keep_freed_memory();
  CLI::App app{"qnnsim: a SystemC TLM-2.0 simulator of accelerators for quantized neural networks"};
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("qnnsim {} (commit {})", qnnsim::qnnsim_version(), qnnsim::qnnsim_commit()),
                       "print the version and git commit, and exit");
  g_provenance = qnnsim::make_provenance(argc, argv);

  RunOptions opts;
  CLI::App* run_cmd = app.add_subcommand("run", "Simulate a workload on an architecture and report throughput, latency, "
                                                "energy and utilization (no files: the shipped default)");
  add_common_options(run_cmd, opts);
  qnnsim::cli::writes_file(run_cmd->add_option("--json", opts.json, "write the full report as JSON to FILE"));
  qnnsim::cli::writes_file(run_cmd->add_option("--csv", opts.csv, "write per-layer rows as CSV to FILE"));
  run_cmd->add_option("--mappings", opts.mappings_in, "replay the mappings in FILE instead of searching");
  run_cmd->add_option("--execution", opts.execution, "in-memory chips and dataflow designs: layer_pipelined or layer_sequential")
      ->check(CLI::IsMember({"layer_pipelined", "layer_sequential"}));
  qnnsim::cli::add_trace_options(run_cmd, opts.trace);
  run_cmd->add_flag("--no-tile-replay", opts.no_tile_replay,
                    "simulate every buffer tile, even one that repeats a tile run alone before (same figures, slower; "
                    "for debugging)");

  RunOptions map_opts;
  CLI::App* map_cmd = app.add_subcommand("map", "Choose a mapping for every layer without simulating, and print each "
                                                "with its analytical figures and search time");
  add_common_options(map_cmd, map_opts);

  qnnsim::cli::ImportArgs import_args;
  CLI::App* import_cmd = qnnsim::cli::add_import_command(app, import_args);

  qnnsim::cli::EvalArgs eval_args;
  CLI::App* eval_cmd = qnnsim::cli::add_eval_command(app, eval_args);
  qnnsim::cli::QuantizeArgs quantize_args;
  CLI::App* quantize_cmd = qnnsim::cli::add_quantize_command(app, quantize_args);
  qnnsim::cli::MixedPrecisionArgs mixed_args;
  CLI::App* mixed_cmd = qnnsim::cli::add_mixed_precision_command(app, mixed_args);

  qnnsim::SweepOptions sweep_opts;
  std::string shard;
  CLI::App* sweep_cmd = qnnsim::cli::add_sweep_command(app, sweep_opts, shard);
  qnnsim::cli::ResultsArgs results_args;
  CLI::App* results_cmd = qnnsim::cli::add_results_command(app, results_args);

  qnnsim::cli::DiffArgs diff_args;
  CLI::App* diff_cmd = qnnsim::cli::add_diff_command(app, diff_args);
  qnnsim::cli::CheckArgs check_args;
  CLI::App* check_cmd = qnnsim::cli::add_check_command(app, check_args);
  qnnsim::cli::LevelsArgs levels_args;
  CLI::App* levels_cmd = qnnsim::cli::add_levels_command(app, levels_args);
  qnnsim::cli::ImportArchArgs import_arch_args;
  CLI::App* import_arch_cmd = qnnsim::cli::add_import_arch_command(app, import_arch_args);

  std::vector<std::string> files;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check architecture and workload files without simulating");
  validate_cmd->add_option("FILE", files, "files to check")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitConfigError;
  }
  if (const std::string problem = qnnsim::cli::output_file_problem(app); !problem.empty()) {
    std::cerr << "error: " << problem << "\n";
    return kExitConfigError;
  }

  try {
    if (*validate_cmd) return validate_files(files);
    if (*import_cmd) return qnnsim::cli::run_import(import_args);
    if (*eval_cmd) return qnnsim::cli::run_eval(eval_args);
    if (*quantize_cmd) return qnnsim::cli::run_quantize(quantize_args);
    if (*mixed_cmd) return qnnsim::cli::run_mixed_precision(mixed_args);
    sweep_opts.command_line = g_provenance.command_line;
    if (*sweep_cmd) return qnnsim::cli::run_sweep_command(sweep_opts, shard);
    if (*results_cmd) return qnnsim::cli::run_results_command(results_args);
    if (*diff_cmd) return qnnsim::cli::run_diff(diff_args);
    if (*check_cmd) return qnnsim::cli::run_check(check_args);
    if (*levels_cmd) return qnnsim::cli::run_levels(levels_args);
    if (*import_arch_cmd) return qnnsim::cli::run_import_arch(import_arch_args);
    if (*map_cmd) return map_only(map_opts);
    return run(opts);
  } catch (const qnnsim::ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitConfigError;
  } catch (const sc_core::sc_report& e) {
    // An exception thrown inside a SystemC process arrives wrapped; show its own message.
    std::string msg = e.get_msg();
    const std::string wrapper = "uncaught exception: ";
    if (msg.rfind(wrapper, 0) == 0) msg = msg.substr(wrapper.size());
    std::cerr << "error: " << msg << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

// Our own main: the kernel prints its banner before sc_main unless this is set,
// and the output should be the program's own. Whatever went to standard output
// (the table, validate's lines, a sweep's summary) must have arrived: a lost
// write is an error, not a success.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  const int code = sc_core::sc_elab_and_sim(argc, argv);
  try {
    qnnsim::check_stdout();
  } catch (const qnnsim::OutputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return code == 0 ? 1 : code;
  }
  return code;
}
