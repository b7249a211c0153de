#include "cli/sweep_command.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <system_error>

#include "cli/output_files.h"
#include "core/output_file.h"
#include "sweep/pareto.h"
#include "sweep/results_db.h"
#include "sweep/results_export.h"

namespace qnnsim::cli {

namespace {

// Empty when `path` is a file a sweep could have written (an SQLite
// database); else why not. Checked before opening it, because opening a
// results file readies its tables, which would turn any empty file into a
// database while a query reported "no points".
std::string results_file_problem(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "does not exist";
  if (std::filesystem::is_directory(path, ec)) return "is a directory; give the .db file a sweep wrote (--db)";
  if (!std::filesystem::is_regular_file(path, ec)) return "is not a regular file; give the .db file a sweep wrote (--db)";
  std::ifstream in(path, std::ios::binary);
  char header[16] = {};
  in.read(header, sizeof header);
  static const char kSqlite[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f', 'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
  if (in.gcount() == 0) return "is empty; a results file is the SQLite database `qnnsim sweep` writes (--db)";
  if (in.gcount() < 16 || !std::equal(header, header + 16, kSqlite))
    return "is not an SQLite database; a results file is the one `qnnsim sweep` writes (--db)";
  return "";
}

}  // namespace

namespace {
constexpr int kExitBadInput = 2;
}

CLI::App* add_sweep_command(CLI::App& app, SweepOptions& o, std::string& shard) {
  CLI::App* cmd = app.add_subcommand("sweep", "Run every point of a design-space sweep (configs/sweeps/*.yaml) in worker "
                                              "processes, into an SQLite results file");
  cmd->add_option("SPEC", o.spec_path, "sweep spec YAML")->required();
  cmd->add_option("-j,--jobs", o.jobs, "points at a time (default: one per core; with slurm: CPUs per task)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--db", o.db_path, "results file (default: the sweep's name + .db)");
  cmd->add_option("--backend", o.backend, "local (this machine) or slurm (a job array)")
      ->check(CLI::IsMember({"local", "slurm"}));
  cmd->add_flag("--resume", o.resume, "the results file already holds some of the points: run only the others");
  cmd->add_flag("--retry-failed", o.retry_failed, "with --resume, run the points that failed again too");
  cmd->add_flag("--dry-run", o.dry_run, "count the points (after constraints) and stop");
  cmd->add_option("--slurm-tasks", o.slurm_tasks, "slurm: tasks in the job array (default: up to 16)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--sbatch-arg", o.sbatch_args, "slurm: an extra sbatch option, e.g. --sbatch-arg=--partition=fast "
                                                 "(repeatable)");
  cmd->add_option("--points", o.points_file, "run only the point indices in FILE (what a Slurm task is given)");
  cmd->add_option("--shard", shard, "K/N: with --points, only the K-th of every N listed points");
  cmd->add_flag("!--no-progress", o.progress, "print no progress or summary");
  cmd->add_flag("--process-per-point", o.process_per_point,
                "run each point in its own process forked from the sweep, not in long-lived workers (slower; for "
                "debugging)");
  return cmd;
}

int run_sweep_command(SweepOptions o, const std::string& shard) {
  if (!shard.empty()) {
    std::istringstream in(shard);
    char slash = 0;
    if (!(in >> o.shard >> slash >> o.shards) || slash != '/' || o.shards < 1 || o.shard < 0 || o.shard >= o.shards ||
        !in.eof()) {
      std::cerr << "error: --shard: expected K/N with 0 <= K < N, found '" << shard << "'\n";
      return kExitBadInput;
    }
    if (o.points_file.empty()) {
      std::cerr << "error: --shard needs --points\n";
      return kExitBadInput;
    }
  }
  if (o.backend != "slurm" && (o.slurm_tasks != 0 || !o.sbatch_args.empty())) {
    std::cerr << "error: --slurm-tasks and --sbatch-arg shape a Slurm job array: give --backend slurm too\n";
    return kExitBadInput;
  }
  if (o.retry_failed && !o.resume) {
    std::cerr << "error: --retry-failed runs failed points of an earlier sweep again: give --resume too\n";
    return kExitBadInput;
  }
  return run_sweep(o);
}

CLI::App* add_results_command(CLI::App& app, ResultsArgs& args) {
  CLI::App* cmd = app.add_subcommand("results", "Show a sweep's results file: counts, every point as CSV, or the Pareto front");
  cmd->add_option("DB", args.db, "results file written by qnnsim sweep")->required();
  cmd->add_flag("--csv", args.csv, "every point as CSV");
  cmd->add_flag("--accuracy-layers", args.accuracy_layers,
                "the evaluation's figures per point and layer as CSV (a sweep with an accuracy: section): widths, "
                "weight scheme, overflowed sums, ADC conversions that clipped");
  cmd->add_option("--pareto", args.pareto, "OBJ,OBJ[,...]: the front over these of energy, latency, edp, area, "
                                           "throughput, accuracy (with an accuracy: section)");
  cmd->add_option("--sweep", args.sweep, "only the points of the sweep with this name");
  writes_file(cmd->add_option("-o,--output", args.output, "write to FILE instead of standard output"));
  return cmd;
}

int run_results_command(const ResultsArgs& args) {
  std::vector<std::string> objectives;
  if (!args.pareto.empty()) {
    std::stringstream in(args.pareto);
    for (std::string o; std::getline(in, o, ',');) {
      if (!is_objective(o)) {
        std::cerr << "error: --pareto: unknown objective '" << o << "'; expected energy, latency, edp, area, throughput or accuracy\n";
        return kExitBadInput;
      }
      objectives.push_back(o);
    }
    if (objectives.size() < 2) {
      std::cerr << "error: --pareto needs two or more objectives, e.g. --pareto energy,latency\n";
      return kExitBadInput;
    }
  }
  if (args.accuracy_layers && (args.csv || !objectives.empty())) {
    std::cerr << "error: --accuracy-layers writes its own CSV; give it without --csv and --pareto\n";
    return kExitBadInput;
  }
  if (const std::string problem = results_file_problem(args.db); !problem.empty()) {
    std::cerr << "error: results file '" << args.db << "' " << problem << "\n";
    return kExitBadInput;
  }
  ResultsDb db(args.db, false);
  const std::vector<PointRecord> points = db.points(args.sweep);
  if (points.empty() && !args.sweep.empty()) {
    std::cerr << "error: '" << args.db << "' holds no points of a sweep named '" << args.sweep << "'\n";
    return kExitBadInput;
  }
  // To a file, whole or not at all; to standard output, checked when the program ends.
  std::unique_ptr<OutputFile> file = args.output.empty() ? nullptr : std::make_unique<OutputFile>(args.output);
  std::ostringstream text;
  std::ostream& out = file ? text : std::cout;
  if (args.csv) write_results_csv(points, out);
  if (args.accuracy_layers) write_accuracy_layers_csv(points, db.accuracy_layers(args.sweep), out);
  if (!objectives.empty()) print_pareto(points, objectives, out);
  if (!args.csv && !args.accuracy_layers && objectives.empty()) print_overview(points, out);
  if (file) file->commit(text.str());
  return 0;
}

}  // namespace qnnsim::cli
