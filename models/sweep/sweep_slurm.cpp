// The Slurm backend: one job array, each task a local sweep over its share of
// the missing points into its own results file (so tasks never contend for
// one SQLite file across nodes), merged here when the array ends. Files live
// beside the results file, in DB.slurm/, which the cluster's nodes must see.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "core/output_file.h"
#include "sweep/forked_pool.h"
#include "sweep/progress.h"
#include "sweep/sweep_backends.h"

namespace qnnsim {

namespace fs = std::filesystem;

namespace {

constexpr int kDefaultMaxTasks = 16;

fs::path work_dir(const ResultsDb& db) { return fs::absolute(db.path() + ".slurm"); }

std::vector<fs::path> shard_files(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("shard-", 0) == 0 && e.path().extension() == ".db") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Single quotes for sh, so paths with spaces survive the batch script.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string write_script(const SweepPlan& plan, const SweepOptions& o, const fs::path& dir, int tasks, int cpus) {
  const fs::path exe = fs::read_symlink("/proc/self/exe");
  const fs::path script = dir / "job.sh";
  std::ostringstream out;
  out << "#!/bin/sh\n"
      << "# Written by qnnsim sweep --backend slurm: each array task runs its share of points.txt.\n"
      << fmt::format("#SBATCH --job-name=qnnsim-{}\n", plan.spec.name)
      << fmt::format("#SBATCH --array=0-{}\n", tasks - 1)
      << fmt::format("#SBATCH --cpus-per-task={}\n", cpus)
      << fmt::format("#SBATCH --output={}\n", (dir / "task-%a.log").string())
      << fmt::format("exec {} sweep {} --db {}/shard-$SLURM_ARRAY_TASK_ID.db --points {} --shard $SLURM_ARRAY_TASK_ID/{} "
                     "-j {} --resume\n",
                     quoted(exe.string()), quoted(fs::absolute(o.spec_path).string()), quoted(dir.string()),
                     quoted((dir / "points.txt").string()), tasks, cpus);
  write_output_file(script.string(), out.str());
  return script.string();
}

// Starts sbatch --wait; its job id arrives on the returned descriptor.
pid_t start_sbatch(const std::vector<std::string>& args, int* stdout_fd) {
  int p[2];
  if (pipe(p) != 0) throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  std::cout.flush();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start sbatch: ") + std::strerror(errno));
  if (pid == 0) {
    setpgid(0, 0);  // Ctrl-C is ours to handle: we scancel the job
    dup2(p[1], STDOUT_FILENO);
    close(p[0]);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "error: cannot run sbatch: %s (is Slurm installed? scripts/slurm_single_node.sh start brings "
                         "up a one-node cluster)\n", std::strerror(errno));
    _exit(127);
  }
  close(p[1]);
  *stdout_fd = p[0];
  return pid;
}

// Progress of the tasks, from their results files: points done, and failed.
void show_shards(Progress& bar, const fs::path& dir) {
  int64_t done = 0, failed = 0;
  for (const fs::path& f : shard_files(dir)) {
    done += ResultsDb::count_points(f.string());
    failed += ResultsDb::count_points(f.string(), true);
  }
  bar.set(done, failed);
}

}  // namespace

int64_t merge_leftover_shards(ResultsDb& db) {
  int64_t added = 0;
  for (const fs::path& f : shard_files(work_dir(db))) {
    added += db.merge_from(f.string());
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(f.string() + suffix);
  }
  return added;
}

BackendEnd run_slurm(const SweepPlan& plan, const std::vector<std::size_t>& todo, ResultsDb& db,
                     const SweepOptions& o) {
  const fs::path dir = work_dir(db);
  fs::create_directories(dir);
  {
    // A truncated list would silently drop points: written whole or not at all.
    std::string points;
    for (std::size_t i : todo) points += std::to_string(i) + "\n";
    write_output_file((dir / "points.txt").string(), points);
  }
  const int tasks = static_cast<int>(std::min<std::size_t>(todo.size(), o.slurm_tasks > 0 ? o.slurm_tasks : kDefaultMaxTasks));
  const int cpus = o.jobs > 0 ? o.jobs : 1;
  std::vector<std::string> args{"sbatch", "--parsable", "--wait"};
  args.insert(args.end(), o.sbatch_args.begin(), o.sbatch_args.end());
  args.push_back(write_script(plan, o, dir, tasks, cpus));

  StopSignals signals;
  int out_fd = -1;
  const pid_t pid = start_sbatch(args, &out_fd);
  std::string job_id;
  Progress bar(static_cast<int64_t>(todo.size()), o.progress);
  int status = 0;
  bool cancelled = false;
  for (;;) {
    if (job_id.empty()) {
      // sbatch --parsable prints "JOBID[;CLUSTER]" at submission, then waits.
      char buf[256];
      const ssize_t n = read(out_fd, buf, sizeof buf);
      if (n > 0) job_id.append(buf, static_cast<std::size_t>(n));
      const std::size_t cut = job_id.find_first_of(";\n");
      if (cut != std::string::npos) job_id = job_id.substr(0, cut);
      if (!job_id.empty() && o.progress) std::cout << fmt::format("submitted Slurm job {} ({} tasks)\n", job_id, tasks);
    }
    const pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (stop_requested() && !cancelled) {
      cancelled = true;
      if (!job_id.empty()) std::system(("scancel " + job_id).c_str());
      kill(pid, SIGTERM);
    }
    show_shards(bar, dir);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  close(out_fd);
  show_shards(bar, dir);
  bar.finish();
  const int64_t merged = merge_leftover_shards(db);
  if (o.progress) std::cout << fmt::format("merged {} points from the job's tasks\n", merged);
  if (cancelled) return BackendEnd::Interrupted;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << fmt::format("error: sbatch {} (job {}); the tasks' logs are in {}\n",
                             WIFEXITED(status) ? fmt::format("exited with status {}", WEXITSTATUS(status))
                                               : std::string("was killed"),
                             job_id.empty() ? "not submitted" : job_id, dir.string());
    return BackendEnd::Failed;
  }
  return BackendEnd::Done;
}

}  // namespace qnnsim
