// `qnnsim check GOLDEN.yaml [--bless]`: reruns every run of a golden-figures
// file, each in its own process (SystemC elaborates once per process), and
// compares its figures with the file's.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/diff_command.h"
#include "core/config_error.h"
#include "report/golden_file.h"

extern char** environ;

namespace qnnsim::cli {

namespace fs = std::filesystem;

namespace {

// Runs this binary with `args`, its output to `log`; the exit code, or -1 when it could not start or was killed.
int run_self(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> words{"qnnsim"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int started = posix_spawn(&pid, "/proc/self/exe", &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (started != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

CLI::App* add_check_command(CLI::App& app, CheckArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "check", "Rerun every run of a golden-figures file and compare its figures within the file's tolerance; exit 1 "
               "when one changed (--bless: write the new figures back)");
  cmd->add_option("GOLDEN", a.golden, "golden-figures YAML (the project's: tests/golden_figures.yaml)")->required();
  cmd->add_flag("--bless", a.bless, "after an intended change: show what changed and write the new figures to the file");
  cmd->add_option("--limit", a.limit, "print at most N changes per run (0: all; default 20)");
  return cmd;
}

int run_check(const CheckArgs& a) {
  GoldenFile golden = load_golden(a.golden);
  std::error_code ec;
  const fs::path scratch = fs::temp_directory_path() / fmt::format("qnnsim-check-{}", getpid());
  fs::create_directories(scratch, ec);
  if (ec) {
    std::cerr << "error: cannot create '" << scratch.string() << "': " << ec.message() << "\n";
    return 1;
  }
  std::size_t changed_runs = 0, failed_runs = 0;
  for (std::size_t i = 0; i < golden.runs.size(); ++i) {
    GoldenRun& run = golden.runs[i];
    const fs::path json = scratch / fmt::format("run{}.json", i), log = scratch / fmt::format("run{}.log", i);
    std::vector<std::string> args{"run", golden_input_path(golden, run.arch), golden_input_path(golden, run.workload)};
    args.insert(args.end(), run.options.begin(), run.options.end());
    args.insert(args.end(), {"--quiet", "--json", json.string()});
    const int code = run_self(args, log);
    if (code != 0) {
      std::cout << fmt::format("FAILED   {} (exit {}):\n{}", run.label(), code, read_text(log));
      ++failed_runs;
      continue;
    }
    const Figures now = golden_figures(flatten_report(nlohmann::json::parse(read_text(json))));
    const std::vector<FigureChange> changes = compare_figures(run.figures, now);
    std::size_t past = 0;
    for (const FigureChange& c : changes) past += c.past(golden.tolerance) ? 1 : 0;
    if (past == 0) {
      std::cout << fmt::format("ok       {} ({} figures)\n", run.label(), now.size());
    } else {
      ++changed_runs;
      std::cout << fmt::format("{} {}: {} of {} figures past the tolerance ({:g})\n", a.bless ? "blessed " : "CHANGED ",
                               run.label(), past, now.size(), golden.tolerance);
      std::cout << fmt::format("  {:>10} {:>17} {:>17}  {}\n", "change", "golden", "now", "figure");
      print_changes(changes, golden.tolerance, a.limit);
    }
    if (a.bless) run.figures = now;
  }
  fs::remove_all(scratch, ec);
  if (a.bless && failed_runs == 0) {
    std::ofstream out(golden.path);
    out << golden_yaml(golden);
    out.close();
    if (!out) {
      std::cerr << "error: writing '" << golden.path << "' failed: " << std::strerror(errno) << "\n";
      return 1;
    }
    std::cout << fmt::format("wrote {}: {} runs, {} with new figures\n", golden.path, golden.runs.size(), changed_runs);
    return 0;
  }
  std::cout << fmt::format("{} runs: {} ok, {} changed, {} failed\n", golden.runs.size(),
                           golden.runs.size() - changed_runs - failed_runs, changed_runs, failed_runs);
  if (a.bless) std::cout << "not blessed: a run failed\n";
  return failed_runs + changed_runs == 0 ? 0 : kExitChanged;
}

}  // namespace qnnsim::cli
